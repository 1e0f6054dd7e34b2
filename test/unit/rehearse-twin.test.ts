/**
 * `onefed rehearse` without machines: the twin's shape from a federation file (ids, names, roles,
 * HA servers, nodes, package manager, DB backend), the sandbox's explicit layout it becomes, the
 * twin's federation file (the real upgrade settings over the sandbox's machines) synthesizing the
 * reviewed step graph exactly, and the refusal when the graphs differ.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse as parseYaml } from "yaml";
import { synthesize } from "../../lib/synth/synthesize";
import { buildStepGraph, type StepGraph } from "../../lib/terraform/review/step-graph";
import { RehearsalMismatchError, TwinShapeError } from "../../lib/terraform/rehearse/errors";
import { stepGraphDifferences } from "../../lib/terraform/rehearse/graph-equality";
import { twinFederationDocument } from "../../lib/terraform/rehearse/twin-federation-file";
import { twinProblems, twinShapeOf, type TwinShape } from "../../lib/terraform/rehearse/twin-shape";
import { ExitCode } from "../../lib/model/exit-codes";
import { StalePlanError } from "../../lib/terraform/errors";
import { BUNDLE_FORMAT, writeBundle } from "../../lib/terraform/review/bundle";
import { sha256File } from "../../lib/terraform/review/fingerprint";
import { parseInjection } from "../../lib/terraform/rehearse/injection";
import { rehearse } from "../../lib/terraform/rehearse/rehearse";
import type { TwinSandbox } from "../../lib/terraform/rehearse/twin-sandbox";
import { renderFederationFile } from "../../sandbox/federation-file";
import { planSandbox } from "../../sandbox/prepare";
import { zoneSpecProblems } from "../../sandbox/topology";
import { FIXTURES_DIR, seedFederation } from "../support/federation-builder";

/** A federation nothing like the sandbox's numbered layout: other ids and names, an HA dnf zone, a MySQL zone with nodes. */
const REAL = seedFederation()
  // Every zone on MySQL: a type B upgrade restores the master's federated dump into each slave (one backend).
  .with({ hosts: { manage: true }, backup: { localDirectory: "./prod-artifacts" }, database: { backend: "mysql", passwordEnv: "PROD_DB_PASSWORD" } })
  .withZones([
    { id: 3, name: "HQ-PARIS", role: "master", endpoint: "http://10.1.0.1:2633/RPC2", frontends: [{ host: "10.1.0.1" }], stepTimeoutSeconds: 1800 },
    {
      id: 7,
      name: "BRANCH-A",
      role: "slave",
      endpoint: "http://10.2.0.100:2633/RPC2",
      frontends: [{ host: "10.2.0.1" }, { host: "10.2.0.2" }, { host: "10.2.0.3" }],
      packages: { manager: "dnf" },
    },
    {
      id: 12,
      name: "BRANCH-B",
      role: "slave",
      endpoint: "http://10.3.0.1:2633/RPC2",
      frontends: [{ host: "10.3.0.1", port: 2222 }],
      database: { backend: "mysql", passwordEnv: "PROD_DB_PASSWORD", server: "db.branch-b", port: 3306, user: "one", name: "opennebula" },
      nodes: [
        { name: "kvm-b-01", host: "10.3.1.1" },
        { name: "kvm-b-02", host: "10.3.1.2" },
      ],
    },
  ]);

const tmp = (): string => fs.mkdtempSync(path.join(os.tmpdir(), "onefed-rehearse-unit-"));

