/**
 * A full disk, for real: a small tmpfs mounted over a directory of a machine, inside that machine's
 * mount namespace only (entered through its sshd, whose namespace every session shares), so that
 * commands writing there get ENOSPC from the kernel. The directory's files are copied into the
 * tmpfs when it is mounted and back when it goes, so the machine keeps what it had, and what was
 * written meanwhile (a truncated file included, as a real full disk leaves it).
 *
 * The host sees the directory underneath (the machine's tree under D), never the tmpfs. A
 * restarted sshd starts a new namespace without it.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { ALL_MOUNTS } from "./contract";
import { SandboxError } from "./errors";
import { chownLikeParent } from "./frontend-state";
import { SandboxLayout } from "./layout";

/** The tmpfs's source name: how the sandbox finds its own mounts in a namespace's mountinfo. */
const SOURCE = "onefed-diskfull";

/** Where a disk fills up unless told otherwise: the directory the runner keeps its backups in. */
export const DEFAULT_DISK_FULL_PATH = "/var/lib/one/backups/onefed";

/**
 * Default size: one page, the least a tmpfs can be. Anything bigger than 4 KB written there fails;
 * the sandbox's full backups are about 8 KB.
 */
export const DEFAULT_DISK_FULL_SIZE = "4k";

/** tmpfs allocates file data in pages. */
const PAGE = 4096;

/** Pages the files under a directory take on a tmpfs (directories take none). */
function pagesOf(dir: string): number {
  let pages = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) pages += pagesOf(p);
    else if (e.isFile()) pages += Math.ceil(fs.statSync(p).size / PAGE);
  }
  return pages;
}

/** A full disk in a machine's namespace. */
export interface DiskFullMount {
  /** The directory, as the machine sees it. */
  readonly path: string;
  /** The tmpfs's size in bytes. */
  readonly sizeBytes: number;
}

/** Checks a path given for a machine: absolute, normalized, inside one of its private OpenNebula paths. */
export function checkDiskFullPath(p: string): string {
  const norm = path.posix.normalize(p);
  if (!path.posix.isAbsolute(p) || norm !== p.replace(/\/+$/, "") || !ALL_MOUNTS.some((m) => norm === m || norm.startsWith(`${m}/`))) {
    throw new SandboxError(`a full disk goes on a machine's own directory: an absolute path under ${ALL_MOUNTS.join(", ")} (got ${JSON.stringify(p)})`);
  }
  return norm;
}

/** Parses a tmpfs size: bytes, or a number with k, m or g (1024-based). */
export function parseSize(size: string): number {
  const m = /^(\d+)([kmg]?)$/i.exec(size.trim());
  const bytes = m ? parseInt(m[1], 10) * 1024 ** " kmg".indexOf((m[2] || " ").toLowerCase()) : NaN;
  if (!Number.isSafeInteger(bytes) || bytes <= 0)
    throw new SandboxError(`a disk size is a positive number of bytes, or with k, m or g: 64k (got ${JSON.stringify(size)})`);
  return bytes;
}

/** The sandbox's full disks in the namespace of a process (its sshd), from /proc/<pid>/mountinfo. */
export function diskFullMounts(sshdPid: number): DiskFullMount[] {
  let info: string;
  try {
    info = fs.readFileSync(`/proc/${sshdPid}/mountinfo`, "utf8");
  } catch {
    return [];
  }
  const out: DiskFullMount[] = [];
  for (const line of info.split("\n")) {
    // id parent major:minor root mountpoint options [optional…] - fstype source superoptions
    const [left, right] = line.split(" - ");
    if (!right) continue;
    const [fstype, source, superOptions] = right.split(" ");
    if (fstype !== "tmpfs" || source !== SOURCE) continue;
    const size = /(?:^|,)size=(\d+)k(?:,|$)/.exec(superOptions ?? "");
    out.push({ path: unescapeMountinfo(left.split(" ")[4]), sizeBytes: size ? parseInt(size[1], 10) * 1024 : 0 });
  }
  return out;
}

function unescapeMountinfo(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}

function inNamespace(sshdPid: number, script: string, args: readonly string[]): { ok: boolean; stderr: string } {
  const r = spawnSync("nsenter", [`--mount=/proc/${sshdPid}/ns/mnt`, "--", "sh", "-c", script, "sh", ...args], { encoding: "utf8" });
  if (r.error) throw new SandboxError(`cannot enter the machine's mount namespace (nsenter, from util-linux, needs root): ${r.error.message}`);
  return { ok: r.status === 0, stderr: (r.stderr ?? "").trim() };
}

/**
 * Mounts the full disk over `onePath` in the namespace of `sshdPid`: the tmpfs gets the directory's
 * owner and mode, then its files. Refused when they do not fit (a larger size, or another path).
 */
export function mountDiskFull(layout: SandboxLayout, fe: string, sshdPid: number, onePath: string, sizeBytes: number): DiskFullMount {
  if (diskFullMounts(sshdPid).some((m) => m.path === onePath)) throw new SandboxError(`${fe}: ${onePath} is already a full disk (turn it off first)`);
  const under = layout.hostPath(fe, onePath);
  if (!fs.existsSync(under)) {
    // Created as the runner would (mkdir -m 0700), owned like the machine's tree.
    const parent = path.dirname(under);
    fs.mkdirSync(parent, { recursive: true });
    fs.mkdirSync(under, { mode: 0o700 });
    chownLikeParent(under);
  }
  const held = pagesOf(under) * PAGE;
  if (held > sizeBytes) {
    throw new SandboxError(
      `${fe}: ${onePath} already holds ${held} bytes (in 4 KB pages), more than a full disk of ${sizeBytes} bytes can take: give a size of at least ${held + PAGE} bytes, or another path`,
    );
  }
  const st = fs.statSync(under);
  const options = `size=${sizeBytes},mode=${(st.mode & 0o7777).toString(8)},uid=${st.uid},gid=${st.gid}`;
  const r = inNamespace(
    sshdPid,
    `mount -t tmpfs -o "$3" ${SOURCE} "$1" || exit 1
if ! cp -a "$2/." "$1/"; then umount "$1"; exit 2; fi`,
    [onePath, under, options],
  );
  if (!r.ok) throw new SandboxError(`${fe}: cannot fill the disk at ${onePath} with ${sizeBytes} bytes: ${r.stderr || "mount failed"}`);
  return { path: onePath, sizeBytes };
}

/**
 * Takes the full disk away: what the tmpfs holds replaces the directory's files (so nothing written
 * while it was full is lost), then it is unmounted. Returns false when there was none.
 */
export function unmountDiskFull(fe: string, layout: SandboxLayout, sshdPid: number, onePath: string): boolean {
  if (!diskFullMounts(sshdPid).some((m) => m.path === onePath)) return false;
  const r = inNamespace(sshdPid, `find "$2" -mindepth 1 -maxdepth 1 -exec rm -rf {} + && cp -a "$1/." "$2/" && { umount "$1" || umount -l "$1"; }`, [
    onePath,
    layout.hostPath(fe, onePath),
  ]);
  if (!r.ok) throw new SandboxError(`${fe}: cannot free the disk at ${onePath}: ${r.stderr || "umount failed"}`);
  return true;
}
