/**
 * The graph rules one by one, table-driven: each is silent on every stack the constructs build,
 * and on a stack with one edge cut (or one step missing or added) it names exactly what is wrong.
 */
import * as fs from "fs";
import * as path from "path";
import { Testing } from "../../lib/synth/cdk";
import { FederationConfig } from "../../lib/model/federation";
import { FederationUpgrade } from "../../lib/synth/constructs/federation-upgrade";
import { MaintenanceZone } from "../../lib/synth/constructs/maintenance-zone";
import { StepResource } from "../../lib/synth/constructs/step-resource";
import { Zone } from "../../lib/synth/constructs/zone";
import { backupExportsUpgradedMaster } from "../../lib/synth/invariants/backup-exports-upgraded-master";
import { downloadBeforeWindow } from "../../lib/synth/invariants/download-before-window";
import { freezeAfterHostsDisable } from "../../lib/synth/invariants/freeze-after-hosts-disable";
import { freezeOrder } from "../../lib/synth/invariants/freeze-order";
import { GraphInvariants } from "../../lib/synth/invariants/graph-invariants";
import { checkGraph, GraphRule } from "../../lib/synth/invariants/graph-rule";
import { haReplicatesBeforeStart } from "../../lib/synth/invariants/ha-replicates-before-start";
import { hostsEnableAfterUnfreeze } from "../../lib/synth/invariants/hosts-enable-after-unfreeze";
import { masterNeverRestored } from "../../lib/synth/invariants/master-never-restored";
import { masterUpgradesAfterEveryStop } from "../../lib/synth/invariants/master-upgrades-after-every-stop";
import { nodesAfterStart } from "../../lib/synth/invariants/nodes-after-start";
import { nodesBeforeHostSync } from "../../lib/synth/invariants/nodes-before-host-sync";
import { replicateAfterUpgrade } from "../../lib/synth/invariants/replicate-after-upgrade";
import { restoreAfterFederatedBackup } from "../../lib/synth/invariants/restore-after-federated-backup";
import { safetyBackupFirst } from "../../lib/synth/invariants/safety-backup-first";
import { slaveRestoresBeforeUpgrade } from "../../lib/synth/invariants/slave-restores-before-upgrade";
import { GraphNode, GraphStep, StepGraph } from "../../lib/synth/invariants/step-graph";
import { stopAfterPreflight } from "../../lib/synth/invariants/stop-after-preflight";
import { stopAfterSync } from "../../lib/synth/invariants/stop-after-sync";
import { syncAfterFreeze } from "../../lib/synth/invariants/sync-after-freeze";
import { typeANoFederatedSteps } from "../../lib/synth/invariants/type-a-no-federated-steps";
import { typeAStopAfterOwnPreflight } from "../../lib/synth/invariants/type-a-stop-after-own-preflight";
import { typeAZonesIndependent } from "../../lib/synth/invariants/type-a-zones-independent";
import { unfreezeAfterEveryStart } from "../../lib/synth/invariants/unfreeze-after-every-start";
import { UPGRADE_GRAPH_PACK } from "../../lib/synth/invariants/upgrade-graph-pack";
import { FederationBuilder, seedFederation } from "../support/federation-builder";
import { largeFederation } from "../support/large-federation";

const runner = { command: ["/usr/bin/node", "/opt/onefed/dist/lib/cli/onefed.js"], configPath: "/etc/onefed/federation.yaml" };
const seed = seedFederation();

