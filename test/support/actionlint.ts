/**
 * actionlint for the GitHub Actions example: from $ACTIONLINT or PATH, else the copy cached in
 * onefed's cache directory, else built there once from its Go module (the version pinned in
 * test/fixtures/ci/actionlint.version, which .ci/run builds ahead in the background).
 */
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { resolveCacheDir } from "../../lib/terraform/engine/cache-dir";
import { findOnPath, isExecutableFile } from "../../lib/terraform/engine/engine-binary";
import { findGo } from "../../lib/terraform/engine/go-build";

export const ACTIONLINT_VERSION = fs.readFileSync(path.resolve(__dirname, "../fixtures/ci/actionlint.version"), "utf8").trim();
const MODULE = "github.com/rhysd/actionlint/cmd/actionlint";

/** Where the built copy is kept: <onefed cache>/tools/actionlint-<version>. */
export function cachedActionlintPath(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(resolveCacheDir(undefined, env, os.homedir()), "tools", `actionlint-${ACTIONLINT_VERSION}`);
}

/** The binary, or why there is none (then the caller skips, saying so). */
export function obtainActionlint(env: NodeJS.ProcessEnv = process.env): { binary: string } | { unavailable: string } {
  const given = env.ACTIONLINT && isExecutableFile(env.ACTIONLINT) ? env.ACTIONLINT : findOnPath("actionlint", env.PATH);
  if (given) return { binary: given };
  const cached = cachedActionlintPath(env);
  if (isExecutableFile(cached)) return { binary: cached };
  const go = findGo(env);
  if (!go) return { unavailable: `actionlint is not on PATH nor in ${cached}, and there is no go command to build ${MODULE}@${ACTIONLINT_VERSION}` };
  const gobin = fs.mkdtempSync(path.join(os.tmpdir(), "onefed-actionlint-"));
  try {
    const built = spawnSync(go, ["install", `${MODULE}@${ACTIONLINT_VERSION}`], {
      env: { ...env, GOBIN: gobin, GOFLAGS: "-mod=mod", CGO_ENABLED: "0" },
      cwd: gobin,
      encoding: "utf8",
      timeout: 540_000,
    });
    if (built.status !== 0)
      return { unavailable: `go install ${MODULE}@${ACTIONLINT_VERSION} failed: ${(built.stderr || String(built.error)).trim().slice(-500)}` };
    fs.mkdirSync(path.dirname(cached), { recursive: true });
    // Through a rename, so that a concurrent run never sees half a binary.
    fs.copyFileSync(path.join(gobin, "actionlint"), `${cached}.tmp-${process.pid}`);
    fs.chmodSync(`${cached}.tmp-${process.pid}`, 0o755);
    fs.renameSync(`${cached}.tmp-${process.pid}`, cached);
    return { binary: cached };
  } finally {
    fs.rmSync(gobin, { recursive: true, force: true });
  }
}

/** Runs actionlint on one workflow file with a config file: its exit code and what it printed (one finding per line). */
export function runActionlint(binary: string, file: string, configFile: string): { code: number; output: string } {
  try {
    const args = ["-no-color", "-oneline", "-config-file", configFile, file];
    return { code: 0, output: execFileSync(binary, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }) };
  } catch (err) {
    const e = err as { status?: number; stdout?: string; stderr?: string };
    return { code: e.status ?? -1, output: `${e.stdout ?? ""}${e.stderr ?? ""}` };
  }
}
