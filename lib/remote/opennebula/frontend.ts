/**
 * Typed operations on one OpenNebula front-end: each pairs a command from commands.ts with its
 * parser, so steps read facts ("oned is stopped", "shared DB version is 7.0.0") instead of text.
 */
import { factsChangedByWriting } from "./fact-paths";
import { PackageManager } from "../../model/federation";
import { CommandResult } from "../ssh/command-result";
import { OnefedError } from "../../model/errors";
import { SshTargetLabel, TransferError } from "../ssh/errors";
import { describeSftpFailure } from "../ssh/sftp-failure";
import { iptables, parseOurRules } from "./firewall";
import {
  files,
  HA_SYNCED_TREES,
  monitordConf,
  ONED_LOCK_FILE,
  onecfg,
  onedb,
  OnedbConnection,
  onedConf,
  onehost,
  onezone,
  systemctl,
  withOnedbConnection,
} from "./commands";
import { CommandObserver } from "./command-observer";
import { RemoteMachine, Transport } from "./remote-machine";
import {
  DbVersion,
  HostListRow,
  parseHostListCsv,
  parseDbVersion,
  ParseError,
  parseFreeBytes,
  parseIsActive,
  parseMonitorAddress,
  parseOnedDatabase,
  parseOnedFederation,
  OnedDatabase,
  OnedFederation,
  parseUnitFiles,
  parseZoneListCsv,
  parseZoneShowJson,
  ZoneListRow,
  ZoneShow,
  parseSha256,
} from "./parsers";
import { dumpDigestCommand } from "./dump-digest";
import { nearestExistingCommand, parseNearestExisting } from "./nearest-existing";
import { parseZonePoolJson, ZoneState } from "./zone-pool";
import { RemoteCommand, withDbPassword } from "./remote-command";
import { unitName } from "./services";

export type { Transport } from "./remote-machine";

export class OpenNebulaFrontend extends RemoteMachine {
  constructor(
    transport: Transport,
    target: SshTargetLabel,
    packageManager: PackageManager,
    log: (line: string) => void = () => undefined,
    /** MySQL password for onedb, from the automation host's environment; never logged. @default none (oned.conf or SQLite) */
    private readonly dbPassword?: string,
    /** onedb's MySQL connection options. @default none (onedb reads oned.conf) */
    private readonly dbConnection?: OnedbConnection,
    /** Follows every command as it runs. @default none */
    observer?: CommandObserver,
  ) {
    super(transport, target, packageManager, log, observer);
    // Reaches onedb on stdin only, but onedb itself may echo it (mysqldump's command line on a failed backup).
    this.secrets.add(dbPassword);
  }

  /** The answer of `systemctl list-unit-files` while no package changed. */
  private unitFiles?: Promise<Set<string>>;

  /** onedb commands get the connection options and, on stdin, the DB password when configured. */
  private db(cmd: RemoteCommand): RemoteCommand {
    return withDbPassword(withOnedbConnection(cmd, this.dbConnection), this.dbPassword);
  }

  async installedVersion(): Promise<string> {
    return this.packageVersion("opennebula");
  }

  async dbVersion(): Promise<DbVersion> {
    const r = await this.run(this.db(onedb.version()));
    return parseDbVersion(r.stdout, r.exitCode as number);
  }

  async zoneList(): Promise<ZoneListRow[]> {
    return parseZoneListCsv((await this.run(onezone.listCsv())).stdout);
  }

  /** Every zone's enabled/disabled STATE as this front-end's oned holds it (the same field as zoneShow's `enabled`). */
  async zoneStates(): Promise<ZoneState[]> {
    return parseZonePoolJson((await this.run(onezone.listJson())).stdout);
  }

  async zoneShow(zoneId: number): Promise<ZoneShow> {
    return parseZoneShowJson((await this.run(onezone.showJson(zoneId))).stdout);
  }

  async setZoneEnabled(zoneId: number, endpoint: string, enabled: boolean): Promise<void> {
    await this.run(enabled ? onezone.enable(zoneId, endpoint) : onezone.disable(zoneId, endpoint));
  }

  async hosts(): Promise<HostListRow[]> {
    return parseHostListCsv((await this.run(onehost.listCsv())).stdout);
  }

  async setHostEnabled(hostId: number, enabled: boolean): Promise<void> {
    await this.run(enabled ? onehost.enable(hostId) : onehost.disable(hostId));
  }

  async syncHosts(): Promise<void> {
    await this.run(onehost.sync());
  }

  /** Our firewall rules (by comment), as the specs `iptables -S INPUT` prints. */
  async firewallRules(comment: string): Promise<string[][]> {
    return parseOurRules((await this.run(iptables.list())).stdout, comment);
  }

