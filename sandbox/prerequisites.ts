/**
 * Host preparation for `up` (root only): the tools (installing openssh-server / sqlite3 with apt
 * when missing), the login user, sshd's privilege-separation directory, and empty mountpoints for
 * the front-ends' bind mounts. Nothing here writes inside a real OpenNebula directory.
 */
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import { SandboxError, SandboxPrerequisiteError } from "./errors";
import { FRONTEND_MOUNTS, SANDBOX_USER } from "./contract";

/** The login user's ids. */
export interface UserIds {
  /** uid of the login user. */
  readonly uid: number;
  /** gid of the login user. */
  readonly gid: number;
}

/** sshd must be started by its absolute path. */
export const SSHD = "/usr/sbin/sshd";

/** Fails unless running as root on Linux (sshd on 127.x, mount namespaces, useradd). */
export function ensureRoot(): void {
  if (process.platform !== "linux" || process.getuid?.() !== 0) {
    throw new SandboxError("the sandbox needs root on Linux (it runs sshd in mount namespaces); run `onefed sandbox up` as root");
  }
}

function onPath(tool: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${tool}`], { stdio: "ignore" }).status === 0;
}

/** Installs missing packages with apt-get (retrying once after `apt-get update`). */
function aptInstall(pkgs: string[], log: (s: string) => void): void {
  if (!onPath("apt-get")) throw new SandboxPrerequisiteError(`missing ${pkgs.join(", ")} and no apt-get to install them: install them first`);
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  const install = (): boolean => spawnSync("apt-get", ["install", "-y", "-q", ...pkgs], { env, stdio: "ignore" }).status === 0;
  log(`installing ${pkgs.join(" ")} with apt-get`);
  if (install()) return;
  spawnSync("apt-get", ["update", "-q"], { env, stdio: "ignore" });
  if (!install()) throw new SandboxPrerequisiteError(`apt-get install -y ${pkgs.join(" ")} failed; install them by hand`);
}

/** Makes sure sshd, ssh-keygen, sqlite3 and unshare exist. */
export function ensureTools(log: (s: string) => void): void {
  const missing: string[] = [];
  if (!fs.existsSync(SSHD) || !onPath("ssh-keygen")) missing.push("openssh-server");
  if (!onPath("sqlite3")) missing.push("sqlite3");
  if (missing.length > 0) aptInstall(missing, log);
  if (!onPath("unshare") || !onPath("mount")) throw new SandboxPrerequisiteError("unshare and mount (util-linux) are required");
  if (!fs.existsSync("/usr/lib/openssh/sftp-server"))
    throw new SandboxPrerequisiteError("/usr/lib/openssh/sftp-server is missing (package openssh-sftp-server)");
}

function idsOf(user: string): UserIds | undefined {
  const r = spawnSync("id", ["-u", user], { encoding: "utf8" });
  if (r.status !== 0) return undefined;
  const g = spawnSync("id", ["-g", user], { encoding: "utf8" });
  return { uid: parseInt(r.stdout, 10), gid: parseInt(g.stdout, 10) };
}

/**
 * Creates the login user when missing: a system user with /bin/sh (root's shell start-up is slow)
 * and home /var/lib/one, which exists in every front-end's namespace, like oneadmin's. Its
 * password is `*` (no password, not locked): with UsePAM no, sshd refuses locked accounts.
 */
export function ensureUser(log: (s: string) => void): UserIds {
  let ids = idsOf(SANDBOX_USER);
  if (!ids) {
    log(`creating system user ${SANDBOX_USER}`);
    execFileSync(
      "useradd",
      ["--system", "--user-group", "--shell", "/bin/sh", "--home-dir", "/var/lib/one", "--no-create-home", "--password", "*", SANDBOX_USER],
      { stdio: "pipe" },
    );
    ids = idsOf(SANDBOX_USER)!;
  }
  const status = spawnSync("passwd", ["-S", SANDBOX_USER], { encoding: "utf8" }).stdout ?? "";
  if (/^\S+\s+L\s/.test(status)) execFileSync("usermod", ["--password", "*", SANDBOX_USER], { stdio: "pipe" });
  return ids;
}

/** sshd's privilege separation directory, and empty mountpoints for the bind mounts. */
export function ensureHostDirs(log: (s: string) => void): void {
  if (!fs.existsSync("/run/sshd")) fs.mkdirSync("/run/sshd", { mode: 0o755 });
  for (const m of FRONTEND_MOUNTS) {
    if (!fs.existsSync(m)) {
      log(`creating empty mountpoint ${m}`);
      fs.mkdirSync(m, { recursive: true, mode: 0o755 });
    }
  }
}
