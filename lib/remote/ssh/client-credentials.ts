/**
 * What the runner authenticates with on one login: the ssh-agent's keys and/or a private key file,
 * decrypted here with the passphrase from the variable the file names. Everything is loaded on the
 * automation host before the first connection, so a missing variable or a wrong passphrase stops
 * the run before any machine is touched. The passphrase is registered as a secret of the process
 * the moment it is read, and no message quotes it.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import { ParsedKey, utils } from "ssh2";
import { SshLogin } from "../../model/federation";
import { OnefedError } from "../../model/errors";
import { PROCESS_SECRETS } from "../../model/secrets";
import { SshCredentialError } from "./credential-error";

/** The variable OpenSSH tools read the agent's socket from. */
export const AGENT_SOCKET_ENV = "SSH_AUTH_SOCK";

export interface ClientCredentials {
  readonly user: string;
  /** The agent's socket, when its keys are offered; they are tried first, as OpenSSH does. */
  readonly agentSocket?: string;
  /** The key file's key, decrypted (ssh2's form: never serialized, never logged). */
  readonly privateKey?: ParsedKey;
  /** What is offered, for messages: "the ssh-agent's keys, then the key /keys/id_ed25519". */
  readonly offered: string;
}

/** Keys already decrypted in this process, by file and passphrase digest: bcrypt makes each decryption cost ~0.5 s. */
const decrypted = new Map<string, ParsedKey>();

/**
 * The credentials of one login; `where` names its place in the federation file for messages
 * ("ssh", "zone 100 (S-EU-GE).ssh", "jump host bastion:22 of zone 100 (S-EU-GE)").
 */
export function loadCredentials(login: SshLogin, where: string, env: NodeJS.ProcessEnv = process.env): ClientCredentials {
  const agentSocket = agentSocketOf(login, where, env);
  const privateKey = login.privateKeyPath !== undefined ? keyOf(login.privateKeyPath, login.passphraseEnv, where, env) : undefined;
  const offered = [agentSocket ? "the ssh-agent's keys" : "", login.privateKeyPath ? `the key ${login.privateKeyPath}` : ""].filter(Boolean).join(", then ");
  return { user: login.user, ...(agentSocket ? { agentSocket } : {}), ...(privateKey ? { privateKey } : {}), offered };
}

function agentSocketOf(login: SshLogin, where: string, env: NodeJS.ProcessEnv): string | undefined {
  if (login.agent === "off") return undefined;
  const socket = env[AGENT_SOCKET_ENV];
  const usable = socket !== undefined && socket !== "" && isSocket(socket);
  if (login.agent === "required" && !usable) {
    const found = socket ? `${AGENT_SOCKET_ENV}=${socket} is not a socket` : `${AGENT_SOCKET_ENV} is not set`;
    throw new SshCredentialError(
      `${where}: agent is true, but ${found} in the environment of the automation host. Start ssh-agent and add the key (ssh-add), or set agent: false and privateKeyPath. Nothing was changed.`,
    );
  }
  // `auto`: like OpenSSH, a stale SSH_AUTH_SOCK is passed over and the key file is used.
  return usable ? socket : undefined;
}

function isSocket(file: string): boolean {
  try {
    return fs.statSync(file).isSocket();
  } catch {
    return false;
  }
}

function keyOf(file: string, passphraseEnv: string | undefined, where: string, env: NodeJS.ProcessEnv): ParsedKey {
  const passphrase = passphraseEnv !== undefined ? passphraseOf(passphraseEnv, file, where, env) : undefined;
  const cacheKey = `${file}\0${passphrase === undefined ? "" : crypto.createHash("sha256").update(passphrase).digest("hex")}`;
  const cached = decrypted.get(cacheKey);
  if (cached) return cached;
  let text: Buffer;
  try {
    text = fs.readFileSync(file);
  } catch (err) {
    throw new OnefedError(`cannot read the SSH key or known_hosts file: ${(err as Error).message}. Check ssh.privateKeyPath and ssh.knownHostsPath.`);
  }
  const parsed = utils.parseKey(text, passphrase);
  const key = Array.isArray(parsed) ? parsed[0] : parsed;
  if (key instanceof Error || !key?.isPrivateKey()) throw new SshCredentialError(unusableKey(file, passphraseEnv, where, key));
  decrypted.set(cacheKey, key);
  return key;
}

function passphraseOf(name: string, file: string, where: string, env: NodeJS.ProcessEnv): string {
  const value = env[name];
  if (value === undefined || value === "") {
    throw new SshCredentialError(
      `${where}: passphraseEnv names ${name}, but ${name} is not set in the environment of the automation host. Export it (from your secret store) before the run; it decrypts ${file} in the runner's memory only. Nothing was changed.`,
    );
  }
  PROCESS_SECRETS.add(value);
  return value;
}

/** Why ssh2 could not use the key, in the operator's terms (ssh2's own wording never holds the passphrase). */
function unusableKey(file: string, passphraseEnv: string | undefined, where: string, err: Error | ParsedKey | undefined): string {
  const cause = err instanceof Error ? err.message : "no private key in it";
  if (/no passphrase given/i.test(cause)) {
    return `${where}: the private key ${file} is encrypted; name the environment variable that holds its passphrase in passphraseEnv (next to privateKeyPath). Nothing was changed.`;
  }
  if (passphraseEnv !== undefined && /bad passphrase|decrypt|integrity/i.test(cause)) {
    return `${where}: the private key ${file} cannot be decrypted with the passphrase in ${passphraseEnv} (wrong passphrase). Put that key's passphrase in ${passphraseEnv}. Nothing was changed.`;
  }
  return `${where}: ${file} is not a private key the runner can use (${cause}); expected an OpenSSH, PEM or PuTTY private key. Nothing was changed.`;
}
