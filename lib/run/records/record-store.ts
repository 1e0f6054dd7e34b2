/**
 * The records a run resumes from, one JSON file per zone on the automation host (the HA leader,
 * the hosts this upgrade disabled, the safety backups). A record is what a later step, or a
 * resumed deploy, trusts about a zone that may be down, so it is checked on every read and never
 * left half-written: a corrupt or foreign file is refused with one paragraph saying what to do,
 * instead of failing later with a TypeError, or worse, steering the step.
 */
import * as fs from "fs";
import * as path from "path";
import { OnefedError } from "../../model/errors";
import { describeFileError } from "../../model/file-errors";
import { FederationConfig, ZoneConfig, zoneLabel } from "../../model/federation";
import { describeJson, Shape } from "./record-shape";

/** Every record names its zone: one read for another zone is refused. */
export interface ZoneRecord {
  readonly zone_id: number;
}

/** One kind of record: where it lives, what it holds, and what to do when it cannot be used. */
export interface RecordKind<T extends ZoneRecord> {
  /** The record's name in errors: "HA record". */
  readonly title: string;
  /** What the record holds, in errors after "with": "the ids of the hypervisor hosts this upgrade disabled". */
  readonly holds: string;
  /** The zone's file on the automation host. */
  readonly path: (config: FederationConfig, zone: ZoneConfig) => string;
  readonly shape: Shape<T>;
  /** What the operator does about a record that cannot be used (what moving it aside costs). */
  readonly remedy: string;
}

/** A record could not be read or written. Nothing more was done by the step. */
export class RecordError extends OnefedError {
  constructor(
    /** The record's file. */
    public readonly file: string,
    message: string,
  ) {
    super(message);
  }
}

/** How many shape problems an error lists before it counts the rest. */
const PROBLEMS_SHOWN = 5;

/** One zone's record of one kind. */
export class RecordStore<T extends ZoneRecord> {
  /** The record's file on the automation host. */
  public readonly path: string;

  constructor(
    public readonly kind: RecordKind<T>,
    config: FederationConfig,
    public readonly zone: ZoneConfig,
  ) {
    this.path = kind.path(config, zone);
  }

  /** Whether a record file exists (readable or not). */
  exists(): boolean {
    return fs.existsSync(this.path);
  }

  /**
   * The record when it is there and well-formed, else undefined: for a local copy the ledger can
   * write back, where a missing or damaged file is simply replaced, not refused.
   */
  readIntact(): T | undefined {
    try {
      return this.read();
    } catch {
      return undefined;
    }
  }

  /** The record, or undefined when there is none yet; a file that is not this zone's record is refused. */
  read(): T | undefined {
    let text: string;
    try {
      text = fs.readFileSync(this.path, "utf8");
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === "ENOENT") return undefined;
      throw this.refusal(`a file that cannot be read (${code ?? (err as Error).message})`);
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      throw this.refusal(text.trim() === "" ? "an empty file" : `text that is not JSON (${(err as Error).message})`);
    }
    const problems = this.kind.shape.problems(value, "");
    if (problems.length > 0) {
      const more = problems.length > PROBLEMS_SHOWN ? `; and ${problems.length - PROBLEMS_SHOWN} more` : "";
      throw this.refusal(`a record that does not fit (${problems.slice(0, PROBLEMS_SHOWN).join("; ")}${more})`);
    }
    const record = value as T;
    if (record.zone_id !== this.zone.id) throw this.refusal(`the record of zone ${describeJson(record.zone_id)}`);
    return record;
  }

  /**
   * Replaces the record in one step: written to a temporary file beside it (0600), flushed to
   * disk, then renamed over it, so a crash or a full disk leaves the old record or the new one,
   * never part of either. The folder is created 0700.
   */
  write(record: T): void {
    const problems = this.kind.shape.problems(record, "");
    // A record this store would refuse to read back must not reach the disk: that is a bug here.
    if (problems.length > 0 || record.zone_id !== this.zone.id)
      throw new Error(`refusing to write a malformed ${this.kind.title} for zone ${this.zone.id}: ${problems.join("; ") || `zone_id ${record.zone_id}`}`);
    const dir = path.dirname(this.path);
    const temp = path.join(dir, `.${path.basename(this.path)}.${process.pid}.tmp`);
    let fd: number | undefined;
    try {
      fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
      fd = fs.openSync(temp, "w", 0o600);
      fs.writeFileSync(fd, JSON.stringify(record, null, 2) + "\n");
      fs.fsyncSync(fd);
      fs.closeSync(fd);
      fd = undefined;
      fs.renameSync(temp, this.path);
    } catch (err) {
      if (fd !== undefined) fs.closeSync(fd);
      fs.rmSync(temp, { force: true });
      const code = (err as NodeJS.ErrnoException).code;
      const next =
        code === "ENOSPC" || code === "EDQUOT"
          ? `Free space in ${dir} (df -h ${dir}) or point backup.localDirectory elsewhere, then run the deploy again.`
          : `Make ${dir} writable for this user (it needs room for the record), then run the deploy again.`;
      throw new RecordError(
        this.path,
        `cannot write the ${this.kind.title} of ${zoneLabel(this.zone)} to ${this.path}: ${describeFileError(err, "the automation host")}. The previous record, if there was one, is unchanged. ${next}`,
      );
    }
    syncDirectory(dir);
  }

  private refusal(found: string): RecordError {
    return new RecordError(
      this.path,
      `cannot use the ${this.kind.title} ${this.path}: expected the JSON record onefed writes for ${zoneLabel(this.zone)}, with ${this.kind.holds}, but found ${found}. ${this.kind.remedy}`,
    );
  }
}

/** Flushes the rename itself, so the new record survives a power loss; best effort where directories cannot be opened. */
function syncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, "r");
    fs.fsyncSync(fd);
  } catch {
    // Some platforms cannot fsync a directory; the rename is still atomic there.
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}
