/**
 * Synthesizes the stack in a short-lived node process of its own.
 *
 * Why: the process that synthesizes (`onefed deploy`, `onefed apply`, `onefed plan`, `onefed
 * rehearse`) then lives for the whole apply beside terraform, its provider and the warm runner.
 * cdktf, constructs, the provider bindings and what they pull in (lodash, archiver, semver, …:
 * about 500 modules) plus the construct tree stay in a node process's heap once loaded: at 1+16
 * the deploy process's largest RSS was 104–106 MB with them, 73–75 MB without (docs/bench.md,
 * "Peak memory at 1+16").
 * Here they are loaded by a child that exits once `cdk.tf.json` is written, so the long-lived
 * process never loads them at all.
 *
 * The call stays synchronous, like synthesize() itself: every caller already waited for it on the
 * spot. What the child throws is thrown here again with the same name, message, exit code and
 * fields, so a bad file or a broken graph prints and exits exactly as it did in-process (an
 * expected failure as its paragraph, anything else with the child's stack).
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { isExpectedFailure, OnefedError } from "../model/errors";
import type { SynthesizeOptions, SynthesizeResult } from "../synth/synthesize";

/** What synthesizeInChild passes on: synthesize()'s options that are plain data (drift is `onefed synth`'s alone). */
export type ChildSynthOptions = Omit<SynthesizeOptions, "drift">;

/** What a thrown value looked like in the child: enough to throw its twin here. */
export interface SynthFailure {
  /** isExpectedFailure() in the child: printed as its paragraph, with its exit code. */
  readonly expected: boolean;
  readonly name: string;
  readonly message: string;
  /** The child's stack: what describeError prints for an unexpected error. */
  readonly stack?: string;
  /** The error's own fields (exitCode, a ConfigError's file and problems, …). */
  readonly fields: Record<string, unknown>;
}

/** The one line the child writes on its result descriptor. */
type ChildAnswer = { readonly result: SynthesizeResult } | { readonly failure: SynthFailure };

/** The child's end of the result channel: a pipe on its fd 3, apart from the stdout and stderr it shares with us. */
const RESULT_FD = 3;

/** This file as built (the child runs node on it; when this module runs from source, as in tests, the dist copy). */
function childScript(): string {
  const root = path.resolve(__dirname, "..", "..");
  const dist = path.basename(root) === "dist" ? root : path.join(root, "dist");
  return path.join(dist, "lib", "terraform", "synth-in-child.js");
}

/** synthesize(), in a node process of its own that exits once the stack is written; throws what it threw. */
export function synthesizeInChild(opts: ChildSynthOptions): SynthesizeResult {
  const script = childScript();
  // stdout and stderr are ours, as they were in-process (cdktf's own warnings reach the operator).
  const child = spawnSync(process.execPath, [script, JSON.stringify(opts)], { stdio: ["ignore", "inherit", "inherit", "pipe"], maxBuffer: 64 * 2 ** 20 });
  const text = child.output?.[RESULT_FD]?.toString("utf8") ?? "";
  let answer: ChildAnswer | undefined;
  try {
    answer = text ? (JSON.parse(text) as ChildAnswer) : undefined;
  } catch {
    answer = undefined;
  }
  if (answer && "result" in answer) return answer.result;
  if (answer && "failure" in answer) throw rebuiltError(answer.failure);
  const ended = child.error ? child.error.message : child.signal ? `was killed by ${child.signal}` : `exited ${child.status}`;
  throw new Error(
    `synthesizing the stack of ${opts.configPath ?? "the federation file"} in its own process (${process.execPath} ${script}) failed: it ${ended} without a result`,
  );
}

/** A thrown value as plain data, for the parent. */
export function describeFailure(err: unknown): SynthFailure {
  // Not an Error: describeError prints it as String(err); as the stack here, it prints the same there.
  if (!(err instanceof Error)) return { expected: false, name: "Error", message: String(err), stack: String(err), fields: {} };
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(err)) if (key !== "name" && key !== "message" && key !== "stack") fields[key] = value;
  return { expected: isExpectedFailure(err), name: err.name, message: err.message, stack: err.stack, fields };
}

/** The child's error as one thrown here: an expected one is a OnefedError with its name, exit code and fields. */
export function rebuiltError(f: SynthFailure): Error {
  const exitCode = typeof f.fields.exitCode === "number" ? f.fields.exitCode : undefined;
  const err = f.expected ? new OnefedError(f.message, exitCode) : new Error(f.message);
  Object.assign(err, f.fields);
  Object.defineProperty(err, "name", { value: f.name, writable: true, configurable: true, enumerable: false });
  if (f.stack !== undefined) err.stack = f.stack;
  return err;
}

/** The child: synthesize with the options on argv, answer on fd 3, exit. */
async function childMain(): Promise<void> {
  let answer: ChildAnswer;
  try {
    const { synthesize } = await import("../synth/synthesize");
    answer = { result: synthesize(JSON.parse(process.argv[2] ?? "{}") as ChildSynthOptions) };
  } catch (err) {
    answer = { failure: describeFailure(err) };
  }
  fs.writeSync(RESULT_FD, JSON.stringify(answer));
}

if (require.main === module) void childMain();
