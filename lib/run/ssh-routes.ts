/**
 * How the runner reaches each zone's machines: the zone's login and the jump hosts before them,
 * each with its credentials loaded. Every login of the federation is loaded at the first
 * connection, whichever zone it is for, so a missing passphrase variable, a wrong passphrase or an
 * absent agent stops the run before any machine is touched, and is reported once for all zones.
 */
import { FederationConfig, JumpHostConfig, SshLogin, ZoneConfig, zoneLabel } from "../model/federation";
import { ClientCredentials, loadCredentials } from "../remote/ssh/client-credentials";
import { SshCredentialError } from "../remote/ssh/credential-error";
import { SshTargetLabel } from "../remote/ssh/errors";

/** One jump host on the way, labelled for messages ("zone 100 (S-EU-GE), jump host 1 of 2 10.0.0.9:22"). */
export interface JumpHop {
  readonly target: SshTargetLabel;
  readonly credentials: ClientCredentials;
}

export interface ZoneRoute {
  /** Jump hosts, first hop first (empty: direct). */
  readonly hops: readonly JumpHop[];
  /** The login on the zone's front-ends and hosts. */
  readonly credentials: ClientCredentials;
}

/** Loaded once per validated federation (the step process holds one): the result, or the refusal to repeat. */
const loaded = new WeakMap<FederationConfig, { readonly routes: ReadonlyMap<number, ZoneRoute> } | { readonly error: unknown }>();

/** The route to a zone's machines; the first call loads every zone's (and throws what any of them lacks). */
export function routeTo(config: FederationConfig, zone: ZoneConfig): ZoneRoute {
  return sshRoutesOf(config).get(zone.id) ?? loadRoutes({ ...config, zones: [zone] }).get(zone.id)!;
}

/**
 * Every zone's route, loaded once per federation: commands call it first, so that a credential
 * problem is a usage error (exit 2) before any machine is touched, not one failed machine among many.
 */
export function sshRoutesOf(config: FederationConfig): ReadonlyMap<number, ZoneRoute> {
  let entry = loaded.get(config);
  if (!entry) {
    try {
      entry = { routes: loadRoutes(config) };
    } catch (error) {
      entry = { error };
    }
    loaded.set(config, entry);
  }
  if ("error" in entry) throw entry.error;
  return entry.routes;
}

/** Every zone's route; the credential problems of all of them in one refusal, each login judged once. */
export function loadRoutes(config: FederationConfig, env: NodeJS.ProcessEnv = process.env): Map<number, ZoneRoute> {
  const cache = new Map<string, ClientCredentials | SshCredentialError>();
  const problems: string[] = [];
  const routes = new Map(config.zones.map((z) => [z.id, buildRoute(z, cache, problems, env)] as const));
  if (problems.length > 0) throw new SshCredentialError(problems.join(" "));
  return routes;
}

function buildRoute(zone: ZoneConfig, cache: Map<string, ClientCredentials | SshCredentialError>, problems: string[], env: NodeJS.ProcessEnv): ZoneRoute {
  const load = (login: SshLogin, where: string): ClientCredentials => {
    // What can go wrong depends on the key, its variable and the agent only: one message per such login.
    const identity = JSON.stringify([login.privateKeyPath, login.passphraseEnv, login.agent]);
    let got = cache.get(identity);
    if (!got) {
      try {
        got = loadCredentials(login, where, env);
      } catch (err) {
        if (!(err instanceof SshCredentialError)) throw err;
        got = err;
        problems.push(err.message);
      }
      cache.set(identity, got);
    }
    // A login refused above never connects: the whole load throws first.
    return got instanceof SshCredentialError ? { user: login.user, offered: "" } : { ...got, user: login.user };
  };
  const hops = zone.ssh.jump.map((hop, i) => {
    const target = jumpTarget(zone, hop, i);
    return { target, credentials: load(hop, `${target.zone}, ${target.role} ${hop.host}:${hop.port}`) };
  });
  return { hops, credentials: load(zone.ssh, `the SSH login of ${zoneLabel(zone)}`) };
}

function jumpTarget(zone: ZoneConfig, hop: JumpHostConfig, index: number): SshTargetLabel {
  const n = zone.ssh.jump.length;
  return { host: hop.host, port: hop.port, zone: zoneLabel(zone), role: n > 1 ? `jump host ${index + 1} of ${n}` : "jump host" };
}
