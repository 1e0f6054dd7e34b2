/**
 * `dnf` (RHEL 8/9, where `yum` is dnf too) and `yum` 3 (RHEL 7): makecache, upgrade/update
 * [PKGS], check-update. The OpenNebula repository is the enabled section of
 * /etc/yum.repos.d/*.repo whose baseurl carries `/repo/<major.minor>/RedHat/`; like dnf, which
 * keys its metadata cache by URL, an upgrade reads the repository files at that moment.
 * Messages at dnf's INFO level go to stdout and disappear with -q; warnings and errors go to stderr.
 * `upgrade --downloadonly` resolves and downloads like an upgrade, records the packages in the
 * machine state's `downloaded` (dnf's package cache) and installs nothing.
 */
import * as fs from "fs";
import * as path from "path";
import { EmulatorContext } from "./context";
import { err, puts } from "./io";
import { pace } from "./pacing";
import { recordInstalled, repositoryOffer, seriesPublished } from "./package-set";
import { compareVersions, releaseOfDeb, rpmVersion } from "../catalog";
import { YUM_REPOS_DIR } from "../contract";

type Flavour = "dnf" | "yum";

interface Repo {
  readonly id: string;
  readonly name: string;
  readonly baseurl: string;
  readonly series: string | null;
}

/** The first enabled OpenNebula repository section of /etc/yum.repos.d/*.repo (file name order). */
function openNebulaRepo(ctx: EmulatorContext): Repo | undefined {
  const dir = ctx.ownPath(YUM_REPOS_DIR);
  let files: string[];
  try {
    files = fs
      .readdirSync(dir)
      .filter((f) => f.endsWith(".repo"))
      .sort();
  } catch {
    return undefined;
  }
  for (const f of files) {
    let section: Record<string, string> & { id?: string } = {};
    const sections: Array<Record<string, string> & { id?: string }> = [];
    for (const raw of fs.readFileSync(path.join(dir, f), "utf8").split("\n")) {
      const line = raw.trim();
      const head = /^\[([^\]]+)\]$/.exec(line);
      if (head) sections.push((section = { id: head[1] }));
      else if (section.id && /^[A-Za-z_]+\s*=/.test(line)) section[line.slice(0, line.indexOf("=")).trim()] = line.slice(line.indexOf("=") + 1).trim();
    }
    for (const s of sections) {
      if (!s.baseurl || s.enabled === "0") continue;
      // OpenNebula's: a /repo/<x>/RedHat/ URL, or a section that names it; other repositories are not modelled.
      if (!/\/repo\/[^/]+\/RedHat\//.test(s.baseurl) && !/opennebula/i.test(`${s.id} ${s.name ?? ""}`)) continue;
      const m = /\/repo\/(\d+\.\d+)\/RedHat\//.exec(s.baseurl);
      return { id: s.id!, name: s.name ?? s.id!, baseurl: s.baseurl, series: m ? m[1] : null };
    }
  }
  return undefined;
}

/** baseurl with dnf's variables: RHEL 9 (dnf) or 7 (yum), x86_64. */
function expand(flavour: Flavour, url: string): string {
  return url
    .replace(/\$releasever/g, flavour === "yum" ? "7" : "9")
    .replace(/\$basearch/g, "x86_64")
    .replace(/\/?$/, "/");
}

/** The metadata download failure of a repository whose series does not exist (404), exit 1. */
function metadataFailure(flavour: Flavour, repo: Repo): number {
  const url = `${expand(flavour, repo.baseurl)}repodata/repomd.xml`;
  if (flavour === "dnf") {
    err(
      `Errors during downloading metadata for repository '${repo.id}':\n  - Status code: 404 for ${url} (IP: 104.26.6.180)\n` +
        `Error: Failed to download metadata for repo '${repo.id}': Cannot download repomd.xml: Cannot download repodata/repomd.xml: All mirrors were tried\n`,
    );
  } else {
    err(`${url}: [Errno 14] HTTPS Error 404 - Not Found\nTrying other mirror.\n`);
    err(`\n\n failure: repodata/repomd.xml from ${repo.id}: [Errno 256] No more mirrors to try.\n${url}: [Errno 14] HTTPS Error 404 - Not Found\n`);
  }
  return 1;
}

interface Options {
  readonly flavour: Flavour;
  readonly yes: boolean;
  readonly quiet: boolean;
  /** --downloadonly: download into the cache, install nothing. */
  readonly downloadOnly: boolean;
}

/** Emulated `dnf`. */
export function dnf(ctx: EmulatorContext, argv: string[]): number {
  return run(ctx, argv, ctx.packageManager === "yum" ? "yum" : "dnf", "dnf");
}

/** Emulated `yum`: dnf itself on dnf machines, yum 3 on yum machines. */
export function yum(ctx: EmulatorContext, argv: string[]): number {
  return run(ctx, argv, ctx.packageManager === "yum" ? "yum" : "dnf", "yum");
}

