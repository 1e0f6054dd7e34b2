/**
 * The federation file is read only from a regular file of at most 1 MiB: `--config /dev/zero` used
 * to read 4.6 GB in 8 s and a FIFO to block for ever. Each other kind of file is refused before a
 * byte is read, with a UsageError (exit 2) naming the file, what it is and what is expected.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { main } from "../../lib/cli/onefed";
import { ConfigError, loadConfig } from "../../lib/config/load-config";
import { MAX_FEDERATION_FILE_BYTES, readFederationFile } from "../../lib/config/read-federation-file";
import { UsageError } from "../../lib/model/errors";
import { ExitCode } from "../../lib/model/exit-codes";
import { seedFederation } from "../support/federation-builder";

const fsModule = require("fs") as typeof fs;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "onefed-config-file-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** The refusal loadConfig throws for `file`, or undefined when it loads. */
function refusal(file: string): Error | undefined {
  try {
    loadConfig(file);
    return undefined;
  } catch (err) {
    return err as Error;
  }
}

const firstBlockDevice = fs
  .readdirSync("/dev")
  .map((n) => path.join("/dev", n))
  .find((f) => fs.statSync(f, { throwIfNoEntry: false })?.isBlockDevice());

describe("the federation file", () => {
  it("loads from a regular file, and through a symbolic link to one", () => {
    const file = seedFederation().write(dir);
    expect(loadConfig(file).name).toBe("seed");
    const link = path.join(dir, "linked.yaml");
    fs.symlinkSync(file, link);
    expect(loadConfig(link).name).toBe("seed");
  });

  it.each([
    ["a directory", () => dir, /is a directory/],
    ["a character device (/dev/zero, which never ends)", () => "/dev/zero", /is a character device/],
    [
      "a symbolic link to a device",
      () => {
        const link = path.join(dir, "zero.yaml");
        fs.symlinkSync("/dev/zero", link);
        return link;
      },
      /zero\.yaml \(from --config\) is a character device/,
    ],
    [
      "a FIFO (which would block for ever)",
      () => {
        const fifo = path.join(dir, "fifo.yaml");
        execFileSync("mkfifo", [fifo]);
        return fifo;
      },
      /is a FIFO \(named pipe\)/,
    ],
    [
      "a file over the cap",
      () => {
        const big = path.join(dir, "big.yaml");
        fs.writeFileSync(big, "");
        fs.truncateSync(big, MAX_FEDERATION_FILE_BYTES + 1);
        return big;
      },
      new RegExp(`is ${MAX_FEDERATION_FILE_BYTES + 1} bytes`),
    ],
  ])("refuses %s with a UsageError naming it, what it is and what is expected", (_what, make, said) => {
    const file = make();
    const started = Date.now();
    const err = refusal(file);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).exitCode).toBe(ExitCode.Usage);
    expect(err!.message).toMatch(said);
    expect(err!.message).toContain(`the federation file ${file} (from --config)`);
    expect(err!.message).toContain("expected a regular file (or a symbolic link to one) of at most 1 MiB holding the federation's YAML. Nothing was read");
  });

  it("refuses a socket", async () => {
    const socket = path.join(dir, "socket.yaml");
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(socket, resolve));
    try {
      expect(refusal(socket)?.message).toMatch(/is a socket; expected a regular file/);
    } finally {
      server.close();
    }
  });

  (firstBlockDevice ? it : it.skip)("refuses a block device", () => {
    expect(refusal(firstBlockDevice!)?.message).toMatch(/is a block device; expected a regular file/);
  });

  it("reads a file at the cap, and a /proc file that reports size 0", () => {
    const atCap = path.join(dir, "at-cap.yaml");
    const text = fs.readFileSync(seedFederation().write(fs.mkdtempSync(path.join(dir, "seed-"))), "utf8");
    fs.writeFileSync(atCap, text + "#".repeat(MAX_FEDERATION_FILE_BYTES - Buffer.byteLength(text)));
    expect(readFederationFile(atCap, "--config", "pass another")).toHaveLength(MAX_FEDERATION_FILE_BYTES);
    expect(readFederationFile("/proc/self/status", "--config", "pass another")).toMatch(/^Name:/);
  });

  it("stops reading at the cap when the file grows past what its size said", () => {
    const growing = path.join(dir, "growing.yaml");
    fs.writeFileSync(growing, "");
    fs.truncateSync(growing, 3 * MAX_FEDERATION_FILE_BYTES);
    // The stat and fstat report a small file, as if it grew between them and the read.
    const small = (st: fs.Stats) => Object.assign(Object.create(Object.getPrototypeOf(st)), st, { size: 10 });
    const real = { stat: fs.statSync, fstat: fs.fstatSync };
    jest.spyOn(fsModule, "statSync").mockImplementation(((f: fs.PathLike, o?: fs.StatSyncOptions) => small(real.stat(f, o) as fs.Stats)) as typeof fs.statSync);
    jest.spyOn(fsModule, "fstatSync").mockImplementation(((fd: number) => small(real.fstat(fd))) as typeof fs.fstatSync);
    const read = jest.spyOn(fsModule, "readSync");
    try {
      expect(() => readFederationFile(growing, "--config", "pass another")).toThrow(new RegExp(`holds more than ${MAX_FEDERATION_FILE_BYTES} bytes`));
      const bytesRead = read.mock.results.reduce((sum, r) => sum + (r.value as number), 0);
      expect(bytesRead).toBe(MAX_FEDERATION_FILE_BYTES + 1);
    } finally {
      jest.restoreAllMocks();
    }
  });

  it("says where the path came from: $FEDERATION_CONFIG", () => {
    process.env.FEDERATION_CONFIG = "/dev/zero";
    try {
      expect(refusal(undefined as unknown as string)?.message).toContain("the federation file /dev/zero (from $FEDERATION_CONFIG) is a character device");
    } finally {
      delete process.env.FEDERATION_CONFIG;
    }
  });

  it("keeps a missing file a ConfigError, as before", () => {
    expect(refusal(path.join(dir, "missing.yaml"))).toBeInstanceOf(ConfigError);
  });

  it("makes `onefed synth --config /dev/zero` exit 2 at once with that paragraph", async () => {
    const err: string[] = [];
    const code = await main(["synth", "--config", "/dev/zero"], { out: () => undefined, err: (s) => err.push(s) });
    expect(code).toBe(ExitCode.Usage);
    expect(err.join("\n")).toMatch(/^the federation file \/dev\/zero \(from --config\) is a character device; expected a regular file/);
  });
});