  /**
   * Units installed on this front-end, without the `.service` suffix. Read once per connection:
   * only a package upgrade changes the unit files, and upgradePackages forgets the answer.
   */
  installedUnits(): Promise<Set<string>> {
    if (!this.unitFiles) {
      const read = this.run(systemctl.listUnitFiles()).then((r) => new Set(parseUnitFiles(r.stdout).map(unitName)));
      // A failed read is not remembered: the next caller asks again.
      read.catch(() => this.unitFiles === read && (this.unitFiles = undefined));
      this.unitFiles = read;
    }
    return this.unitFiles;
  }

  async unitStates(units: readonly string[]): Promise<Record<string, string>> {
    if (units.length === 0) return {};
    return parseIsActive(units, (await this.run(systemctl.isActive(units))).stdout);
  }

  async stopUnits(units: readonly string[]): Promise<void> {
    if (units.length > 0) await this.run(systemctl.stop(units));
  }

  async startUnits(units: readonly string[]): Promise<void> {
    await this.run(systemctl.daemonReload());
    if (units.length > 0) await this.run(systemctl.start(units));
  }

  async onedLockPresent(): Promise<boolean> {
    return this.exists(ONED_LOCK_FILE);
  }

  /** Free bytes at the path, or at its nearest existing parent (the backup directory may not exist yet). */
  async freeBytes(path: string): Promise<number> {
    // One probe walks up on the machine (nearest-existing.ts): "/" always exists.
    const dir = parseNearestExisting(path, (await this.run(nearestExistingCommand(path))).stdout);
    return parseFreeBytes((await this.run(files.freeSpace(dir))).stdout);
  }

  async fileSize(path: string): Promise<number> {
    const out = (await this.run(files.size(path))).stdout.trim();
    if (!/^\d+$/.test(out)) throw new ParseError("stat -c %s", "no size", out);
    return Number(out);
  }

  async backupFull(file: string): Promise<void> {
    await this.run(this.db(onedb.backupFull(file)));
  }

  async makePrivateDir(path: string): Promise<void> {
    await this.run(files.makePrivateDir(path));
  }

  async makePrivate(path: string): Promise<void> {
    await this.run(files.makePrivate(path));
  }

  /** `cp -a` of /etc/one and the remotes' etc, once: an existing copy is the pre-upgrade one and is kept. */
  async backupConfiguration(suffix: string): Promise<void> {
    const dirs = ["/etc/one", "/var/lib/one/remotes/etc"];
    // Every tree and copy asked in one round trip (docs/round-trips.md), then only the missing copies made.
    const present = await Promise.all(dirs.flatMap((dir) => [this.exists(dir), this.exists(`${dir}.${suffix}`)]));
    for (const [i, dir] of dirs.entries()) if (present[2 * i] && !present[2 * i + 1]) await this.run(files.copyTree(dir, `${dir}.${suffix}`));
  }

  /** The config backup the upgrade step made (`backupConfiguration`) of each tree that has one, as [tree, copy]. */
  async configurationBackups(suffix: string): Promise<Array<[string, string]>> {
    const found: Array<[string, string]> = [];
    for (const t of HA_SYNCED_TREES) if (await this.exists(`/${t}.${suffix}`)) found.push([`/${t}`, `/${t}.${suffix}`]);
    return found;
  }

  /** Rollback: each tree with a config backup put back from it; the upgraded tree kept once as `<tree>.<asideSuffix>`. */
  async restoreConfiguration(suffix: string, asideSuffix: string): Promise<void> {
    for (const [tree, copy] of await this.configurationBackups(suffix)) await this.run(files.restoreTree(copy, tree, `${tree}.${asideSuffix}`));
  }

  /** Rollback: the release's package set pinned to it, the repository pointed at its series and refreshed first. */
  async downgradePackages(packages: readonly string[], version: string): Promise<void> {
    this.unitFiles = undefined;
    try {
      await super.downgradePackages(packages, version);
    } finally {
      this.unitFiles = undefined;
    }
  }

  /** Package scripts may add or remove unit files: the cached list is forgotten around the upgrade. */
  async upgradePackages(packages: readonly string[], opts: { readonly refresh?: boolean } = {}): Promise<void> {
    this.unitFiles = undefined;
    try {
      await super.upgradePackages(packages, opts);
    } finally {
      this.unitFiles = undefined;
    }
  }

  async upgradeConfiguration(): Promise<void> {
    await this.run(onecfg.upgrade());
  }

