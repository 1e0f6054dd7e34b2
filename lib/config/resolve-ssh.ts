/**
 * The federation's `ssh` block and each zone's `ssh` override, resolved into the logins the
 * runner uses: paths made absolute, a zone's fields merged over the federation's, and every jump
 * host given the user and key of the zone it leads to unless it names its own.
 */
import * as path from "path";
import { DEFAULTS, JumpHostConfig, SshAgentUse, SshConfig, SshLogin, ZoneSshConfig } from "../model/federation";
import type { FederationFile, ZoneEntry } from "./schema";

type SshBlock = FederationFile["ssh"];
type ZoneSshBlock = NonNullable<ZoneEntry["ssh"]>;
type JumpHostEntry = NonNullable<SshBlock["jump"]>[number];

/** The federation-wide settings (what a zone without its own `ssh` uses). */
export function resolveSsh(ssh: SshBlock, baseDir: string): SshConfig {
  const login: SshLogin = {
    user: ssh.user,
    ...keyOf(ssh.privateKeyPath, ssh.passphraseEnv, baseDir),
    agent: agentUse(ssh.agent),
  };
  return {
    ...login,
    jump: (ssh.jump ?? []).map((hop) => resolveJumpHost(hop, login, baseDir)),
    knownHostsPath: path.resolve(baseDir, ssh.knownHostsPath),
    connectTimeoutSeconds: ssh.connectTimeoutSeconds ?? DEFAULTS.connectTimeoutSeconds,
    keepaliveIntervalSeconds: ssh.keepaliveIntervalSeconds ?? DEFAULTS.keepaliveIntervalSeconds,
  };
}

/**
 * A zone's settings: each field of its `ssh` replaces the federation's. A key given here brings its
 * own passphraseEnv (or none); a passphraseEnv alone applies to the inherited key. `jump` replaces
 * the federation's list (`[]`: direct), and its hops inherit this zone's user and key.
 */
export function resolveZoneSsh(zone: ZoneSshBlock | undefined, federation: SshBlock, baseDir: string): ZoneSshConfig {
  const key =
    zone?.privateKeyPath !== undefined
      ? keyOf(zone.privateKeyPath, zone.passphraseEnv, baseDir)
      : keyOf(federation.privateKeyPath, zone?.passphraseEnv ?? federation.passphraseEnv, baseDir);
  const login: SshLogin = { user: zone?.user ?? federation.user, ...key, agent: agentUse(zone?.agent ?? federation.agent) };
  return { ...login, jump: (zone?.jump ?? federation.jump ?? []).map((hop) => resolveJumpHost(hop, login, baseDir)) };
}

/** A hop: its own user and key when given, the login of the zone it leads to otherwise. */
function resolveJumpHost(hop: JumpHostEntry, login: SshLogin, baseDir: string): JumpHostConfig {
  const key =
    hop.privateKeyPath !== undefined
      ? keyOf(hop.privateKeyPath, hop.passphraseEnv, baseDir)
      : keyOf(login.privateKeyPath, hop.passphraseEnv ?? login.passphraseEnv, baseDir);
  // A jump host is another machine: port 22 unless given, whatever the front-ends listen on.
  return { host: hop.host, port: hop.port ?? DEFAULTS.sshPort, user: hop.user ?? login.user, ...key, agent: login.agent };
}

function keyOf(privateKeyPath: string | undefined, passphraseEnv: string | undefined, baseDir: string): Pick<SshLogin, "privateKeyPath" | "passphraseEnv"> {
  return {
    ...(privateKeyPath !== undefined ? { privateKeyPath: path.resolve(baseDir, privateKeyPath) } : {}),
    ...(passphraseEnv !== undefined ? { passphraseEnv } : {}),
  };
}

function agentUse(agent: boolean | undefined): SshAgentUse {
  return agent === undefined ? "auto" : agent ? "required" : "off";
}
