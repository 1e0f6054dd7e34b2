/**
 * Everything `up` writes before any sshd starts: registry, keys, scripts, front-end trees and
 * the federation file. Needs no root, so the emulator tests use it on their own.
 */
import * as fs from "fs";
import * as path from "path";
import { compareVersions } from "./catalog";
import { SandboxError } from "./errors";
import { renderFederationFile } from "./federation-file";
import { writeScripts } from "./frontend-shell";
import { generateKey, writeAuthorizedKeys } from "./keys";
import { DEFAULT_FED_INDEX, FRONTEND_MOUNTS, SandboxLayout } from "./layout";
import { SandboxRegistry, allFrontends } from "./registry";
import { seedFrontend } from "./seed";
import { buildZones } from "./topology";

/** Options of a new sandbox (CLI and API defaults applied by the caller or here). */
export interface PrepareOptions {
  /** Sandbox directory. */
  readonly dir: string;
  /** Number of slave zones. @default 2 */
  readonly slaves?: number;
  /** Installed release. @default "6.10.0" */
  readonly from?: string;
  /** Release the federation is to be upgraded to. @default "7.0.0" */
  readonly to?: string;
  /** Master's loopback address; slaves take the next ones. @default "127.0.50.1" */
  readonly addressBase?: string;
  /** sshd port of every front-end. @default 22 */
  readonly port?: number;
  /** Federation name. @default "sandbox" */
  readonly federationName?: string;
  /** FED_INDEX every zone starts at. @default 715438 */
  readonly fedIndex?: number;
  /** is_slave of the slaves' databases. @default true */
  readonly slavesBootstrappedAsSlave?: boolean;
}

const VERSION = /^\d+\.\d+\.\d+(\.\d+)?$/;
/** The directory ends up inside sshd_config and sh scripts: keep it free of quoting trouble. */
const SAFE_DIR = /^\/[A-Za-z0-9._/@+-]*$/;

/** Validates options and returns the registry the sandbox would have (nothing written). */
export function planSandbox(o: PrepareOptions, node: string, emulator: string): SandboxRegistry {
  const layout = new SandboxLayout(o.dir);
  const from = o.from ?? "6.10.0";
  const to = o.to ?? "7.0.0";
  const problems = [
    { bad: !SAFE_DIR.test(layout.dir), msg: `sandbox directory ${layout.dir} must be an absolute path of letters, digits and . _ / @ + - only` },
    { bad: ["/etc", ...FRONTEND_MOUNTS].some((m) => layout.dir === m || layout.dir.startsWith(`${m}/`)), msg: `sandbox directory ${layout.dir} must not be under /etc or ${FRONTEND_MOUNTS.join(", ")}` },
    { bad: !VERSION.test(from), msg: `--from ${from} is not a version like 6.10.0` },
    { bad: !VERSION.test(to), msg: `--to ${to} is not a version like 7.0.0` },
    { bad: VERSION.test(from) && VERSION.test(to) && compareVersions(to, from) < 0, msg: `--to ${to} is older than --from ${from}` },
    { bad: !/^[a-z0-9][a-z0-9-]{0,39}$/.test(o.federationName ?? "sandbox"), msg: `federation name ${o.federationName} must be lower-case letters, digits and -` },
    { bad: o.fedIndex !== undefined && (!Number.isInteger(o.fedIndex) || o.fedIndex < 2), msg: `fedIndex must be an integer of at least 2 (got ${o.fedIndex})` },
  ].filter((p) => p.bad);
  if (problems.length > 0) throw new SandboxError(problems.map((p) => p.msg).join("; "));
  return {
    format: 1,
    dir: layout.dir,
    federation: { name: o.federationName ?? "sandbox", fromVersion: from, toVersion: to },
    addressBase: o.addressBase ?? "127.0.50.1",
    port: o.port ?? 22,
    fedIndex: o.fedIndex ?? DEFAULT_FED_INDEX,
    node,
    emulator,
    zones: buildZones(o.slaves ?? 2, o.addressBase ?? "127.0.50.1", o.port ?? 22),
  };
}

/**
 * The compiled emulator entry point: next to this module when running from dist/, else the
 * build of this checkout (running from TypeScript sources under ts-jest or ts-node).
 */
export function emulatorEntry(): string {
  const beside = path.join(__dirname, "emulator", "main.js");
  return fs.existsSync(beside) ? beside : path.resolve(__dirname, "..", "..", "dist", "lib", "sandbox", "emulator", "main.js");
}

/** Writes a new sandbox directory (refuses a non-empty directory that holds no sandbox). */
export function prepareSandbox(o: PrepareOptions, node = process.execPath, emulator = emulatorEntry()): SandboxRegistry {
  const reg = planSandbox(o, node, emulator);
  const layout = new SandboxLayout(reg.dir);
  if (fs.existsSync(layout.dir) && fs.readdirSync(layout.dir).length > 0) {
    throw new SandboxError(`${layout.dir} exists and is not empty; give a new --dir, or remove it`);
  }
  if (!fs.existsSync(emulator)) throw new SandboxError(`emulator ${emulator} not found: build first (npx tsc -p tsconfig.json)`);
  fs.mkdirSync(layout.dir, { recursive: true, mode: 0o755 });
  fs.chmodSync(layout.dir, 0o755);
  fs.mkdirSync(layout.keysDir, { mode: 0o755 });
  fs.mkdirSync(layout.artifacts, { mode: 0o700 });
  generateKey(layout.privateKey, "onefed-sandbox-client");
  writeAuthorizedKeys(layout);
  writeScripts(layout, node, emulator);
  fs.writeFileSync(layout.registry, JSON.stringify(reg, null, 2) + "\n");
  const seed = { slavesBootstrappedAsSlave: o.slavesBootstrappedAsSlave ?? true };
  for (const fe of allFrontends(reg)) {
    fs.mkdirSync(layout.frontendDir(fe.name), { recursive: true });
    fs.mkdirSync(layout.etcUpper(fe.name), { recursive: true, mode: 0o755 });
    fs.mkdirSync(layout.etcWork(fe.name), { recursive: true, mode: 0o755 });
    generateKey(layout.hostKey(fe.name), `${fe.name}-host`);
    seedFrontend(layout, reg, fe, seed);
  }
  fs.writeFileSync(layout.federationFile, renderFederationFile(reg));
  return reg;
}
