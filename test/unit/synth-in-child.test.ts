/**
 * Synthesis in a child process (lib/terraform/synth-in-child.ts): the same stack as in-process,
 * and every failure thrown again in the parent so that it prints and exits as it did in-process.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ConfigError } from "../../lib/config/config-error";
import { describeError, isExpectedFailure, OnefedError } from "../../lib/model/errors";
import { ExitCode } from "../../lib/model/exit-codes";
import { synthesize } from "../../lib/synth/synthesize";
import { describeFailure, rebuiltError, synthesizeInChild } from "../../lib/terraform/synth-in-child";
import { seedFederation } from "../support/federation-builder";

const work = fs.mkdtempSync(path.join(os.tmpdir(), "onefed-synth-child-"));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

/** What the parent throws for a value the child threw: through JSON, as the pipe carries it. */
const throughChild = (err: unknown): Error => rebuiltError(JSON.parse(JSON.stringify(describeFailure(err))));

/** What `onefed`'s main() makes of a thrown value: the text it prints and the exit code. */
const asPrinted = (err: unknown) => ({ text: describeError(err), exitCode: isExpectedFailure(err) ? err.exitCode : ExitCode.Failed });

/** A failure thrown by synthesize(): the value itself. */
function thrownBy(f: () => unknown): unknown {
  try {
    f();
  } catch (err) {
    return err;
  }
  throw new Error("nothing was thrown");
}

describe("synthesizeInChild", () => {
  it("writes the stack synthesize() writes, and tells its name and directory", () => {
    const dir = fs.mkdtempSync(path.join(work, "same-"));
    const config = seedFederation().write(dir);
    const here = synthesize({ configPath: config, outdir: path.join(dir, "here"), nullProviderVersion: "3.2.4" });
    const there = synthesizeInChild({ configPath: config, outdir: path.join(dir, "there"), nullProviderVersion: "3.2.4" });
    expect(there).toEqual({ stack: here.stack, outdir: path.join(dir, "there") });
    const read = (outdir: string) => fs.readFileSync(path.join(outdir, "stacks", here.stack, "cdk.tf.json"), "utf8");
    expect(read(there.outdir)).toBe(read(here.outdir));
  });

  it("a bad federation file: the same ConfigError paragraph and exit code as in-process", () => {
    const dir = fs.mkdtempSync(path.join(work, "bad-"));
    const config = seedFederation()
      .with({ backup: { localDirectory: path.join(dir, "federation.yaml") } })
      .write(dir);
    const outdir = path.join(dir, "cdktf.out");
    const inProcess = thrownBy(() => synthesize({ configPath: config, outdir }));
    const inChild = thrownBy(() => synthesizeInChild({ configPath: config, outdir }));
    expect(inProcess).toBeInstanceOf(ConfigError);
    expect(asPrinted(inChild)).toEqual(asPrinted(inProcess));
    expect(asPrinted(inChild).exitCode).toBe(ExitCode.Usage);
    expect(inChild).toMatchObject({ name: "ConfigError", file: (inProcess as ConfigError).file, problems: (inProcess as ConfigError).problems });
    expect(fs.existsSync(outdir)).toBe(false);
  });

  it("a child that ends without an answer is a failure that says so", () => {
    const dir = fs.mkdtempSync(path.join(work, "gone-"));
    // A node binary that is not there: the child never starts.
    const execPath = process.execPath;
    Object.defineProperty(process, "execPath", { value: path.join(dir, "no-node"), configurable: true });
    try {
      expect(() => synthesizeInChild({ configPath: path.join(dir, "federation.yaml"), outdir: dir })).toThrow(
        /^synthesizing the stack of .*federation\.yaml in its own process \(.*no-node .*synth-in-child\.js\) failed: it .*ENOENT.* without a result$/,
      );
    } finally {
      Object.defineProperty(process, "execPath", { value: execPath, configurable: true });
    }
  });
});

describe("a failure thrown again in the parent", () => {
  /** An expected failure of our own with fields of its own. */
  class ZoneRefusal extends OnefedError {
    constructor(public readonly zone: number) {
      super(`zone ${zone} refused`, ExitCode.NotReady);
    }
  }

  it.each([
    ["a ConfigError", new ConfigError("/etc/f.yaml", ["zones: required"])],
    ["an expected failure with fields", new ZoneRefusal(102)],
    // cdktf reports the graph invariants' violations as a plain Error; printed with its stack, as before.
    ["a plain Error (a GraphInvariants violation)", new Error("Validation failed with the following errors:\n  [stack] verify@0 runs before unfreeze@1")],
    ["a TypeError (a bug)", new TypeError("cannot read properties of undefined")],
    ["an error shaped as expected (the sandbox's)", Object.assign(new Error("sandbox refused"), { paragraph: true, exitCode: 2 })],
    ["not an Error at all", "a string"],
  ])("%s prints and exits as it did in-process", (_what, err) => {
    expect(asPrinted(throughChild(err))).toEqual(asPrinted(err));
  });

  it("keeps the fields and the name; an expected one is a OnefedError", () => {
    const again = throughChild(new ConfigError("/etc/f.yaml", ["a", "b"]));
    expect(again).toBeInstanceOf(OnefedError);
    expect(again).toMatchObject({ name: "ConfigError", file: "/etc/f.yaml", problems: ["a", "b"], exitCode: ExitCode.Usage });
    expect(throughChild(new TypeError("x"))).not.toBeInstanceOf(OnefedError);
  });
});
