/**
 * The emulated onezone against the real 6.10 CLI's output (test/fixtures/opennebula/onezone): byte for byte for
 * tables, CSV, XML, messages and exit codes; by structure for JSON.
 */
import { advanceFederation, setFrontendState, setReplicationBlocked } from "../../sandbox";
import { EmulatorSandbox, MASTER, SLAVE_CA, SLAVE_GE, sample } from "../sandbox/emulator-harness";

/** FED_INDEX moves with every federated write; the samples' stand-in oned kept it fixed. */
const normaliseFedIndex = (text: string): string => text.replace(/\b7154\d\d\b/g, "FED");

describe("emulated onezone, zones in sync (a-in-sync)", () => {
  let sb: EmulatorSandbox;
  beforeAll(() => (sb = EmulatorSandbox.create()));
  afterAll(() => sb.remove());

  it.each([
    ["list", "list"],
    ["list --csv", "list_--csv"],
    ["list --csv -l ID,NAME,FED_INDEX,STAT", "list_--csv_-l_ID-NAME-FED_INDEX-STAT"],
    ["list -x", "list_-x"],
    ["show 0", "show_0"],
    ["show 0 -x", "show_0_-x"],
    ["show 100", "show_100"],
    ["show 100 -x", "show_100_-x"],
    ["show 999", "show_999"],
    ["show 999 -x", "show_999_-x"],
    ["show 999 -j", "show_999_-j"],
  ])("onezone %s matches the real CLI byte for byte", (args, file) => {
    expect(sb.run(MASTER, `onezone ${args}`)).toEqual(sample(`onezone/a-in-sync/${file}`));
  });

  it.each([
    ["list -j", "list_-j"],
    ["show 0 -j", "show_0_-j"],
    ["show 100 -j", "show_100_-j"],
  ])("onezone %s has the real JSON structure and layout", (args, file) => {
    const got = sb.run(MASTER, `onezone ${args}`);
    const want = sample(`onezone/a-in-sync/${file}`);
    expect(JSON.parse(got.stdout)).toEqual(JSON.parse(want.stdout));
    expect(got.stdout).toBe(want.stdout);
    expect(got.code).toBe(0);
  });

  it("marks the zone of the CLI's own endpoint: a slave front-end stars its zone", () => {
    expect(sb.run(SLAVE_GE, "onezone list --csv").stdout.split("\n")[2]).toBe("*,100,S-EU-GE,http://127.0.50.2:2633/RPC2,715438,on");
  });
});

describe("emulated onezone enable/disable (a-in-sync sequence)", () => {
  let sb: EmulatorSandbox;
  beforeAll(() => (sb = EmulatorSandbox.create()));
  afterAll(() => sb.remove());

  it("runs the sample's sequence with the same output, exit codes and STAT column", () => {
    const seq: Array<[string, string]> = [
      ["disable 100", "seq01_disable_100"],
      ["disable 0", "seq02_disable_0"],
      ["list", "seq03_list"],
      ["enable 0 -v", "seq04_enable_0_-v"],
      ["disable 100 --endpoint http://127.0.50.2:2633/RPC2 -v", "seq05_disable_100_--endpoint_http-127.0.50.2-2633-RPC2_-v"],
      ["list --csv", "seq06_list_--csv"],
      ["enable 100 --endpoint http://127.0.50.2:2633/RPC2", "seq07_enable_100_--endpoint_http-127.0.50.2-2633-RPC2"],
      ["list", "seq08_list"],
    ];
    for (const [args, file] of seq) {
      const got = sb.run(MASTER, `onezone ${args}`);
      const want = sample(`onezone/a-in-sync/${file}`);
      expect({ args, ...got, stdout: normaliseFedIndex(got.stdout) }).toEqual({ args, ...want, stdout: normaliseFedIndex(want.stdout) });
    }
  });

  it("moves FED_INDEX by one per change and replicates it to every running slave", () => {
    const rows = sb.run(MASTER, "onezone list --csv").stdout.trim().split("\n").slice(1);
    expect(new Set(rows.map((r) => r.split(",")[4]))).toEqual(new Set(["715442"]));
    expect(sb.run(SLAVE_CA, "onezone show 100").stdout).toMatch(/STATE\s+: ENABLED/);
  });

  it("refuses a slave's change while the master zone is disabled (slaves first, master last)", () => {
    expect(sb.run(MASTER, "onezone disable 0").code).toBe(0);
    const r = sb.run(SLAVE_GE, "onezone disable 100");
    expect(r).toEqual({ stdout: "", stderr: "[one.zone.enable] Cannot process request, zone disabled\n", code: 255 });
    expect(sb.run(MASTER, "onezone enable 0").code).toBe(0);
  });

  it("fails like the Ruby client when the local oned is down", () => {
    expect(sb.run(SLAVE_CA, "systemctl stop opennebula").code).toBe(0);
    expect(sb.run(SLAVE_CA, "onezone list --csv")).toEqual({
      stdout: "",
      stderr: 'Failed to open TCP connection to 127.0.50.3:2633 (Connection refused - connect(2) for 127.0.50.3:2633)\n',
      code: 255,
    });
  });
});

describe("emulated onezone, a lagging slave (b-lagging)", () => {
  let sb: EmulatorSandbox;
  beforeAll(() => {
    sb = EmulatorSandbox.create({ fedIndex: 715401 });
    setReplicationBlocked(sb.dir, SLAVE_CA, true);
    advanceFederation(sb.dir, 37);
  });
  afterAll(() => sb.remove());

  it.each([
    ["list", "list"],
    ["list --csv", "list_--csv"],
    ["list --csv -l ID,NAME,FED_INDEX,STAT", "list_--csv_-l_ID-NAME-FED_INDEX-STAT"],
    ["show 101", "show_101"],
    ["show 101 -x", "show_101_-x"],
  ])("onezone %s matches the real CLI", (args, file) => {
    expect(sb.run(MASTER, `onezone ${args}`)).toEqual(sample(`onezone/b-lagging/${file}`));
  });

  it("catches up once replication is unblocked", () => {
    setReplicationBlocked(sb.dir, SLAVE_CA, false);
    expect(sb.run(MASTER, "onezone list --csv").stdout).toBe(sample("onezone/a-in-sync/list_--csv").stdout);
  });
});

describe("emulated onezone, an unreachable slave (c-unreachable)", () => {
  let sb: EmulatorSandbox;
  beforeAll(() => (sb = EmulatorSandbox.create()));
  afterAll(() => sb.remove());

  it.each([
    ["list", "list"],
    ["list --csv", "list_--csv"],
    ["list --csv -l ID,NAME,FED_INDEX,STAT", "list_--csv_-l_ID-NAME-FED_INDEX-STAT"],
    ["show 100", "show_100"],
    ["show 100 -x", "show_100_-x"],
  ])("onezone %s matches the real CLI when the slave's endpoint refuses connections", (args, file) => {
    setFrontendState(sb.dir, SLAVE_GE, { reachable: false });
    expect(sb.run(MASTER, `onezone ${args}`)).toEqual(sample(`onezone/c-unreachable/${file}`));
  });

  it("shows `-` as well when the slave's oned is stopped", () => {
    setFrontendState(sb.dir, SLAVE_GE, { reachable: true });
    expect(sb.run(SLAVE_GE, "systemctl stop opennebula").code).toBe(0);
    expect(sb.run(MASTER, "onezone list --csv")).toEqual(sample("onezone/c-unreachable/list_--csv"));
  });
});
