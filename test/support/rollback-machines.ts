/**
 * Scripted front-ends for rollback unit tests that keep state like a machine does: the installed
 * version, the DB version, whether oned runs, each zone's ENABLED/DISABLED as the federation sees
 * it, and an in-memory federation ledger. Every command line is recorded per front-end, and in
 * one federation-wide order, so a test can prove what ran where and in which order.
 */
import { FederationConfig, hostPort, ZoneConfig } from "../../lib/model/federation";
import { dbVersionOf } from "../../lib/model/version";
import {
  Evidence,
  LEDGER_FORMAT,
  LedgerEntry,
  LedgerEvent,
  LedgerLock,
  LedgerRollback,
  LedgerSnapshot,
  LockVerdict,
  RollbackPhase,
  RunIdentity,
} from "../../lib/model/ledger";
import { StepName } from "../../lib/model/steps";
import { safetyBackupRemotePath } from "../../lib/model/paths";
import { OpenNebulaFrontend } from "../../lib/remote/opennebula/frontend";
import { HypervisorNode } from "../../lib/remote/opennebula/hypervisor-node";
import { LockHeldError } from "../../lib/run/ledger/federation-ledger";
import { RollbackLedger, RollbackMachines } from "../../lib/run/rollback/run-rollback";
import { dbVersionText, FakeTransport, Reply, zonePoolJson, zoneShowJson } from "./fake-frontend";

export interface MachineState {
  pkg: string;
  db: string;
  active: boolean;
  sha: string;
  configBackup: boolean;
}

/** The whole federation's scripted machines: each front-end's state, and one ordered log of `host: line`. */
export class RollbackWorld {
  readonly machines = new Map<string, MachineState>();
  readonly transports = new Map<string, FakeTransport>();
  readonly order: string[] = [];
  readonly enabled = new Map<number, boolean>();

  constructor(
    readonly config: FederationConfig,
    /** The sha256 the ledger records for every backup. */
    readonly recordedSha = "a".repeat(64),
    /** HA zones: the position of the Raft leader among the zone's front-ends. @default the first */
    readonly leaders: ReadonlyMap<number, number> = new Map(),
  ) {
    for (const z of config.zones) {
      this.enabled.set(z.id, true);
      for (const [index, fe] of z.frontends.entries()) {
        const key = hostPort(fe);
        this.machines.set(key, { pkg: config.toVersion, db: dbVersionOf(config.toVersion), active: true, sha: recordedSha, configBackup: true });
        this.transports.set(key, new FakeTransport(this.rules(z, key, index)));
      }
    }
  }

  /** `onezone show <zone> -j` of an HA zone: its servers' Raft states (a stopped server: ERROR), its ENABLED/DISABLED. */
  private haZoneShow(zone: ZoneConfig): string {
    const leader = this.leaders.get(zone.id) ?? 0;
    const up = (i: number) => this.machines.get(hostPort(zone.frontends[i]))!.active;
    return JSON.stringify({
      ZONE: {
        ID: String(zone.id),
        NAME: zone.name,
        STATE: this.enabled.get(zone.id) ? "0" : "1",
        TEMPLATE: { ENDPOINT: zone.endpoint },
        SERVER_POOL: {
          SERVER: zone.frontends.map((f, i) => ({
            ENDPOINT: `http://${f.host}:2633/RPC2`,
            ID: String(i),
            NAME: `server-${i}`,
            STATE: !up(i) ? "4" : i === leader && up(leader) ? "3" : "2",
            TERM: "3",
            VOTEDFOR: String(leader),
            COMMIT: "1524",
            LOG_INDEX: "1524",
            FEDLOG_INDEX: "715438",
          })),
        },
      },
    });
  }

  /** What ran on a front-end (the zone's first by default), in order. */
  lines(zone: ZoneConfig, index = 0): string[] {
    return this.transports.get(hostPort(zone.frontends[index]))!.lines;
  }

  /** Position of the first line on `zone` matching `re` in the federation-wide order (-1: never). */
  at(zone: ZoneConfig, re: RegExp): number {
    const host = hostPort(zone.frontends[0]);
    return this.order.findIndex((l) => l.startsWith(`${host}: `) && re.test(l.slice(host.length + 2)));
  }

  /** Every line that changed something anywhere (reads left out). */
  changes(): string[] {
    return this.order.filter((l) => /systemctl (stop|start)|onedb restore|apt-get|onezone (disable|enable)|find |printf/.test(l));
  }

