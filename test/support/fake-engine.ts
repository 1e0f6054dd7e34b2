/**
 * A stand-in for terraform: a small shell script that prints canned output per subcommand and
 * exits with a chosen code (or dies by a signal), and records how it was called. Lets the engine
 * session be driven without a real engine.
 */
import * as fs from "fs";
import * as path from "path";
import type { Engine } from "../../lib/terraform/engine/engine";
import { engineEnvVars } from "../../lib/terraform/engine/engine-env";

/** What the fake prints and how it ends, for one subcommand. */
export interface FakeRun {
  /** Lines printed on stdout. @default none */
  readonly stdout?: readonly string[];
  /** Lines printed on stderr, after stdout. @default none */
  readonly stderr?: readonly string[];
  /** Exit code. @default 0 */
  readonly exit?: number;
  /** Ends by this signal instead of exiting. @default none */
  readonly signal?: "KILL" | "TERM";
}

/** How the fake was called: one record per run. */
export interface FakeCall {
  readonly cwd: string;
  readonly args: string[];
  readonly federationConfig: string;
  readonly cliConfigFile: string;
  readonly inAutomation: string;
}

/** Per subcommand: one run for every call, or one per call in order (the last for every call after). */
export type FakeScript = Partial<Record<"init" | "plan" | "show" | "apply", FakeRun | readonly FakeRun[]>>;

/** Single-quotes for sh. */
export const shQuote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

function body(run: FakeRun): string {
  const lines = [
    ...(run.stdout ?? []).map((l) => `printf '%s\\n' ${shQuote(l)}`),
    ...(run.stderr ?? []).map((l) => `printf '%s\\n' ${shQuote(l)} >&2`),
    run.signal ? `kill -${run.signal} $$` : `exit ${run.exit ?? 0}`,
  ];
  return lines.join("; ");
}

/** The body for a subcommand's calls: one run, or the n-th of several (counted in a file in `dir`). */
function successive(sub: string, run: FakeRun | readonly FakeRun[], dir: string): string {
  const runs: readonly FakeRun[] = Array.isArray(run) ? run : [run as FakeRun];
  if (runs.length === 1) return body(runs[0]);
  const counter = shQuote(path.join(dir, `${sub}.count`));
  const arms = runs.map((r, i) => `${i === runs.length - 1 ? "*" : i + 1}) ${body(r)} ;;`).join(" ");
  return `n=$(($(cat ${counter} 2>/dev/null || echo 0) + 1)); echo $n > ${counter}; case $n in ${arms} esac`;
}

export class FakeEngine {
  /** The engine to hand to an EngineSession. */
  public readonly engine: Engine;
  private readonly callsFile: string;

  /** Writes the script into `dir` (which must exist). */
  constructor(dir: string, script: FakeScript, kind: Engine["kind"] = "terraform") {
    const binary = path.join(dir, kind);
    this.callsFile = path.join(dir, "calls.tsv");
    const cases = Object.entries(script).map(([sub, run]) => `  ${sub}) ${successive(sub, run as FakeRun | readonly FakeRun[], dir)} ;;`);
    fs.writeFileSync(
      binary,
      [
        "#!/bin/sh",
        // One tab-separated line per call; the arguments are joined by the ASCII unit separator.
        `args=$(printf '%s\\037' "$@")`,
        `printf '%s\\t%s\\t%s\\t%s\\t%s\\n' "$(pwd -P)" "$args" "$FEDERATION_CONFIG" "$TF_CLI_CONFIG_FILE" "$TF_IN_AUTOMATION" >> ${shQuote(this.callsFile)}`,
        'case "$1" in',
        ...cases,
        "esac",
        "exit 0",
        "",
      ].join("\n"),
      { mode: 0o755 },
    );
    const cliConfigFile = path.join(dir, "terraform.tfrc");
    this.engine = {
      kind,
      binary,
      version: "1.11.4",
      source: "path",
      chosen: { engine: "auto", source: "auto" },
      cliConfigFile,
      mirrorDir: path.join(dir, "mirror"),
      env: engineEnvVars(binary, cliConfigFile),
    };
  }

  /** Every call so far, in order. */
  calls(): FakeCall[] {
    if (!fs.existsSync(this.callsFile)) return [];
    return fs
      .readFileSync(this.callsFile, "utf8")
      .trim()
      .split("\n")
      .map((l) => {
        const [cwd, args, federationConfig, cliConfigFile, inAutomation] = l.split("\t");
        return { cwd, args: args.split("\x1f").slice(0, -1), federationConfig, cliConfigFile, inAutomation };
      });
  }
}
