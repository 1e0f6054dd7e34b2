/**
 * The emulated onehost (docs/opennebula.md §2.1 steps 2, 12, 13; §4.5): the host pool seeded per zone,
 * list/show output, enable/disable/sync, the zone-disabled refusal and sandboxStatus.
 */
import { sandboxStatus } from "../../sandbox";
import { EmulatorSandbox, MASTER, SLAVE_CA, SLAVE_GE } from "../sandbox/emulator-harness";

const CSV_HEADER = "ID,NAME,CLUSTER,TVM,ALLOCATED_CPU,ALLOCATED_MEM,STAT";
const row = (id: number, name: string, stat: string): string => `${id},${name},default,0,0 / 800 (0%),0K / 15.5G (0%),${stat}`;
const csv = (...rows: string[]): string => [CSV_HEADER, ...rows].map((l) => `${l}\n`).join("");
const NOT_RUNNING = (host: string): string => `Failed to open TCP connection to ${host}:2633 (Connection refused - connect(2) for ${host}:2633)\n`;

describe("emulated onehost, seeded host pools", () => {
  let sb: EmulatorSandbox;
  beforeAll(() => (sb = EmulatorSandbox.create()));
  afterAll(() => sb.remove());

  it.each([
    [MASTER, "m-eu-fr"],
    [SLAVE_GE, "s-eu-ge"],
    [SLAVE_CA, "s-us-ca"],
  ])("%s: onehost list --csv shows its zone's two KVM hosts, enabled", (fe, prefix) => {
    expect(sb.run(fe, "onehost list --csv")).toEqual({ stdout: csv(row(0, `${prefix}-kvm-0`, "on"), row(1, `${prefix}-kvm-1`, "on")), stderr: "", code: 0 });
  });

  it("--no-header drops the header", () => {
    expect(sb.run(MASTER, "onehost list --csv --no-header").stdout).toBe(`${row(0, "m-eu-fr-kvm-0", "on")}\n${row(1, "m-eu-fr-kvm-1", "on")}\n`);
  });

  it("onehost show <id> -j: HOST with string values, STATE 2", () => {
    const r = sb.run(MASTER, "onehost show 1 -j");
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    const host = JSON.parse(r.stdout).HOST;
    expect(host).toMatchObject({ ID: "1", NAME: "m-eu-fr-kvm-1", STATE: "2", CLUSTER: "default", IM_MAD: "kvm", VM_MAD: "kvm" });
    const strings = (v: unknown): boolean => (typeof v === "object" && v !== null ? Object.values(v).every(strings) : typeof v === "string");
    expect(strings(host)).toBe(true);
  });

  it.each([
    ["show 7 -j", "[one.host.info] Error getting host [7].\n"],
    ["show 7", "[one.host.info] Error getting host [7].\n"],
    ["show nope -j", "HOST named nope not found.\n"],
    ["disable 7", "[one.host.status] Error getting host [7].\n"],
    ["enable 7 -v", "[one.host.status] Error getting host [7].\n"],
    ["frobnicate", "onehost: command 'frobnicate' is not available in the sandbox (supported: list, show, enable, disable, sync)\n"],
  ])("onehost %s fails with exit 255", (args, stderr) => {
    expect(sb.run(MASTER, `onehost ${args}`)).toEqual({ stdout: "", stderr, code: 255 });
  });

  it("resolves a host name like the CLI", () => {
    expect(JSON.parse(sb.run(SLAVE_GE, "onehost show s-eu-ge-kvm-0 -j").stdout).HOST.ID).toBe("0");
  });
});