function run(ctx: EmulatorContext, argv: string[], flavour: Flavour, program: string): number {
  const words: string[] = [];
  const flags = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (["-e", "-d", "-c", "--setopt", "--releasever", "--installroot"].includes(a)) i++;
    else if (a.startsWith("-")) flags.add(a);
    else words.push(a);
  }
  const o: Options = {
    flavour,
    yes: ["-y", "--assumeyes", "-yq", "-qy"].some((f) => flags.has(f)),
    quiet: ["-q", "--quiet", "-yq", "-qy"].some((f) => flags.has(f)),
    downloadOnly: flags.has("--downloadonly"),
  };
  const [verb, ...pkgs] = words;
  const info = (...lines: string[]): void => {
    if (!o.quiet) puts(...lines);
  };
  switch (verb) {
    case "makecache":
    case "mc":
      return makecache(ctx, o, info);
    case "upgrade":
    case "update":
    case "up":
      return upgrade(ctx, pkgs, o, info);
    case "downgrade":
      return downgrade(ctx, pkgs, o, info);
    case "check-update":
    case "check-upgrade":
      return checkUpdate(ctx, pkgs, o, info);
    case undefined:
      err(
        flavour === "dnf"
          ? `Error: There are no enabled repositories in "/etc/yum.repos.d", "/etc/yum/repos.d", "/etc/distro.repos.d".\n`
          : "You need to give some command\n",
      );
      return 1;
    default:
      err(`No such command: ${verb}. Please use /usr/bin/${program} --help\n`);
      if (flavour === "dnf") err(`It could be a DNF plugin command, try: "dnf install 'dnf-command(${verb})'"\n`);
      return 1;
  }
}

function makecache(ctx: EmulatorContext, o: Options, info: (...l: string[]) => void): number {
  const repo = openNebulaRepo(ctx);
  if (repo && !seriesPublished(ctx, repo.series) && repo.series !== null) return metadataFailure(o.flavour, repo);
  pace(ctx, "dnf makecache");
  if (o.flavour === "dnf") {
    if (repo) info(`${repo.name.padEnd(48).slice(0, 48)} 42 kB/s | 3.0 kB     00:00`);
    info("Metadata cache created.");
  } else info("Loaded plugins: fastestmirror", "Loading mirror speeds from cached hostfile", "Metadata Cache Created");
  return 0;
}

/** What the repository offers this machine now: its release and packages (none without a usable series). */
function offer(ctx: EmulatorContext, o: Options): { repo?: Repo; release?: string; packages: Set<string> } | number {
  const repo = openNebulaRepo(ctx);
  if (!repo || repo.series === null) return { packages: new Set() };
  if (!seriesPublished(ctx, repo.series)) return metadataFailure(o.flavour, repo);
  const r = repositoryOffer(ctx, repo.series);
  return { repo, release: r.release, packages: r.packages };
}

/** Installed packages among `names` (all installed when none are named) that the repository has newer. */
function upgradable(installed: Record<string, string>, names: readonly string[], available: Set<string>, release: string | undefined): string[] {
  const wanted = names.length > 0 ? names.filter((n) => installed[n] !== undefined) : Object.keys(installed);
  return [...new Set(wanted)].filter((p) => release !== undefined && available.has(p) && compareVersions(releaseOfDeb(installed[p]), release) < 0).sort();
}

