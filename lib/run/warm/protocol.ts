/**
 * The warm runner's protocol (docs/warm-runner.md): newline-delimited JSON over a unix socket in
 * the run directory. The thin client (`onefed step` with ONEFED_RUNNER_SOCKET set) sends one
 * request; the runner answers with the step's console lines as they come and one exit message.
 * A connection that ends without an exit message is a step failure (the runner died).
 *
 * Loaded by the thin client on every resource's hot path: it imports nothing but constants.
 * Nothing here is written to disk; the lines are those the console shows (already redacted), and
 * the request carries the step's arguments and the run's identity, never a credential.
 */
import { EVENTS_FILE_ENV, HEARTBEAT_SECONDS_ENV, RUN_DIR_ENV, RUN_ID_ENV, STATE_LINEAGE_ENV } from "../../model/environment";

/** Protocol version: a runner refuses a request of another version (a client from another build). */
export const WARM_PROTOCOL_VERSION = 1;

/**
 * What the client passes on of its environment: the run's identity and outputs, which terraform
 * gives every step (the deploy sets some only after the runner started). Secrets stay in the
 * runner's own environment, inherited from the deploy.
 */
export const FORWARDED_ENV: readonly string[] = [RUN_ID_ENV, STATE_LINEAGE_ENV, RUN_DIR_ENV, EVENTS_FILE_ENV, HEARTBEAT_SECONDS_ENV, "FEDERATION_CONFIG"];

/** Client → runner: run `onefed step <argv…>` with these variables over the runner's own. */
export interface StepRequest {
  readonly v: number;
  readonly kind: "step";
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  /** The client's pid, for the runner's messages. */
  readonly pid: number;
}

/** Runner → client: one line for stdout or stderr (without its newline), or the step's exit code (the last message). */
export type RunnerMessage = { readonly kind: "out" | "err"; readonly text: string } | { readonly kind: "exit"; readonly code: number };

/** One message as it travels: JSON, one line (JSON escapes every newline inside strings). */
export function frame(message: StepRequest | RunnerMessage): string {
  return `${JSON.stringify(message)}\n`;
}

/**
 * Splits a byte stream into messages, whatever the chunking: a message cut between two chunks is
 * held until its newline, and multi-byte characters cut between chunks stay whole.
 */
export class MessageReader {
  private pending = "";
  private readonly decoder = new TextDecoder("utf-8");

  constructor(private readonly onMessage: (message: unknown) => void) {}

  push(chunk: Uint8Array): void {
    this.pending += this.decoder.decode(chunk, { stream: true });
    let newline: number;
    while ((newline = this.pending.indexOf("\n")) >= 0) {
      const line = this.pending.slice(0, newline);
      this.pending = this.pending.slice(newline + 1);
      if (line.trim()) this.onMessage(JSON.parse(line));
    }
  }

  /** Bytes received after the last newline (a message cut short by the peer's death). */
  get partial(): boolean {
    return this.pending.trim().length > 0;
  }
}

/** The request, if `value` is one this runner speaks; else why not. */
export function asStepRequest(value: unknown): StepRequest | string {
  const r = value as Partial<StepRequest> | null;
  if (!r || typeof r !== "object" || r.kind !== "step") return "not a step request";
  if (r.v !== WARM_PROTOCOL_VERSION) return `protocol version ${String(r.v)}, this runner speaks ${WARM_PROTOCOL_VERSION} (a client from another onefed build)`;
  if (!Array.isArray(r.argv) || !r.argv.every((a) => typeof a === "string")) return "argv is not a list of strings";
  if (!r.env || typeof r.env !== "object" || !Object.entries(r.env).every(([k, v]) => FORWARDED_ENV.includes(k) && typeof v === "string"))
    return "env holds variables the protocol does not forward";
  return { v: r.v, kind: "step", argv: r.argv, env: r.env, pid: typeof r.pid === "number" ? r.pid : 0 };
}

/** The runner's answer, if `value` is one. */
export function asRunnerMessage(value: unknown): RunnerMessage | undefined {
  const m = value as Partial<{ kind: string; text: unknown; code: unknown }> | null;
  if (!m || typeof m !== "object") return undefined;
  if ((m.kind === "out" || m.kind === "err") && typeof m.text === "string") return { kind: m.kind, text: m.text };
  if (m.kind === "exit" && typeof m.code === "number" && Number.isInteger(m.code)) return { kind: "exit", code: m.code };
  return undefined;
}
