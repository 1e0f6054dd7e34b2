/** Who this process runs for: the deploy that started it (from its environment), or itself. */
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import { automationUser } from "../../model/automation-user";
import { RUN_ID_ENV, STATE_LINEAGE_ENV } from "../../model/environment";
import { heartbeatFresh, LedgerRunner, RunIdentity } from "../../model/ledger";

/** `user@host` of this automation host. */
export function automationHost(): string {
  return `${automationUser() ?? String(process.getuid?.() ?? "unknown")}@${os.hostname()}`;
}

export function newRunId(): string {
  return `${new Date().toISOString().replace(/[-:]/g, "").replace(/\..*/, "Z")}-${crypto.randomBytes(4).toString("hex")}`;
}

/**
 * The run this process belongs to. A step started by `onefed deploy`/`apply` inherits the run id and
 * the state lineage; one started by hand (or by a plain `cdktf deploy`) is a run of its own whose
 * lineage is unknown, so it may take a free lock but never take over another run's.
 */
export function currentRun(env: NodeJS.ProcessEnv = process.env): RunIdentity {
  return { runId: env[RUN_ID_ENV] || `manual-${newRunId()}`, lineage: env[STATE_LINEAGE_ENV] || undefined, who: automationHost() };
}

/**
 * Whether a runner is still at work: one on this automation host is alive exactly while its
 * process is (a killed one is known dead at once); one elsewhere while its heartbeat is fresh.
 */
export function runnerActive(runner: LedgerRunner, now: Date = new Date()): boolean {
  if (runner.holder === automationHost()) {
    if (isZombie(runner.pid)) return false;
    try {
      process.kill(runner.pid, 0);
      return heartbeatFresh(runner, now);
    } catch (err) {
      return (err as NodeJS.ErrnoException).code === "EPERM" && heartbeatFresh(runner, now);
    }
  }
  return heartbeatFresh(runner, now);
}

/**
 * A killed runner whose parent died with it (terraform, the whole deploy) is reparented to init and
 * stays a zombie until init reaps it (a container's init may take its time, or never): it still
 * answers kill(pid, 0), yet it does nothing any more.
 */
function isZombie(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z");
  } catch {
    return false;
  }
}
