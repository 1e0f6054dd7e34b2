/**
 * A sandbox federation for one integration test file: its own directory and loopback range, the
 * engine prepared once, and a deploy that captures terraform's output instead of printing it.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { CommandLogEntry, readCommandLog, sandboxDown, sandboxStatus, SandboxStatus, sandboxUp } from "../../sandbox";
import { deploy } from "../../lib/terraform/deploy";

export const isRoot = process.getuid?.() === 0;
/** Integration tests need root (sshd on port 22 of 127.x, mount namespaces); say so instead of passing silently. */
export const describeAsRoot: jest.Describe = isRoot ? describe : (describe.skip as jest.Describe);
if (!isRoot) console.warn("integration tests skipped: they need root to run sshd front-ends in mount namespaces");

export class SandboxFixture {
  readonly dir: string;
  readonly configPath: string;

  private constructor(dir: string) {
    this.dir = dir;
    this.configPath = path.join(dir, "federation.yaml");
  }

  /**
   * A fresh sandbox: `from`/`to` versions, `ha` zone ids that become HA (Raft) zones of `servers`
   * front-ends each (default 3; see docs/sandbox.md "HA zones"), `nodes` KVM hypervisor nodes per
   * zone (default 0), `dnfZones` / `yumZones` whose machines are RHEL-like, `mysqlZones` whose
   * front-ends are MySQL-configured (password in `<dir>/mysql-password`; docs/sandbox.md).
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
    await sandboxDown(this.dir);
  }
}

/** The one command a run sends when it only reads the federation's upgrade ledger on the master (a re-deploy, a refused apply). */
export function isLedgerRead(e: CommandLogEntry): boolean {
  return /^sh -c '\[ -d "\$1" \] \|\| exit 0; for f in "\$1"\/\*\.json;.*' sh \/var\/lib\/one\/backups\/onefed\/ledger\/[^ ]+$/.test(e.command);
}

/** Every command since `from` (a log length) except reads of the ledger: what changed, or tried to change, a machine. */
export function changesSince(log: readonly CommandLogEntry[], from: number): CommandLogEntry[] {
  return log.slice(from).filter((e) => !isLedgerRead(e));
}

/** Index of the first log entry whose command matches, or -1. */
export function firstIndex(log: readonly CommandLogEntry[], re: RegExp, frontend?: string): number {
  return log.findIndex((e) => (!frontend || e.frontend === frontend) && re.test(e.command));
}
