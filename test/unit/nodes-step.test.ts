/** The nodes step on scripted hypervisor hosts: upgrade, leave alone, refuse. */
import { NodeConfig } from "../../lib/model/federation";
import { STEPS } from "../../lib/run/steps/catalog";
import { FakeTransport, fakeStepContext, Reply } from "../support/fake-frontend";
import { seedFederation } from "../support/federation-builder";

const config = seedFederation()
  .withNodes(100, [
    { name: "kvm-ge-1", host: "192.168.150.21" },
    { name: "lxc-ge-2", host: "192.168.150.22", hypervisor: "lxc" },
  ])
  .with({ hosts: { manage: true } })
  .parse();
const zone = config.zones[1];

/** A host whose node package is at `version` until the upgrade moves it to `upgradesTo`. */
function host(version: string, upgradesTo: string, libvirt = "active"): { t: FakeTransport } {
  let current = version;
  const t = new FakeTransport([
    [/^dpkg-query -W '-f=\$\{Version\}' opennebula-node-(kvm|lxc)$/, () => ({ stdout: `${current}-1` }) as Reply],
    [/^sh -c 'printf "%s" "\$1" > "\$2"' sh 'deb .*\/repo\/7\.0\/Debian\/12 stable opennebula\n' \/etc\/apt\/sources\.list\.d\/opennebula\.list$/, {}],
    [/^apt-get update -q$/, {}],
    [/apt-get install -y -q --only-upgrade -o Dpkg::Options::=--force-confold opennebula-node-(kvm|lxc)$/, () => ((current = upgradesTo), {})],
    [/^systemctl restart libvirtd$/, {}],
    [/^systemctl is-active libvirtd$/, { stdout: `${libvirt}\n`, exitCode: libvirt === "active" ? 0 : 3 }],
  ]);
  return { t };
}

function run(hosts: Record<string, FakeTransport>) {
  const ctx = fakeStepContext(
    config,
    zone,
    "nodes",
    () => new FakeTransport([]),
    (n: NodeConfig) => hosts[n.name],
  );
  return STEPS.nodes.run(ctx);
}

describe("nodes step", () => {
  it("moves each host's node package to the target and restarts libvirtd on KVM hosts only", async () => {
    const kvm = host("6.10.0", "7.0.0").t;
    const lxc = host("6.10.0", "7.0.0").t;
    await expect(run({ "kvm-ge-1": kvm, "lxc-ge-2": lxc })).resolves.toEqual({ status: "done", summary: "kvm-ge-1, lxc-ge-2 at 7.0.0" });
    expect(kvm.lines.some((l) => l.endsWith("opennebula-node-kvm") && l.includes("--only-upgrade"))).toBe(true);
    expect(kvm.lines).toContain("systemctl restart libvirtd");
    expect(lxc.lines.some((l) => l.endsWith("opennebula-node-lxc") && l.includes("--only-upgrade"))).toBe(true);
    expect(lxc.lines.some((l) => l.includes("libvirtd"))).toBe(false);
  });

  it("leaves a host that already has the target alone", async () => {
    const done = host("7.0.0", "7.0.0").t;
    const todo = host("6.10.0", "7.0.0").t;
    await expect(run({ "kvm-ge-1": done, "lxc-ge-2": todo })).resolves.toMatchObject({ status: "done", summary: "lxc-ge-2 at 7.0.0; 1 already were" });
    expect(done.lines).toEqual(["dpkg-query -W '-f=${Version}' opennebula-node-kvm"]);
  });

  it("refuses a host the repository did not move, naming it", async () => {
    await expect(run({ "kvm-ge-1": host("6.10.0", "6.10.0").t, "lxc-ge-2": host("7.0.0", "7.0.0").t })).rejects.toThrow(
      /nodes refused on zone 100 \(S-EU-GE\), front-end 192\.168\.150\.21:22: expected opennebula-node-kvm 7\.0\.0 on host kvm-ge-1 after the upgrade, but found 6\.10\.0/,
    );
  });

  it("refuses a host at an unexpected version before touching it", async () => {
    const odd = host("6.8.2", "7.0.0").t;
    await expect(run({ "kvm-ge-1": odd, "lxc-ge-2": host("7.0.0", "7.0.0").t })).rejects.toThrow(
      /expected opennebula-node-kvm 6\.10\.0 \(or already 7\.0\.0\) on host kvm-ge-1, but found 6\.8\.2/,
    );
    expect(odd.lines.some((l) => l.includes("apt-get"))).toBe(false);
  });

  it("refuses when libvirtd does not come back", async () => {
    await expect(run({ "kvm-ge-1": host("6.10.0", "7.0.0", "failed").t, "lxc-ge-2": host("7.0.0", "7.0.0").t })).rejects.toThrow(
      /expected libvirtd active on host kvm-ge-1 after its restart, but found failed/,
    );
  });
});
