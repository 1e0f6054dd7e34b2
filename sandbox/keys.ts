/** SSH keys of the sandbox: the client key pair, each machine's host keys, and known_hosts. */
import { execFileSync } from "child_process";
import * as fs from "fs";
import { SANDBOX_HOST_KEY_TYPES, SandboxHostKeyType } from "./contract";
import { SandboxLayout } from "./layout";
import { SandboxRegistry, allMachines } from "./registry";

/** ssh-keygen arguments per type; RSA at 2048 bits, which keeps `sandbox up` fast (3072 takes ~0.4 s a key). */
const KEYGEN_TYPE: Readonly<Record<SandboxHostKeyType, readonly string[]>> = {
  ed25519: ["-t", "ed25519"],
  ecdsa: ["-t", "ecdsa", "-b", "256"],
  rsa: ["-t", "rsa", "-b", "2048"],
};

/** Creates a key pair in OpenSSH format (replacing any existing one). @default type "ed25519" */
export function generateKey(file: string, comment: string, type: SandboxHostKeyType = "ed25519"): void {
  fs.rmSync(file, { force: true });
  fs.rmSync(`${file}.pub`, { force: true });
  execFileSync("ssh-keygen", ["-q", ...KEYGEN_TYPE[type], "-N", "", "-C", comment, "-f", file], { stdio: ["ignore", "ignore", "pipe"] });
  fs.chmodSync(file, 0o600);
}

/** Gives a machine a host key of every type its sshd offers (ed25519, ecdsa, rsa), as a real front-end has. */
export function generateHostKeys(layout: SandboxLayout, machine: string): void {
  for (const type of SANDBOX_HOST_KEY_TYPES) generateKey(layout.hostKey(machine, type), `${machine}-host`, type);
}

/** The host key files a machine has (a sandbox made before ecdsa and rsa keys has only ed25519). */
export function hostKeysOf(layout: SandboxLayout, machine: string): string[] {
  return SANDBOX_HOST_KEY_TYPES.map((type) => layout.hostKey(machine, type)).filter((file) => fs.existsSync(file));
}

/** known_hosts host field: bare address on port 22, `[address]:port` otherwise. */
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

/**
 * Writes known_hosts pinning every machine's current host key of one type (front-ends, then nodes),
 * then the jump host's (its only key, ed25519). @default type "ed25519"
 */
export function writeKnownHosts(layout: SandboxLayout, reg: SandboxRegistry, type: SandboxHostKeyType = "ed25519"): void {
  const line = (host: string, port: number, hostKey: string): string => {
    const [keyType, blob] = fs.readFileSync(`${hostKey}.pub`, "utf8").trim().split(/\s+/);
    return `${knownHostsName(host, port)} ${keyType} ${blob}\n`;
  };
  const lines = allMachines(reg).map((fe) => line(fe.host, fe.port, layout.hostKey(fe.name, type)));
  if (reg.jumpHost) lines.push(line(reg.jumpHost.host, reg.jumpHost.port, layout.jumpHostFile("hostKey")));
  fs.writeFileSync(layout.knownHosts, lines.join(""), { mode: 0o644 });
}

/** authorized_keys for the login user: the client public key, nothing else allowed. */
export function writeAuthorizedKeys(layout: SandboxLayout): void {
  const pub = fs.readFileSync(`${layout.privateKey}.pub`, "utf8").trim();
  fs.writeFileSync(layout.authorizedKeys, `restrict,pty ${pub}\n`, { mode: 0o644 });
}