  /** Hypervisor hosts by name: the node package's version and libvirtd's state. */
  readonly nodes = new Map<string, { version: string; libvirt: string }>();
  readonly nodeTransports = new Map<string, FakeTransport>();
  /** Hosts whose connection fails (down, or a host key that does not match). */
  readonly unreachable = new Set<string>();
  /** Zones whose `onezone disable` answers 0 and changes nothing. */
  readonly ignoresDisable = new Set<number>();
  /** Host name → how many of its next installs change nothing (a repository without the old release). */
  readonly stuckNodes = new Map<string, number>();

  /** Gives every listed host of every zone a scripted machine at `version` (the target by default). */
  withNodes(version = this.config.toVersion): this {
    for (const n of this.config.zones.flatMap((z) => z.nodes)) {
      this.nodes.set(n.name, { version, libvirt: "active" });
      const st = () => this.nodes.get(n.name)!;
      const log = (l: string): void => void this.order.push(`${n.name}: ${l}`);
      this.nodeTransports.set(
        n.name,
        new FakeTransport([
          [/^dpkg-query -W '-f=\$\{Version\}' opennebula-node-(kvm|lxc)$/, () => ({ stdout: `${st().version}-1` })],
          [/^sh -c 'printf/, (l) => (log(l), {})],
          [/^apt-get update/, (l) => (log(l), {})],
          [
            /apt-get install .*--allow-downgrades .*opennebula-node-(kvm|lxc)=(\S+)-1$/,
            (l) => {
              log(l);
              const stuck = this.stuckNodes.get(n.name) ?? 0;
              if (stuck > 0) this.stuckNodes.set(n.name, stuck - 1);
              else st().version = /=(\S+)-1$/.exec(l)![1];
              return {};
            },
          ],
          [/^systemctl restart libvirtd$/, (l) => (log(l), {})],
          [/^systemctl is-active libvirtd$/, () => ({ stdout: `${st().libvirt}\n`, exitCode: st().libvirt === "active" ? 0 : 3 })],
        ]),
      );
    }
    return this;
  }

  openers(): RollbackMachines["machines"] {
    return {
      frontend: async (z, i) =>
        new OpenNebulaFrontend(this.transports.get(hostPort(z.frontends[i]))!, { host: z.frontends[i].host, port: z.frontends[i].port, zone: z.name }, "apt"),
      node: async (z, n) => {
        const t = this.nodeTransports.get(n.name);
        if (!t || this.unreachable.has(n.name)) throw new Error(`host ${n.name} (${n.host}:${n.port}) cannot be reached`);
        return new HypervisorNode(t, { host: n.host, port: n.port, zone: z.name }, "apt");
      },
    };
  }

  private rules(zone: ZoneConfig, key: string, index: number): Array<[RegExp, Reply | ((l: string) => Reply)]> {
    const m = () => this.machines.get(key)!;
    const log = (l: string): void => void this.order.push(`${key}: ${l}`);
    const backup = safetyBackupRemotePath(this.config, zone);
    const ok =
      (effect: (l: string) => void = () => undefined) =>
      (l: string) => {
        log(l);
        effect(l);
        return {};
      };
    return [
      [/^dpkg-query /, () => ({ stdout: `${m().pkg}-1` })],
      [new RegExp(`^test -e ${backup.replace(/[.]/g, "\\.")}$`), () => ({ exitCode: 0 })],
      [/^test -e \/var\/lock\/one\/one$/, () => ({ exitCode: m().active ? 0 : 1 })],
      [/^test -e \/etc\/one\.onefed-/, () => ({ exitCode: m().configBackup ? 0 : 1 })],
      [/^test -e /, { exitCode: 1 }],
      [/^sha256sum (\S+)/, (l) => (log(l), { stdout: `${m().sha}  ${l.split(" ")[1]}\n` })],
      [
        /^onedb version/,
        () => {
          const soft = dbVersionOf(m().pkg);
          const code = m().db === soft ? 0 : m().db < soft ? 2 : 3;
          return { exitCode: code, stdout: dbVersionText(m().db, m().db, soft) };
        },
      ],
      [/^systemctl list-unit-files/, { stdout: "opennebula.service enabled enabled\n" }],
      [
        /^systemctl is-active/,
        (l) => ({
          stdout:
            l
              .split(" ")
              .slice(2)
              .map(() => (m().active ? "active" : "inactive"))
              .join("\n") + "\n",
          exitCode: m().active ? 0 : 3,
        }),
      ],
      [/^systemctl stop/, ok(() => (m().active = false))],
      [/^systemctl daemon-reload/, { stdout: "" }],
      [/^systemctl start/, ok(() => (m().active = m().db === dbVersionOf(m().pkg)))],
      [/^onedb restore -v -f /, ok(() => (m().db = dbVersionOf(this.config.fromVersion)))],
      [/apt-get update/, ok()],
      [/apt-get install .*--allow-downgrades/, ok(() => (m().pkg = this.config.fromVersion))],
      [/^sh -c .*find/, ok()],
      [/^sh -c 'printf/, ok()],
      [/^(mkdir|chmod) /, { stdout: "" }],
      [
        /^sed -n .*FEDERATION/,
        { stdout: `FEDERATION = [\n  MODE = "SLAVE",\n  ZONE_ID = ${zone.id},\n  SERVER_ID = ${zone.frontends.length > 1 ? index : -1}\n]\n` },
      ],
      [/^sed -i -E /, ok()],
      [
        /^onezone show (\d+) -j$/,
        (l) => {
          const id = Number(/show (\d+)/.exec(l)![1]);
          if (!m().active) return { exitCode: 255, stderr: "Failed to open TCP connection" };
          const shown = this.config.zones.find((z) => z.id === id)!;
          if (shown.frontends.length > 1) return { stdout: this.haZoneShow(shown) };
          return {
            stdout: zoneShowJson(
              this.config.zones.find((z) => z.id === id)!,
              this.enabled.get(id)!,
            ),
          };
        },
      ],
      [
        /^onezone list -j$/,
        () =>
          m().active ? { stdout: zonePoolJson(this.config.zones, (id) => !this.enabled.get(id)) } : { exitCode: 255, stderr: "Failed to open TCP connection" },
      ],
      [
        /^onezone disable (\d+)/,
        ok((l) => {
          const id = Number(/disable (\d+)/.exec(l)![1]);
          if (!this.ignoresDisable.has(id)) this.enabled.set(id, false);
        }),
      ],
      [/^onezone enable (\d+)/, ok((l) => this.enabled.set(Number(/enable (\d+)/.exec(l)![1]), true))],
    ];
  }
}

/** The federation's ledger in memory, with the lock semantics a rollback relies on. */
export class MemoryLedger implements RollbackLedger {
  lock?: LedgerLock;
  entries: LedgerEntry[];
  events: LedgerEvent[] = [];
  rollbacks: LedgerRollback[] = [];
  claims = 0;

  constructor(
    snapshot: LedgerSnapshot,
    private readonly run: RunIdentity,
  ) {
    this.entries = [...snapshot.entries];
    this.lock = snapshot.lock;
    this.rollbacks = [...(snapshot.rollbacks ?? [])];
  }

  async read(): Promise<LedgerSnapshot> {
    return {
      lock: this.lock,
      entries: [...this.entries],
      events: [...this.events],
      runners: [],
      ...(this.rollbacks.length ? { rollbacks: [...this.rollbacks] } : {}),
    };
  }

  async claim(step: StepName | "rollback", zone: ZoneConfig): Promise<LockVerdict> {
    this.claims++;
    if (this.lock && this.lock.run_id !== this.run.runId && this.lock.lineage !== this.run.lineage) throw new LockHeldError("seed", this.lock, `${step}`);
    const at = "2026-11-30T12:00:00.000Z";
    this.lock = {
      kind: "lock",
      format: LEDGER_FORMAT,
      run_id: this.run.runId,
      lineage: this.run.lineage ?? null,
      holder: this.run.who,
      since: at,
      step,
      zone_id: zone.id,
      updated_at: at,
    };
    return { kind: "free" };
  }

  async heartbeat(): Promise<() => Promise<void>> {
    return async () => undefined;
  }

  async recordRollback(zone: ZoneConfig, phase: RollbackPhase, version: string, summary: string): Promise<void> {
    this.rollbacks = this.rollbacks.filter((r) => r.zone_id !== zone.id);
    this.rollbacks.push({ kind: "rollback", format: LEDGER_FORMAT, zone_id: zone.id, run_id: this.run.runId, phase, version, updated_at: "t", summary });
  }

  async forgetRolledBackZone(zone: ZoneConfig, steps: readonly StepName[], detail: string): Promise<void> {
    this.events.push({ kind: "event", format: LEDGER_FORMAT, what: "rollback", by: this.run.who, at: "t", detail });
    this.entries = this.entries.filter((e) => e.zone_id !== zone.id || !steps.includes(e.step));
    this.rollbacks = this.rollbacks.filter((r) => r.zone_id !== zone.id);
  }

  async release(): Promise<boolean> {
    const mine = this.lock?.run_id === this.run.runId;
    if (mine) this.lock = undefined;
    return mine;
  }
}

/** Evidence type re-export for tests that build entries by hand. */
export type { Evidence };
