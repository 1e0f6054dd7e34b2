/** Front-end package sets and package-manager commands per target version (docs/opennebula.md §2.1 step 6). */
import { compareVersions, seriesOf } from "../../model/version";
import { PackageManager, PackagesConfig } from "../../model/federation";
import { files } from "./commands";
import { RemoteCommand } from "./remote-command";

export function frontendPackages(toVersion: string, manager: PackageManager): string[] {
  const pyone = "python3-pyone";
  if (compareVersions(toVersion, "7.0.0") >= 0) {
    const base = ["opennebula", "opennebula-gate", "opennebula-flow", "opennebula-fireedge", "opennebula-migration", pyone];
    return manager === "apt" ? base : [...base, "opennebula-guacd"];
  }
  return ["opennebula", "opennebula-gate", "opennebula-flow", "opennebula-provision", "opennebula-fireedge", pyone];
}

/** Where the repository definition lives for each package manager. */
export function repositoryFile(manager: PackageManager): string {
  return manager === "apt" ? "/etc/apt/sources.list.d/opennebula.list" : "/etc/yum.repos.d/opennebula.repo";
}

export function repositoryContent(template: string, toVersion: string): string {
  return template.replace(/\{series\}/g, seriesOf(toVersion)) + "\n";
}

/**
 * Points the machine at the target series: the operator's command when one is configured (its
 * arguments get `{series}` substituted and are quoted like every other argument; it may do
 * anything, so it forgets every fact), else the file (which changes no fact: it lies outside every
 * path facts are read from).
 */
export function repositorySwitchCommand(packages: PackagesConfig, toVersion: string): RemoteCommand {
  if (packages.repositoryCommand) return { argv: packages.repositoryCommand.map((a) => a.replace(/\{series\}/g, seriesOf(toVersion))) };
  return files.write(repositoryFile(packages.manager), repositoryContent(packages.repositoryLine, toVersion));
}

/** Reads the installed version of a package (`opennebula` on front-ends, `opennebula-node-kvm` on hosts). */
export function installedVersionCommand(manager: PackageManager, pkg = "opennebula"): RemoteCommand {
  return manager === "apt"
    ? { argv: ["dpkg-query", "-W", "-f=${Version}", pkg], readOnly: true, fact: "packages" }
    : { argv: ["rpm", "-q", "--qf", "%{VERSION}", pkg], readOnly: true, fact: "packages" };
}

/**
 * Refreshes the package lists. It writes only the lists and the metadata cache (/var/lib/apt/lists,
 * dnf's cachedir): no package is installed and no unit file or /etc/one file changes, so the
 * machine's facts stay known (docs/round-trips.md, "Which actions forget which facts").
 */
export function refreshCommand(manager: PackageManager): RemoteCommand {
  return manager === "apt"
    ? { argv: ["apt-get", "update", "-q"], exclusive: true, echo: true, changes: [] }
    : { argv: [manager, "-q", "makecache"], exclusive: true, echo: true, changes: [] };
}

/** Upgrades only what is installed; keeps locally modified config files (docs: keep them when asked). */
export function upgradeCommand(manager: PackageManager, packages: readonly string[]): RemoteCommand {
  return manager === "apt"
    ? {
        argv: ["apt-get", "install", "-y", "-q", "--only-upgrade", "-o", "Dpkg::Options::=--force-confold", ...packages],
        env: { DEBIAN_FRONTEND: "noninteractive" },
        exclusive: true,
        echo: true,
      }
    : { argv: [manager, "-y", "-q", "upgrade", ...packages], exclusive: true, echo: true };
}

/**
 * A rollback's reinstall of the release a zone ran before its upgrade: every package of that
 * release's set pinned to it (apt `pkg=<version>-1`, OpenNebula's packaging revision, with
 * `--allow-downgrades`, as apt refuses to downgrade under -y otherwise; dnf/yum `downgrade
 * pkg-<version>`). Locally modified config files are kept as in the upgrade; /etc/one is put back
 * from the config backup afterwards anyway.
 */
export function downgradeCommand(manager: PackageManager, packages: readonly string[], version: string): RemoteCommand {
  return manager === "apt"
    ? {
        argv: ["apt-get", "install", "-y", "-q", "--allow-downgrades", "-o", "Dpkg::Options::=--force-confold", ...packages.map((p) => `${p}=${version}-1`)],
        env: { DEBIAN_FRONTEND: "noninteractive" },
        exclusive: true,
        echo: true,
      }
    : { argv: [manager, "-y", "-q", "downgrade", ...packages.map((p) => `${p}-${version}`)], exclusive: true, echo: true };
}

/**
 * Before the freeze: the same upgrade, downloaded into the package cache (apt's
 * /var/cache/apt/archives, dnf's cachedir) and not installed. The install after the stop then
 * fetches nothing, so the window of frozen or stopped zones does not wait for the repository.
 * It runs no dpkg or rpm transaction: it writes only the archive cache, so it changes no fact.
 */
export function downloadCommand(manager: PackageManager, packages: readonly string[]): RemoteCommand {
  return manager === "apt"
    ? {
        argv: ["apt-get", "install", "--download-only", "-y", "-q", "--only-upgrade", ...packages],
        env: { DEBIAN_FRONTEND: "noninteractive" },
        exclusive: true,
        echo: true,
        changes: [],
      }
    : { argv: [manager, "-y", "-q", "upgrade", "--downloadonly", ...packages], exclusive: true, echo: true, changes: [] };
}

/**
 * apt only: the archives an upgrade of `packages` would still fetch, one `'<uri>' <file> <size>
 * <hash>` line each (apt leaves out what its cache already holds); no line means the cache has
 * every package. dnf has no such listing: its --downloadonly exits 0 only with every package
 * downloaded and its checksum verified.
 */
export function pendingDownloadsCommand(packages: readonly string[]): RemoteCommand {
  // A simulation: it prints what would be fetched, and changes neither the packages nor a file.
  return {
    argv: ["apt-get", "install", "--print-uris", "-qq", "--only-upgrade", ...packages],
    env: { DEBIAN_FRONTEND: "noninteractive" },
    exclusive: true,
    changes: [],
  };
}

/** The archive file names of `apt-get install --print-uris` output: what the cache still lacks. */
export function parsePendingDownloads(stdout: string): string[] {
  return stdout
    .split("\n")
    .map((l) => /^'[^']+'\s+(\S+)/.exec(l.trim()))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => m[1]);
}

export type Hypervisor = "kvm" | "lxc";

/** The package a hypervisor host runs OpenNebula's side of KVM or LXC with. */
export function nodePackage(hypervisor: Hypervisor): string {
  return `opennebula-node-${hypervisor}`;
}