describe("emulated onehost disable/enable/sync (upgrade steps 2, 12, 13)", () => {
  let sb: EmulatorSandbox;
  beforeAll(() => (sb = EmulatorSandbox.create()));
  afterAll(() => sb.remove());

  it("runs the upgrade sequence with the expected output, exit codes and state", () => {
    const seq: Array<[string, string, string, number, string | undefined]> = [
      // command, stdout, stderr, exit, then `onehost show 0 -j` STATE (undefined: not checked)
      ["onehost disable 0", "", "", 0, "4"],
      ["onehost disable 1 -v", "HOST 1: disable\n", "", 0, undefined],
      ["onehost list --csv", csv(row(0, "m-eu-fr-kvm-0", "off"), row(1, "m-eu-fr-kvm-1", "off")), "", 0, undefined],
      ["onehost disable 0", "", "", 0, "4"],
      ["onehost sync --force", "", "", 0, "4"],
      ["onehost enable 0", "", "", 0, "2"],
      ["onehost enable 1 -v", "HOST 1: enable\n", "", 0, undefined],
      ["onehost list --csv", csv(row(0, "m-eu-fr-kvm-0", "on"), row(1, "m-eu-fr-kvm-1", "on")), "", 0, "2"],
    ];
    for (const [cmd, stdout, stderr, code, state] of seq) {
      expect({ cmd, ...sb.run(MASTER, cmd) }).toEqual({ cmd, stdout, stderr, code });
      if (state !== undefined) expect({ cmd, state: JSON.parse(sb.run(MASTER, "onehost show 0 -j").stdout).HOST.STATE }).toEqual({ cmd, state });
    }
  });

  it("keeps host pools local: a slave's hosts do not change with the master's", async () => {
    expect(sb.run(MASTER, "onehost disable 0").code).toBe(0);
    expect(sb.run(SLAVE_GE, "onehost list --csv").stdout).toBe(csv(row(0, "s-eu-ge-kvm-0", "on"), row(1, "s-eu-ge-kvm-1", "on")));
    const st = await sandboxStatus(sb.dir);
    const fe = (name: string) => st.zones.flatMap((z) => z.frontends).find((f) => f.name === name)!;
    expect(fe(MASTER).hosts).toEqual([
      { id: 0, name: "m-eu-fr-kvm-0", state: "off" },
      { id: 1, name: "m-eu-fr-kvm-1", state: "on" },
    ]);
    expect(fe(SLAVE_GE).hosts).toEqual([
      { id: 0, name: "s-eu-ge-kvm-0", state: "on" },
      { id: 1, name: "s-eu-ge-kvm-1", state: "on" },
    ]);
    expect(sb.run(MASTER, "onehost enable 0").code).toBe(0);
  });

  it("records the last sync time in the front-end's state (sandboxStatus.hostsSyncedAt)", async () => {
    const before = await sandboxStatus(sb.dir);
    const ca = (s: typeof before) => s.zones.flatMap((z) => z.frontends).find((f) => f.name === SLAVE_CA)!;
    expect(ca(before).hostsSyncedAt).toBeUndefined();
    const t0 = new Date().toISOString();
    expect(sb.run(SLAVE_CA, "onehost sync")).toEqual({ stdout: "", stderr: "", code: 0 });
    const at = ca(await sandboxStatus(sb.dir)).hostsSyncedAt;
    expect(at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(at! >= t0).toBe(true);
  });
});

describe("emulated onehost in a disabled zone and without oned", () => {
  let sb: EmulatorSandbox;
  beforeAll(() => (sb = EmulatorSandbox.create()));
  afterAll(() => sb.remove());

  const DISABLED = "[one.host.status] Cannot process request, zone disabled\n";

  it("refuses writes while the front-end's own zone is disabled; reads and sync still work", () => {
    expect(sb.run(SLAVE_GE, "onezone disable 100").code).toBe(0);
    const cases: Array<[string, string, string, number]> = [
      ["onehost disable 0", "", DISABLED, 255],
      ["onehost enable 1 -v", "", DISABLED, 255],
      ["onehost disable 0,1", "", DISABLED + DISABLED, 255],
      ["onehost list --csv", csv(row(0, "s-eu-ge-kvm-0", "on"), row(1, "s-eu-ge-kvm-1", "on")), "", 0],
      ["onehost sync --force", "", "", 0],
    ];
    for (const [cmd, stdout, stderr, code] of cases) expect({ cmd, ...sb.run(SLAVE_GE, cmd) }).toEqual({ cmd, stdout, stderr, code });
    // Another zone is not affected by zone 100 being disabled.
    expect(sb.run(SLAVE_CA, "onehost disable 0")).toEqual({ stdout: "", stderr: "", code: 0 });
  });

  it("works again once the zone is enabled first (step 13 order)", () => {
    expect(sb.run(SLAVE_GE, "onezone enable 100").code).toBe(0);
    expect(sb.run(SLAVE_GE, "onehost disable 0 -v")).toEqual({ stdout: "HOST 0: disable\n", stderr: "", code: 0 });
    expect(sb.run(SLAVE_GE, "onehost enable 0 -v")).toEqual({ stdout: "HOST 0: enable\n", stderr: "", code: 0 });
  });

  it.each(["list --csv", "show 0 -j", "disable 0", "enable 0", "sync --force"])("onehost %s needs the local oned", (args) => {
    expect(sb.run(MASTER, "systemctl stop opennebula").code).toBe(0);
    expect(sb.run(MASTER, `onehost ${args}`)).toEqual({ stdout: "", stderr: NOT_RUNNING("127.0.50.1"), code: 255 });
  });
});

describe("emulated onehost and onedb backup/restore", () => {
  let sb: EmulatorSandbox;
  beforeAll(() => (sb = EmulatorSandbox.create()));
  afterAll(() => sb.remove());

  it("a full backup carries host_pool, a restore brings the hosts back; a federated one does not touch them", () => {
    const steps: Array<[string, number]> = [
      ["onehost disable 0", 0],
      ["systemctl stop opennebula", 0],
      ["onedb backup -f full.bck", 0],
      ["onedb backup --federated -f fed.bck", 0],
      ["systemctl start opennebula", 0],
      ["onehost enable 0", 0],
      ["onehost disable 1", 0],
      ["systemctl stop opennebula", 0],
      ["onedb restore -f --federated fed.bck", 0],
      ["systemctl start opennebula", 0],
    ];
    for (const [cmd, code] of steps) expect({ cmd, code: sb.run(MASTER, cmd).code }).toEqual({ cmd, code });
    expect(sb.run(MASTER, "onehost list --csv").stdout).toBe(csv(row(0, "m-eu-fr-kvm-0", "on"), row(1, "m-eu-fr-kvm-1", "off")));
    for (const cmd of ["systemctl stop opennebula", "onedb restore -f full.bck", "systemctl start opennebula"])
      expect({ cmd, code: sb.run(MASTER, cmd).code }).toEqual({ cmd, code: 0 });
    expect(sb.run(MASTER, "onehost list --csv").stdout).toBe(csv(row(0, "m-eu-fr-kvm-0", "off"), row(1, "m-eu-fr-kvm-1", "on")));
  });
});
