/**
 * Gathers the read-only commands a step issues to one machine in the same turn of the event loop
 * (`Promise.all([fe.installedVersion(), fe.dbVersion()])`) and sends them as one probe batch
 * (probe-batch.ts): one round trip instead of one each. A command issued alone goes as itself, so
 * a lone probe looks exactly as before in logs and plans.
 */
import { CommandResult } from "../ssh/command-result";
import { newBatchMarker, parseProbeBatch, probeBatchCommand } from "./probe-batch";
import { renderCommand } from "./remote-command";

interface Pending {
  readonly line: string;
  /** Told when the command really leaves, with the batch it went in (undefined: alone). */
  readonly started: (batch: string | undefined) => void;
  readonly resolve: (r: CommandResult) => void;
  readonly reject: (err: unknown) => void;
}

export class ProbeBatcher {
  private pending: Pending[] = [];

  constructor(
    /** Sends one command line (the machine's transport, no stdin). */
    private readonly send: (line: string) => Promise<CommandResult>,
  ) {}

  /** Runs `line` with the other probes issued in this turn; resolves with its own result. */
  exec(line: string, started: (batch: string | undefined) => void): Promise<CommandResult> {
    return new Promise((resolve, reject) => {
      this.pending.push({ line, started, resolve, reject });
      // After every microtask of this turn: the calls of one Promise.all all land in one batch.
      if (this.pending.length === 1) setImmediate(() => void this.flush());
    });
  }

  private async flush(): Promise<void> {
    const group = this.pending.splice(0);
    if (group.length === 1) return this.alone(group[0]);
    const marker = newBatchMarker();
    const id = marker.slice("onefed-".length, "onefed-".length + 8);
    group.forEach((p) => p.started(id));
    let raw: CommandResult;
    try {
      raw = await this.send(
        renderCommand(
          probeBatchCommand(
            group.map((p) => p.line),
            marker,
          ),
        ),
      );
    } catch (err) {
      group.forEach((p) => p.reject(err));
      return;
    }
    const sections = parseProbeBatch(raw.stdout, marker, group.length);
    if (raw.exitCode !== null && sections.every((s) => s.exitCode === null)) {
      // The script itself could not run (no temp file on a full /tmp): each command on its own, in order.
      for (const p of group) await this.send(p.line).then(p.resolve, p.reject);
      return;
    }
    // Settled in order, so a Promise.all over them fails with the first failing command, as in sequence.
    group.forEach((p, i) => {
      const s = sections[i];
      p.resolve({ ...raw, command: p.line, exitCode: s.exitCode, signal: s.exitCode === null ? raw.signal : null, stdout: s.stdout, stderr: s.stderr });
    });
  }

  private async alone(p: Pending): Promise<void> {
    p.started(undefined);
    await this.send(p.line).then(p.resolve, p.reject);
  }
}
