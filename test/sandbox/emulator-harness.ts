/**
 * Runs emulated commands against a sandbox directory without sshd: the front-end's own paths are
 * redirected into its tree (ONEFED_SANDBOX_FRONTEND_ROOT) instead of a mount namespace. Commands go
 * through `sh -c` with the shims first on PATH, exactly as the front-end shell runs them.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PrepareOptions, prepareSandbox } from "../../lib/sandbox";

/** The compiled emulator the shims exec (tests need `npx tsc -p tsconfig.json` first). */
export const EMULATOR = path.resolve(__dirname, "../../dist/lib/sandbox/emulator/main.js");

/** Where the real OpenNebula output samples live. */
export const SAMPLES = path.resolve(__dirname, "../../../shared/opennebula/samples");

/** One command's outcome. */
export interface Run {
  readonly stdout: string;
  readonly stderr: string;
  readonly code: number;
}

/** A sample's captured stdout, stderr and exit code. */
export function sample(rel: string): Run {
  const read = (ext: string): string => fs.readFileSync(path.join(SAMPLES, `${rel}.${ext}`), "utf8");
  return { stdout: read("out"), stderr: read("err"), code: parseInt(read("rc"), 10) };
}

/** A prepared (not running) sandbox in a temporary directory. */
export class EmulatorSandbox {
  readonly dir: string;
  /** Scratch directory used as the cwd of commands. */
  readonly work: string;

  private constructor(dir: string) {
    this.dir = dir;
    this.work = path.join(dir, "work");
    fs.mkdirSync(this.work);
  }

  static create(opts: Omit<PrepareOptions, "dir"> = {}): EmulatorSandbox {
    if (!fs.existsSync(EMULATOR)) throw new Error(`${EMULATOR} missing: run npx tsc -p tsconfig.json first`);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "onefed-emu-"));
    prepareSandbox({ dir, ...opts }, process.execPath, EMULATOR);
    return new EmulatorSandbox(dir);
  }

  /** The front-end's own copy of an OpenNebula path. */
  path(fe: string, onePath: string): string {
    return path.join(this.dir, "frontends", fe, "root", onePath);
  }

  /** Runs a shell command line on a front-end. */
  run(fe: string, command: string, env: Record<string, string> = {}): Run {
    const r = spawnSync("sh", ["-c", command], {
      cwd: this.work,
      encoding: "utf8",
      env: {
        PATH: `${path.join(this.dir, "bin", "emulated")}:${process.env.PATH}`,
        TZ: "UTC",
        ONEFED_SANDBOX_DIR: this.dir,
        ONEFED_FRONTEND: fe,
        ONEFED_SANDBOX_FRONTEND_ROOT: path.join(this.dir, "frontends", fe, "root"),
        ...env,
      },
    });
    return { stdout: r.stdout, stderr: r.stderr, code: r.status ?? -1 };
  }

  remove(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/** The front-ends of the default 1+2 sandbox. */
export const MASTER = "zone0-server0";
export const SLAVE_GE = "zone100-server0";
export const SLAVE_CA = "zone101-server0";
