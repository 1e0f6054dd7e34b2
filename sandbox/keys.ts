/** SSH keys of the sandbox: the client key pair, each front-end's host key, and known_hosts. */
import { execFileSync } from "child_process";
import * as fs from "fs";
import { SandboxLayout } from "./layout";
import { SandboxRegistry, allMachines } from "./registry";

/** Creates an ed25519 key pair in OpenSSH format (replacing any existing one). */
export function generateKey(file: string, comment: string): void {
  fs.rmSync(file, { force: true });
  fs.rmSync(`${file}.pub`, { force: true });
  execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", file], { stdio: ["ignore", "ignore", "pipe"] });
  fs.chmodSync(file, 0o600);
}

/** known_hosts host field: bare address on port 22, `[address]:port` otherwise. */
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

/** Writes known_hosts with every machine's current host key (front-ends, then nodes, then the jump host). */
export function writeKnownHosts(layout: SandboxLayout, reg: SandboxRegistry): void {
  const line = (host: string, port: number, hostKey: string): string => {
    const [type, blob] = fs.readFileSync(`${hostKey}.pub`, "utf8").trim().split(/\s+/);
    return `${knownHostsName(host, port)} ${type} ${blob}\n`;
  };
  const lines = allMachines(reg).map((fe) => line(fe.host, fe.port, layout.hostKey(fe.name)));
  if (reg.jumpHost) lines.push(line(reg.jumpHost.host, reg.jumpHost.port, layout.jumpHostFile("hostKey")));
  fs.writeFileSync(layout.knownHosts, lines.join(""), { mode: 0o644 });
}

/** authorized_keys for the login user: the client public key, nothing else allowed. */
export function writeAuthorizedKeys(layout: SandboxLayout): void {
  const pub = fs.readFileSync(`${layout.privateKey}.pub`, "utf8").trim();
  fs.writeFileSync(layout.authorizedKeys, `restrict,pty ${pub}\n`, { mode: 0o644 });
}
