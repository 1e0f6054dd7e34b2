/**
 * Where an upgrade keeps its files, on the front-ends and on the automation host. Pure naming: the
 * plan shows these paths and the steps use the same ones.
 */
import * as path from "path";
import { FederationConfig, ZoneConfig } from "./federation";

/** The federated backup: on the master (where onedb writes it), locally, and on each slave. */
export interface ArtifactPaths {
  readonly fileName: string;
  /** Path on the master and on every slave. */
  readonly remotePath: string;
  readonly localPath: string;
  /** `sha256sum` format: "<hex>  <fileName>". */
  readonly localChecksumPath: string;
}

export function artifactPaths(config: FederationConfig): ArtifactPaths {
  const fileName = `${config.name}-zone${config.master.id}-federated-${config.fromVersion}-to-${config.toVersion}.sql`;
  const localPath = path.join(config.backup.localDirectory, fileName);
  return {
    fileName,
    remotePath: `${config.backup.remoteDirectory}/${fileName}`,
    localPath,
    localChecksumPath: `${localPath}.sha256`,
  };
}

/** The zone's pre-upgrade full backup on its front-end (every HA server has its own). */
export function safetyBackupRemotePath(config: FederationConfig, zone: ZoneConfig): string {
  return `${config.backup.remoteDirectory}/${config.name}-zone${zone.id}-full-before-${config.toVersion}.sql`;
}

/** An HA leader's upgraded DB and configuration, on their way to the followers. */
export function leaderCopyPaths(config: FederationConfig, zone: ZoneConfig): { readonly db: string; readonly conf: string; readonly base: string } {
  const base = `${config.name}-zone${zone.id}-leader-${config.toVersion}`;
  return { db: `${config.backup.remoteDirectory}/${base}.sql`, conf: `${config.backup.remoteDirectory}/${base}-config.tar.gz`, base };
}

/**
 * The safety backup's record on the automation host: one file per zone, so parallel steps never
 * write the same file. Named here because the synth shows it as a terraform output; the steps read
 * and write it through run/records/safety-backup-record.ts.
 */
export function safetyBackupRecordPath(config: FederationConfig, zone: ZoneConfig): string {
  return path.join(config.backup.localDirectory, "safety-backups", `zone-${zone.id}.json`);
}

/**
 * A deploy's or apply's run directory on the automation host, next to the artifacts: the engine's
 * output, one log per step and zone, and (by default) the events file (docs/events.md).
 */
export function runDirectoryPath(config: FederationConfig, runId: string): string {
  return path.join(config.backup.localDirectory, "runs", runId);
}

/** Files inside a run directory. */
export const RUN_FILES = {
  /** JSON lines, one event each (docs/events.md), unless `--events FILE` puts them elsewhere. */
  events: "events.jsonl",
  /** Everything terraform printed (the full plan included) and onefed's own lines. */
  engineLog: "engine.log",
  /** One log per step and zone: `steps/<step>-zone<id>.log`. */
  stepLog: (step: string, zoneId: number): string => path.join("steps", `${step}-zone${zoneId}.log`),
  /** The warm runner's request FIFO while the run goes on (docs/warm-runner.md); removed at its end. */
  runnerFifo: "runner.fifo",
} as const;