/** Every shape of stack the constructs build: master 0 (M-EU-FR), slaves 100 (S-EU-GE) and 101 (S-US-CA). */
const FEDERATIONS = {
  "type B": seed,
  "type B, HA master and slave": seed.withHa(0, ["192.168.150.1", "192.168.150.11", "192.168.150.12"]).withHa(101, ["192.168.150.3", "192.168.150.31"]),
  "type B, nodes and hosts.manage": seed.withNodes(100, [{ name: "kvm-ge-1", host: "192.168.150.21" }]).with({ hosts: { manage: true } }),
  "type B, firewall freeze on the master": seed.with({ federation: { fromVersion: "6.0.0", toVersion: "6.2.0" }, hosts: { manage: true } }),
  "type B, no freeze": seed.withFreeze("none", { acknowledgeNoFreeze: true }),
  "type A": seed.with({ federation: { toVersion: "6.10.5" } }),
  "type A, HA, nodes and hosts.manage": seed
    .with({ federation: { toVersion: "6.10.5" }, hosts: { manage: true } })
    .withHa(101, ["192.168.150.3", "192.168.150.31"])
    .withNodes(100, [{ name: "kvm-ge-1", host: "192.168.150.21" }]),
} satisfies Record<string, FederationBuilder>;
type Shape = keyof typeof FEDERATIONS;

function build(shape: Shape): { stack: FederationUpgrade; config: FederationConfig } {
  const config = FEDERATIONS[shape].parse();
  return { stack: new FederationUpgrade(Testing.app(), "s", { config, runner }), config };
}

/** A coordinated zone of a type B stack, by id. */
const zone = (stack: FederationUpgrade, id: number) => stack.zones.find((z) => z.zone.id === id) as Zone;
/** A zone of a type A stack, by id. */
const maintenanceZone = (stack: FederationUpgrade, id: number) => stack.zones.find((z) => z.zone.id === id) as MaintenanceZone;
/** Cuts every edge of `step` and makes it wait for `after` only. */
const waitOnly = (step: StepResource | undefined, ...after: StepResource[]) => step!.after.splice(0, step!.after.length, ...after);
/** Takes `step` out of the stack, as if its construct had never made it. */
const remove = (step: StepResource | undefined) => step!.node.scope!.node.tryRemoveChild(step!.node.id);
/** Adds a stray `name` step on zone `zoneId`. */
const stray = (stack: FederationUpgrade, config: FederationConfig, name: "backup" | "restore", zoneId: number, ...after: StepResource[]) =>
  new StepResource(stack, `stray-${name}-${zoneId}`, {
    step: name,
    zone: config.zones.find((z) => z.id === zoneId)!,
    config,
    runner,
    after,
    resourceName: `stray_${name}_${zoneId}`,
  });

interface Case {
  /** What is broken, in the test's name. */
  readonly broken: string;
  readonly shape: Shape;
  readonly edit: (stack: FederationUpgrade, config: FederationConfig) => void;
  /** Exactly what the rule reports, in order. */
  readonly violations: readonly string[];
}

