import { Testing } from "../../lib/synth/cdk";
import { buildStepGraph } from "../../lib/terraform/review/step-graph";
import { FederationUpgrade } from "../../lib/synth/constructs/federation-upgrade";
import { GraphInvariants } from "../../lib/synth/invariants/graph-invariants";
import { apiPorts, freezeComment, freezeRules, iptables, parseOurRules } from "../../lib/remote/opennebula/firewall";
import { renderCommand } from "../../lib/remote/opennebula/remote-command";
import { FederationBuilder, seedFederation } from "../support/federation-builder";

const seed = seedFederation();
/** A 6.0 → 6.2 federation: before `onezone disable` exists. */
const from60 = seed.with({ federation: { fromVersion: "6.0.0", toVersion: "6.2.0" } });
const runner = { command: ["/usr/bin/node", "/opt/onefed/dist/lib/cli/onefed.js"], configPath: "/etc/onefed/federation.yaml" };
const problems = (federation: FederationBuilder) => {
  try {
    federation.parse();
    return "";
  } catch (e) {
    return (e as Error).message;
  }
};

describe("freeze method", () => {
  it("defaults to onezone-disable from 6.2 and to firewall before", () => {
    expect(seed.parse().freeze.method).toBe("onezone-disable");
    expect(from60.parse().freeze.method).toBe("firewall");
  });
  it("refuses onezone-disable before 6.2, and none without an acknowledgement", () => {
    expect(problems(from60.withFreeze("onezone-disable"))).toMatch(/freeze\.method: onezone-disable needs 6\.2\.0 or later, but fromVersion is 6\.0\.0/);
    expect(problems(seed.withFreeze("none"))).toMatch(/set freeze\.acknowledgeNoFreeze: true/);
    expect(problems(seed.withFreeze("none", { acknowledgeNoFreeze: true }))).toBe("");
  });
  it("refuses sources older than 5.12", () => {
    expect(problems(seed.with({ federation: { fromVersion: "5.10.0" } }))).toMatch(/older than 5\.12\.0; before 5\.12 onedb cannot read oned\.conf/);
  });
});

describe("firewall rules", () => {
  it("accept localhost and the automation host before dropping the API port(s)", () => {
    expect(freezeRules("6.0.0", ["10.0.0.5"])).toEqual([
      { source: "127.0.0.1", port: 2633, target: "ACCEPT" },
      { source: "10.0.0.5", port: 2633, target: "ACCEPT" },
      { port: 2633, target: "DROP" },
    ]);
    expect(apiPorts("7.2.0")).toEqual([2633, 2634]);
    expect(renderCommand(iptables.insert(3, { port: 2633, target: "DROP" }, freezeComment("prod")))).toBe(
      "iptables -I INPUT 3 -p tcp --dport 2633 -m comment --comment onefed-freeze-prod -j DROP",
    );
  });
  it("finds exactly our rules in iptables -S output, and nobody else's", () => {
    const out = [
      "-P INPUT ACCEPT",
      "-A INPUT -s 127.0.0.1/32 -p tcp -m tcp --dport 2633 -m comment --comment onefed-freeze-prod -j ACCEPT",
      '-A INPUT -s 10.1.1.1/32 -p tcp -m tcp --dport 22 -m comment --comment "ops: bastion" -j ACCEPT',
      "-A INPUT -p tcp -m tcp --dport 2633 -m comment --comment onefed-freeze-prod -j DROP",
      "-A INPUT -p tcp -m tcp --dport 2633 -m comment --comment onefed-freeze-other -j DROP",
    ].join("\n");
    expect(parseOurRules(out, "onefed-freeze-prod")).toEqual([
      ["-s", "127.0.0.1/32", "-p", "tcp", "-m", "tcp", "--dport", "2633", "-m", "comment", "--comment", "onefed-freeze-prod", "-j", "ACCEPT"],
      ["-p", "tcp", "-m", "tcp", "--dport", "2633", "-m", "comment", "--comment", "onefed-freeze-prod", "-j", "DROP"],
    ]);
    expect(() => parseOurRules("", "x")).toThrow(/no policy line/);
  });
});

