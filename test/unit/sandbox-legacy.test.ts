/**
 * A 6.0 federation (docs/opennebula.md §5.1 version table, §5.2, §4.5): onezone without STAT/STATE and
 * without enable/disable, then the Type B upgrade to 6.2 (federated backup on the master, restore
 * on the slaves, packages, onedb upgrade), after which the 6.2 behaviour applies.
 */
import * as fs from "fs";
import { sandboxStatus } from "../../sandbox";
import { dbVersionsOf, packagesOf, unitsOf } from "../../sandbox/catalog";
import { EmulatorSandbox, MASTER, SLAVE_CA, SLAVE_GE } from "../sandbox/emulator-harness";

const REPO_62 = "deb https://downloads.opennebula.io/repo/6.2/Ubuntu/20.04 stable opennebula\n";
const PACKAGES_62 = "opennebula opennebula-sunstone opennebula-gate opennebula-flow opennebula-provision opennebula-fireedge python3-pyone";
const STOP =
  "systemctl stop opennebula opennebula-flow opennebula-gate opennebula-hem opennebula-fireedge opennebula-scheduler opennebula-sunstone opennebula-novnc";

describe("catalog for 6.0 and 6.2", () => {
  it.each([
    ["6.0.0", "6.0.0"],
    ["6.2.0", "6.2.0"],
  ])("%s has DB versions %s", (release, db) => {
    expect(dbVersionsOf(release)).toEqual({ shared: db, local: db });
  });

  it("6.0 has sunstone, novnc and scheduler units, and the 6.0 package list", () => {
    expect(unitsOf("6.0.0")).toEqual(expect.arrayContaining(["opennebula-sunstone.service", "opennebula-novnc.service", "opennebula-scheduler.service"]));
    expect(packagesOf("6.0.0")).toEqual(["opennebula", "opennebula-sunstone", "opennebula-gate", "opennebula-flow", "opennebula-provision", "python3-pyone"]);
    expect(packagesOf("6.2.0")).toEqual(PACKAGES_62.split(" "));
  });
});

describe("emulated onezone on 6.0", () => {
  let sb: EmulatorSandbox;
  beforeAll(() => (sb = EmulatorSandbox.create({ from: "6.0.0", to: "6.2.0" })));
  afterAll(() => sb.remove());

  it("lists without STAT: CSV header and rows byte for byte", () => {
    expect(sb.run(MASTER, "onezone list --csv")).toEqual({
      stdout:
        "CURRENT,ID,NAME,ENDPOINT,FED_INDEX\n" +
        "*,0,M-EU-FR,http://127.0.50.1:2633/RPC2,715438\n" +
        '"",100,S-EU-GE,http://127.0.50.2:2633/RPC2,715438\n' +
        '"",101,S-US-CA,http://127.0.50.3:2633/RPC2,715438\n',
      stderr: "",
      code: 0,
    });
  });

  it("prints the 5.10–6.0 table layout (no STAT)", () => {
    expect(sb.run(MASTER, "onezone list").stdout).toBe(
      "C   ID NAME            ENDPOINT                                      FED_INDEX \n" +
        "*    0 M-EU-FR         http://127.0.50.1:2633/RPC2                   715438\n" +
        "   100 S-EU-GE         http://127.0.50.2:2633/RPC2                   715438\n" +
        "   101 S-US-CA         http://127.0.50.3:2633/RPC2                   715438\n",
    );
  });

  it("refuses -l STAT as an unknown column", () => {
    expect(sb.run(MASTER, "onezone list --csv -l ID,STAT")).toEqual({ stdout: "", stderr: "Unknown columns: STAT\n", code: 255 });
  });

  it("shows a zone without STATE in text, XML and JSON", () => {
    expect(sb.run(MASTER, "onezone show 0").stdout).toBe(
      `${"ZONE 0 INFORMATION".padEnd(80)}\nID                : 0                   \nNAME              : M-EU-FR             \n\n\n${"ZONE TEMPLATE".padEnd(80)}\nENDPOINT="http://127.0.50.1:2633/RPC2"\n`,
    );
    expect(sb.run(MASTER, "onezone show 0 -x").stdout).not.toContain("<STATE>");
    expect(sb.run(MASTER, "onezone list -x").stdout).not.toContain("<STATE>");
    expect(JSON.parse(sb.run(MASTER, "onezone show 0 -j").stdout).ZONE).toEqual({
      ID: "0",
      NAME: "M-EU-FR",
      TEMPLATE: { ENDPOINT: "http://127.0.50.1:2633/RPC2" },
      SERVER_POOL: {},
    });
  });

  it.each(["disable 0", "enable 0", "disable 100 --endpoint http://127.0.50.2:2633/RPC2"])("has no onezone %s (exit 255, nothing written)", (args) => {
    const r = sb.run(MASTER, `onezone ${args}`);
    expect(r.code).toBe(255);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^onezone: command '(en|dis)able' is not available in OpenNebula 6\.0\.0/);
    expect(sb.run(MASTER, "onezone list --csv").stdout).toContain("*,0,M-EU-FR,http://127.0.50.1:2633/RPC2,715438\n");
  });
});

