/**
 * `apt-get update` / `apt-get install [--only-upgrade] [--download-only | --print-uris] <pkgs>` for the OpenNebula repository.
 * Like real apt, install sees what the last `update` fetched: the repository series comes from
 * /etc/apt/sources.list.d/opennebula.list at update time (the URL carries /repo/<major.minor>/).
 * Like apt's /var/cache/apt/archives, the machine state's `downloaded` holds what --download-only
 * fetched: --print-uris leaves those out, and an install takes them from there instead of fetching.
 */
import * as fs from "fs";
import * as path from "path";
import { EmulatorContext } from "./context";
import { err, puts } from "./io";
import { recordInstalled, repositoryOffer, seriesPublished } from "./package-set";
import { compareVersions, debVersion, releaseOfDeb } from "../catalog";
import { ONE_FILES } from "../contract";
import { pace } from "./pacing";

const REPO_FILE = ONE_FILES.aptRepository;

interface RepoLine {
  readonly url: string;
  readonly suite: string;
  readonly series: string | null;
}

/** The OpenNebula `deb` line of opennebula.list, if the file exists. */
function repoLine(ctx: EmulatorContext): RepoLine | undefined {
  let text: string;
  try {
    text = fs.readFileSync(ctx.ownPath(REPO_FILE), "utf8");
  } catch {
    return undefined;
  }
  for (const raw of text.split("\n")) {
    const m = /^\s*deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+(\S+)/.exec(raw);
    if (!m) continue;
    const s = /\/repo\/(\d+\.\d+)\//.exec(`${m[1]}/`);
    return { url: m[1], suite: m[2], series: s ? s[1] : null };
  }
  return undefined;
}

/** Emulated `apt-get`. */
export function aptGet(ctx: EmulatorContext, argv: string[]): number {
  const words: string[] = [];
  const flags = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "-o" || a === "-c" || a === "-t") i++;
    else if (a.startsWith("-")) flags.add(a);
    else words.push(a);
  }
  const [verb, ...pkgs] = words;
  if (verb === "update") return update(ctx);
  if (verb === "install" || verb === "upgrade" || verb === "dist-upgrade") {
    const yes = ["-y", "--yes", "--assume-yes", "-qy", "-yq"].some((f) => flags.has(f));
    const onlyUpgrade = flags.has("--only-upgrade") || verb !== "install";
    const targets = verb === "install" ? pkgs : Object.keys(ctx.state().packages);
    const mode = flags.has("--print-uris") ? "print-uris" : flags.has("--download-only") || flags.has("-d") ? "download-only" : "install";
    return install(ctx, targets, { yes, onlyUpgrade, mode, allowDowngrades: flags.has("--allow-downgrades") });
  }
  err(verb ? `E: Invalid operation ${verb}\n` : "E: No command given\n");
  return 100;
}

function update(ctx: EmulatorContext): number {
  const repo = repoLine(ctx);
  const before = ctx.state().aptSeries;
  if (repo) {
    if (!seriesPublished(ctx, repo.series)) {
      puts(`Ign:1 ${repo.url} ${repo.suite} InRelease`, `Err:2 ${repo.url} ${repo.suite} Release`, "  404  Not Found", "Reading package lists...");
      err(`E: The repository '${repo.url} ${repo.suite} Release' does not have a Release file.\n`);
      return 100;
    }
    if (before === repo.series) puts(`Hit:1 ${repo.url} ${repo.suite} InRelease`);
    else
      puts(
        `Get:1 ${repo.url} ${repo.suite} InRelease [3,126 B]`,
        `Get:2 ${repo.url} ${repo.suite}/opennebula amd64 Packages [9,431 B]`,
        "Fetched 12.6 kB in 0s (48.3 kB/s)",
      );
  }
  pace(ctx, "apt-get update");
  puts("Reading package lists...");
  ctx.update((st) => {
    st.aptSeries = repo?.series ?? null;
  });
  return 0;
}

interface InstallOptions {
  readonly yes: boolean;
  readonly onlyUpgrade: boolean;
  /** install; download-only: fetch into the cache and stop; print-uris: list what would be fetched, change nothing. */
  readonly mode: "install" | "download-only" | "print-uris";
  /** `--allow-downgrades`: a pinned older version (`pkg=version`) replaces a newer one, as a rollback does. */
  readonly allowDowngrades?: boolean;
}

