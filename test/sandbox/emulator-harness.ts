/**
 * Runs emulated commands against a sandbox directory without sshd: the front-end's own paths are
 * redirected into its tree (ONEFED_SANDBOX_FRONTEND_ROOT) instead of a mount namespace. Commands go
 * through `sh -c` with the shims first on PATH, exactly as the front-end shell runs them.
 */
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PrepareOptions, prepareSandbox } from "../../sandbox";
import { ENV_FRONTEND, ENV_FRONTEND_ROOT, ENV_SANDBOX_DIR } from "../../sandbox/contract";
import { shimDirOf } from "../../sandbox/frontend-shell";
import { SandboxLayout } from "../../sandbox/layout";
import { packageManagerOf, readRegistry, zoneOf } from "../../sandbox/registry";
import { runningMariaDbPid, startMariaDb } from "../../sandbox/mariadb";
import { readMysqlPassword } from "../../sandbox/mysql";
import { SANDBOX_USER } from "../../sandbox/contract";
import { ensureUser } from "../../sandbox/prerequisites";

/** The compiled emulator the shims exec (tests need `npx tsc -p tsconfig.json` first). */
export const EMULATOR = path.resolve(__dirname, "../../dist/sandbox/emulator/main.js");

/** Where the real OpenNebula output samples live (see its README.md). */
export const SAMPLES = path.resolve(__dirname, "../fixtures/opennebula");

/** One command's outcome. */
export interface Run {
  readonly stdout: string;
  readonly stderr: string;
  readonly code: number;
}

/** A command's stdout lines with their arrival times, its stderr, exit code and duration. */
export interface StreamedRun {
  readonly lines: ReadonlyArray<{ readonly atMs: number; readonly text: string }>;
  readonly stderr: string;
  readonly code: number;
  readonly durationMs: number;
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

  /** The machine's (front-end's or node's) own copy of an OpenNebula path. */
  path(fe: string, onePath: string): string {
    return new SandboxLayout(this.dir).hostPath(fe, onePath);
  }

  /**
   * Runs a shell command line on a machine, with its profile's shims first on PATH. On RHEL-like
   * machines the host's apt-get and dpkg tools are shadowed by "command not found" stand-ins (the
   * namespace hides them with whiteouts; never let a test reach the host's real apt-get).
   * `input` is the command's stdin (default: none, at end of file at once).
   */
  run(fe: string, command: string, env: Record<string, string> = {}, input?: string): Run {
    const { shell, args, env: runEnv } = this.invocation(fe, command, env);
    const r = spawnSync(shell, args, { cwd: this.work, encoding: "utf8", input: input ?? "", env: runEnv });
    return { stdout: r.stdout, stderr: r.stderr, code: r.status ?? -1 };
  }

  /** Like `run`, but records when each stdout line arrived (ms after the start): for paced commands. */
  runStreaming(fe: string, command: string): Promise<StreamedRun> {
    const { shell, args, env } = this.invocation(fe, command, {});
    const t0 = Date.now();
    const child = spawn(shell, args, { cwd: this.work, env, stdio: ["ignore", "pipe", "pipe"] });
    const lines: Array<{ readonly atMs: number; readonly text: string }> = [];
    let rest = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      const parts = (rest + chunk).split("\n");
      rest = parts.pop()!;
      for (const text of parts) lines.push({ atMs: Date.now() - t0, text });
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    return new Promise((resolve) => child.on("close", (code) => resolve({ lines, stderr, code: code ?? -1, durationMs: Date.now() - t0 })));
  }

  /** The shell, its arguments and the environment a command line runs with on `fe`. */
  private invocation(fe: string, command: string, env: Record<string, string>): { shell: string; args: string[]; env: NodeJS.ProcessEnv } {
    const layout = new SandboxLayout(this.dir);
    const reg = readRegistry(layout)!;
    const rhel = packageManagerOf(zoneOf(reg, fe) ?? reg.zones[0]) !== "apt";
    return {
      shell: rhel ? "bash" : "sh",
      args: [...(rhel ? ["--norc"] : []), "-c", command],
      env: {
        PATH: `${shimDirOf(layout, reg, zoneOf(reg, fe) ? fe : reg.zones[0].frontends[0].name)}:${rhel ? `${this.hidden()}:` : ""}${process.env.PATH}`,
        TZ: "UTC",
        [ENV_SANDBOX_DIR]: this.dir,
        [ENV_FRONTEND]: fe,
        [ENV_FRONTEND_ROOT]: layout.frontendRoot(fe),
        ...env,
      },
    };
  }

  /** A directory of stand-ins for the host's Debian package tools. */
  private hidden(): string {
    const dir = path.join(this.dir, "hidden-debian-tools");
    if (!fs.existsSync(dir)) {
      fs.mkdirSync(dir);
      for (const t of ["apt", "apt-get", "apt-cache", "dpkg", "dpkg-query"]) {
        fs.writeFileSync(path.join(dir, t), '#!/bin/sh\necho "bash: ${0##*/}: command not found" >&2\nexit 127\n', { mode: 0o755 });
      }
    }
    return dir;
  }

  /**
   * Starts the real MariaDB of every MySQL front-end (as `sandbox up` does; needs root and
   * mariadb-server). Commands reach it over TCP on the front-end's address, like in a namespace.
   */
  async startMariaDb(): Promise<void> {
    const layout = new SandboxLayout(this.dir);
    const reg = readRegistry(layout)!;
    const ids = ensureUser(() => undefined);
    fs.chmodSync(this.dir, 0o755);
    const fes = reg.zones.filter((z) => z.dbBackend === "mysql").flatMap((z) => z.frontends);
    await Promise.all(fes.map((fe) => startMariaDb(layout, fe, ids, readMysqlPassword(layout), SANDBOX_USER)));
  }

  /** Removes the directory; a MySQL front-end's server is killed first (a throwaway database). */
  remove(): void {
    const layout = new SandboxLayout(this.dir);
    const reg = readRegistry(layout);
    for (const fe of reg?.zones.flatMap((z) => z.frontends) ?? []) {
      const pid = runningMariaDbPid(layout, fe.name);
      if (pid !== undefined) process.kill(pid, "SIGKILL");
    }
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/** The front-ends of the default 1+2 sandbox. */
export const MASTER = "zone0-server0";
export const SLAVE_GE = "zone100-server0";
export const SLAVE_CA = "zone101-server0";
/** Hypervisor node n of a zone (sandboxes created with `nodes`). */
export const NODE = (zoneId: number, n = 0): string => `zone${zoneId}-node${n}`;
