/**
 * What each OpenNebula release looks like from the outside: DB schema versions (docs/opennebula.md §1.2),
 * systemd units (§1.3) and Debian packages (§2.1 step 6). Shared by the host side and the emulator,
 * so it imports nothing.
 */

/** Schema versions a release's oned and onedb expect. */
export interface DbVersions {
  /** Shared (federated) tables version, `db_versioning`. */
  readonly shared: string;
  /** Local tables version, `local_db_versioning`. */
  readonly local: string;
}

/** Compares dotted versions numerically ("6.10.0" > "6.8.0"); missing parts count as 0. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.-]/).map((p) => parseInt(p, 10) || 0);
  const pb = b.split(/[.-]/).map((p) => parseInt(p, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}

/** "6.10.3" → "6.10". */
export function seriesOf(version: string): string {
  return version.split(".").slice(0, 2).join(".");
}

/** Debian package version of a release: "6.10.0" → "6.10.0-1". */
export function debVersion(version: string): string {
  return `${version}-1`;
}

/** RPM version-release of a release: "6.10.0" → "6.10.0-1.el9" (dnf, RHEL 9) or "6.10.0-1.el7" (yum, RHEL 7). */
export function rpmVersion(version: string, manager: "dnf" | "yum"): string {
  return `${version}-1.${manager === "yum" ? "el7" : "el9"}`;
}

/** The installed-package version string a machine with that package manager records. */
export function packageVersionFor(manager: "apt" | "dnf" | "yum", version: string): string {
  return manager === "apt" ? debVersion(version) : rpmVersion(version, manager);
}

/** Release version from a package version: "6.10.0-1" or "6.10.0-1.el9" → "6.10.0". */
export function releaseOfDeb(deb: string): string {
  return deb.replace(/-[^-]*$/, "");
}

/** Shared and local DB versions of a release (docs/opennebula.md §1.2; maintenance releases keep both). */
export function dbVersionsOf(version: string): DbVersions {
  const series = seriesOf(version);
  const special: Record<string, DbVersions> = {
    "4.14": { shared: "4.11.80", local: "4.13.85" },
    "5.0": { shared: "4.90.0", local: "4.90.0" },
    "5.2": { shared: "5.2.0", local: "4.90.0" },
    "5.8": { shared: "5.6.0", local: "5.8.0" },
  };
  if (special[series]) return special[series];
  if (series === "5.4") {
    const v = version === "5.4.0" ? "5.4.0" : "5.4.1";
    return { shared: v, local: v };
  }
  return { shared: `${series}.0`, local: `${series}.0` };
}

/** Ordered schema versions a migrator chain walks through (shared and local differ before 5.10). */
const SHARED_CHAIN = ["5.4.1", "5.6.0", "5.10.0", "5.12.0", "6.0.0", "6.2.0", "6.4.0", "6.6.0", "6.8.0", "6.10.0", "7.0.0", "7.2.0", "7.4.0"];
const LOCAL_CHAIN = ["5.4.1", "5.6.0", "5.8.0", "5.10.0", "5.12.0", "6.0.0", "6.2.0", "6.4.0", "6.6.0", "6.8.0", "6.10.0", "7.0.0", "7.2.0", "7.4.0"];

/** Migrator steps a release's onedb ships from `from` on: [["6.8.0","6.10.0"], …], up to `target`. */
export function migratorSteps(kind: "shared" | "local", from: string, target: string): Array<[string, string]> {
  const chain = kind === "shared" ? SHARED_CHAIN : LOCAL_CHAIN;
  const steps: Array<[string, string]> = [];
  let i = chain.indexOf(from);
  if (i < 0) return steps;
  while (i + 1 < chain.length && compareVersions(chain[i + 1], target) <= 0) {
    steps.push([chain[i], chain[i + 1]]);
    i++;
  }
  return steps;
}

/** A migrator's file under /usr/lib/one/ruby/onedb: "local/6.10.0_to_7.0.0.rb". */
export function migratorName(kind: "shared" | "local", from: string, to: string): string {
  return `${kind}/${from}_to_${to}.rb`;
}

/** The release a DB version came from, for bootstrap comments: the previous minor of `version`. */
export function previousRelease(version: string): string {
  const series = seriesOf(version);
  const order = ["5.12", "6.0", "6.2", "6.4", "6.6", "6.8", "6.10", "7.0", "7.2", "7.4", "7.6"];
  const i = order.indexOf(series);
  return i > 0 ? `${order[i - 1]}.0` : `${series}.0`;
}

