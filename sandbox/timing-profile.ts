/**
 * The sandbox's timing profile: how long the emulated commands take. `fast` (the default) runs
 * every command as fast as the machine allows; `realistic` makes the long commands of an upgrade
 * (package refresh and install, onedb backup/upgrade/restore, stopping and starting OpenNebula)
 * take the time they take on a real front-end, scaled down by `scale`, and print progress lines
 * spread over that time, so streaming, heartbeats, estimates and the bench see real shapes.
 * Deterministic: the same command on the same database always gets the same schedule.
 * Dependency-free: the emulator reads it on every command (docs/sandbox.md, "Timing profile").
 */

/** The profiles `sandbox up --timing` offers. */
export const TIMING_PROFILES = ["fast", "realistic"] as const;
export type TimingProfile = (typeof TIMING_PROFILES)[number];

/** `--timing-scale` of a realistic sandbox: a tenth of real time, so a 1+2 upgrade takes a few minutes. */
export const DEFAULT_TIMING_SCALE = 0.1;
/** Bounds of the scale: 1 is real time; below 0.001 every command would be instant anyway. */
export const MIN_TIMING_SCALE = 0.001;
export const MAX_TIMING_SCALE = 1;

/**
 * The sandbox's databases hold a few hundred kB; each of their bytes stands for this many bytes of
 * a production database, so a seeded database (100 kB) times like a 1 GB one and a bigger one takes longer.
 */
export const DB_BYTES_PER_SANDBOX_BYTE = 10_000;

/** What sandbox.json records of a realistic sandbox (absent: fast). */
export interface SandboxTiming {
  /** Only `realistic` is recorded; `fast` is the absence of this object. */
  readonly profile: "realistic";
  /** Fraction of real time every duration is multiplied by. @default DEFAULT_TIMING_SCALE */
  readonly scale: number;
}

/** The commands the realistic profile paces (every other command runs at the machine's speed). */
export type PacedCommand =
  | "apt-get update"
  | "apt-get install --download-only"
  | "apt-get install"
  | "dnf makecache"
  | "dnf upgrade --downloadonly"
  | "dnf upgrade"
  | "onedb backup"
  | "onedb upgrade"
  | "onedb restore"
  | "systemctl stop opennebula"
  | "systemctl start opennebula";

/** How one command behaves under the realistic profile, in real-world (unscaled) time. */
export interface CommandTiming {
  /** Fixed part of the duration, seconds. */
  readonly seconds: number;
  /** Part proportional to the database, seconds per GB (10^9 bytes; onedb only). @default 0 */
  readonly secondsPerGB?: number;
  /** Progress lines printed over the duration, evenly spaced, the last at its end. @default 0 (silent) */
  readonly lines?: number;
  /** The progress line at `percent` done; `size` is the database size ("2.0 GB") for onedb. */
  readonly progress?: (percent: number, size: string) => string;
}

/** The profile table; docs/sandbox.md "Timing profile" lists it for operators. */
export const REALISTIC_TIMINGS: Readonly<Record<PacedCommand, CommandTiming>> = {
  "apt-get update": { seconds: 20, lines: 4, progress: (p) => `Reading package lists... ${p}%` },
  "apt-get install --download-only": { seconds: 90, lines: 6, progress: (p) => `Downloading archives... ${p}%` },
  "apt-get install": { seconds: 150, lines: 10, progress: (p) => `Progress: [${String(p).padStart(3)}%]` },
  "dnf makecache": { seconds: 25, lines: 4, progress: (p) => `OpenNebula metadata... ${p}%` },
  "dnf upgrade --downloadonly": { seconds: 90, lines: 6, progress: (p) => `Downloading Packages... ${p}%` },
  "dnf upgrade": { seconds: 150, lines: 10, progress: (p) => `Running transaction... ${p}%` },
  "onedb backup": { seconds: 10, secondsPerGB: 30, lines: 5, progress: (p, s) => `  > Dumping ${s} database: ${p}%` },
  "onedb upgrade": { seconds: 30, secondsPerGB: 120, lines: 10, progress: (p, s) => `  > Migrating ${s} database: ${p}%` },
  "onedb restore": { seconds: 15, secondsPerGB: 45, lines: 5, progress: (p, s) => `  > Restoring ${s} database: ${p}%` },
  // systemctl prints nothing while a unit stops or starts: the console's heartbeat is the sign of life.
  "systemctl stop opennebula": { seconds: 8 },
  "systemctl start opennebula": { seconds: 12 },
};

/** One progress line and when it is printed, in ms after the command's paced part began. */
export interface PacedLine {
  readonly atMs: number;
  readonly text: string;
}

/** What a paced command does: wait `durationMs` in all, printing `lines` on the way. */
export interface PaceSchedule {
  readonly durationMs: number;
  readonly lines: readonly PacedLine[];
}

const GB = 1e9;

/** "2.0 GB" for a byte count (the size the progress lines name). */
export function formatDbSize(bytes: number): string {
  return bytes >= GB ? `${(bytes / GB).toFixed(1)} GB` : `${Math.max(1, Math.round(bytes / 1e6))} MB`;
}

/**
 * The schedule of `command` under the sandbox's timing, or undefined when it runs at full speed
 * (fast profile). `sandboxDbBytes` is the size of the sandbox's own database file (onedb only).
 */
export function paceSchedule(timing: SandboxTiming | undefined, command: PacedCommand, sandboxDbBytes = 0): PaceSchedule | undefined {
  if (timing?.profile !== "realistic") return undefined;
  const t = REALISTIC_TIMINGS[command];
  const dbBytes = sandboxDbBytes * DB_BYTES_PER_SANDBOX_BYTE;
  const realSeconds = t.seconds + ((t.secondsPerGB ?? 0) * dbBytes) / GB;
  const durationMs = Math.round(realSeconds * timing.scale * 1000);
  const n = t.lines ?? 0;
  const size = formatDbSize(dbBytes);
  const lines = Array.from({ length: n }, (_, i) => {
    const percent = Math.round(((i + 1) * 100) / n);
    return { atMs: Math.round(((i + 1) * durationMs) / n), text: t.progress!(percent, size) };
  });
  return { durationMs, lines };
}

/** Validates a timing request; returns the problem, or undefined. */
export function timingProblem(profile: string | undefined, scale: number | undefined): string | undefined {
  if (profile !== undefined && !(TIMING_PROFILES as readonly string[]).includes(profile))
    return `--timing ${profile} is not one of ${TIMING_PROFILES.join(", ")}`;
  if (scale === undefined) return undefined;
  if (!(scale >= MIN_TIMING_SCALE && scale <= MAX_TIMING_SCALE)) return `--timing-scale ${scale} is not between ${MIN_TIMING_SCALE} and ${MAX_TIMING_SCALE}`;
  if (profile !== "realistic") return "--timing-scale needs --timing realistic";
  return undefined;
}

/** What sandbox.json records for a request: undefined for fast. */
export function sandboxTimingOf(profile: TimingProfile | undefined, scale: number | undefined): SandboxTiming | undefined {
  return profile === "realistic" ? { profile, scale: scale ?? DEFAULT_TIMING_SCALE } : undefined;
}
