/**
 * The command guard (commands.ts commandGuard) with its real script, run by the local sh and
 * flock as a front-end would: an exclusive command of a killed run that still runs keeps a second
 * copy from starting, with a refusal naming the first; everything else about the command is kept.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { CommandStillRunningError } from "../../lib/remote/opennebula/command-still-running-error";
import { commandGuard, onedb } from "../../lib/remote/opennebula/commands";
import { RemoteCommand, renderCommand } from "../../lib/remote/opennebula/remote-command";
import { COMMAND_GUARD_PREFIX } from "../../sandbox/contract";
import { RemoteCommandError } from "../../lib/remote/opennebula/remote-command-error";
import { RemoteMachine } from "../../lib/remote/opennebula/remote-machine";
import { CommandResult } from "../../lib/remote/ssh/command-result";
import { LocalTransport } from "../support/local-transport";
import { unwrapGuarded } from "../support/fake-frontend";

/** The local sh as the machine, with the guard's lock and note in a temp directory instead of /var/lib/one. */
class GuardedLocalTransport extends LocalTransport {
  public readonly sent: string[] = [];
  constructor(private readonly home: string) {
    super();
  }
  exec(line: string, stdin?: string): Promise<CommandResult> {
    this.sent.push(line);
    return super.exec(line.split(path.dirname(commandGuard.lockFile)).join(this.home), stdin);
  }
}

function machine() {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "onefed-guard-"));
  const transport = new GuardedLocalTransport(home);
  const logged: string[] = [];
  const m = new RemoteMachine(transport, { host: "10.0.0.1", port: 22, zone: "zone 100 (S-EU-GE)" }, "apt", (l) => logged.push(l));
  return { home, transport, m, logged };
}

const exclusive = (script: string, extra: Partial<RemoteCommand> = {}): RemoteCommand => ({ argv: ["sh", "-c", script], exclusive: true, ...extra });

describe("command guard", () => {
  it("runs an exclusive command with its stdin, output and exit code; logs the command itself, not the guard", async () => {
    const { m, transport, logged, home } = machine();
    const r = await m.run(exclusive('read -r x; echo "got $x"; echo warn >&2; exit 3', { stdin: "it's\n", okExitCodes: [3] }));
    expect([r.exitCode, r.stdout, r.stderr]).toEqual([3, "got it's\n", "warn\n"]);
    expect(transport.sent[0].startsWith("sh -c 'exec 9>>")).toBe(true);
    expect(unwrapGuarded(transport.sent[0])).toBe(`sh -c 'read -r x; echo "got $x"; echo warn >&2; exit 3'`);
    expect(logged[0]).toMatch(/^ {2}\$ sh -c 'read -r x; .*' {2}→ 3 \(\d+ ms\)$/);
    // The note is gone once the command ended; the lock file stays (an empty file, harmless).
    expect(fs.readdirSync(home).sort()).toEqual([path.basename(commandGuard.lockFile)]);
  });

  it("refuses a second exclusive command while the first still runs, naming the first; runs it once the first ended", async () => {
    const { m, home } = machine();
    const first = m.run(exclusive("sleep 1.5; echo first done"));
    const note = path.join(home, path.basename(commandGuard.noteFile));
    const deadline = Date.now() + 5000;
    while (!fs.existsSync(note) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));

    const second = await m.run(onedb.restoreFederated("/var/lib/one/backups/onefed/a.sql")).catch((e: unknown) => e);
    expect(second).toBeInstanceOf(CommandStillRunningError);
    const message = (second as Error).message;
    expect(message).toContain("zone 100 (S-EU-GE)");
    expect(message).toContain("10.0.0.1");
    expect(message).toContain("`onedb restore /var/lib/one/backups/onefed/a.sql -v --federated` was not started");
    expect(message).toMatch(/because `sh -c 'sleep 1\.5; echo first done' — started \S+ by onefed pid \d+ on .+` still runs there/);
    expect(message).toContain("This command changed nothing");
    expect(message).toContain("run the deploy again");

    expect((await first).stdout).toBe("first done\n");
    const third = await m.run(exclusive("echo third"));
    expect(third.stdout).toBe("third\n");
  });

  it("does not guard ordinary commands, and takes a 75 of the command itself for the command's failure", async () => {
    const { m, home, transport } = machine();
    const slow = m.run(exclusive("sleep 1"));
    while (!fs.existsSync(path.join(home, path.basename(commandGuard.noteFile)))) await new Promise((r) => setTimeout(r, 20));
    // A probe is no exclusive command: it runs beside the guarded one.
    expect((await m.run({ argv: ["echo", "probe"] })).stdout).toBe("probe\n");
    expect(transport.sent[1]).toBe("echo probe");
    await slow;
    const own75 = await m.run(exclusive("echo failed >&2; exit 75")).catch((e: unknown) => e);
    expect(own75).toBeInstanceOf(RemoteCommandError);
    expect(own75).not.toBeInstanceOf(CommandStillRunningError);
  });

  it("keeps a daemon started by the command from holding the lock", async () => {
    const { m, home } = machine();
    const pidFile = path.join(home, "daemon.pid");
    await m.run(exclusive(`sleep 30 >/dev/null 2>&1 & echo $! > '${pidFile}'`));
    try {
      expect((await m.run(exclusive("echo next"))).stdout).toBe("next\n");
    } finally {
      process.kill(Number(fs.readFileSync(pidFile, "utf8")), "SIGKILL");
    }
  });
});

describe("command guard and the sandbox", () => {
  it("begins as the sandbox's front-end shell expects, so the sandbox logs, holds and injects the command inside it", () => {
    expect(renderCommand(commandGuard.wrap("onedb version", "note")).startsWith(COMMAND_GUARD_PREFIX)).toBe(true);
  });
});