/** Every `opennebula*` systemd unit a release installs (docs/opennebula.md §1.3), full unit names. */
export function unitsOf(version: string): string[] {
  const v = (min?: string, max?: string): boolean =>
    (min === undefined || compareVersions(seriesOf(version), min) >= 0) && (max === undefined || compareVersions(seriesOf(version), max) <= 0);
  const units: Array<[string, boolean]> = [
    ["opennebula.service", true],
    ["opennebula-scheduler.service", v(undefined, "6.10")],
    ["opennebula-sunstone.service", v(undefined, "6.10")],
    ["opennebula-novnc.service", v(undefined, "6.10")],
    ["opennebula-fireedge.service", v("6.0")],
    ["opennebula-guacd.service", v("6.0")],
    ["opennebula-flow.service", true],
    ["opennebula-gate.service", true],
    ["opennebula-gate-proxy.service", v("6.6", "6.8")],
    ["opennebula-hem.service", v("5.10")],
    ["opennebula-econe.service", v(undefined, "5.12")],
    ["opennebula-form.service", v("7.2")],
    ["opennebula-ks.service", v("7.4")],
    ["opennebula-ssh-agent.service", v("5.12")],
    ["opennebula-showback.timer", v("5.12")],
    ["opennebula-ssh-socks-cleaner.timer", v("5.12")],
  ];
  return units.filter(([, present]) => present).map(([u]) => u);
}

/** Units `opennebula.service` pulls in with Wants= (they start with it but do not stop with it). */
export function wantedByOned(version: string): string[] {
  const wanted = ["opennebula-hem.service", "opennebula-ssh-agent.service", "opennebula-showback.timer", "opennebula-ssh-socks-cleaner.timer"];
  if (compareVersions(seriesOf(version), "6.10") <= 0) wanted.push("opennebula-scheduler.service");
  const present = new Set(unitsOf(version));
  return wanted.filter((u) => present.has(u));
}

/**
 * Packages a front-end of that release has installed (the upgrade list of docs/opennebula.md §2.1 step 6). RHEL-family
 * front-ends also have opennebula-guacd, which FireEdge requires there (6.0+).
 */
export function packagesOf(version: string, manager: "apt" | "dnf" | "yum" = "apt"): string[] {
  const debian = debianPackagesOf(version);
  return manager !== "apt" && compareVersions(seriesOf(version), "6.0") >= 0 ? [...debian, "opennebula-guacd"] : debian;
}

/** The node package of each hypervisor (lxc since 6.0, lxd before). */
export function nodePackagesOf(version: string): string[] {
  return compareVersions(seriesOf(version), "6.0") >= 0 ? ["opennebula-node-kvm", "opennebula-node-lxc"] : ["opennebula-node-kvm", "opennebula-node-lxd"];
}

/** The KVM node package every sandbox node has installed. */
export const NODE_PACKAGE = "opennebula-node-kvm";

/** systemd units a KVM node has (libvirt's daemon; the node package installs no unit of its own). */
export const NODE_UNITS = ["libvirtd.service"];

/** Everything the OpenNebula repository of a release offers a machine with that package manager. */
export function repositoryPackagesOf(version: string, manager: "apt" | "dnf" | "yum"): Set<string> {
  return new Set([...packagesOf(version, manager), ...nodePackagesOf(version), "opennebula-guacd"]);
}

/**
 * The unit files on disk for a machine's installed packages: a node's libvirtd, a front-end's
 * units of its installed `opennebula` release (`fallback` when the package is gone).
 */
export function machineUnits(isNode: boolean, packages: Readonly<Record<string, string>>, fallback?: string): string[] {
  if (isNode) return [...NODE_UNITS];
  const deb = packages["opennebula"] ?? fallback;
  return deb ? unitsOf(releaseOfDeb(deb)) : [];
}

function debianPackagesOf(version: string): string[] {
  const s = seriesOf(version);
  if (compareVersions(s, "7.0") >= 0)
    return ["opennebula", "opennebula-gate", "opennebula-flow", "opennebula-fireedge", "opennebula-migration", "python3-pyone"];
  if (s === "6.10") return ["opennebula", "opennebula-gate", "opennebula-flow", "opennebula-provision", "opennebula-fireedge", "python3-pyone"];
  if (compareVersions(s, "6.2") >= 0)
    return ["opennebula", "opennebula-sunstone", "opennebula-gate", "opennebula-flow", "opennebula-provision", "opennebula-fireedge", "python3-pyone"];
  if (s === "6.0") return ["opennebula", "opennebula-sunstone", "opennebula-gate", "opennebula-flow", "opennebula-provision", "python3-pyone"];
  return ["opennebula", "opennebula-sunstone", "opennebula-gate", "opennebula-flow", "python-pyone"];
}

/** Full release a repository series serves: the highest known version of that series, else `<series>.0`. */
export function candidateOf(series: string, known: readonly string[]): string {
  return known.filter((v) => seriesOf(v) === series).reduce((best, v) => (compareVersions(v, best) > 0 ? v : best), `${series}.0`);
}