function install(ctx: EmulatorContext, targets: string[], o: InstallOptions): number {
  // -qq (which --print-uris is used with) silences the progress lines.
  if (o.mode !== "print-uris") puts("Reading package lists...", "Building dependency tree...", "Reading state information...");
  const st = ctx.state();
  const repo = repoLine(ctx);
  const series = repo ? st.aptSeries : null;
  const offer = series ? repositoryOffer(ctx, series) : undefined;
  const candidate = offer?.release;
  const available = offer?.packages ?? new Set<string>();
  if (!series) {
    // Without the repository nothing is known about any package: refuse like apt does.
    err(targets.map((p) => `E: Unable to locate package ${p.split("=")[0]}\n`).join(""));
    return 100;
  }
  // apt resolves every name before it prints anything else.
  const missing = targets.map((t) => t.split("=")[0]).filter((p) => !available.has(p) && !st.packages[p]);
  if (missing.length > 0) {
    err(missing.map((p) => `E: Unable to locate package ${p}\n`).join(""));
    return 100;
  }
  const upgrades: Array<[string, string | undefined]> = [];
  const downgrades: Array<[string, string]> = [];
  // --print-uris prints no "already the newest" lines.
  const note = (line: string) => o.mode !== "print-uris" && puts(line);
  for (const spec of targets) {
    const [pkg, pin] = spec.split("=");
    const have = st.packages[pkg];
    if (!available.has(pkg)) {
      note(`${pkg} is already the newest version (${have}).`);
      continue;
    }
    const want = debVersion(candidate!);
    if (pin && pin !== want) {
      err(`E: Version '${pin}' for '${pkg}' was not found\n`);
      return 100;
    }
    if (!have && o.onlyUpgrade) note(`Skipping ${pkg}, it is not installed and only upgrades are requested.`);
    else if (have && pin && compareVersions(releaseOfDeb(have), candidate!) > 0) downgrades.push([pkg, have]);
    else if (have && compareVersions(releaseOfDeb(have), candidate!) >= 0) note(`${pkg} is already the newest version (${have}).`);
    else upgrades.push([pkg, have]);
  }
  const deb = debVersion(candidate!);
  if (downgrades.length > 0) return downgrade(ctx, downgrades, deb, o);
  const cached = st.downloaded ?? {};
  const toFetch = upgrades.filter(([p]) => cached[p] !== deb);
  if (o.mode === "print-uris") {
    toFetch.forEach(([p], i) =>
      puts(
        `'${repo!.url}/pool/opennebula/${p}_${deb}_amd64.deb' ${p}_${deb}_amd64.deb ${7113 + i} SHA256:${"0".repeat(56)}${String(1000 + i).padStart(8, "0")}`,
      ),
    );
    return 0;
  }
  const up = upgrades
    .filter(([, have]) => have)
    .map(([p]) => p)
    .sort();
  const fresh = upgrades
    .filter(([, have]) => !have)
    .map(([p]) => p)
    .sort();
  if (up.length > 0) puts("The following packages will be upgraded:", `  ${up.join(" ")}`);
  if (fresh.length > 0) puts("The following NEW packages will be installed:", `  ${fresh.join(" ")}`);
  puts(`${up.length} upgraded, ${fresh.length} newly installed, 0 to remove and 0 not upgraded.`);
  if (upgrades.length === 0) return 0;
  puts(
    toFetch.length === upgrades.length
      ? `Need to get ${toFetch.length * 7},${toFetch.length * 113} kB of archives.`
      : `Need to get ${toFetch.length * 7},${toFetch.length * 113} kB/${upgrades.length * 7},${upgrades.length * 113} kB of archives.`,
  );
  if (!o.yes) {
    puts("Do you want to continue? [Y/n] Abort.");
    return 1;
  }
  pace(ctx, o.mode === "download-only" ? "apt-get install --download-only" : "apt-get install");
  toFetch.forEach(([p], i) => puts(`Get:${i + 1} ${repo!.url} ${repo!.suite}/opennebula amd64 ${p} amd64 ${deb} [7,${113 + i} kB]`));
  if (toFetch.length > 0) puts(`Fetched ${toFetch.length * 7}.${toFetch.length} MB in 1s (9,${toFetch.length}00 kB/s)`);
  if (o.mode === "download-only") {
    puts("Download complete and in download only mode");
    ctx.update((s) => {
      s.downloaded = { ...(s.downloaded ?? {}), ...Object.fromEntries(upgrades.map(([p]) => [p, deb])) };
    });
    return 0;
  }
  puts("(Reading database ... 48213 files and directories currently installed.)");
  for (const [p, have] of upgrades) {
    puts(
      `Preparing to unpack .../${path.basename(`${p}_${deb}_amd64.deb`)} ...`,
      have ? `Unpacking ${p} (${deb}) over (${have}) ...` : `Unpacking ${p} (${deb}) ...`,
    );
  }
  for (const [p] of upgrades) puts(`Setting up ${p} (${deb}) ...`);
  recordInstalled(
    ctx,
    upgrades.map(([p]) => p),
    deb,
  );
  return 0;
}

/** `apt-get install -y --allow-downgrades pkg=version…` of an older release over a newer one (a rollback). */
function downgrade(ctx: EmulatorContext, downgrades: ReadonlyArray<[string, string]>, deb: string, o: InstallOptions): number {
  const names = downgrades.map(([p]) => p).sort();
  puts("The following packages will be DOWNGRADED:", `  ${names.join(" ")}`);
  puts(`0 upgraded, 0 newly installed, ${names.length} downgraded, 0 to remove and 0 not upgraded.`);
  if (o.mode !== "install") return 0;
  if (!o.allowDowngrades) {
    err("E: Packages were downgraded and -y was used without --allow-downgrades.\n");
    return 100;
  }
  if (!o.yes) {
    puts("Do you want to continue? [Y/n] Abort.");
    return 1;
  }
  puts("(Reading database ... 48213 files and directories currently installed.)");
  for (const [p, have] of downgrades) puts(`Preparing to unpack .../${p}_${deb}_amd64.deb ...`, `Unpacking ${p} (${deb}) over (${have}) ...`);
  for (const [p] of downgrades) puts(`Setting up ${p} (${deb}) ...`);
  recordInstalled(ctx, names, deb);
  return 0;
}
