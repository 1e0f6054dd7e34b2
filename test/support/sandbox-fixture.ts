/**
 * A sandbox federation for one integration test file: its own directory and loopback range, the
 * engine prepared once, and a deploy that captures terraform's output instead of printing it.
 */
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { CommandLogEntry, readCommandLog, sandboxDown, sandboxStatus, SandboxStatus, sandboxUp } from "../../sandbox";
import { deploy } from "../../lib/terraform/deploy";
import { LedgerEntry, LedgerEvent, LedgerLock, LedgerRecord, LedgerSnapshot } from "../../lib/model/ledger";

/** The CLI as a user runs it (the build: `npm run build` first). */
export const ONEFED_CLI = path.resolve(__dirname, "../../dist/lib/cli/onefed.js");

/** A `onefed` process started in its own process group, with everything it printed. */
export class OnefedProcess {
  private text = "";
  /** Resolves when it exited: its exit code, or the signal that ended it. */
  readonly exited: Promise<{ readonly code: number | null; readonly signal: NodeJS.Signals | null }>;

  constructor(
    readonly argv: readonly string[],
    readonly child: ChildProcess,
  ) {
    child.stdout!.on("data", (d) => (this.text += d));
    child.stderr!.on("data", (d) => (this.text += d));
    this.exited = new Promise((resolve) => child.on("close", (code, signal) => resolve({ code, signal })));
  }

  /** stdout and stderr so far, interleaved as they arrived. */
  get output(): string {
    return this.text;
  }

  /** Signals the whole process group: onefed, terraform, the provider, every step runner it started. */
  killGroup(signal: NodeJS.Signals = "SIGKILL"): void {
    process.kill(-this.child.pid!, signal);
  }

  /** Signals only the onefed process itself (as a CI cancel does). */
  kill(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  /** Waits for the exit; rejects with the output when it took longer than `ms`. */
  async finished(ms = 300_000): Promise<{ code: number | null; signal: NodeJS.Signals | null; output: string }> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>(
      (_, reject) => (timer = setTimeout(() => reject(new Error(`onefed ${this.argv.join(" ")} still runs after ${ms} ms:\n${this.text}`)), ms)),
    );
    try {
      const r = await Promise.race([this.exited, timeout]);
      return { ...r, output: this.text };
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Starts `node dist/lib/cli/onefed.js ARGV` in its own process group (so a test can kill the whole tree), in `cwd`. */
export function startOnefed(argv: readonly string[], cwd: string, env: NodeJS.ProcessEnv = {}): OnefedProcess {
  const child = spawn(process.execPath, [ONEFED_CLI, ...argv], { cwd, detached: true, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...env } });
  return new OnefedProcess(argv, child);
}

/** Runs `onefed ARGV` to its end. */
export function runOnefed(
  argv: readonly string[],
  cwd: string,
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number | null; signal: NodeJS.Signals | null; output: string }> {
  return startOnefed(argv, cwd, env).finished();
}

/**
 * How often each change of a 1+2 type B upgrade ran, from the front-ends' own command logs: an
 * upgrade that ran every change exactly once has `ONE_UPGRADE_OF_ONE_PLUS_TWO`.
 */
export function changeCounts(log: readonly CommandLogEntry[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const re of Object.keys(ONE_UPGRADE_OF_ONE_PLUS_TWO)) counts[re] = log.filter((e) => new RegExp(re).test(e.command)).length;
  return counts;
}

/** Each change of a 1+2 type B upgrade, once per zone (restores on the two slaves). */
export const ONE_UPGRADE_OF_ONE_PLUS_TWO: Readonly<Record<string, number>> = {
  "^onezone disable ": 3,
  "^systemctl stop ": 3,
  "^onedb backup -v -f ": 3,
  "^onedb upgrade ": 3,
  "^onedb restore ": 2,
  "^onezone enable ": 3,
};

/** Polls `ok` until it holds; fails naming `what` after `ms`. */
export async function until(what: string, ok: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export const isRoot = process.getuid?.() === 0;
/** Integration tests need root (sshd on port 22 of 127.x, mount namespaces); say so instead of passing silently. */
export const describeAsRoot: jest.Describe = isRoot ? describe : (describe.skip as jest.Describe);
if (!isRoot) console.warn("integration tests skipped: they need root to run sshd front-ends in mount namespaces");

export class SandboxFixture {
  readonly dir: string;
  readonly configPath: string;
  /** Deploys started as processes: a failed test must not leave one running. */
  private readonly started: OnefedProcess[] = [];

  private constructor(dir: string) {
    this.dir = dir;
    this.configPath = path.join(dir, "federation.yaml");
  }

  /**
   * A fresh sandbox: `from`/`to` versions, `ha` zone ids that become HA (Raft) zones of `servers`
   * front-ends each (default 3; see docs/sandbox.md "HA zones"), `nodes` KVM hypervisor nodes per
   * zone (default 0), `dnfZones` / `yumZones` whose machines are RHEL-like, `mysqlZones` whose
   * front-ends are MySQL-configured (password in `<dir>/mysql-password`; docs/sandbox.md), `jumpHost`
   * for a jump host every connection of the federation file goes through (docs/sandbox.md).
   */
  static async up(
    addressBase: string,
    slaves = 2,
    options: {
      from?: string;
      to?: string;
      ha?: readonly number[];
      servers?: number;
      nodes?: number;
      dnfZones?: readonly number[];
      yumZones?: readonly number[];
      mysqlZones?: readonly number[];
      jumpHost?: boolean;
      timing?: "fast" | "realistic";
      timingScale?: number;
    } = {},
  ): Promise<SandboxFixture> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "onefed-it-"));
    // The sandbox login user must traverse it (mkdtemp makes 0700).
    fs.chmodSync(dir, 0o755);
    await sandboxUp({ dir, addressBase, slaves, ...options });
    return new SandboxFixture(dir);
  }

