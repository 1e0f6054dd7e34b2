/**
 * What the operator, the run directory and the events file hear of one step on one zone: every
 * line the step prints, with its UTC time, step and zone; every command with its front-end
 * (host:port, so an HA zone's servers stay apart), the output of progress commands line by line as
 * it arrives, its exit code and duration; and a "still running" line when a command stays silent.
 *
 * On the hot path (every output line of every command): a line costs one redaction, one console
 * write and one append; the silence watch is one timer per step, not one per line.
 */
import { ZoneConfig, zoneLabel } from "../../model/federation";
import { printable, printableLines } from "../../model/printable";
import { PROCESS_SECRETS } from "../../model/secrets";
import { CommandObserver, CommandWatch } from "../../remote/opennebula/command-observer";
import { CommandResult } from "../../remote/ssh/command-result";
import { SshTargetLabel } from "../../remote/ssh/errors";
import { AppendFile } from "./append-file";
import { EventWriter } from "./event-writer";
import { formatElapsed, utcSeconds } from "./time-format";

/** A command silent this long gets a "still running" line, and another after each further period. */
export const DEFAULT_HEARTBEAT_SECONDS = 30;

export interface StepObserverProps {
  readonly step: string;
  readonly zone: ZoneConfig;
  /** Where console lines go (stdout of `onefed step`, which terraform relays). */
  readonly console: (line: string) => void;
  /** The run's events file. @default no events */
  readonly events?: EventWriter;
  /** This step's log in the run directory. @default no log file */
  readonly logFile?: AppendFile;
  /** Seconds of silence before a "still running" line. @default 30 (DEFAULT_HEARTBEAT_SECONDS) */
  readonly heartbeatSeconds?: number;
  /** Clock, for tests. @default Date.now */
  readonly now?: () => number;
}

/** A command being followed: when it started and when it last said anything. */
interface Running {
  readonly host: string;
  readonly command: string;
  readonly started: number;
  quietSince: number;
}

