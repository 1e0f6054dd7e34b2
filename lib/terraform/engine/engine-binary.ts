import * as fs from "node:fs";
import * as path from "node:path";
import type { EngineName } from "../../model/engine-choice";
import { EngineProbeError } from "./errors";
import { describeExit, runProcess } from "../local-process";

/** Which CLI an engine binary is. */
export type EngineKind = EngineName;

/** What `<binary> version -json` tells. */
export interface EngineVersion {
  /** Version without a leading "v", e.g. "1.11.4". */
  readonly version: string;
  /** Platform it was built for, e.g. "linux_amd64", when reported. */
  readonly platform?: string;
}

/** Whether a path is an executable regular file. */
export function isExecutableFile(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/**
 * Absolute path of the first `name` on a PATH string, like `command -v`. Empty and relative
 * entries are skipped: they would make the engine depend on the current directory.
 */
export function findOnPath(name: string, pathEnv: string | undefined, isExecutable = isExecutableFile): string | undefined {
  for (const dir of (pathEnv ?? "").split(path.delimiter)) {
    if (!dir || !path.isAbsolute(dir)) continue;
    const candidate = path.join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

/**
 * Parses `terraform version -json` / `tofu version -json`. Both print `terraform_version` (tofu
 * keeps the key for compatibility). Text around the JSON object (warnings) is ignored.
 */
export function parseVersionJson(output: string): EngineVersion {
  const start = output.indexOf("{");
  const end = output.lastIndexOf("}");
  if (start < 0 || end < start) throw new Error("no JSON object in the output");
  const parsed: unknown = JSON.parse(output.slice(start, end + 1));
  const record = parsed as Record<string, unknown>;
  const raw = record?.terraform_version;
  if (typeof raw !== "string" || !/^v?\d+\.\d+\.\d+/.test(raw)) {
    throw new Error(`terraform_version missing or not a version: ${JSON.stringify(raw)}`);
  }
  const platform = typeof record.platform === "string" ? record.platform : undefined;
  return { version: raw.replace(/^v/, ""), ...(platform ? { platform } : {}) };
}

/**
 * Which CLI it is, from the first line of plain `version` ("Terraform v1.11.4" or
 * "OpenTofu v1.12.6"); the JSON form does not say. Falls back to the file name, so that a
 * `terraform` that is really tofu is still told apart.
 */
export function detectKind(versionText: string, binary: string): EngineKind {
  const first = versionText.trimStart().split("\n", 1)[0] ?? "";
  if (/^OpenTofu\b/i.test(first)) return "tofu";
  if (/^Terraform\b/i.test(first)) return "terraform";
  return path.basename(binary).startsWith("tofu") ? "tofu" : "terraform";
}

/** Runs the binary to learn its kind and version. */
export async function probeEngine(binary: string, env: NodeJS.ProcessEnv): Promise<EngineVersion & { readonly kind: EngineKind }> {
  const [json, text] = await Promise.all([runProcess(binary, ["version", "-json"], { env }), runProcess(binary, ["version"], { env })]);
  if (json.exitCode !== 0) {
    const said = (json.stderr || json.stdout).trim().slice(0, 300);
    throw new EngineProbeError(binary, said ? `${describeExit(json)}: ${said}` : describeExit(json));
  }
  let parsed: EngineVersion;
  try {
    parsed = parseVersionJson(json.stdout);
  } catch (err) {
    throw new EngineProbeError(binary, (err as Error).message);
  }
  return { ...parsed, kind: detectKind(text.stdout, binary) };
}
