/**
 * Where the facts a fact cache keeps (lib/remote/ssh/fact-cache.ts) are read from, so that a
 * command that writes one path says which kinds it can change (`RemoteCommand.changes`): a write
 * that is neither inside nor above any of these paths cannot change what those reads answer.
 */
import { FACT_KINDS, FactKind } from "../ssh/fact-cache";

/** The files and trees each kind of fact is read from (commands.ts, packages.ts). */
const READ_FROM: Readonly<Record<FactKind, readonly string[]>> = {
  // dpkg-query / rpm -q: the package databases; `systemctl list-unit-files`: every unit directory;
  // the package-tool probe (`command -v`): the directories on PATH.
  packages: [
    "/var/lib/dpkg",
    "/var/lib/rpm",
    "/usr/lib/sysimage/rpm",
    "/etc/systemd",
    "/run/systemd",
    "/lib/systemd",
    "/usr/lib/systemd",
    "/usr/local/lib/systemd",
    "/bin",
    "/sbin",
    "/usr/bin",
    "/usr/sbin",
    "/usr/local/bin",
    "/usr/local/sbin",
  ],
  // oned.conf (FEDERATION, the DB section) and monitord.conf.
  configuration: ["/etc/one"],
};

/** `a` is `b` or lies inside it (both absolute, normalized). */
function within(a: string, b: string): boolean {
  return a === b || a.startsWith(b.endsWith("/") ? b : `${b}/`);
}

/**
 * The kinds of facts a write of `path` (a file or a tree, created, changed or removed) can change:
 * those read from inside it or from a tree it lies in. A path that is not plainly absolute (relative,
 * `..`, `.`, `//`) can be anything: every kind.
 */
export function factsChangedByWriting(path: string): readonly FactKind[] {
  if (!path.startsWith("/") || /(^|\/)\.\.?(\/|$)|\/\//.test(path)) return FACT_KINDS;
  const p = path.length > 1 ? path.replace(/\/$/, "") : path;
  return FACT_KINDS.filter((kind) => READ_FROM[kind].some((source) => within(p, source) || within(source, p)));
}
