/**
 * Reads federation.yaml, checks it against the schema and the rules below, and applies defaults.
 * Every problem is collected before failing, so one run tells the operator everything to fix.
 */
import * as path from "path";
import { parse as parseYaml, YAMLParseError } from "yaml";
import { ConfigError } from "./config-error";
import { DatabaseConfig, DEFAULTS, FederationConfig, FreezeMethod, PackagesConfig, UpgradeType, upgradeTypeFor, ZoneConfig } from "../model/federation";
import { compareVersions, ZONE_DISABLE_SINCE } from "../model/version";
import { checkFederationFile } from "./federation-check.generated";
import type { FederationFile } from "./schema";
import { databaseFits, notifyTargetFits, repositoryEitherOr, semanticRules } from "./rules";
import { resolveSsh, resolveZoneSsh } from "./resolve-ssh";
import { sshLoginsFit } from "./ssh-rules";
import { readFederationFile } from "./read-federation-file";
import { backendFits, resolveTerraform } from "./terraform-settings";
import { DEFAULT_NOTIFY_TIMEOUT_SECONDS, NOTIFY_EVENTS, NotifyConfig } from "../model/notify";

export const CONFIG_ENV = "FEDERATION_CONFIG";
export const DEFAULT_CONFIG_PATH = "./federation.yaml";

export { ConfigError } from "./config-error";

/** Resolves the config path: explicit argument, then $FEDERATION_CONFIG, then ./federation.yaml. */
export function resolveConfigPath(explicit?: string): string {
  return path.resolve(explicit ?? process.env[CONFIG_ENV] ?? DEFAULT_CONFIG_PATH);
}

export function loadConfig(explicitPath?: string): FederationConfig {
  const file = resolveConfigPath(explicitPath);
  const from = explicitPath !== undefined ? "--config" : process.env[CONFIG_ENV] !== undefined ? `$${CONFIG_ENV}` : `the default ${DEFAULT_CONFIG_PATH}`;
  return parseConfig(readFederationFile(file, from, `pass --config or set ${CONFIG_ENV}`), file);
}

/** Parses and validates file content; `file` names the source in messages and anchors relative paths. */
export function parseConfig(text: string, file: string): FederationConfig {
  let raw: unknown;
  try {
    raw = parseYaml(text, { prettyErrors: true, uniqueKeys: true });
  } catch (err) {
    const where = err instanceof YAMLParseError && err.linePos ? ` at line ${err.linePos[0].line}` : "";
    throw new ConfigError(file, [`YAML syntax error${where}: ${(err as Error).message.split("\n")[0]}`]);
  }
  if (!checkFederationFile(raw)) {
    // Only a file that fails needs the messages: TypeBox is loaded for them alone (see check-source.ts).
    /* eslint-disable @typescript-eslint/no-require-imports -- loaded on demand, off the step runner's start-up path */
    const { Value } = require("@sinclair/typebox/value") as typeof import("@sinclair/typebox/value");
    const { FederationFileSchema } = require("./schema") as typeof import("./schema");
    /* eslint-enable @typescript-eslint/no-require-imports */
    const schemaProblems = [...Value.Errors(FederationFileSchema, raw)].map((e) => `${describePath(raw, e.path)}: ${e.message}`);
    throw new ConfigError(file, dedupe(schemaProblems.length > 0 ? schemaProblems : ["(top level): does not match the federation file schema"]));
  }

  const doc = raw as FederationFile;
  const config = applyDefaults(doc, path.dirname(file), file);
  const problems = [
    ...repositoryEitherOr(doc),
    ...notifyTargetFits(doc),
    ...databaseFits(doc),
    ...backendFits(doc),
    ...sshLoginsFit(doc),
    ...semanticRules.flatMap((rule) => rule(config)),
  ];
  if (problems.length > 0) throw new ConfigError(file, problems);
  return config;
}

function applyDefaults(doc: FederationFile, baseDir: string, file: string): FederationConfig {
  const sshPort = doc.ssh.port ?? DEFAULTS.sshPort;
  const stepSeconds = doc.timeouts?.stepSeconds ?? DEFAULTS.stepSeconds;
  const packages = resolvePackages(doc.packages ?? {});
  const database = resolveDatabase(doc.database ?? {});
  const zones: ZoneConfig[] = doc.zones.map((z) => ({
    id: z.id,
    name: z.name,
    role: z.role,
    endpoint: z.endpoint,
    frontends: z.frontends.map((f) => ({ host: f.host, port: f.port ?? z.ssh?.port ?? sshPort })),
    stepTimeoutSeconds: z.stepTimeoutSeconds ?? stepSeconds,
    database: z.database ? resolveDatabase(z.database, database) : database,
    packages: z.packages ? resolvePackages(z.packages, packages) : packages,
    nodes: (z.nodes ?? []).map((n) => ({ name: n.name, host: n.host, port: n.port ?? z.ssh?.port ?? sshPort, hypervisor: n.hypervisor ?? "kvm" })),
    ssh: resolveZoneSsh(z.ssh, doc.ssh, baseDir),
  }));
  const masters = zones.filter((z) => z.role === "master");
  return {
    sourcePath: file,
    name: doc.federation.name,
    fromVersion: doc.federation.fromVersion,
    toVersion: doc.federation.toVersion,
    upgradeType: resolveUpgradeType(doc.federation.upgradeType ?? "auto", doc.federation.fromVersion, doc.federation.toVersion),
    requestedUpgradeType: doc.federation.upgradeType ?? "auto",
    ssh: resolveSsh(doc.ssh, baseDir),
    freeze: {
      method: resolveFreezeMethod(doc.freeze?.method ?? "auto", doc.federation.fromVersion),
      requested: doc.freeze?.method ?? "auto",
      allowFrom: doc.freeze?.allowFrom ?? [],
      acknowledgeNoFreeze: doc.freeze?.acknowledgeNoFreeze ?? false,
    },
    hosts: { manage: doc.hosts?.manage ?? false },
    database,
    packages,
    backup: {
      localDirectory: path.resolve(baseDir, doc.backup?.localDirectory ?? DEFAULTS.localBackupDirectory),
      remoteDirectory: doc.backup?.remoteDirectory ?? DEFAULTS.remoteBackupDirectory,
    },
    timeouts: { stepSeconds, syncWaitSeconds: doc.timeouts?.syncWaitSeconds ?? DEFAULTS.syncWaitSeconds },
    ...(doc.engine ? { engine: doc.engine } : {}),
    terraform: resolveTerraform(doc, baseDir),
    ...(doc.notify ? { notify: resolveNotify(doc.notify) } : {}),
    ...(doc.window ? { window: { days: doc.window.days, start: doc.window.start, end: doc.window.end, timezone: doc.window.timezone } } : {}),
    zones,
    // With zero or two masters the rules below reject the file; the first zone keeps types simple meanwhile.
    master: masters[0] ?? zones[0],
    slaves: zones.filter((z) => z.role === "slave"),
  };
}