  async upgradeDatabase(backupFile: string): Promise<void> {
    await this.run(
      this.db(onedb.upgrade(backupFile)),
      "onedb restored its own backup if it got that far; the DB is as before. Fix the cause, then run the deploy again.",
    );
  }

  async checkDatabase(backupFile: string): Promise<void> {
    await this.run(this.db(onedb.fsck(backupFile)));
  }

  async backupFederated(file: string): Promise<void> {
    await this.run(this.db(onedb.backupFederated(file)));
  }

  /** HA follower: the leader's full backup replaces this server's DB. */
  async restoreFull(file: string): Promise<CommandResult> {
    return this.run(this.db(onedb.restoreFull(file)));
  }

  /** oned.conf FEDERATION values (the Raft SERVER_ID of an HA server). */
  async federationSettings(): Promise<OnedFederation> {
    return parseOnedFederation((await this.run(onedConf.readFederation())).stdout);
  }

  /** monitord.conf's MONITOR_ADDRESS; undefined when the file or the key is absent. */
  async monitorAddress(): Promise<string | undefined> {
    if (!(await this.exists(monitordConf.path))) return undefined;
    return parseMonitorAddress((await this.run(monitordConf.read())).stdout);
  }

  async setMonitorAddress(address: string): Promise<void> {
    await this.run(monitordConf.setMonitorAddress(address));
  }

  /** oned.conf's DB section: the backend and connection settings (never PASSWD). */
  async databaseSettings(): Promise<OnedDatabase> {
    return parseOnedDatabase((await this.run(onedConf.readDatabase())).stdout);
  }

  async setServerId(serverId: number): Promise<void> {
    await this.run(onedConf.setServerId(serverId));
  }

  /** HA leader: /etc/one and the remotes' etc in one archive for the followers. */
  async packConfiguration(archive: string): Promise<void> {
    const present = await Promise.all(HA_SYNCED_TREES.map((t) => this.exists(`/${t}`)));
    const trees = HA_SYNCED_TREES.filter((_, i) => present[i]);
    await this.run(files.packTrees(archive, trees));
  }

  async unpackConfiguration(archive: string): Promise<void> {
    await this.run(files.unpackTrees(archive));
  }

  /** The statement digest of a dump on this front-end (dump-digest.ts): the restore proof. */
  async dumpDigest(file: string): Promise<string> {
    return parseSha256((await this.run(dumpDigestCommand(file))).stdout);
  }

  async remove(file: string): Promise<void> {
    await this.run(files.remove(file));
  }

  async restoreFederated(file: string): Promise<CommandResult> {
    return this.run(this.db(onedb.restoreFederated(file)));
  }

  /** Copies a local file here; a failure is a TransferError saying on which side and what was left. */
  async upload(localPath: string, remotePath: string): Promise<void> {
    const started = Date.now();
    const facts = this.transport.facts;
    try {
      // A file written on the machine: an action, so the facts read from where it lands are read live again.
      if (facts) await facts.action(() => this.transport.upload(localPath, remotePath), factsChangedByWriting(remotePath));
      else await this.transport.upload(localPath, remotePath);
    } catch (err) {
      throw this.transferError(err, "upload", localPath, remotePath, {
        action: `copying ${localPath} on the automation host to ${remotePath} on the front-end`,
        left: `A partial ${remotePath} may be left on the front-end; the next run uploads it anew and proves it by sha256 before using it.`,
      });
    }
    this.log(`  sftp put ${remotePath} (${Date.now() - started} ms)`);
  }

  /** Copies a file from here to a local path; a failure is a TransferError saying on which side and what was left. */
  async download(remotePath: string, localPath: string): Promise<void> {
    const started = Date.now();
    try {
      await this.transport.download(remotePath, localPath);
    } catch (err) {
      throw this.transferError(err, "download", localPath, remotePath, {
        action: `copying ${remotePath} from the front-end to ${localPath} on the automation host`,
        left: `The copy changed nothing on the front-end, where ${remotePath} stays; the local copy is incomplete and is fetched anew, and proven by sha256, by the next run.`,
      });
    }
    this.log(`  sftp get ${remotePath} (${Date.now() - started} ms)`);
  }

  /** Errors of our own (the deadline, a lost session) already read as a paragraph; ssh2's and the file system's are put in one. */
  private transferError(err: unknown, direction: "upload" | "download", localPath: string, remotePath: string, facts: { action: string; left: string }): Error {
    if (err instanceof OnefedError) return this.secrets.redactError(err);
    const failure = describeSftpFailure(err, direction, localPath, remotePath);
    return new TransferError(this.target, { ...facts, what: this.secrets.redact(failure.what), next: failure.next });
  }
}
