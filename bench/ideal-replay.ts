/**
 * The ideal replay: the same remote commands a deploy sent, run again over plain OpenSSH with one
 * multiplexed master connection per machine (ControlMaster), following the same step graph with no
 * runner start-up, no engine and no checks in between. What a deploy could take if onefed cost
 * nothing but the remote work. Runs as its own process (`node ideal-replay.js PLAN`) so that its
 * CPU is measured apart; prints its result as one JSON line.
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { ReplayCommand, ReplayPlan } from "./replay-plan";

/** How the replay logs in (the sandbox's user, key and known_hosts). */
export interface ReplayLogin {
  readonly user: string;
  readonly privateKeyPath: string;
  readonly knownHostsPath: string;
}

export interface ReplayResult {
  readonly wallMs: number;
  readonly commands: number;
  /** Commands whose exit code differs from the run's (a command fed by stdin gets it only when the sandbox kept it). */
  readonly differentExits: number;
  /** Them by kind (the command's first 60 characters and both exit codes; at most 40 kinds): what to look at when the replay strays from the run. */
  readonly differences: readonly { readonly command: string; readonly run: number | null; readonly replay: number | null; readonly count: number }[];
  readonly masters: number;
}

/** sshd's MaxSessions is 64 in the sandbox: stay under it per master. */
const SESSIONS_PER_MASTER = 60;

const splitTarget = (target: string) => {
  const i = target.lastIndexOf(":");
  return { host: target.slice(0, i), port: target.slice(i + 1) };
};

/** One command over the master connection; `stdinFile` (what the run sent: ledger records, an upload) on its stdin. */
function run(argv: readonly string[], stdinFile?: string): Promise<number | null> {
  return new Promise((resolve) => {
    const fd = stdinFile === undefined ? undefined : fs.openSync(stdinFile, "r");
    const p = spawn("ssh", argv, { stdio: [fd ?? "ignore", "ignore", "ignore"] });
    const done = (code: number | null) => {
      if (fd !== undefined) fs.closeSync(fd);
      resolve(code);
    };
    p.on("error", () => done(null));
    p.on("close", (code) => done(code));
  });
}

class Slots {
  private free: number;
  private readonly waiting: (() => void)[] = [];
  constructor(n: number) {
    this.free = n;
  }
  async take<T>(f: () => Promise<T>): Promise<T> {
    if (this.free === 0) await new Promise<void>((r) => this.waiting.push(r));
    else this.free--;
    try {
      return await f();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.free++;
    }
  }
}

export async function idealReplay(plan: ReplayPlan, login: ReplayLogin, workDir: string): Promise<ReplayResult> {
  const targets = [...new Set([...plan.before, ...plan.steps.flatMap((s) => s.commands)].map((c) => c.target))];
  const control = new Map(targets.map((t, i) => [t, path.join(workDir, `cm${i}`)]));
  const base = ["-F", "/dev/null", "-o", "BatchMode=yes", "-T"];
  const masters = targets.map((t) => {
    const { host, port } = splitTarget(t);
    const argv = [...base, "-N", "-o", "ControlMaster=yes", "-o", `ControlPath=${control.get(t)}`, "-i", login.privateKeyPath];
    argv.push("-o", `UserKnownHostsFile=${login.knownHostsPath}`, "-o", "StrictHostKeyChecking=yes", "-p", port, `${login.user}@${host}`);
    return spawn("ssh", argv, { stdio: "ignore" });
  });
  const slots = new Map(targets.map((t) => [t, new Slots(SESSIONS_PER_MASTER)]));
  try {
    const deadline = Date.now() + 60_000;
    while (![...control.values()].every((p) => fs.existsSync(p))) {
      if (Date.now() > deadline) throw new Error("the replay's ssh master connections did not come up within 60 s");
      await new Promise((r) => setTimeout(r, 20));
    }
    let commands = 0;
    let differentExits = 0;
    const differences = new Map<string, { command: string; run: number | null; replay: number | null; count: number }>();
    const runCommands = async (list: readonly ReplayCommand[]) => {
      const done: Promise<void>[] = [];
      list.forEach((c, i) => {
        done[i] = Promise.all(c.after.map((j) => done[j])).then(async () => {
          const { host, port } = splitTarget(c.target);
          const code = await slots
            .get(c.target)!
            .take(() => run([...base, "-o", `ControlPath=${control.get(c.target)}`, "-p", port, `${login.user}@${host}`, c.command], c.stdinFile));
          commands++;
          if (c.exitCode !== null && code !== c.exitCode) {
            differentExits++;
            const kind = `${c.command.slice(0, 60)} ${c.exitCode} ${code}`;
            const known = differences.get(kind);
            if (known) known.count++;
            else if (differences.size < 40) differences.set(kind, { command: c.command.slice(0, 300), run: c.exitCode, replay: code, count: 1 });
          }
        });
      });
      await Promise.all(done);
    };
    const t0 = process.hrtime.bigint();
    await runCommands(plan.before);
    const finished = new Map<string, Promise<void>>();
    const byKey = new Map(plan.steps.map((s) => [s.key, s]));
    const stepDone = (key: string): Promise<void> => {
      const known = finished.get(key);
      if (known) return known;
      const s = byKey.get(key)!;
      const p = Promise.all(s.after.filter((a) => byKey.has(a)).map(stepDone)).then(() => runCommands(s.commands));
      finished.set(key, p);
      return p;
    };
    await Promise.all(plan.steps.map((s) => stepDone(s.key)));
    const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
    return { wallMs, commands, differentExits, differences: [...differences.values()], masters: targets.length };
  } finally {
    for (const m of masters) m.kill("SIGTERM");
    await Promise.all(masters.map((m) => (m.exitCode === null ? new Promise((r) => m.on("close", r)) : undefined)));
  }
}

if (require.main === module) {
  const [planFile, loginFile, workDir] = process.argv.slice(2);
  const plan = JSON.parse(fs.readFileSync(planFile, "utf8")) as ReplayPlan;
  const login = JSON.parse(fs.readFileSync(loginFile, "utf8")) as ReplayLogin;
  idealReplay(plan, login, workDir).then(
    (r) => process.stdout.write(JSON.stringify(r) + "\n"),
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}