function graphOf(configPath: string): StepGraph {
  const out = tmp();
  try {
    const { stack, outdir } = synthesize({ configPath, outdir: out });
    return buildStepGraph(JSON.parse(fs.readFileSync(path.join(outdir, "stacks", stack, "cdk.tf.json"), "utf8")));
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
}

/** The twin's directory as `sandbox up` would leave it for the runner: federation.yaml, a key and known_hosts (fixtures). */
function twinDirOf(shape: TwinShape): { dir: string; sandboxFile: string } {
  const dir = tmp();
  const reg = planSandbox(
    { dir, addressBase: "127.0.200.1", federationName: shape.federationName, from: shape.fromVersion, to: shape.toVersion, zones: shape.zones },
    "node",
    "emu",
  );
  fs.mkdirSync(path.join(dir, "keys"));
  fs.copyFileSync(path.join(FIXTURES_DIR, "id_ed25519_fixture"), path.join(dir, "keys", "id_ed25519"));
  fs.copyFileSync(path.join(FIXTURES_DIR, "known_hosts"), path.join(dir, "known_hosts"));
  const sandboxFile = path.join(dir, "federation.yaml");
  fs.writeFileSync(sandboxFile, renderFederationFile(reg));
  return { dir, sandboxFile };
}

describe("the twin's shape (twinShapeOf)", () => {
  const config = REAL.parse();

  it("keeps every zone's id, name, role order, servers, nodes, package manager and DB backend, and the plan's versions", () => {
    expect(twinShapeOf(config)).toEqual({
      federationName: "seed",
      fromVersion: "6.10.0",
      toVersion: "7.0.0",
      zones: [
        { id: 3, name: "HQ-PARIS", servers: 1, nodes: [], packageManager: "apt", dbBackend: "mysql" },
        { id: 7, name: "BRANCH-A", servers: 3, nodes: [], packageManager: "dnf", dbBackend: "mysql" },
        { id: 12, name: "BRANCH-B", servers: 1, nodes: ["kvm-b-01", "kvm-b-02"], packageManager: "apt", dbBackend: "mysql" },
      ],
    });
    expect(twinProblems(config)).toEqual([]);
  });

  it("puts the master first whatever the file's order", () => {
    const slaveFirst = REAL.withZones((zs) => [zs[1], zs[0], zs[2]]).parse();
    expect(twinShapeOf(slaveFirst).zones.map((z) => z.id)).toEqual([3, 7, 12]);
  });

  it("says what the sandbox cannot twin: more than 7 servers, more than 8 nodes, LXC nodes", () => {
    const wide = REAL.withHa(
      7,
      Array.from({ length: 8 }, (_, i) => `10.2.0.${i + 1}`),
    )
      .withNodes(3, [{ name: "lxc-1", host: "10.1.1.1", hypervisor: "lxc" }])
      .withNodes(
        12,
        Array.from({ length: 9 }, (_, i) => ({ name: `kvm-${i}`, host: `10.3.1.${i + 1}` })),
      )
      .parse();
    expect(twinProblems(wide)).toEqual([
      "node lxc-1 of zone 3 is lxc, the twin's nodes are KVM only",
      "zone 7 has 8 front-ends, the twin at most 7",
      "zone 12 lists 9 nodes, the twin at most 8 per zone",
    ]);
    const err = new TwinShapeError("/srv/fed/federation.yaml", twinProblems(wide));
    expect(err.exitCode).toBe(ExitCode.Usage);
    expect(err.message).toMatch(/^the federation in \/srv\/fed\/federation\.yaml cannot be rehearsed on a sandbox twin: node lxc-1 .*Nothing was started\./);
  });
});

describe("the sandbox's explicit layout (zones)", () => {
  const shape = twinShapeOf(REAL.parse());

  it("builds those ids, names, HA servers with a floating IP, nodes by name, dnf and MySQL zones, master first", () => {
    const reg = planSandbox({ dir: "/tmp/onefed-twin-plan", addressBase: "127.0.200.1", zones: shape.zones }, "node", "emu");
    expect(
      reg.zones.map((z) => ({
        id: z.id,
        name: z.name,
        role: z.role,
        endpoint: z.endpoint,
        fes: z.frontends.map((f) => `${f.name}@${f.host}#${f.serverId}`),
        nodes: (z.nodes ?? []).map((n) => `${n.name}=${n.hostName}@${n.host}`),
        pm: z.packageManager,
        db: z.dbBackend,
      })),
    ).toEqual([
      {
        id: 3,
        name: "HQ-PARIS",
        role: "master",
        endpoint: "http://127.0.200.1:2633/RPC2",
        fes: ["zone3-server0@127.0.200.1#-1"],
        nodes: [],
        pm: undefined,
        db: "mysql",
      },
      {
        id: 7,
        name: "BRANCH-A",
        role: "slave",
        endpoint: "http://127.0.200.6:2633/RPC2",
        fes: ["zone7-server0@127.0.200.2#0", "zone7-server1@127.0.200.3#1", "zone7-server2@127.0.200.4#2"],
        nodes: [],
        pm: "dnf",
        db: "mysql",
      },
      {
        id: 12,
        name: "BRANCH-B",
        role: "slave",
        endpoint: "http://127.0.200.5:2633/RPC2",
        fes: ["zone12-server0@127.0.200.5#-1"],
        nodes: ["zone12-node0=kvm-b-01@127.0.200.7", "zone12-node1=kvm-b-02@127.0.200.8"],
        pm: undefined,
        db: "mysql",
      },
    ]);
  });

  it("gives the numbered layout's options the same addresses as before (the explicit path is a refactor, not a change)", () => {
    const numbered = planSandbox({ dir: "/tmp/onefed-twin-plan", ha: [0, 101], nodes: 1, dnfZones: [100], mysqlZones: [101] }, "node", "emu");
    const explicit = planSandbox(
      {
        dir: "/tmp/onefed-twin-plan",
        zones: [
          { id: 0, name: "M-EU-FR", servers: 3, nodes: ["kvm-0-0"] },
          { id: 100, name: "S-EU-GE", nodes: ["kvm-100-0"], packageManager: "dnf" },
          { id: 101, name: "S-US-CA", servers: 3, nodes: ["kvm-101-0"], dbBackend: "mysql" },
        ],
      },
      "node",
      "emu",
    );
    expect(explicit.zones).toEqual(numbered.zones);
  });

  it("refuses a layout it cannot build, every problem at once, and the numbered options beside it", () => {
    expect(
      zoneSpecProblems([
        { id: 1, name: "A", servers: 8 },
        { id: 1, name: "bad name" },
        { id: -2, name: "A", nodes: Array.from({ length: 9 }, (_, i) => `n${i}`) },
      ]),
    ).toEqual([
      "zone id -2 must be an integer from 0 to 65535",
      "zone ids must be unique (got 1, 1, -2)",
      'zone 1: name "bad name" must be letters, digits and . _ - (at most 128)',
      "zone names must be unique (got A, bad name, A)",
      "zone 1: servers must be 1 (solo) or an integer from 2 to 7 (got 8)",
      "zone -2: at most 8 nodes (got 9)",
    ]);
    expect(() => planSandbox({ dir: "/tmp/onefed-twin-plan", zones: [{ id: 0, name: "M" }], ha: [0], slaves: 1 }, "node", "emu")).toThrow(
      /zones \(an explicit layout\) excludes slaves, ha/,
    );
    expect(() => planSandbox({ dir: "/tmp/onefed-twin-plan", zones: [] }, "node", "emu")).toThrow(/zones must list at least the master zone/);
  });
});

describe("the twin's federation file", () => {
  const realFile = REAL.write();
  const shape = twinShapeOf(REAL.parse(realFile));
  const { dir, sandboxFile } = twinDirOf(shape);
  const doc = twinFederationDocument(fs.readFileSync(realFile, "utf8"), fs.readFileSync(sandboxFile, "utf8"));
  const twinFile = path.join(dir, "rehearsal.yaml");
  fs.writeFileSync(twinFile, JSON.stringify(doc, null, 2));
  afterAll(() => {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(path.dirname(realFile), { recursive: true, force: true });
  });

  it("reaches only the twin: its machines, login, known_hosts, DB stand-in, artifacts and state", () => {
    const text = JSON.stringify(doc);
    for (const real of ["10.1.0.1", "10.2.0.", "10.3.", "db.branch-b", "PROD_DB_PASSWORD", "prod-artifacts", "2222"]) expect(text).not.toContain(real);
    const sandbox = parseYaml(fs.readFileSync(sandboxFile, "utf8")) as Record<string, unknown>;
    expect(doc.ssh).toEqual(sandbox.ssh);
    expect(doc.backup).toEqual(sandbox.backup);
    expect(doc.terraform).toEqual(sandbox.terraform);
  });

  it("keeps the real upgrade settings: versions, hosts.manage, zone order, per-zone step timeouts", () => {
    expect(doc.federation).toEqual({ name: "seed", fromVersion: "6.10.0", toVersion: "7.0.0" });
    expect(doc.hosts).toEqual({ manage: true });
    const zones = doc.zones as Array<Record<string, unknown>>;
    expect(zones.map((z) => [z.id, z.name, z.role, z.stepTimeoutSeconds])).toEqual([
      [3, "HQ-PARIS", "master", 1800],
      [7, "BRANCH-A", "slave", undefined],
      [12, "BRANCH-B", "slave", undefined],
    ]);
  });

  it("synthesizes the reviewed step graph exactly: same steps, zones, stages and order", () => {
    const reviewed = graphOf(realFile);
    const twin = graphOf(twinFile);
    expect(stepGraphDifferences(reviewed, twin)).toEqual([]);
    // Not vacuous: the HA zone replicates, the MySQL zone's nodes are upgraded, every zone's hosts are managed.
    expect(reviewed.nodes.map((n) => n.id)).toEqual(expect.arrayContaining(["zone_7_replicate", "zone_12_nodes", "zone_3_hosts_disable"]));
    expect(twin.nodes.find((n) => n.id === "zone_7_upgrade")!.frontends).toBe("127.0.200.2:22,127.0.200.3:22,127.0.200.4:22");
  });

  it("refuses a twin whose plan is another one, saying what differs", () => {
    const reviewed = graphOf(realFile);
    const otherFile = path.join(dir, "other.yaml");
    // A twin with a solo zone 7 and no nodes in zone 12: steps missing, another front-end count.
    const zones = (doc.zones as Array<Record<string, unknown>>).map((z) =>
      z.id === 7
        ? { ...z, frontends: (z.frontends as unknown[]).slice(0, 1), endpoint: "http://127.0.200.2:2633/RPC2" }
        : z.id === 12
          ? { ...z, nodes: undefined }
          : z,
    );
    fs.writeFileSync(otherFile, JSON.stringify({ ...doc, zones }));
    const differences = stepGraphDifferences(reviewed, graphOf(otherFile));
    const replicateStage = reviewed.nodes.find((n) => n.id === "zone_7_replicate")!.stage + 1;
    expect(differences).toContain(`the reviewed step replicate on zone 7 (BRANCH-A, stage ${replicateStage}) is not in the twin's plan`);
    expect(differences).toContain(`step zone_7_download: front-ends "3" reviewed, "1" in the twin`);
    expect(differences.length).toBeLessThanOrEqual(7);
    expect(differences[differences.length - 1]).toMatch(/^and \d+ more differences$/);
    const err = new RehearsalMismatchError("/srv/plan", differences);
    expect(err.exitCode).toBe(ExitCode.RehearsalMismatch);
    expect(err.message).toMatch(
      /^the twin's plan differs from the reviewed plan in \/srv\/plan, so the twin was not upgraded: the reviewed plan has 18 stages, the twin.s 17; /,
    );
  });
});

describe("refusals before any twin starts", () => {
  const dir = tmp();
  const planDir = path.join(dir, "plan-review");
  fs.mkdirSync(planDir);
  let ups = 0;
  const sandbox: TwinSandbox = {
    up: () => {
      ups++;
      return Promise.reject(new Error("no twin may start"));
    },
    inject: () => Promise.resolve(),
    down: () => Promise.resolve(),
  };
  /** A bundle for `file` as `onefed plan` records it (only what the rehearsal reads before the engine matters). */
  function bundleFor(file: string, configSha256 = sha256File(file)): void {
    writeBundle(planDir, {
      format: BUNDLE_FORMAT,
      createdAt: "2026-11-30T16:00:00.000Z",
      federation: { name: "seed", fromVersion: "6.10.0", toVersion: "7.0.0", configPath: file, configSha256 },
      stack: { name: "federation-seed", dir: path.join(dir, "cdktf.out/stacks/federation-seed"), cdkTfJsonSha256: "0".repeat(64) },
      state: { location: path.join(dir, "terraform.tfstate"), exists: false },
      engine: { kind: "terraform", binary: "/usr/bin/terraform", version: "1.11.4" },
      plan: { file: "plan.tfplan", sha256: "0".repeat(64), parallelism: 10, counts: { create: 31, replace: 0, update: 0, delete: 0, read: 0, "no-op": 0 } },
      drift: { status: "skipped" },
    });
  }
  const refusal = async (opts: Partial<Parameters<typeof rehearse>[0]> = {}): Promise<Error & { exitCode: number }> => {
    const err = await rehearse({ planDir, ...opts }, sandbox).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(Error);
    return err as Error & { exitCode: number };
  };
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  afterEach(() => expect(ups).toBe(0));

  it("a directory without a bundle: exit 2", async () => {
    const err = await refusal({ planDir: path.join(dir, "nothing") });
    expect(err.exitCode).toBe(ExitCode.Usage);
    expect(err.message).toMatch(/is not a usable plan review \(no bundle\.json\); no zone was touched\. Make one with `onefed plan --out /);
  });

  it("a federation file that is not the one reviewed: exit 4 (stale)", async () => {
    const file = REAL.write(path.join(dir));
    bundleFor(file, "f".repeat(64));
    const err = await refusal();
    expect(err).toBeInstanceOf(StalePlanError);
    expect(err.exitCode).toBe(ExitCode.StalePlan);
    expect(err.message).toContain(`the federation file ${file} is not the one reviewed`);
  });

  it("a federation the sandbox cannot twin: exit 2, every reason", async () => {
    const file = REAL.withNodes(3, [{ name: "lxc-1", host: "10.1.1.1", hypervisor: "lxc" }]).write(path.join(dir));
    bundleFor(file);
    const err = await refusal();
    expect(err).toBeInstanceOf(TwinShapeError);
    expect(err.exitCode).toBe(ExitCode.Usage);
  });

  it("--inject on a zone the federation does not have: exit 2", async () => {
    const file = REAL.write(path.join(dir));
    bundleFor(file);
    const err = await refusal({ inject: parseInjection("upgrade:100") });
    expect(err.exitCode).toBe(ExitCode.Usage);
    expect(err.message).toBe("--inject upgrade:100: the federation has no zone 100 (its zones are 3, 7, 12)");
  });
});