describe("Type B upgrade 6.0.0 → 6.2.0", () => {
  let sb: EmulatorSandbox;
  const fed = (): string => `${sb.work}/federated.sql`;
  beforeAll(() => (sb = EmulatorSandbox.create({ from: "6.0.0", to: "6.2.0" })));
  afterAll(() => sb.remove());

  const upgradeFrontend = (fe: string): void => {
    fs.writeFileSync(sb.path(fe, "/etc/apt/sources.list.d/opennebula.list"), REPO_62);
    const r = sb.run(fe, `apt-get update -q >/dev/null && apt-get install -y -q --only-upgrade ${PACKAGES_62} >/dev/null`);
    expect(r).toMatchObject({ code: 0 });
    expect(sb.run(fe, "dpkg-query -W -f '${Version}' opennebula").stdout).toBe("6.2.0-1");
  };

  it("stops every zone", () => {
    for (const fe of [MASTER, SLAVE_GE, SLAVE_CA]) expect(sb.run(fe, STOP)).toMatchObject({ code: 0 });
  });

  it("upgrades the master: packages, shared and local migrators, federated backup", () => {
    upgradeFrontend(MASTER);
    const r = sb.run(MASTER, `onedb upgrade -v -b ${sb.work}/master-pre.bck`);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("shared/6.0.0_to_6.2.0.rb");
    expect(r.stdout).toContain("local/6.0.0_to_6.2.0.rb");
    expect(sb.run(MASTER, `onedb backup -v --federated ${fed()}`).code).toBe(0);
    expect(sb.run(MASTER, "onedb version").code).toBe(0);
  });

  it.each([SLAVE_GE, SLAVE_CA])("restores the federated backup on %s, then upgrades its local tables only", (fe) => {
    expect(sb.run(fe, `onedb restore -v --federated ${fed()}`).code).toBe(0);
    expect(sb.run(fe, "onedb version").code).toBe(3);
    upgradeFrontend(fe);
    expect(sb.run(fe, "onedb version").code).toBe(2);
    const r = sb.run(fe, `onedb upgrade -v -b ${sb.work}/${fe}-pre.bck`);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain("shared/6.0.0_to_6.2.0.rb");
    expect(r.stdout).toContain("local/6.0.0_to_6.2.0.rb");
  });

  it("ends with every front-end on 6.2.0 and the 6.2 onezone (STAT on, enable/disable)", async () => {
    for (const fe of [MASTER, SLAVE_GE, SLAVE_CA]) expect(sb.run(fe, "systemctl start opennebula")).toMatchObject({ code: 0 });
    const st = await sandboxStatus(sb.dir);
    for (const fe of st.zones.flatMap((z) => z.frontends)) {
      expect({ fe: fe.name, pkg: fe.packageVersion, db: fe.db.shared, local: fe.db.local }).toEqual({ fe: fe.name, pkg: "6.2.0", db: "6.2.0", local: "6.2.0" });
    }
    expect(sb.run(MASTER, "onezone list --csv").stdout.split("\n")[0]).toBe("CURRENT,ID,NAME,ENDPOINT,FED_INDEX,STAT");
    expect(sb.run(SLAVE_GE, "onezone show 100").stdout).toMatch(/STATE\s+: ENABLED/);
    expect(sb.run(SLAVE_GE, "onezone disable 100 -v")).toEqual({ stdout: "ZONE 100: disable zone\n", stderr: "", code: 0 });
    expect(sb.run(SLAVE_GE, "onezone enable 100").code).toBe(0);
  });
});