function upgrade(ctx: EmulatorContext, names: string[], o: Options, info: (...l: string[]) => void): number {
  const found = offer(ctx, o);
  if (typeof found === "number") return found;
  const installed = ctx.state().packages;
  if (o.flavour === "dnf") info("Last metadata expiration check: 0:00:03 ago on Wed 01 Jan 2025 12:00:00 PM UTC.");
  else info("Loaded plugins: fastestmirror", "Loading mirror speeds from cached hostfile");
  // Named packages that are not installed are skipped, as dnf does (a warning when the repository has them).
  for (const n of names.filter((p) => installed[p] === undefined)) {
    if (o.flavour === "dnf") {
      if (found.packages.has(n)) err(`Package ${n} available, but not installed.\n`);
      info(`No match for argument: ${n}`);
    } else info(found.packages.has(n) ? `Package(s) ${n} available, but not installed.` : `No Match for argument: ${n}`);
  }
  if (names.length > 0 && names.every((p) => installed[p] === undefined)) {
    if (o.flavour === "dnf") {
      err("Error: No packages marked for upgrade.\n");
      return 1;
    }
    info("No packages marked for update");
    return 0;
  }
  const todo = upgradable(installed, names, found.packages, found.release);
  if (todo.length === 0) {
    if (o.flavour === "dnf") info("Dependencies resolved.", "Nothing to do.", "Complete!");
    else info("No packages marked for update");
    return 0;
  }
  const version = rpmVersion(found.release!, o.flavour);
  const arch = (p: string): string => (p.startsWith("python") ? "noarch" : "x86_64");
  if (o.flavour === "dnf") {
    const rule = "=".repeat(80);
    info(
      "Dependencies resolved.",
      rule,
      ` ${"Package".padEnd(28)}${"Architecture".padEnd(14)}${"Version".padEnd(18)}${"Repository".padEnd(14)}Size`,
      rule,
      "Upgrading:",
    );
    info(...todo.map((p) => ` ${p.padEnd(28)}${arch(p).padEnd(14)}${version.padEnd(18)}${found.repo!.id.padEnd(14)}2.1 M`));
    info(
      "",
      "Transaction Summary",
      rule,
      `Upgrade  ${todo.length} Package${todo.length === 1 ? "" : "s"}`,
      "",
      `Total download size: ${(todo.length * 2.1).toFixed(1)} M`,
    );
  } else {
    info(
      "Resolving Dependencies",
      "--> Running transaction check",
      ...todo.map(
        (p) => `---> Package ${p}.${arch(p)} 0:${releaseOfDeb(installed[p])}-${installed[p].slice(releaseOfDeb(installed[p]).length + 1)} will be updated`,
      ),
      "--> Finished Dependency Resolution",
    );
  }
  if (!o.yes) {
    // No terminal to answer the prompt: dnf reads EOF and aborts.
    if (o.flavour === "dnf") {
      puts("Is this ok [y/N]: Operation aborted.");
      return 1;
    }
    puts(
      "Is this ok [y/d/N]: Exiting on user command",
      "Your transaction was saved, rerun it with:",
      " yum load-transaction /tmp/yum_save_tx.2025-01-01.12-00.sandbox.yumtx",
    );
    return 1;
  }
  pace(ctx, o.downloadOnly ? "dnf upgrade --downloadonly" : "dnf upgrade");
  if (o.downloadOnly) {
    if (o.flavour === "dnf")
      info("Downloading Packages:", `(1/${todo.length}): ${todo[0]}-${version}.${arch(todo[0])}.rpm   2.1 MB/s | 2.1 MB     00:01`, "Complete!");
    else info("Downloading packages:", 'exiting because "Download Only" specified');
    info(
      "The downloaded packages were saved in cache until the next successful transaction.",
      "You can remove cached packages by executing 'dnf clean packages'.",
    );
    ctx.update((s) => {
      s.downloaded = { ...(s.downloaded ?? {}), ...Object.fromEntries(todo.map((p) => [p, version])) };
    });
    return 0;
  }
  if (o.flavour === "dnf") info("Downloading Packages:", "Running transaction check", "Transaction check succeeded.", "Running transaction", "", "Upgraded:");
  else info("", "Updated:");
  info(`  ${todo.map((p) => (o.flavour === "dnf" ? `${p}-${version}.${arch(p)}` : `${p}.${arch(p)} 0:${version}`)).join("  ")}`, "", "Complete!");
  recordInstalled(ctx, todo, version);
  // Like dnf without keepcache: a successful transaction empties the cache of what it installed.
  ctx.update((s) => {
    if (s.downloaded) for (const p of todo) delete s.downloaded[p];
  });
  return 0;
}

function checkUpdate(ctx: EmulatorContext, names: string[], o: Options, info: (...l: string[]) => void): number {
  const found = offer(ctx, o);
  if (typeof found === "number") return found;
  const todo = upgradable(ctx.state().packages, names, found.packages, found.release);
  if (o.flavour === "dnf") info("Last metadata expiration check: 0:00:03 ago on Wed 01 Jan 2025 12:00:00 PM UTC.");
  if (todo.length === 0) return 0;
  const version = rpmVersion(found.release!, o.flavour);
  puts("", ...todo.map((p) => `${`${p}.${p.startsWith("python") ? "noarch" : "x86_64"}`.padEnd(40)}${version.padEnd(22)}${found.repo!.id}`));
  return 100;
}

/**
 * `dnf|yum downgrade name-version…` (a rollback): each installed package whose name is given, newer
 * than the repository's release, goes back to that release; the version given must be the one the
 * repository serves, as with a real repository that holds one release of the series.
 */
function downgrade(ctx: EmulatorContext, specs: string[], o: Options, info: (...l: string[]) => void): number {
  const found = offer(ctx, o);
  if (typeof found === "number") return found;
  const installed = ctx.state().packages;
  const todo: string[] = [];
  for (const spec of specs) {
    const m = /^(.+?)-(\d+\.\d+\.\d+)(?:-.*)?$/.exec(spec);
    const name = m ? m[1] : spec;
    if (m && found.release !== undefined && m[2] !== found.release) {
      err(`Error: No match for argument: ${spec}\n`);
      return 1;
    }
    if (installed[name] === undefined) info(`Package ${name} of lowest version already installed, cannot downgrade it.`);
    else if (found.release !== undefined && found.packages.has(name) && compareVersions(releaseOfDeb(installed[name]), found.release) > 0) todo.push(name);
  }
  if (todo.length === 0) {
    info("Dependencies resolved.", "Nothing to do.", "Complete!");
    return 0;
  }
  const version = rpmVersion(found.release!, o.flavour);
  info("Dependencies resolved.", "Downgrading:", ...todo.map((p) => ` ${p.padEnd(28)} x86_64  ${version}  opennebula`), `Downgrade  ${todo.length} Packages`);
  if (!o.yes) {
    err("Operation aborted.\n");
    return 1;
  }
  recordInstalled(ctx, todo, version);
  info("Complete!");
  return 0;
}
