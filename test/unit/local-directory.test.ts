/**
 * backup.localDirectory is proven writable before anything touches a zone: at synth (a ConfigError,
 * exit 2, before the stack is written) and again by the preflight step (a refusal, before any
 * connection). It used to be found unwritable only after every zone was frozen and stopped.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { main } from "../../lib/cli/onefed";
import { ConfigError } from "../../lib/config/load-config";
import { assertLocalDirectoryWritable, prepareLocalDirectory } from "../../lib/config/local-directory";
import { ExitCode } from "../../lib/model/exit-codes";
import { StepRefusal } from "../../lib/run/step-refusal";
import { STEPS } from "../../lib/run/steps/catalog";
import { synthesize } from "../../lib/synth/synthesize";
import { FakeTransport, fakeStepContext } from "../support/fake-frontend";
import { seedFederation } from "../support/federation-builder";

const fsModule = require("fs") as typeof fs;

const root = fs.mkdtempSync(path.join(os.tmpdir(), "onefed-local-dir-"));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
afterEach(() => jest.restoreAllMocks());

/** A regular file where the directory should be. */
function aFile(): string {
  const file = fs.mkdtempSync(path.join(root, "file-")) + "/artifacts";
  fs.writeFileSync(file, "not a directory");
  return file;
}

describe("prepareLocalDirectory", () => {
  it("creates a missing directory 0700 (parents too) and leaves no probe behind", () => {
    const dir = path.join(root, "new", "artifacts");
    expect(prepareLocalDirectory(dir)).toBeUndefined();
    expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it("accepts an existing writable directory and leaves its content alone", () => {
    const dir = fs.mkdtempSync(path.join(root, "existing-"));
    fs.writeFileSync(path.join(dir, "artifact.sql"), "-- kept");
    expect(prepareLocalDirectory(dir)).toBeUndefined();
    expect(fs.readdirSync(dir)).toEqual(["artifact.sql"]);
  });

  it("refuses a regular file", () => {
    expect(prepareLocalDirectory(aFile())).toBe("exists but is not a directory");
  });

  it("refuses a path that cannot be created, saying why", () => {
    expect(prepareLocalDirectory(path.join(aFile(), "below"))).toMatch(
      /^does not exist and cannot be created \(a part of the path on the automation host is not a directory \(ENOTDIR\)\)$/,
    );
  });

  it("refuses a directory that cannot be written, even for root", () => {
    // sysfs refuses new files to everyone, root included.
    if (!fs.existsSync("/sys/kernel")) return;
    expect(prepareLocalDirectory("/sys/kernel")).toMatch(/^cannot be written to \(/);
  });

  it("refuses a full file system: the probe writes a byte, not an empty file", () => {
    const dir = fs.mkdtempSync(path.join(root, "full-"));
    // A full file system: a new empty file still fits, a byte does not (writes go to /dev/full, which answers ENOSPC).
    jest.spyOn(fsModule, "writeFileSync").mockImplementation((file, data) => {
      fs.closeSync(fs.openSync(file as string, "w"));
      if (String(data).length === 0) return;
      const full = fs.openSync("/dev/full", "w");
      try {
        fs.writeSync(full, String(data));
      } finally {
        fs.closeSync(full);
      }
    });
    expect(prepareLocalDirectory(dir)).toBe("cannot be written to (no space left on the automation host (ENOSPC))");
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});

describe("at synth", () => {
  it("is a ConfigError (exit 2) naming backup.localDirectory, what is wrong and what to do", () => {
    const config = seedFederation()
      .with({ backup: { localDirectory: aFile() } })
      .parse();
    expect(() => assertLocalDirectoryWritable(config)).toThrow(ConfigError);
    expect(() => assertLocalDirectoryWritable(config)).toThrow(
      new RegExp(
        `  - backup\\.localDirectory: ${config.backup.localDirectory} exists but is not a directory; .*Make it writable for this user or point backup\\.localDirectory elsewhere$`,
      ),
    );
  });

  it("stops synthesize() before any stack is written, and `onefed synth` exits 2", async () => {
    const dir = fs.mkdtempSync(path.join(root, "synth-"));
    const configFile = seedFederation()
      .with({ backup: { localDirectory: aFile() } })
      .write(dir);
    const outdir = path.join(dir, "cdktf.out");
    expect(() => synthesize({ configPath: configFile, outdir })).toThrow(/backup\.localDirectory: .* exists but is not a directory/);
    expect(fs.existsSync(outdir)).toBe(false);
    const err: string[] = [];
    const code = await main(["synth", "--config", configFile, "--out", outdir], { out: () => undefined, err: (s) => err.push(s) });
    expect(code).toBe(ExitCode.Usage);
    expect(err.join("\n")).toMatch(
      /^ConfigError: .* is not a valid federation file \(1 problem\); nothing was synthesized and no zone was touched:\n {2}- backup\.localDirectory: /,
    );
  });
});

describe("the preflight step", () => {
  it("refuses before it connects anywhere: nothing was changed", async () => {
    const config = seedFederation()
      .with({ backup: { localDirectory: aFile() } })
      .parse();
    const opened: string[] = [];
    const ctx = fakeStepContext(config, config.master, "preflight", (z) => {
      opened.push(z.name);
      return new FakeTransport([]);
    });
    const err = await STEPS.preflight.run(ctx).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StepRefusal);
    expect((err as Error).message).toMatch(
      /^preflight refused on zone 0 \(M-EU-FR\): expected backup\.localDirectory .* to be a directory this user can write on the automation host .*, but found it exists but is not a directory\. Nothing was changed\./,
    );
    expect(opened).toEqual([]);
  });
});