const RULES: ReadonlyArray<readonly [GraphRule, readonly Case[]]> = [
  [
    safetyBackupFirst,
    [
      {
        broken: "the master upgrades right after its stop",
        shape: "type B",
        edit: (s) => waitOnly(s.master!.upgradeStep, ...s.zones.map((z) => z.stopStep)),
        violations: [
          "upgrade of zone 0 (M-EU-FR) does not wait for safety-backup of zone 0 (M-EU-FR): nothing is changed before the zone's full safety backup",
        ],
      },
      {
        broken: "a zone without a safety backup",
        shape: "type A",
        edit: (s) => remove(maintenanceZone(s, 0).safetyBackupStep),
        violations: ["upgrade of zone 0 (M-EU-FR) has no safety-backup step: nothing is changed without a full backup first"],
      },
    ],
  ],
  [
    haReplicatesBeforeStart,
    [
      {
        broken: "an HA slave starts right after its upgrade",
        shape: "type B, HA master and slave",
        edit: (s) => waitOnly(zone(s, 101).startStep, zone(s, 101).upgradeStep),
        violations: [
          "start of zone 101 (S-US-CA) does not wait for replicate of zone 101 (S-US-CA): an HA zone starts only once every follower holds the leader's upgraded DB",
        ],
      },
      {
        broken: "an HA master without a replicate step",
        shape: "type B, HA master and slave",
        edit: (s) => remove(s.master!.replicateStep),
        violations: ["start of zone 0 (M-EU-FR) has no replicate step: an HA zone's followers never start on their own old DB"],
      },
    ],
  ],
  [
    replicateAfterUpgrade,
    [
      {
        broken: "an HA slave replicates right after its restore",
        shape: "type B, HA master and slave",
        edit: (s) => waitOnly(zone(s, 101).replicateStep, zone(s, 101).restoreStep!),
        violations: ["replicate of zone 101 (S-US-CA) does not wait for upgrade of zone 101 (S-US-CA): the followers get the leader's DB once it is upgraded"],
      },
    ],
  ],
  [
    nodesAfterStart,
    [
      {
        broken: "node packages right after the front-end's upgrade",
        shape: "type B, nodes and hosts.manage",
        edit: (s) => waitOnly(zone(s, 100).nodesStep, zone(s, 100).upgradeStep),
        violations: ["nodes of zone 100 (S-EU-GE) does not wait for start of zone 100 (S-EU-GE): node packages follow the front-end's upgrade"],
      },
    ],
  ],
  [
    nodesBeforeHostSync,
    [
      {
        broken: "onehost sync right after the unfreeze",
        shape: "type B, nodes and hosts.manage",
        edit: (s) => waitOnly(zone(s, 100).hostsEnableStep, zone(s, 100).unfreezeStep!),
        violations: [
          "hosts-enable of zone 100 (S-EU-GE) does not wait for nodes of zone 100 (S-EU-GE): onehost sync pushes the new drivers only once the node packages are upgraded",
        ],
      },
      {
        broken: "nodes without a hosts-enable step",
        shape: "type A, HA, nodes and hosts.manage",
        edit: (s) => remove(maintenanceZone(s, 100).hostsEnableStep),
        violations: ["nodes of zone 100 (S-EU-GE) has no hosts-enable step after it: the hosts would never get onehost sync"],
      },
    ],
  ],
  [
    typeANoFederatedSteps,
    [
      {
        broken: "a federated restore in a type A stack",
        shape: "type A",
        edit: (s, c) => stray(s, c, "restore", 100, maintenanceZone(s, 100).safetyBackupStep),
        violations: ["restore of zone 100 (S-EU-GE) exists in a zone-by-zone (type A) upgrade"],
      },
      {
        broken: "a federated backup in a type A stack",
        shape: "type A",
        edit: (s, c) => stray(s, c, "backup", 0, maintenanceZone(s, 0).upgradeStep),
        violations: ["backup of zone 0 (M-EU-FR) exists in a zone-by-zone (type A) upgrade"],
      },
    ],
  ],
  [
    downloadBeforeWindow,
    [
      {
        broken: "a slave freezes right after the preflight",
        shape: "type B",
        edit: (s) => waitOnly(zone(s, 101).freezeStep, s.preflightStep!),
        violations: [
          "freeze of zone 101 (S-US-CA) does not wait for download of zone 0 (M-EU-FR): the packages are in every cache before the window of frozen or stopped zones opens",
          "freeze of zone 101 (S-US-CA) does not wait for download of zone 100 (S-EU-GE): the packages are in every cache before the window of frozen or stopped zones opens",
          "freeze of zone 101 (S-US-CA) does not wait for download of zone 101 (S-US-CA): the packages are in every cache before the window of frozen or stopped zones opens",
        ],
      },
      {
        broken: "the stage barrier without one zone's download",
        shape: "type B, no freeze",
        edit: (s) => s.downloaded!.after.splice(s.downloaded!.after.indexOf(zone(s, 100).downloadStep), 1),
        violations: [
          "sync of zone 0 (M-EU-FR) does not wait for download of zone 100 (S-EU-GE): the packages are in every cache before the window of frozen or stopped zones opens",
          ...[0, 100, 101].map(
            (id) =>
              `stop of zone ${id} (${["M-EU-FR", "S-EU-GE", "S-US-CA"][[0, 100, 101].indexOf(id)]}) does not wait for download of zone 100 (S-EU-GE): the packages are in every cache before the window of frozen or stopped zones opens`,
          ),
        ],
      },
      {
        broken: "a download without waiting for the preflight",
        shape: "type B, nodes and hosts.manage",
        edit: (s) => waitOnly(zone(s, 100).downloadStep),
        violations: ["download of zone 100 (S-EU-GE) does not wait for preflight of zone 0 (M-EU-FR): nothing runs on a zone before the preflight passed"],
      },
      {
        broken: "a type A zone stops right after its preflight",
        shape: "type A",
        edit: (s) => waitOnly(maintenanceZone(s, 100).stopStep, maintenanceZone(s, 100).preflightStep),
        violations: [
          "stop of zone 100 (S-EU-GE) does not wait for download of zone 100 (S-EU-GE): the packages are in every cache before the window of frozen or stopped zones opens",
        ],
      },
      {
        broken: "a zone without a download",
        shape: "type A",
        edit: (s) => remove(maintenanceZone(s, 101).downloadStep),
        violations: ["stop of zone 101 (S-US-CA) has no download step in its zone: its packages would be fetched inside the window"],
      },
    ],
  ],
  [
    typeAZonesIndependent,
    [
      {
        broken: "a zone's verify waits for another zone's preflight",
        shape: "type A",
        edit: (s) => maintenanceZone(s, 101).verifyStep.addAfter(maintenanceZone(s, 100).preflightStep),
        violations: ["verify of zone 101 (S-US-CA) waits for preflight of zone 100 (S-EU-GE): type A zones must not wait for each other"],
      },
    ],
  ],
  [
    typeAStopAfterOwnPreflight,
    [
      {
        broken: "a zone stops without waiting",
        shape: "type A",
        edit: (s) => waitOnly(maintenanceZone(s, 100).stopStep),
        violations: ["stop of zone 100 (S-EU-GE) does not wait for preflight of zone 100 (S-EU-GE): nothing stops before the zone's preflight passed"],
      },
      {
        broken: "a zone without a preflight",
        shape: "type A",
        edit: (s) => remove(maintenanceZone(s, 101).preflightStep),
        violations: ["stop of zone 101 (S-US-CA) has no preflight"],
      },
    ],
  ],
  [
    stopAfterPreflight,
    [
      {
        broken: "a slave stops without waiting",
        shape: "type B",
        edit: (s) => waitOnly(zone(s, 101).stopStep),
        violations: ["stop of zone 101 (S-US-CA) does not wait for preflight of zone 0 (M-EU-FR): nothing stops before every preflight passed"],
      },
    ],
  ],
  [
    stopAfterSync,
    [
      {
        broken: "a slave stops right after the preflight",
        shape: "type B",
        edit: (s) => waitOnly(zone(s, 101).stopStep, s.preflightStep!),
        violations: ["stop of zone 101 (S-US-CA) does not wait for sync of zone 0 (M-EU-FR): zones stop only once the federation is in sync"],
      },
    ],
  ],
  [
    syncAfterFreeze,
    [
      {
        broken: "the sync right after the preflight",
        shape: "type B",
        edit: (s) => waitOnly(s.syncStep, s.preflightStep!),
        violations: [
          "sync of zone 0 (M-EU-FR) does not wait for freeze of zone 0 (M-EU-FR): FED_INDEX means something only once writes are frozen",
          "sync of zone 0 (M-EU-FR) does not wait for freeze of zone 100 (S-EU-GE): FED_INDEX means something only once writes are frozen",
          "sync of zone 0 (M-EU-FR) does not wait for freeze of zone 101 (S-US-CA): FED_INDEX means something only once writes are frozen",
        ],
      },
    ],
  ],
  [
    masterNeverRestored,
    [
      {
        broken: "a restore on the master",
        shape: "type B",
        edit: (s, c) => stray(s, c, "restore", 0, s.backup!.backupStep),
        violations: ["restore of zone 0 (M-EU-FR) exists: the master is never restored"],
      },
    ],
  ],
  [
    restoreAfterFederatedBackup,
    [
      {
        broken: "a slave restores right after its safety backup",
        shape: "type B",
        edit: (s) => waitOnly(zone(s, 101).restoreStep, zone(s, 101).safetyBackupStep),
        violations: ["restore of zone 101 (S-US-CA) does not wait for backup of zone 0 (M-EU-FR): a slave restores only the upgraded master's backup"],
      },
    ],
  ],
  [
    slaveRestoresBeforeUpgrade,
    [
      {
        broken: "a slave upgrades right after its stop",
        shape: "type B",
        edit: (s) => waitOnly(zone(s, 100).upgradeStep, zone(s, 100).stopStep),
        violations: ["upgrade of zone 100 (S-EU-GE) does not wait for restore of zone 100 (S-EU-GE): a slave is never upgraded before its own restore"],
      },
      {
        broken: "a slave without a restore",
        shape: "type B, HA master and slave",
        edit: (s) => remove(zone(s, 101).restoreStep),
        violations: ["upgrade of zone 101 (S-US-CA) has no restore step: a slave is never upgraded without its federated restore"],
      },
    ],
  ],
  [
    backupExportsUpgradedMaster,
    [
      {
        broken: "the federated backup without waiting",
        shape: "type B",
        edit: (s) => waitOnly(s.backup!.backupStep),
        violations: ["backup of zone 0 (M-EU-FR) does not wait for upgrade of zone 0 (M-EU-FR): the backup exports the upgraded master"],
      },
      {
        broken: "a federated backup on a slave",
        shape: "type B",
        edit: (s, c) => stray(s, c, "backup", 100, s.master!.upgradeStep),
        violations: ["backup of zone 100 (S-EU-GE) is not on the master"],
      },
    ],
  ],
  [
    masterUpgradesAfterEveryStop,
    [
      {
        broken: "the master upgrades once only itself is stopped",
        shape: "type B",
        edit: (s) => waitOnly(s.master!.upgradeStep, s.master!.safetyBackupStep),
        violations: [
          "upgrade of zone 0 (M-EU-FR) does not wait for stop of zone 100 (S-EU-GE): every zone is stopped before the master upgrades",
          "upgrade of zone 0 (M-EU-FR) does not wait for stop of zone 101 (S-US-CA): every zone is stopped before the master upgrades",
        ],
      },
    ],
  ],
  [
    freezeOrder,
    [
      {
        broken: "the master freezes right after the preflight",
        shape: "type B",
        edit: (s) => waitOnly(s.master!.freezeStep, s.preflightStep!),
        violations: [
          "freeze of zone 0 (M-EU-FR) does not wait for freeze of zone 100 (S-EU-GE): slaves are disabled before the master",
          "freeze of zone 0 (M-EU-FR) does not wait for freeze of zone 101 (S-US-CA): slaves are disabled before the master",
        ],
      },
      {
        broken: "a slave unfreezes right after its start",
        shape: "type B",
        edit: (s) => waitOnly(zone(s, 101).unfreezeStep, zone(s, 101).startStep),
        violations: ["unfreeze of zone 101 (S-US-CA) does not wait for unfreeze of zone 0 (M-EU-FR): the master is enabled before the slaves"],
      },
    ],
  ],
  [
    unfreezeAfterEveryStart,
    [
      {
        broken: "the master's firewall lifted once only the master runs",
        shape: "type B, firewall freeze on the master",
        edit: (s) => waitOnly(s.master!.unfreezeStep, s.master!.startStep),
        violations: [
          "unfreeze of zone 0 (M-EU-FR) does not wait for start of zone 100 (S-EU-GE): the freeze is lifted only once every zone runs the new version",
          "unfreeze of zone 0 (M-EU-FR) does not wait for start of zone 101 (S-US-CA): the freeze is lifted only once every zone runs the new version",
        ],
      },
    ],
  ],
  [
    hostsEnableAfterUnfreeze,
    [
      {
        broken: "hosts enabled right after the start",
        shape: "type B, nodes and hosts.manage",
        edit: (s) => waitOnly(zone(s, 101).hostsEnableStep, zone(s, 101).startStep),
        violations: [
          "hosts-enable of zone 101 (S-US-CA) does not wait for unfreeze of zone 101 (S-US-CA): hosts are enabled only after their zone is enabled again",
        ],
      },
    ],
  ],
  [
    freezeAfterHostsDisable,
    [
      {
        broken: "a zone frozen right after the preflight",
        shape: "type B, nodes and hosts.manage",
        edit: (s) => waitOnly(zone(s, 101).freezeStep, s.preflightStep!),
        violations: ["freeze of zone 101 (S-US-CA) does not wait for hosts-disable of zone 101 (S-US-CA): a disabled zone refuses onehost disable"],
      },
    ],
  ],
];

