import "cdktf/lib/testing/adapters/jest";
import * as fs from "fs";
import * as path from "path";
import { App, Testing } from "../../lib/synth/cdk";
import { FederationUpgrade } from "../../lib/synth/constructs/federation-upgrade";
import { GraphInvariants } from "../../lib/synth/invariants/graph-invariants";
import { StepResource } from "../../lib/synth/constructs/step-resource";
import { seedFederation } from "../support/federation-builder";
import { largeFederation } from "../support/large-federation";
import { buildStepGraph } from "../../lib/terraform/review/step-graph";

// An absolute artifact directory keeps the snapshot independent of where the repo is checked out.
const seed = seedFederation().with({ backup: { localDirectory: "/var/lib/onefed/artifacts" } });
const config = seed.parse();
// Fixed runner and config path so the snapshot does not depend on where the repo is checked out.
const runner = { command: ["/usr/bin/node", "/opt/onefed/dist/lib/cli/onefed.js"], configPath: "/etc/onefed/federation.yaml" };

function build() {
  const app = Testing.app();
  const stack = new FederationUpgrade(app, "federation-seed", { config, runner });
  return { app, stack, json: JSON.parse(Testing.synth(stack)) };
}

type Tf = { resource: { null_resource: Record<string, { depends_on?: string[]; triggers: Record<string, string> }> } };

/**
 * Every step each step transitively waits for, read from the synthesized JSON as the review reads it
 * (a chain's steps in provisioner order, a barrier as the steps behind it), each step named
 * zone_<id>_<step> whatever resource runs it ("zone_0_preflight", "zone_0_backup", "zone_100_restore").
 */
function ancestors(json: unknown): Map<string, Set<string>> {
  const graph = buildStepGraph(json);
  const key = new Map(graph.nodes.map((n) => [n.id, `zone_${n.zoneId}_${n.step.replace(/-/g, "_")}`]));
  const memo = new Map<string, Set<string>>();
  // Nodes come in stage order: every predecessor's set is known.
  for (const n of graph.nodes) memo.set(key.get(n.id)!, new Set(n.after.flatMap((d) => [key.get(d)!, ...memo.get(key.get(d)!)!])));
  return memo;
}

/** The stack alone, not synthesized: its steps are folded into chains at synth, after an edge a test cuts. */
function unsynthesized() {
  const app = Testing.app();
  return { app, stack: new FederationUpgrade(app, "federation-seed", { config, runner }) };
}

