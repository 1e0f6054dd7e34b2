/**
 * What apt-get and dnf/yum share: which release a repository series serves, what it offers, and
 * recording an upgrade (packages, then the unit files of the new release; running units keep
 * their state, as package scripts are not modelled).
 */
import { EmulatorContext } from "./context";
import { candidateOf, repositoryPackagesOf, seriesOf } from "../catalog";

/** Series downloads.opennebula.io serves (others have no repository metadata: 404). */
export const PUBLISHED_SERIES = ["5.12", "6.0", "6.2", "6.4", "6.6", "6.8", "6.10", "7.0", "7.2", "7.4"];

/** Whether the repository of a series exists: a published one, or one of the sandbox's own releases. */
export function seriesPublished(ctx: EmulatorContext, series: string | null): boolean {
  return series !== null && (PUBLISHED_SERIES.includes(series) || knownReleases(ctx).some((v) => seriesOf(v) === series));
}

/** The sandbox's from and to releases: the full versions their series serve. */
export function knownReleases(ctx: EmulatorContext): string[] {
  return [ctx.registry.federation.fromVersion, ctx.registry.federation.toVersion];
}

/** The release a series' repository serves, and the packages it offers this machine's package manager. */
export function repositoryOffer(ctx: EmulatorContext, series: string): { release: string; packages: Set<string> } {
  const release = candidateOf(series, knownReleases(ctx));
  return { release, packages: repositoryPackagesOf(release, ctx.packageManager) };
}

/** Records installed packages at a version string ("7.0.0-1", "7.0.0-1.el9"); unit files follow. */
export function recordInstalled(ctx: EmulatorContext, pkgs: readonly string[], version: string): void {
  ctx.update((s) => {
    for (const p of pkgs) s.packages[p] = version;
    const services: typeof s.services = {};
    for (const u of ctx.knownUnits(s.packages, version)) services[u] = s.services[u] ?? "inactive";
    s.services = services;
  });
}
