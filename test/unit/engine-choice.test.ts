/**
 * Choosing the engine: --engine over ONEFED_ENGINE over the federation file, auto otherwise; where
 * each choice is taken from (PATH or onefed's built OpenTofu); and the refusals when it cannot be had.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { runEngineCommand } from "../../lib/cli/engine-command";
import { loadConfig } from "../../lib/config/load-config";
import { AUTO_ENGINE, describeEngineChoice, resolveEngineChoice, type EngineChoice } from "../../lib/model/engine-choice";
import { describeError, UsageError } from "../../lib/model/errors";
import { ExitCode } from "../../lib/model/exit-codes";
import { builtTofuPath, ensureEngine } from "../../lib/terraform/engine/ensure-engine";
import { cacheLayout } from "../../lib/terraform/engine/cache-dir";
import { commandEngineChoice, locateEngine } from "../../lib/terraform/engine/engine-selection";
import { EngineUnavailableError } from "../../lib/terraform/engine/errors";
import * as goBuild from "../../lib/terraform/engine/go-build";
import { nullProviderPin } from "../../lib/terraform/engine/pins";
import { mirrorExecutablePaths } from "../../lib/terraform/engine/provider-mirror";

/** What `fn` threw (undefined when it returned). */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  return undefined;
}

describe("resolveEngineChoice", () => {
  it.each<[string, { flag?: string; env?: string; file?: "terraform" | "tofu" }, EngineChoice]>([
    ["nothing chose", {}, AUTO_ENGINE],
    ["the file", { file: "tofu" }, { engine: "tofu", source: "federation file" }],
    ["the variable over the file", { env: "terraform", file: "tofu" }, { engine: "terraform", source: "ONEFED_ENGINE" }],
    ["the flag over the variable and the file", { flag: "tofu", env: "terraform", file: "terraform" }, { engine: "tofu", source: "--engine" }],
    ["an empty variable is unset", { env: " ", file: "tofu" }, { engine: "tofu", source: "federation file" }],
    ["auto in the variable undoes the file", { env: "auto", file: "tofu" }, { engine: "auto", source: "ONEFED_ENGINE" }],
    ["auto on the command line undoes the variable", { flag: "auto", env: "tofu" }, { engine: "auto", source: "--engine" }],
  ])("%s", (_, given, expected) => {
    expect(resolveEngineChoice(given)).toEqual(expected);
  });

  it.each([
    [{ env: "opentofu" }, 'ONEFED_ENGINE is "opentofu", which names no engine'],
    [{ flag: "Terraform" }, '--engine is "Terraform", which names no engine'],
  ])("refuses %j as a usage error naming where it came from", (given, message) => {
    const err = thrown(() => resolveEngineChoice(given));
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).message).toContain(message);
    expect((err as UsageError).message).toContain("terraform, tofu or auto");
  });

  it("reads ONEFED_ENGINE from the environment it is given", () => {
    expect(commandEngineChoice(undefined, "terraform", { ONEFED_ENGINE: "tofu" })).toEqual({ engine: "tofu", source: "ONEFED_ENGINE" });
    expect(commandEngineChoice(undefined, undefined, {})).toEqual(AUTO_ENGINE);
  });

  it("says who chose", () => {
    expect(describeEngineChoice({ engine: "tofu", source: "ONEFED_ENGINE" })).toBe("tofu (ONEFED_ENGINE)");
    expect(describeEngineChoice(AUTO_ENGINE)).toMatch(/^auto \(terraform from PATH, else tofu/);
  });
});