describe("FederationUpgrade stack", () => {
  it("matches the snapshot of the seed federation", () => {
    expect(build().json).toMatchSnapshot();
  });

  it("has one resource per run of a zone's back-to-back steps, and two stage barriers", () => {
    const names = Object.keys(build().json.resource.null_resource).sort();
    // The master's freeze and the sync (which waits for it alone), its stop and safety backup, its
    // upgrade and the federated backup; a slave's restore, upgrade and start. A slave's stop stays
    // alone: the master's upgrade waits for it, and must not wait for the slave's safety backup too.
    expect(names).toEqual(
      [
        "federation_preflight",
        "stage_every_zone_back",
        "stage_every_zone_downloaded",
        ...["download", "freeze_to_sync", "start", "stop_to_safety_backup", "unfreeze", "upgrade_to_backup", "verify"].map((s) => `zone_0_${s}`),
        ...[100, 101].flatMap((z) => ["download", "freeze", "restore_to_start", "safety_backup", "stop", "unfreeze", "verify"].map((s) => `zone_${z}_${s}`)),
      ].sort(),
    );
    const graph = buildStepGraph(build().json);
    // Every step still there, once: 8 per zone, a restore per slave, the preflight, the sync and the backup.
    expect(graph.nodes).toHaveLength(3 * 8 + 2 + 3);
    expect(graph.nodes.filter((n) => n.step === "restore").map((n) => n.zoneId)).toEqual([100, 101]);
  });

  it("runs a chain's steps as provisioners in order, and names them in its triggers", () => {
    const res = build().json.resource.null_resource;
    const chain = res.zone_100_restore_to_start;
    expect(chain.triggers).toMatchObject({ steps: "restore,upgrade,start", zone_id: "100" });
    expect(chain.triggers.step).toBeUndefined();
    expect(
      chain.provisioner.map((p: { "local-exec": { command: string } }) =>
        p["local-exec"].command
          .match(/ step (\S+) --zone (\d+)/)!
          .slice(1)
          .join(" "),
      ),
    ).toEqual(["restore 100", "upgrade 100", "start 100"]);
    expect(chain.depends_on.sort()).toEqual(["null_resource.zone_0_upgrade_to_backup", "null_resource.zone_100_safety_backup"]);
    // A step alone keeps the resource and the triggers it always had.
    expect(res.zone_100_safety_backup.triggers).toMatchObject({ step: "safety-backup", zone_id: "100" });
    expect(res.zone_100_safety_backup.provisioner).toHaveLength(1);
  });

  it("carries readable triggers for review", () => {
    const { stack } = build();
    expect(Testing.synth(stack)).toHaveResourceWithProperties({ tfResourceType: "null_resource" } as never, {
      triggers: expect.objectContaining({ step: "safety-backup", zone_id: "100", zone_name: "S-EU-GE", from_version: "6.10.0", to_version: "7.0.0" }),
    });
  });

  it("orders the procedure only through edges", () => {
    const a = ancestors(build().json);
    for (const zone of [0, 100, 101]) {
      expect(a.get(`zone_${zone}_freeze`)).toContain("zone_0_preflight");
      expect(a.get(`zone_${zone}_stop`)).toContain("zone_0_preflight");
      expect(a.get(`zone_${zone}_stop`)).toContain("zone_0_sync");
    }
    for (const s of [100, 101]) {
      expect(a.get(`zone_${s}_restore`)).toContain("zone_0_backup");
      expect(a.get(`zone_${s}_upgrade`)).toContain(`zone_${s}_restore`);
      expect(a.get("zone_0_freeze")).toContain(`zone_${s}_freeze`);
      expect(a.get(`zone_${s}_unfreeze`)).toContain("zone_0_unfreeze");
    }
    expect(a.get("zone_0_backup")).toContain("zone_0_upgrade");
    // Every download before the first freeze, through the barrier; every verify after every zone is back.
    for (const z of [0, 100, 101]) {
      expect(a.get(`zone_${z}_download`)).toContain("zone_0_preflight");
      for (const other of [0, 100, 101]) {
        expect(a.get(`zone_${other}_freeze`)).toContain(`zone_${z}_download`);
        expect(a.get(`zone_${other}_verify`)).toContain(`zone_${z}_unfreeze`);
      }
    }
    // Independent slaves run in parallel: neither waits for the other's restore.
    expect(a.get("zone_101_upgrade")).not.toContain("zone_100_restore");
    expect(a.get("zone_100_upgrade")).not.toContain("zone_101_restore");
  });

  it("changes only the affected resources' triggers when the target version changes", () => {
    const other = seedFederation()
      .with({ federation: { toVersion: "7.2.0" } })
      .parse();
    const stack = new FederationUpgrade(Testing.app(), "s", { config: other, runner });
    const before = build().json.resource.null_resource;
    const after = JSON.parse(Testing.synth(stack)).resource.null_resource;
    expect(after.zone_0_upgrade_to_backup.triggers.to_version).toBe("7.2.0");
    expect(after.zone_0_upgrade_to_backup.triggers.plan_sha256).not.toBe(before.zone_0_upgrade_to_backup.triggers.plan_sha256);
  });

  it("keeps secrets and key material out of the synthesized JSON", () => {
    const text = Testing.synth(build().stack);
    const key = fs.readFileSync(config.ssh.privateKeyPath!, "utf8");
    expect(text).not.toContain(key.split("\n")[1]);
    expect(text).not.toContain("id_ed25519");
    expect(text).not.toContain("PRIVATE KEY");
  });

  it("publishes a drift-check result as an output that plans show, without touching any step", () => {
    const drift = {
      federation: "seed",
      fromVersion: "6.10.0",
      toVersion: "7.0.0",
      facts: {
        gatheredAt: "t",
        frontends: [
          {
            zoneId: 101,
            frontend: "192.168.150.3:22",
            installedVersion: "6.8.1",
            db: { status: "up-to-date" as const, shared: "6.8.0", local: "6.8.0" },
            services: { opennebula: "active" },
          },
        ],
      },
      results: [{ check: "version-as-declared", status: "finding" as const, summary: "zone 101 (S-US-CA): expected 6.10.0, found 6.8.1" }],
      couldNotCheck: false,
      ready: false,
      exitCode: 3 as const,
    };
    const stack = new FederationUpgrade(Testing.app(), "s", { config, runner, drift });
    const json = JSON.parse(Testing.synth(stack));
    expect(json.output.drift_check.value).toEqual({
      verdict: "drift",
      findings: ["[version-as-declared] zone 101 (S-US-CA): expected 6.10.0, found 6.8.1"],
      observed: ["zone 101 192.168.150.3:22: 6.8.1 db 6.8.0/6.8.0 oned active"],
    });
    expect(json.resource).toEqual(build().json.resource);
  });

  it("keeps the graph O(N) at 100 zones: stage barriers instead of every-to-every edges", () => {
    const config = largeFederation(100).parse();
    const stack = new FederationUpgrade(Testing.app(), "federation-large", { config, runner });
    const resources = Object.values((JSON.parse(Testing.synth(stack)) as Tf).resource.null_resource);
    const edges = resources.reduce((n, r) => n + (r.depends_on ?? []).length, 0);
    // 100 zones with hosts.manage: 10 steps per zone, 99 restores, preflight, sync, backup (1,102 steps) in
    // 7 resources per slave (download, hosts-disable + freeze, stop, safety-backup, restore to start,
    // unfreeze + hosts-enable, verify), 9 for the master, the preflight and 2 barriers.
    expect(buildStepGraph(JSON.parse(Testing.synth(stack))).nodes).toHaveLength(100 * 10 + 99 + 3);
    expect(resources).toHaveLength(99 * 7 + 9 + 1 + 2);
    // Without the barriers every verify waited for every zone's hosts-enable and every first write for every download: over 30,000.
    // With them, a few per zone (1,498 at 100 zones).
    expect(edges).toBeLessThan(20 * 100);
    expect(Math.max(...resources.map((r) => (r.depends_on ?? []).length))).toBeLessThanOrEqual(200);
  });

  it("builds independent zone chains for a type A (maintenance) upgrade", () => {
    const a = seed.with({ federation: { toVersion: "6.10.5" } }).parse();
    const stack = new FederationUpgrade(Testing.app(), "federation-seed-a", { config: a, runner });
    const json = JSON.parse(Testing.synth(stack));
    expect(json).toMatchSnapshot();
    const names = Object.keys(json.resource.null_resource);
    // A type A zone's steps wait for each other alone: one resource per zone, its steps in order.
    expect(names.sort()).toEqual(["zone_0_preflight_to_verify", "zone_100_preflight_to_verify", "zone_101_preflight_to_verify"]);
    expect(buildStepGraph(json).nodes).toHaveLength(3 * 7);
    expect(names.some((n) => /freeze|restore|backup$|sync/.test(n.replace("safety_backup", "")))).toBe(false);
    const anc = ancestors(json);
    for (const [n, set] of anc) for (const d of set) expect(d.split("_")[1]).toBe(n.split("_")[1]);
    expect(json.resource.null_resource.zone_100_preflight_to_verify.triggers.upgrade_type).toBe("A (zone by zone)");
    expect(new GraphInvariants(stack).validate()).toEqual([]);
  });

  it("gives HA zones a replicate step between the leader's upgrade and the start (1 HA master + HA slave + solo slave)", () => {
    const ha = seed.withHa(0, ["192.168.150.1", "192.168.150.11", "192.168.150.12"]).withHa(101, ["192.168.150.3", "192.168.150.31", "192.168.150.32"]).parse();
    const stack = new FederationUpgrade(Testing.app(), "federation-seed-ha", { config: ha, runner });
    const json = JSON.parse(Testing.synth(stack));
    expect(json).toMatchSnapshot();
    expect(
      buildStepGraph(json)
        .nodes.filter((n) => n.step === "replicate")
        .map((n) => n.zoneId),
    ).toEqual([0, 101]);
    const a = ancestors(json);
    for (const z of [0, 101]) {
      expect(a.get(`zone_${z}_replicate`)).toContain(`zone_${z}_upgrade`);
      expect(a.get(`zone_${z}_start`)).toContain(`zone_${z}_replicate`);
    }
    // The HA slave's federated restore goes to its leader before its HA upgrade (docs/opennebula.md §4.4 step 5).
    expect(a.get("zone_101_upgrade")).toContain("zone_101_restore");
    expect(a.get("zone_101_replicate")).toContain("zone_101_restore");
    // The export from the master's leader does not wait for the master's followers.
    expect(a.get("zone_0_backup")).not.toContain("zone_0_replicate");
    expect(json.resource.null_resource.zone_101_stop.triggers.frontends).toBe("192.168.150.3:22,192.168.150.31:22,192.168.150.32:22");
    expect(new GraphInvariants(stack).validate()).toEqual([]);
  });

  it("fails synth when an HA zone could start before its followers hold the leader's DB", () => {
    const ha = seedFederation().withHa(101, ["192.168.150.3", "192.168.150.31"]).parse();
    const stack = new FederationUpgrade(Testing.app(), "s", { config: ha, runner });
    const z = stack.slaves[1];
    z.startStep.after.splice(0, z.startStep.after.length, z.upgradeStep);
    expect(new GraphInvariants(stack).validate().join("\n")).toMatch(
      /start of zone 101 \(S-US-CA\) does not wait for replicate of zone 101 \(S-US-CA\): an HA zone starts only once every follower holds the leader's upgraded DB/,
    );
  });

  it("upgrades the listed hypervisor hosts' node packages after the zone runs again and before onehost sync", () => {
    const shaped = seed
      .withZone(100, {
        packages: { manager: "dnf" },
        nodes: [
          { name: "kvm-ge-1", host: "192.168.150.21" },
          { name: "kvm-ge-2", host: "192.168.150.22" },
        ],
      })
      .with({ hosts: { manage: true } })
      .parse();
    const stack = new FederationUpgrade(Testing.app(), "federation-seed-nodes", { config: shaped, runner });
    const json = JSON.parse(Testing.synth(stack));
    expect(json).toMatchSnapshot();
    const res = json.resource.null_resource;
    expect(Object.keys(res).filter((n) => n.endsWith("_nodes"))).toEqual(["zone_100_nodes"]);
    const a = ancestors(json);
    expect(a.get("zone_100_nodes")).toContain("zone_100_start");
    expect(a.get("zone_100_hosts_enable")).toContain("zone_100_nodes");
    expect(res.zone_100_nodes.triggers.does).toMatch(/opennebula-node-<kvm\|lxc>/);
    expect(res.zone_100_restore_to_start.triggers.plan_sha256).not.toBe(res.zone_101_restore_to_start.triggers.plan_sha256);
    expect(new GraphInvariants(stack).validate()).toEqual([]);
  });

  it("fails synth when onehost sync could run before the node packages", () => {
    const withNodes = seedFederation()
      .withNodes(100, [{ name: "kvm-ge-1", host: "192.168.150.21" }])
      .with({ hosts: { manage: true } })
      .parse();
    const stack = new FederationUpgrade(Testing.app(), "s", { config: withNodes, runner });
    const z = stack.slaves[0];
    z.hostsEnableStep!.after.splice(0, z.hostsEnableStep!.after.length, z.unfreezeStep!);
    expect(new GraphInvariants(stack).validate().join("\n")).toMatch(
      /hosts-enable of zone 100 \(S-EU-GE\) does not wait for nodes of zone 100 \(S-EU-GE\): onehost sync pushes the new drivers only once the node packages are upgraded/,
    );
  });

  it("passes its graph invariants", () => {
    const { stack } = build();
    expect(new GraphInvariants(stack).validate()).toEqual([]);
  });

  it("fails synth when a slave would upgrade before its restore", () => {
    const { app, stack } = unsynthesized();
    const slave = stack.slaves[0]!;
    slave.upgradeStep.after.splice(0, slave.upgradeStep.after.length, slave.stopStep);
    const errors = new GraphInvariants(stack).validate();
    expect(errors.join("\n")).toMatch(
      /upgrade of zone 100 \(S-EU-GE\) does not wait for restore of zone 100 \(S-EU-GE\): a slave is never upgraded before its own restore/,
    );
    expect(() => app.synth()).toThrow(/a slave is never upgraded before its own restore/);
  });

  it("fails synth when the master would be restored", () => {
    const { stack } = unsynthesized();
    new StepResource(stack, "bad-restore", { step: "restore", zone: config.master, config, runner, after: [stack.backup!.backupStep], resourceName: "bad" });
    expect(new GraphInvariants(stack).validate().join("\n")).toMatch(/restore of zone 0 \(M-EU-FR\) exists: the master is never restored/);
  });

  it("fails synth when a zone could stop before the preflight", () => {
    const { stack } = unsynthesized();
    const stop = stack.slaves[1].stopStep;
    stop.after.splice(0, stop.after.length);
    expect(new GraphInvariants(stack).validate().join("\n")).toMatch(/stop of zone 101 \(S-US-CA\) does not wait for preflight of zone 0/);
  });

  it("synthesizes with a real App (validations on)", () => {
    const outdir = fs.mkdtempSync(path.join(require("os").tmpdir(), "onefed-synth-"));
    const app = new App({ outdir });
    new FederationUpgrade(app, "federation-seed", { config, runner });
    app.synth();
    expect(fs.existsSync(path.join(outdir, "stacks/federation-seed/cdk.tf.json"))).toBe(true);
  });
});
