/**
 * Rules on the `ssh` blocks as written (the federation's, each zone's, each jump host's): every
 * login has a way to authenticate, and a passphrase variable has a key to decrypt. A problem is
 * named where it is written, so a gap in the federation's block is reported once, not per zone.
 */
import type { FederationFile } from "./schema";

type SshBlock = FederationFile["ssh"];
type ZoneEntry = FederationFile["zones"][number];
type JumpHostEntry = NonNullable<SshBlock["jump"]>[number];

/** What a login has to authenticate with, and where in the file that was decided. */
interface LoginSource {
  readonly key?: string;
  readonly passphraseEnv?: string;
  readonly agent?: boolean;
  /** The block that set (or failed to set) these: "ssh", "zone 100 (S-EU-GE).ssh", "ssh.jump[0] (bastion)". */
  readonly where: string;
}

export function sshLoginsFit(doc: FederationFile): string[] {
  const problems = new Set<string>();
  const top: LoginSource = { key: doc.ssh.privateKeyPath, passphraseEnv: doc.ssh.passphraseEnv, agent: doc.ssh.agent, where: "ssh" };
  for (const z of doc.zones) {
    const own = z.ssh;
    const keyed = own?.privateKeyPath !== undefined || own?.passphraseEnv !== undefined || own?.agent !== undefined;
    const zone: LoginSource = keyed
      ? {
          key: own?.privateKeyPath ?? doc.ssh.privateKeyPath,
          passphraseEnv: own?.privateKeyPath !== undefined ? own.passphraseEnv : (own?.passphraseEnv ?? doc.ssh.passphraseEnv),
          agent: own?.agent ?? doc.ssh.agent,
          where: `${zoneWhere(z)}.ssh`,
        }
      : top;
    for (const p of loginProblems(zone)) problems.add(p);
    const [hops, listWhere] = own?.jump !== undefined ? [own.jump, `${zoneWhere(z)}.ssh.jump`] : [doc.ssh.jump ?? [], "ssh.jump"];
    hops.forEach((hop, i) => {
      // A hop of the federation's list that inherits a zone's own key is judged with that zone.
      const inheritsZoneKey = hop.privateKeyPath === undefined && keyed && own?.jump === undefined;
      const where = `${inheritsZoneKey ? `${zoneWhere(z)} with ` : ""}${listWhere}[${i}] (${hop.host})`;
      for (const p of loginProblems(hopSource(hop, zone, where))) problems.add(p);
    });
  }
  return [...problems];
}

function hopSource(hop: JumpHostEntry, zone: LoginSource, where: string): LoginSource {
  return hop.privateKeyPath !== undefined
    ? { key: hop.privateKeyPath, passphraseEnv: hop.passphraseEnv, agent: zone.agent, where }
    : { key: zone.key, passphraseEnv: hop.passphraseEnv ?? zone.passphraseEnv, agent: zone.agent, where };
}

function loginProblems(l: LoginSource): string[] {
  if (l.key === undefined && l.passphraseEnv !== undefined) {
    return [
      `${l.where}: passphraseEnv ${l.passphraseEnv} is set but there is no privateKeyPath whose passphrase it would hold; set privateKeyPath or remove passphraseEnv`,
    ];
  }
  if (l.key === undefined && l.agent !== true) {
    return [
      `${l.where}: no privateKeyPath and agent is not true, so nothing could log in; set privateKeyPath, or agent: true to log in with the ssh-agent's keys alone`,
    ];
  }
  return [];
}

function zoneWhere(z: ZoneEntry): string {
  return `zone ${z.id} (${z.name})`;
}