describe.each(RULES.map(([rule, cases]) => [rule.id, rule, cases] as const))("%s", (_id, rule, cases) => {
  it("is silent on every stack the constructs build that it applies to", () => {
    const applies = (Object.keys(FEDERATIONS) as Shape[]).filter((shape) => {
      const graph = StepGraph.of(build(shape).stack);
      if (!(rule.appliesTo?.(graph) ?? true)) return false;
      expect([shape, rule.check(graph)]).toEqual([shape, []]);
      return true;
    });
    expect(applies.length).toBeGreaterThan(0);
  });

  it.each(cases.map((c) => [c.broken, c] as const))("names %s", (_broken, c) => {
    const { stack, config } = build(c.shape);
    c.edit(stack, config);
    const graph = StepGraph.of(stack);
    expect(rule.appliesTo?.(graph) ?? true).toBe(true);
    expect(rule.check(graph)).toEqual(c.violations);
    expect(new GraphInvariants(stack).validate()).toEqual(expect.arrayContaining([...c.violations]));
  });
});

describe("the upgrade graph pack", () => {
  const dir = path.resolve(__dirname, "../../lib/synth/invariants");
  const machinery = ["graph-invariants.ts", "graph-rule.ts", "step-graph.ts", "upgrade-graph-pack.ts"];

  it("holds every rule file once, each rule's id being its file name, each with a table above", async () => {
    const files = fs.readdirSync(dir).filter((f) => f.endsWith(".ts") && !machinery.includes(f));
    const modules = (await Promise.all(files.map((f) => import(path.join(dir, f))))) as Record<string, GraphRule>[];
    const fromFiles = modules.map((m) => Object.values(m)[0]);
    expect(fromFiles.map((r) => r.id).sort()).toEqual(files.map((f) => f.replace(/\.ts$/, "")).sort());
    expect([...UPGRADE_GRAPH_PACK].sort((a, b) => a.id.localeCompare(b.id))).toEqual([...fromFiles].sort((a, b) => a.id.localeCompare(b.id)));
    expect(RULES.map(([rule]) => rule.id).sort()).toEqual(UPGRADE_GRAPH_PACK.map((r) => r.id).sort());
  });

  it("applies the type A rules to zone-by-zone stacks only and the type B rules to coordinated ones only", () => {
    const applying = (shape: Shape) => {
      const graph = StepGraph.of(build(shape).stack);
      return UPGRADE_GRAPH_PACK.filter((r) => r.appliesTo?.(graph) ?? true).map((r) => r.id);
    };
    const everyUpgrade = [
      "safety-backup-first",
      "ha-replicates-before-start",
      "replicate-after-upgrade",
      "nodes-after-start",
      "nodes-before-host-sync",
      "download-before-window",
    ];
    expect(applying("type A")).toEqual([...everyUpgrade, "type-a-no-federated-steps", "type-a-zones-independent", "type-a-stop-after-own-preflight"]);
    expect(applying("type B")).toEqual(UPGRADE_GRAPH_PACK.map((r) => r.id).filter((id) => !id.startsWith("type-a-")));
  });

  it("reports every violation of every rule at once, each with its rule", () => {
    const { stack } = build("type B");
    waitOnly(zone(stack, 100).upgradeStep, zone(stack, 100).stopStep);
    waitOnly(zone(stack, 101).stopStep);
    const violations = checkGraph(StepGraph.of(stack), UPGRADE_GRAPH_PACK);
    expect(violations).toEqual(
      expect.arrayContaining([
        {
          rule: "slave-restores-before-upgrade",
          message: "upgrade of zone 100 (S-EU-GE) does not wait for restore of zone 100 (S-EU-GE): a slave is never upgraded before its own restore",
        },
        {
          rule: "stop-after-preflight",
          message: "stop of zone 101 (S-US-CA) does not wait for preflight of zone 0 (M-EU-FR): nothing stops before every preflight passed",
        },
      ]),
    );
    expect(new GraphInvariants(stack).validate()).toEqual(violations.map((v) => v.message));
    expect(() => Testing.synth(stack, true)).toThrow(/nothing stops before every preflight passed[\s\S]*a slave is never upgraded before its own restore/);
  });
});