describe("locateEngine", () => {
  const onPath =
    (...names: string[]) =>
    (name: string) =>
      names.includes(name) ? `/usr/bin/${name}` : undefined;
  const tofu: EngineChoice = { engine: "tofu", source: "ONEFED_ENGINE" };
  const terraform: EngineChoice = { engine: "terraform", source: "--engine" };

  it.each<[string, EngineChoice, string[], boolean, ReturnType<typeof locateEngine>]>([
    ["auto takes terraform first", AUTO_ENGINE, ["terraform", "tofu"], false, { from: "path", binary: "/usr/bin/terraform" }],
    ["auto takes tofu when terraform is missing", AUTO_ENGINE, ["tofu"], false, { from: "path", binary: "/usr/bin/tofu" }],
    ["auto builds OpenTofu when neither is there", AUTO_ENGINE, [], false, { from: "built-tofu" }],
    ["tofu wins over terraform on PATH", tofu, ["terraform", "tofu"], false, { from: "path", binary: "/usr/bin/tofu" }],
    ["tofu without tofu on PATH is our build, not terraform", tofu, ["terraform"], false, { from: "built-tofu" }],
    ["terraform skips tofu", terraform, ["tofu", "terraform"], false, { from: "path", binary: "/usr/bin/terraform" }],
    ["--build-tofu ignores PATH", AUTO_ENGINE, ["terraform", "tofu"], true, { from: "built-tofu" }],
    ["--build-tofu with tofu chosen", tofu, ["tofu"], true, { from: "built-tofu" }],
  ])("%s", (_, choice, names, preferBuild, expected) => {
    expect(locateEngine(choice, "/usr/bin", preferBuild, onPath(...names))).toEqual(expected);
  });

  it("refuses terraform that is not on PATH with exit 6, saying what to do", () => {
    const err = thrown(() => locateEngine(terraform, "/usr/bin", false, onPath("tofu"))) as EngineUnavailableError;
    expect(err).toBeInstanceOf(EngineUnavailableError);
    expect(err?.exitCode).toBe(ExitCode.EngineUnavailable);
    expect(describeError(err)).toBe(
      "EngineUnavailableError: the engine terraform (--engine) is not available: no terraform on PATH, and onefed builds only OpenTofu. Nothing was run. " +
        "Install terraform on PATH, or choose tofu (--engine tofu, ONEFED_ENGINE=tofu or `engine: tofu` in the federation file).",
    );
  });

  it("refuses --build-tofu with terraform chosen as a usage error", () => {
    expect(() => locateEngine(terraform, "/usr/bin", true, onPath("terraform"))).toThrow(UsageError);
  });
});

