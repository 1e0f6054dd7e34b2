/**
 * The sandbox's seams: contract.ts is the one place the host side and the emulators take shared
 * names from, the emulator's entry point stays cheap to start, the sandbox stands apart from the
 * product, and its expected failures still print as one paragraph with their exit code.
 */
import * as fs from "fs";
import { builtinModules } from "module";
import * as path from "path";
import { describeError, isExpectedFailure } from "../../lib/model/errors";
import { SandboxError, SandboxPortInUseError } from "../../sandbox";
import { ENV_FRONTEND, ENV_SANDBOX_DIR, MACHINE_DIR, SANDBOX_DIR } from "../../sandbox/contract";
import { ToolFailure } from "../../sandbox/errors";
import { OnedbFailure } from "../../sandbox/emulator/onedb-common";
import { NotBootstrappedError } from "../../sandbox/one-db";
import { SqliteError } from "../../sandbox/sqlite";

const ROOT = path.resolve(__dirname, "../..");
const SANDBOX = path.join(ROOT, "sandbox");

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sources(p) : e.name.endsWith(".ts") ? [p] : [];
  });
}

/** Module specifiers a file loads at run time: static imports (not `import type`) and require() calls. */
function runtimeImports(file: string): string[] {
  const text = fs.readFileSync(file, "utf8");
  const statics = [...text.matchAll(/^import (?!type )[^;]*?from\s+["']([^"']+)["'];/gm)].map((m) => m[1]);
  const requires = [...text.matchAll(/require\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1]);
  return [...statics, ...requires];
}

/** Code without its comments, so that documentation may name files freely. */
function code(file: string): string {
  return fs
    .readFileSync(file, "utf8")
    .replace(/\/\*[\s\S]*?\*\//g, "")
    .replace(/^\s*\/\/.*$/gm, "");
}

describe("sandbox/contract.ts", () => {
  it("imports nothing, not even node built-ins (the emulator loads it on every command)", () => {
    expect(runtimeImports(path.join(SANDBOX, "contract.ts"))).toEqual([]);
    expect(runtimeImports(path.join(SANDBOX, "errors.ts"))).toEqual([]);
  });

  it("is the only place that spells the environment names and the sandbox's file names", () => {
    const names = [
      ENV_SANDBOX_DIR,
      ENV_FRONTEND,
      "ONEFED_",
      SANDBOX_DIR.registry,
      MACHINE_DIR.state,
      MACHINE_DIR.commandLog,
      MACHINE_DIR.injectionsPending,
      SANDBOX_DIR.mysqlPassword,
    ];
    const respelled = sources(SANDBOX)
      .filter((f) => path.basename(f) !== "contract.ts")
      .flatMap((f) => names.filter((n) => code(f).includes(n)).map((n) => `${path.relative(ROOT, f)}: ${n}`));
    expect(respelled).toEqual([]);
  });
});

describe("the emulator's entry point", () => {
  it("loads only node built-ins and sandbox modules, whichever tool it runs", () => {
    const seen = new Set<string>();
    const outside: string[] = [];
    const visit = (file: string): void => {
      if (seen.has(file)) return;
      seen.add(file);
      for (const spec of runtimeImports(file)) {
        if (!spec.startsWith(".")) {
          if (!builtinModules.includes(spec.replace(/^node:/, ""))) outside.push(`${path.relative(ROOT, file)} → ${spec}`);
          continue;
        }
        const to = path.resolve(path.dirname(file), spec);
        const target = fs.existsSync(`${to}.ts`) ? `${to}.ts` : path.join(to, "index.ts");
        if (!target.startsWith(`${SANDBOX}${path.sep}`)) outside.push(`${path.relative(ROOT, file)} → ${path.relative(ROOT, target)}`);
        else visit(target);
      }
    };
    visit(path.join(SANDBOX, "emulator", "main.ts"));
    expect(outside).toEqual([]);
    // Every tool is reached through main.ts's on-demand requires, so the walk covered them.
    expect([...seen].map((f) => path.relative(SANDBOX, f))).toEqual(
      expect.arrayContaining(["contract.ts", "emulator/onedb.ts", "emulator/onezone.ts", "emulator/dnf.ts"]),
    );
  });
});

describe("the sandbox stands apart from the product", () => {
  it("imports nothing from lib/", () => {
    const intoLib = sources(SANDBOX).flatMap((f) =>
      runtimeImports(f)
        .concat([...fs.readFileSync(f, "utf8").matchAll(/^import type [^;]*?from\s+["']([^"']+)["'];/gm)].map((m) => m[1]))
        .filter((spec) => spec.startsWith(".") && path.resolve(path.dirname(f), spec).startsWith(path.join(ROOT, "lib")))
        .map((spec) => `${path.relative(ROOT, f)} → ${spec}`),
    );
    expect(intoLib).toEqual([]);
  });

  it("only lib/cli imports the sandbox", () => {
    const lib = path.join(ROOT, "lib");
    const intoSandbox = sources(lib)
      .filter((f) => !f.startsWith(path.join(lib, "cli") + path.sep))
      .flatMap((f) =>
        [...fs.readFileSync(f, "utf8").matchAll(/(?:from\s+|require\(|import\()\s*["']([^"']+)["']/g)]
          .map((m) => m[1])
          .filter((spec) => spec.startsWith(".") && path.resolve(path.dirname(f), spec).startsWith(SANDBOX))
          .map((spec) => `${path.relative(ROOT, f)} → ${spec}`),
      );
    expect(intoSandbox).toEqual([]);
  });
});

describe("sandbox errors", () => {
  it.each([
    ["a host-side failure", new SandboxError("no sandbox in /tmp/d"), 1],
    ["a taken port", new SandboxPortInUseError("127.0.50.1", 22), 1],
    ["onedb's own failure", new OnedbFailure("First stop OpenNebula. Lock file found: /var/lock/one/one"), 255],
    ["a database that is not bootstrapped", new NotBootstrappedError(), 1],
    ["sqlite3 failing", new SqliteError("/d/one.db", "database is locked\n"), 255],
  ])("%s prints as one paragraph and keeps its exit code", (_, err, code) => {
    expect(isExpectedFailure(err)).toBe(true);
    expect(err.exitCode).toBe(code);
    expect(describeError(err)).toBe(`${err.constructor.name}: ${err.message}`);
    expect(describeError(err)).not.toMatch(/\n\s+at /);
  });

  it("emulated tools' failures carry the tool's own exit code", () => {
    expect(new OnedbFailure("x")).toBeInstanceOf(ToolFailure);
    expect(new SqliteError("/d/one.db", "x")).toBeInstanceOf(ToolFailure);
    expect(new NotBootstrappedError()).toBeInstanceOf(ToolFailure);
  });

  it("an unexpected error is not taken for one (it keeps its stack)", () => {
    const bug = Object.assign(new Error("bug"), { exitCode: 3 });
    expect(isExpectedFailure(bug)).toBe(false);
    expect(describeError(bug)).toMatch(/\n\s+at /);
  });
});