describe("the step graph", () => {
  const zone0 = { id: 0, name: "M-EU-FR", role: "master" as const, frontends: [{ host: "192.168.150.1", port: 22 }] };
  const step = (name: GraphStep["step"], ...after: GraphNode[]): GraphStep => ({ step: name, zone: zone0, upgradeType: "B", after });

  it("finds everything a step waits for, directly or not", () => {
    const stop = step("stop");
    const backup = step("safety-backup", stop);
    const upgrade = step("upgrade", backup);
    const graph = new StepGraph([stop, backup, upgrade]);
    expect([...graph.ancestors(upgrade)]).toEqual(expect.arrayContaining([stop, backup]));
    expect(graph.mustFollow(upgrade, stop, "why")).toEqual([]);
    expect(graph.mustFollow(stop, upgrade, "why")).toEqual(["stop of zone 0 (M-EU-FR) does not wait for upgrade of zone 0 (M-EU-FR): why"]);
    expect(graph.inZone("safety-backup", 0)).toBe(backup);
    expect(graph.inZone("safety-backup", 100)).toBeUndefined();
  });

  it("follows paths through stage barriers, which are not steps", () => {
    const start = step("start");
    const unfreeze = step("unfreeze", start);
    const barrier = { description: "every zone is back", after: [unfreeze] };
    const verify = step("verify", barrier);
    const graph = new StepGraph([start, unfreeze, verify]);
    expect(graph.ancestors(verify)).toEqual(new Set([unfreeze, start]));
    expect(graph.mustFollow(verify, start, "why")).toEqual([]);
    barrier.after.pop();
    expect(new StepGraph([start, unfreeze, verify]).mustFollow(verify, start, "why")).toEqual([
      "verify of zone 0 (M-EU-FR) does not wait for start of zone 0 (M-EU-FR): why",
    ]);
  });

  it("proves every rule on a 100-zone stack, whose verifies wait for every zone through one barrier", () => {
    const config = largeFederation(100).parse();
    const stack = new FederationUpgrade(Testing.app(), "s", { config, runner });
    expect(new GraphInvariants(stack).validate()).toEqual([]);
    const graph = StepGraph.of(stack);
    const verify = graph.inZone("verify", 150)!;
    // Its own zone's last step (drawn by the Zone) and the barrier: no other zone's step directly.
    expect(verify.after.length).toBe(2);
    expect(verify.after.includes(stack.back!)).toBe(true);
    expect(graph.of("hosts-enable").every((h) => graph.ancestors(verify).has(h))).toBe(true);
  });

  it("ends on a cycle, which terraform reports", () => {
    const a = { step: "stop", zone: zone0, upgradeType: "B", after: [] as GraphStep[] } satisfies GraphStep;
    const b = step("upgrade", a);
    a.after.push(b);
    expect(new StepGraph([a, b]).ancestors(a)).toEqual(new Set([a, b]));
  });
});
