/** OpenNebula version numbers (x.y.z or x.y.z.w) and the series (major.minor) they belong to. */
export type Version = readonly number[];

/** First version with `onezone disable|enable` (docs/opennebula.md §4.5). */
export const ZONE_DISABLE_SINCE = "6.2.0";

export function parseVersion(text: string): Version {
  const m = /^(\d+)\.(\d+)\.(\d+)(?:\.(\d+))?/.exec(text.trim());
  if (!m) throw new Error(`not a version: ${JSON.stringify(text)}`);
  return m
    .slice(1)
    .filter((p) => p !== undefined)
    .map(Number);
}

export function compareVersions(a: string, b: string): number {
  const x = parseVersion(a);
  const y = parseVersion(b);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  return 0;
}

/** "7.0.2" → "7.0": the part a repository URL carries. */
export function seriesOf(version: string): string {
  const [major, minor] = parseVersion(version);
  return `${major}.${minor}`;
}

/** The DB schema version a release needs: minor releases since 5.10 bump it to x.y.0 (docs/opennebula.md §1.2). */
export function dbVersionOf(version: string): string {
  return `${seriesOf(version)}.0`;
}

/**
 * Release series whose DB versions, package sets and service units docs/opennebula.md documents
 * (§1.2, §1.3, §2.1): a target outside them would be a guess, so the synth refuses it.
 */
export const COVERED_SERIES = ["5.12", "6.0", "6.2", "6.4", "6.6", "6.8", "6.10", "7.0", "7.2", "7.4"] as const;

export function isCoveredSeries(version: string): boolean {
  return (COVERED_SERIES as readonly string[]).includes(seriesOf(version));
}