function resolveNotify(n: NonNullable<FederationFile["notify"]>): NotifyConfig {
  return {
    ...(n.url !== undefined ? { url: n.url } : {}),
    ...(n.urlEnv !== undefined ? { urlEnv: n.urlEnv } : {}),
    events: n.events ?? [...NOTIFY_EVENTS],
    timeoutSeconds: n.timeoutSeconds ?? DEFAULT_NOTIFY_TIMEOUT_SECONDS,
    headersFromEnv: { ...(n.headersFromEnv ?? {}) },
  };
}

/**
 * A database block over its parent (the federation's, for a zone): each field inherited unless
 * given; connection settings count only when all four are known (rules.ts names the missing ones).
 */
function resolveDatabase(d: NonNullable<FederationFile["database"]>, parent?: DatabaseConfig): DatabaseConfig {
  const backend = d.backend ?? parent?.backend ?? "sqlite";
  const passwordEnv = d.passwordEnv ?? parent?.passwordEnv;
  const server = d.server ?? parent?.connection?.server;
  const port = d.port ?? parent?.connection?.port ?? 0;
  const user = d.user ?? parent?.connection?.user;
  const name = d.name ?? parent?.connection?.name;
  return {
    backend,
    ...(passwordEnv ? { passwordEnv } : {}),
    ...(server && user && name ? { connection: { server, port, user, name } } : {}),
  };
}

/**
 * A packages block over its parent (the federation's, for a zone): the manager is inherited; a
 * repository given here (file or command) replaces the parent's, and the default file follows
 * the manager (an apt line makes no sense in /etc/yum.repos.d).
 */
function resolvePackages(p: NonNullable<FederationFile["packages"]>, parent?: PackagesConfig): PackagesConfig {
  const manager = p.manager ?? parent?.manager ?? DEFAULTS.packageManager;
  const ownRepository = p.repositoryLine !== undefined || p.repositoryCommand !== undefined;
  const inherited = parent && !ownRepository && parent.manager === manager ? parent : undefined;
  return {
    manager,
    repositoryLine: p.repositoryLine ?? inherited?.repositoryLine ?? (manager === "apt" ? DEFAULTS.repositoryLine : DEFAULTS.yumRepository),
    ...(p.repositoryCommand
      ? { repositoryCommand: p.repositoryCommand }
      : inherited?.repositoryCommand
        ? { repositoryCommand: inherited.repositoryCommand }
        : {}),
  };
}

/** The requested upgrade type, or for `auto` the one the release pair needs (upgradeTypeFor). */
export function resolveUpgradeType(requested: "auto" | UpgradeType, fromVersion: string, toVersion: string): UpgradeType {
  return requested !== "auto" ? requested : upgradeTypeFor(fromVersion, toVersion);
}

/** `onezone disable` exists from 6.2; before, the freeze filters the master's API with the firewall. */
export function resolveFreezeMethod(requested: "auto" | FreezeMethod, fromVersion: string): FreezeMethod {
  if (requested !== "auto") return requested;
  return compareVersions(fromVersion, ZONE_DISABLE_SINCE) >= 0 ? "onezone-disable" : "firewall";
}

/** "/zones/1/frontends" → "zones[1] (S-EU-GE).frontends", so the operator sees which zone is wrong. */
function describePath(raw: unknown, pointer: string): string {
  const parts = pointer.split("/").slice(1);
  if (parts.length === 0) return "(top level)";
  let out = "";
  let node: unknown = raw;
  for (const part of parts) {
    const isIndex = /^\d+$/.test(part) && Array.isArray(node);
    out += isIndex ? `[${part}]` : out ? `.${part}` : part;
    node = node && typeof node === "object" ? (node as Record<string, unknown>)[part] : undefined;
    if (isIndex && out.startsWith("zones[") && out.endsWith("]") && !out.includes(".")) {
      const name = node && typeof node === "object" ? (node as Record<string, unknown>).name : undefined;
      if (typeof name === "string") out += ` (${name})`;
    }
  }
  return out;
}

function dedupe(items: string[]): string[] {
  return [...new Set(items)];
}