export class StepObserver implements CommandObserver {
  private readonly prefix: string;
  private readonly now: () => number;
  private readonly heartbeatMs: number;
  private readonly running = new Set<Running>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly props: StepObserverProps) {
    this.prefix = `[${props.step} ${zoneLabel(props.zone)}]`;
    this.now = props.now ?? Date.now;
    this.heartbeatMs = (props.heartbeatSeconds ?? DEFAULT_HEARTBEAT_SECONDS) * 1000;
  }

  /** A line of the step's own (what it does, what it found): console and step log. */
  say(message: string): void {
    this.emit(`${this.prefix} ${message.trimStart()}`);
  }

  stepStarted(): void {
    const { step, zone } = this.props;
    this.props.events?.write({ event: "step-start", step, zone: zone.id, zone_name: zone.name, hosts: zone.frontends.map((f) => `${f.host}:${f.port}`) });
  }

  stepEnded(status: "done" | "already-done", summary: string, durationMs: number): void {
    this.props.events?.write({ event: "step-end", step: this.props.step, zone: this.props.zone.id, status, summary: clean(summary), duration_ms: durationMs });
  }

  stepFailed(message: string, durationMs: number): void {
    this.props.events?.write({ event: "step-fail", step: this.props.step, zone: this.props.zone.id, message: clean(message, true), duration_ms: durationMs });
    this.props.logFile?.append(`${utcSeconds(this.now())} ${this.prefix} failed after ${formatElapsed(durationMs)}:\n${clean(message, true)}\n`);
  }

  commandStarted(target: SshTargetLabel, command: string, echo: boolean, batch?: string): CommandWatch {
    const host = `${target.host}:${target.port}`;
    const started = this.now();
    const running: Running = { host, command, started, quietSince: started };
    const { step, zone } = this.props;
    const shared = batch !== undefined ? { batch } : {};
    this.props.events?.write({ event: "command-start", step, zone: zone.id, host, command, ...shared });
    // Progress commands are announced, so their output lines follow their command; data commands show only their end.
    if (echo) this.emit(`${this.prefix} ${host} $ ${command}`);
    else this.props.logFile?.append(this.stamp(`${this.prefix} ${host} $ ${command}`));
    this.watch(running);
    const end = (result: Pick<CommandResult, "exitCode" | "signal" | "durationMs">, message?: string) => {
      this.unwatch(running);
      this.props.events?.write({
        event: "command-end",
        step,
        zone: zone.id,
        host,
        command,
        exit_code: result.exitCode,
        signal: result.signal,
        duration_ms: result.durationMs,
        ...shared,
        ...(message !== undefined ? { message: clean(message) } : {}),
      });
    };
    return {
      output: (stream, line) => {
        running.quietSince = this.now();
        this.emit(`${this.prefix} ${host} ${stream === "stdout" ? "out|" : "err|"} ${line}`);
      },
      ended: (result) => {
        end(result);
        this.emit(`${this.prefix} ${host} $ ${command}  → ${result.exitCode ?? result.signal} (${result.durationMs} ms)`);
        // A data command's output is in the step log only (an echo command's was shown line by line).
        if (!echo) this.logOutput(result);
      },
      failed: (reason) => {
        const durationMs = this.now() - started;
        end({ exitCode: null, signal: null, durationMs }, reason);
        this.emit(`${this.prefix} ${host} $ ${command}  → no result after ${durationMs} ms: ${reason}`);
      },
    };
  }

  /** Stops the silence watch (the step is over). */
  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.running.clear();
  }

  /** Checks every running command for silence now; the timer calls it, tests may too. */
  checkSilence(): void {
    const now = this.now();
    for (const r of this.running) {
      if (now - r.quietSince < this.heartbeatMs) continue;
      r.quietSince = now;
      const elapsed = now - r.started;
      this.emit(`${this.prefix} ${r.host} still running: ${r.command}, ${formatElapsed(elapsed)}`);
      this.props.events?.write({ event: "heartbeat", step: this.props.step, zone: this.props.zone.id, host: r.host, command: r.command, elapsed_ms: elapsed });
    }
  }

  private watch(r: Running): void {
    this.running.add(r);
    if (this.timer || !(this.heartbeatMs > 0)) return;
    // Checked a few times per period: a heartbeat comes at most a quarter period late.
    this.timer = setInterval(() => this.checkSilence(), Math.max(100, Math.min(5000, this.heartbeatMs / 4)));
    this.timer.unref();
  }

  private unwatch(r: Running): void {
    this.running.delete(r);
    if (this.running.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  /** One line to the console and the step log: timestamped, redacted, control characters escaped. */
  private emit(line: string): void {
    const text = this.stamp(line);
    this.props.console(text.slice(0, -1));
    this.props.logFile?.append(text);
  }

  private stamp(line: string): string {
    return `${utcSeconds(this.now())} ${clean(line)}\n`;
  }

  private logOutput(result: CommandResult): void {
    const file = this.props.logFile;
    if (!file) return;
    const block = (text: string, tag: string) => {
      if (!text) return "";
      const lines = text.replace(/\n$/, "");
      const indent = `    ${tag} `;
      // Most output (a ledger read, XML) holds nothing to redact or escape: indented whole, not line by line.
      if (!PROCESS_SECRETS.mayRedact(lines) && printableLines(lines)) return `${indent}${lines.replaceAll("\n", `\n${indent}`)}\n`;
      return lines
        .split("\n")
        .map((l) => `${indent}${clean(l)}\n`)
        .join("");
    };
    const text = block(result.stdout, "out|") + block(result.stderr, "err|");
    if (text) file.append(text);
  }
}

/**
 * Text as it may leave the runner: every secret the process knows redacted (the machine already
 * redacted its own; this is the last resort for what a step wrote itself), control characters escaped.
 */
function clean(text: string, multiline = false): string {
  return printable(PROCESS_SECRETS.redact(text), { multiline });
}