describe("a 6.0 → 6.2 stack", () => {
  const config = from60.with({ backup: { localDirectory: "/var/lib/onefed/artifacts" } }).parse();
  it("freezes with the firewall on the master only, and proves its invariants", () => {
    const stack = new FederationUpgrade(Testing.app(), "fw", { config, runner });
    const json = JSON.parse(Testing.synth(stack));
    expect(json).toMatchSnapshot();
    const res = json.resource.null_resource;
    const graph = buildStepGraph(json);
    expect(graph.nodes.filter((n) => /freeze/.test(n.step)).map((n) => n.id)).toEqual(["zone_0_freeze", "zone_0_unfreeze"]);
    // The sync waits for the master's freeze alone: they run as one resource, the freeze first.
    expect(graph.nodes.find((n) => n.step === "sync")!.after).toEqual(["zone_0_freeze"]);
    expect(res.zone_0_freeze_to_sync.triggers.steps).toBe("freeze,sync");
    // Through the barrier every verify waits for: every zone back, the master's firewall lifted.
    expect(res.zone_100_verify.depends_on).toContain("null_resource.stage_every_zone_back");
    expect(res.stage_every_zone_back.depends_on).toContain("null_resource.zone_0_unfreeze");
    expect(new GraphInvariants(stack).validate()).toEqual([]);
  });
  it("has no freeze at all with method none", () => {
    const none = seed.withFreeze("none", { acknowledgeNoFreeze: true }).parse();
    const res = JSON.parse(Testing.synth(new FederationUpgrade(Testing.app(), "n", { config: none, runner }))).resource.null_resource;
    expect(Object.keys(res).some((n) => /freeze/.test(n))).toBe(false);
    // Without a freeze, the sync is the first write-free step after every download (and the preflight before them).
    const sync = Object.entries(res as Record<string, { depends_on: string[]; triggers: Record<string, string> }>).find(
      ([, r]) => (r.triggers.steps ?? r.triggers.step).split(",")[0] === "sync",
    );
    expect(sync![1].depends_on).toEqual(["null_resource.stage_every_zone_downloaded"]);
  });
});

describe("hypervisor hosts (hosts.manage)", () => {
  const { parseHostListCsv } = require("../../lib/remote/opennebula/parsers");
  it("parse onehost list --csv", () => {
    const csv =
      "ID,NAME,CLUSTER,TVM,ALLOCATED_CPU,ALLOCATED_MEM,STAT\n0,m-eu-fr-kvm-0,default,0,0 / 800 (0%),0K / 15.5G (0%),on\n1,m-eu-fr-kvm-1,default,0,0 / 800 (0%),0K / 15.5G (0%),off\n";
    expect(parseHostListCsv(csv)).toEqual([
      { id: 0, name: "m-eu-fr-kvm-0", stat: "on", enabled: true },
      { id: 1, name: "m-eu-fr-kvm-1", stat: "off", enabled: false },
    ]);
  });
  it("disable hosts before the zone's freeze and enable them after its unfreeze", () => {
    const config = seed.with({ hosts: { manage: true }, backup: { localDirectory: "/var/lib/onefed/artifacts" } }).parse();
    const stack = new FederationUpgrade(Testing.app(), "h", { config, runner });
    const json = JSON.parse(Testing.synth(stack));
    const graph = buildStepGraph(json);
    const node = (id: string) => graph.nodes.find((n) => n.id === id)!;
    expect(node("zone_100_freeze").after).toEqual(["zone_100_hosts_disable"]);
    expect(node("zone_100_hosts_enable").after).toEqual(["zone_100_unfreeze"]);
    expect(json.resource.null_resource.zone_100_hosts_disable_to_freeze.triggers.steps).toBe("hosts-disable,freeze");
    expect(json.resource.null_resource.zone_100_unfreeze_to_hosts_enable.triggers.steps).toBe("unfreeze,hosts-enable");
    // The master's own hosts-disable stays apart (its freeze waits for every slave's) and before the sync.
    expect(json.resource.null_resource.zone_0_freeze_to_sync.depends_on).toContain("null_resource.zone_0_hosts_disable");
    expect(new GraphInvariants(stack).validate()).toEqual([]);
  });
});