describe("ensureEngine with a choice", () => {
  let dir: string;
  let cache: string;
  let bin: string;
  const savedPath = process.env.PATH;
  const savedChoice = process.env.ONEFED_ENGINE;

  /** A stand-in binary that answers `version` and `version -json` as the real one would. */
  function fakeEngine(name: string, says: "Terraform" | "OpenTofu", version: string): string {
    const file = path.join(bin, name);
    fs.writeFileSync(
      file,
      `#!/bin/sh\nif [ "$2" = "-json" ]; then echo '{"terraform_version":"${version}","platform":"linux_amd64"}'; else echo '${says} v${version}'; fi\n`,
      { mode: 0o755 },
    );
    return file;
  }

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "onefed-engine-choice-"));
    cache = path.join(dir, "cache");
    bin = path.join(dir, "bin");
    fs.mkdirSync(bin);
    // The provider mirror is in place, so nothing is built unless the engine itself is missing.
    for (const p of mirrorExecutablePaths(cacheLayout(cache).mirrorDir, nullProviderPin({}))) {
      fs.mkdirSync(path.dirname(p), { recursive: true });
      fs.writeFileSync(p, "#!/bin/sh\n", { mode: 0o755 });
    }
    process.env.PATH = bin;
    delete process.env.ONEFED_ENGINE;
  });
  afterEach(() => {
    process.env.PATH = savedPath;
    if (savedChoice === undefined) delete process.env.ONEFED_ENGINE;
    else process.env.ONEFED_ENGINE = savedChoice;
    jest.restoreAllMocks();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("runs tofu from PATH when tofu is chosen, although terraform is on PATH too", async () => {
    fakeEngine("terraform", "Terraform", "1.11.4");
    const tofu = fakeEngine("tofu", "OpenTofu", "1.12.6");
    const lines: string[] = [];
    const engine = await ensureEngine({ cacheDir: cache, engine: { engine: "tofu", source: "ONEFED_ENGINE" }, log: (l) => lines.push(l) });
    expect(engine).toMatchObject({ kind: "tofu", binary: tofu, version: "1.12.6", source: "path", chosen: { engine: "tofu", source: "ONEFED_ENGINE" } });
    expect(engine.env.TERRAFORM_BINARY_NAME).toBe(tofu);
    expect(lines[0]).toBe(`engine: tofu 1.12.6 (from PATH; chosen: tofu (ONEFED_ENGINE)): ${tofu}`);
  });

  it("runs onefed's built OpenTofu when tofu is chosen and only terraform is on PATH", async () => {
    fakeEngine("terraform", "Terraform", "1.11.4");
    const built = builtTofuPath(cacheLayout(cache));
    fs.mkdirSync(path.dirname(built), { recursive: true });
    fs.copyFileSync(fakeEngine("tofu-fake", "OpenTofu", "1.12.6"), built);
    fs.chmodSync(built, 0o755);
    process.env.ONEFED_ENGINE = "tofu";
    const engine = await ensureEngine({ cacheDir: cache });
    expect(engine).toMatchObject({ kind: "tofu", binary: built, source: "built", chosen: { engine: "tofu", source: "ONEFED_ENGINE" } });
  });

  it("keeps the old order when nothing chose", async () => {
    const terraform = fakeEngine("terraform", "Terraform", "1.11.4");
    fakeEngine("tofu", "OpenTofu", "1.12.6");
    await expect(ensureEngine({ cacheDir: cache })).resolves.toMatchObject({ kind: "terraform", binary: terraform, chosen: AUTO_ENGINE });
  });

  it("refuses tofu with exit 6 when it is neither on PATH nor built and Go is missing, building nothing", async () => {
    fakeEngine("terraform", "Terraform", "1.11.4");
    jest.spyOn(goBuild, "findGo").mockReturnValue(undefined);
    const build = jest.spyOn(goBuild, "buildOpenTofu");
    const err = await ensureEngine({ cacheDir: cache, engine: { engine: "tofu", source: "federation file" } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EngineUnavailableError);
    expect((err as EngineUnavailableError).exitCode).toBe(ExitCode.EngineUnavailable);
    expect((err as Error).message).toMatch(
      /^the engine tofu \(federation file\) is not available: no engine on PATH for it, and OpenTofu v1\.12\.6 is not built in /,
    );
    expect((err as Error).message).toContain("Put tofu on PATH, or install Go (>= 1.26)");
    expect(build).not.toHaveBeenCalled();
  });

  it("refuses a binary that is not the engine chosen (a terraform on PATH that is really tofu)", async () => {
    fakeEngine("terraform", "OpenTofu", "1.12.6");
    const err = await ensureEngine({ cacheDir: cache, engine: { engine: "terraform", source: "--engine" } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EngineUnavailableError);
    expect((err as Error).message).toContain(`${path.join(bin, "terraform")} says it is tofu 1.12.6`);
  });

  it("`onefed engine --engine terraform` without terraform exits 6; a bad ONEFED_ENGINE exits 2", async () => {
    fakeEngine("tofu", "OpenTofu", "1.12.6");
    await expect(runEngineCommand(["--engine", "terraform", "--cache-dir", cache], () => undefined)).rejects.toMatchObject({
      exitCode: ExitCode.EngineUnavailable,
    });
    process.env.ONEFED_ENGINE = "opentofu";
    await expect(runEngineCommand(["--cache-dir", cache], () => undefined)).rejects.toMatchObject({ exitCode: ExitCode.Usage });
    const lines: string[] = [];
    await expect(runEngineCommand(["--engine", "tofu", "--cache-dir", cache], (l) => lines.push(l))).resolves.toBe(ExitCode.Done);
    expect(lines.at(-1)).toMatch(/^ready: tofu 1\.12\.6;/);
  });
});

describe("engine in the federation file", () => {
  /** The pipeline example's file, with its secrets in place and `engine` replaced. */
  function load(engineLine: string) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "onefed-engine-file-"));
    try {
      const text = fs.readFileSync(path.resolve(__dirname, "../../examples/federation.yaml"), "utf8").replace(/^engine: tofu$/m, engineLine);
      fs.writeFileSync(path.join(dir, "federation.yaml"), text);
      fs.mkdirSync(path.join(dir, ".onefed", "secrets"), { recursive: true });
      for (const f of ["id_ed25519", "known_hosts"]) fs.writeFileSync(path.join(dir, ".onefed", "secrets", f), "x\n", { mode: 0o600 });
      return loadConfig(path.join(dir, "federation.yaml"));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }

  it("is terraform, tofu or absent", () => {
    expect(load("engine: terraform").engine).toBe("terraform");
    expect(load("engine: tofu").engine).toBe("tofu");
    expect(load("").engine).toBeUndefined();
  });

  it("refuses anything else as a usage error (exit 2) naming the field", () => {
    const err = thrown(() => load("engine: opentofu")) as { exitCode: number; message: string };
    expect(err.exitCode).toBe(ExitCode.Usage);
    expect(err.message).toMatch(/engine/);
  });
});