  /** Applies the stack; resolves with terraform's output, or rejects with the EngineRunError and keeps the output on it. */
  async deploy(via: "engine" | "cdktf" = "engine"): Promise<string> {
    const lines: string[] = [];
    try {
      await deploy({ configPath: this.configPath, outdir: path.join(this.dir, "cdktf.out"), via, log: (l) => lines.push(l) });
      return lines.join("\n");
    } catch (err) {
      (err as Error & { output?: string }).output = lines.join("\n");
      (err as Error).message += `\n--- output ---\n${lines.join("\n")}`;
      throw err;
    }
  }

  /** A deploy that must fail: resolves with everything it printed (and the error), rejects if it succeeded. */
  async failedDeploy(): Promise<string> {
    try {
      await this.deploy();
    } catch (err) {
      return (err as Error & { output?: string }).output ?? (err as Error).message;
    }
    throw new Error("the deploy was expected to fail, but it succeeded");
  }

  /**
   * `onefed deploy` as a child process in its own process group (a CI job's process tree), with
   * this fixture's output directory; `configPath` another federation file (default the sandbox's) and
   * `outdir` another output directory (two stacks side by side).
   */
  startDeploy(configPath = this.configPath, outdir = path.join(this.dir, "cdktf.out")): OnefedProcess {
    const p = startOnefed(["deploy", "--config", configPath, "--out", outdir], this.dir);
    this.started.push(p);
    return p;
  }

  /** The ledger directory of this upgrade on the master, as the host sees it (the master's own tree). */
  ledgerDir(): string {
    return path.join(this.dir, "frontends", "zone0-server0", "root", "var", "lib", "one", "backups", "onefed", "ledger", "sandbox-6.10.0-to-7.0.0");
  }

  /** The ledger as its files on the master hold it (read from the host: no SSH command, nothing in the logs). */
  ledger(): LedgerSnapshot {
    const dir = this.ledgerDir();
    const read = (f: string): LedgerRecord[] => {
      try {
        return [JSON.parse(fs.readFileSync(path.join(dir, f), "utf8")) as LedgerRecord];
      } catch (err) {
        // Removed between the listing and the read (a run releasing its lock meanwhile).
        if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
        throw err;
      }
    };
    const records = fs.existsSync(dir)
      ? fs
          .readdirSync(dir)
          .filter((f) => f.endsWith(".json"))
          .flatMap(read)
      : [];
    return {
      lock: records.find((r): r is LedgerLock => r.kind === "lock"),
      entries: records.filter((r): r is LedgerEntry => r.kind === "entry"),
      events: records.filter((r): r is LedgerEvent => r.kind === "event"),
    };
  }

  /** Whether the ledger records (step, zone) complete. */
  recorded(step: string, zoneId: number): boolean {
    return this.ledger().entries.some((e) => e.step === step && e.zone_id === zoneId);
  }

  /** A file of a front-end's own tree, as the host sees it: ("zone100-server0", "/var/lib/one/one.db"). */
  frontendPath(frontend: string, onePath: string): string {
    return path.join(this.dir, "frontends", frontend, "root", onePath);
  }

  /** The MySQL zones' password (sandboxes with `mysqlZones`): what ONEFED_SANDBOX_DB_PASSWORD must hold for a deploy. */
  mysqlPassword(): string {
    return fs.readFileSync(path.join(this.dir, "mysql-password"), "utf8").trim();
  }

  status(): Promise<SandboxStatus> {
    return sandboxStatus(this.dir);
  }

  log(frontend?: string): CommandLogEntry[] {
    return readCommandLog(this.dir, frontend);
  }

  async down(): Promise<void> {
    for (const p of this.started) {
      try {
        p.killGroup("SIGKILL");
      } catch {
        /* exited */
      }
    }
    await sandboxDown(this.dir);
  }
}

/** The one command a run sends when it only reads the federation's upgrade ledger on the master (a re-deploy, a refused apply). */
export function isLedgerRead(e: CommandLogEntry): boolean {
  return /^sh -c '\[ -d "\$1" \] \|\| exit 0; d=\$1; set -- "\$d"\/\*\.json;.*' sh \/var\/lib\/one\/backups\/onefed\/ledger\/[^ ]+$/.test(e.command);
}

/**
 * A step's begin on the master: the ledger's compare-and-swap (docs/ledger.md), which reads every
 * record and writes the lock and a heartbeat only if what the step must find is there. A step
 * already done sends it and writes nothing (its own entry is there): whether one wrote is proven by
 * the ledger itself (the lock, the runner records), not by the command log.
 */
export function isStepBegin(e: CommandLogEntry): boolean {
  return /^sh -c 'umask 077; d=\$1; sum=\$2; rd=\$3;.* l lock\.json /s.test(e.command);
}

/** Every command since `from` (a log length) except reads of the ledger and steps' begins: what changed, or tried to change, a machine. */
export function changesSince(log: readonly CommandLogEntry[], from: number): CommandLogEntry[] {
  return log.slice(from).filter((e) => !isLedgerRead(e) && !isStepBegin(e));
}

/** Index of the first log entry whose command matches, or -1. */
export function firstIndex(log: readonly CommandLogEntry[], re: RegExp, frontend?: string): number {
  return log.findIndex((e) => (!frontend || e.frontend === frontend) && re.test(e.command));
}
