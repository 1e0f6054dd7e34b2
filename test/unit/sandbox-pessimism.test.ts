/**
 * The sandbox as pessimistic as a real federation (docs/sandbox.md, issue 15): the CLIs' credential,
 * a hung oned, a zone ENDPOINT oned does not serve, and a Raft election not won by the lowest id,
 * with their controls. Each pins the output, the message and the exit code of the real tools
 * (docs/opennebula.md §5.6). onedb's cases: sandbox-onedb-reality.test.ts.
 */
import * as fs from "fs";
import { runSandboxCommand } from "../../lib/cli/sandbox-command";
import { sandboxStatus, setCliCredential, setMigratorMissing, setOnedHung, setRaftNextLeader, setZoneEndpointPath } from "../../sandbox";
import { EmulatorSandbox, MASTER, SLAVE_CA, SLAVE_GE } from "../sandbox/emulator-harness";

const NOT_AUTHENTICATED = (method: string): string => `[${method}] User couldn't be authenticated, aborting call.\n`;
const NO_CREDENTIAL = { stdout: "", stderr: "ONE_AUTH file not present\n", code: 255 };

/** The FED_INDEX column of the master's `onezone list --csv`, by zone id. */
function fedIndexes(sb: EmulatorSandbox, fe = MASTER, env: Record<string, string> = {}): Record<string, string> {
  const rows = sb.run(fe, "onezone list --csv", env).stdout.trim().split("\n").slice(1);
  return Object.fromEntries(rows.map((r) => r.split(",")).map((c) => [c[1], c[4]]));
}

/** Points a front-end's apt at 7.0 and upgrades its packages (what the upgrade step does before onedb upgrade). */
function upgradePackages(sb: EmulatorSandbox, fe: string): void {
  fs.writeFileSync(sb.path(fe, "/etc/apt/sources.list.d/opennebula.list"), "deb https://downloads.opennebula.io/repo/7.0/Debian/12 stable opennebula\n");
  expect(sb.run(fe, "apt-get update -q && apt-get install -y -q --only-upgrade opennebula opennebula-gate opennebula-flow opennebula-fireedge").code).toBe(0);
}

describe("the CLIs' credential", () => {
  let sb: EmulatorSandbox;
  beforeAll(() => (sb = EmulatorSandbox.create()));
  afterAll(() => sb.remove());
  afterEach(() => setCliCredential(sb.dir, MASTER, "valid"));

  it("is valid as up writes it: oneadmin's line in /var/lib/one/.one/one_auth, 0600", () => {
    const file = sb.path(MASTER, "/var/lib/one/.one/one_auth");
    expect(fs.readFileSync(file, "utf8")).toBe("oneadmin:sandbox\n");
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(sb.run(MASTER, "onezone list --csv").code).toBe(0);
  });

  it.each([
    ["onezone list --csv", "one.zonepool.info"],
    ["onezone show 0", "one.zone.info"],
    ["onezone disable 0", "one.zone.enable"],
    ["onehost list --csv", "one.hostpool.info"],
    ["onehost disable 0", "one.host.status"],
  ])("wrong: `%s` fails with oned's authentication error for %s, 255, nothing on stdout", (command, method) => {
    setCliCredential(sb.dir, MASTER, "wrong");
    expect(sb.run(MASTER, command)).toEqual({ stdout: "", stderr: NOT_AUTHENTICATED(method), code: 255 });
  });

  it("wrong, against a stopped oned: the connection fails first", () => {
    setCliCredential(sb.dir, SLAVE_CA, "wrong");
    expect(sb.run(SLAVE_CA, "systemctl stop opennebula").code).toBe(0);
    expect(sb.run(SLAVE_CA, "onezone list").stderr).toBe(
      "Failed to open TCP connection to 127.0.50.3:2633 (Connection refused - connect(2) for 127.0.50.3:2633)\n",
    );
    expect(sb.run(SLAVE_CA, "systemctl start opennebula").code).toBe(0);
    setCliCredential(sb.dir, SLAVE_CA, "valid");
  });

  it.each(["onezone list", "onezone show 100 -j", "onehost list --csv", "onehost sync"])(
    "missing: `%s` stops before connecting with ONE_AUTH file not present, 255",
    (command) => {
      setCliCredential(sb.dir, MASTER, "missing");
      expect(sb.run(MASTER, command)).toEqual(NO_CREDENTIAL);
    },
  );

  it("reads the file ONE_AUTH names first, and falls through when it does not exist (client.rb)", () => {
    setCliCredential(sb.dir, MASTER, "missing");
    fs.writeFileSync(`${sb.work}/auth`, "oneadmin:sandbox\n");
    expect(sb.run(MASTER, "onezone list --csv", { ONE_AUTH: `${sb.work}/auth` }).code).toBe(0);
    expect(sb.run(MASTER, "onezone list --csv", { ONE_AUTH: `${sb.work}/no-such-file` })).toEqual(NO_CREDENTIAL);
    setCliCredential(sb.dir, MASTER, "valid");
    fs.writeFileSync(`${sb.work}/wrong`, "serveradmin:x\n");
    expect(sb.run(MASTER, "onezone list --csv", { ONE_AUTH: `${sb.work}/wrong` }).stderr).toBe(NOT_AUTHENTICATED("one.zonepool.info"));
  });

  it("missing: onedb restore, upgrade and fsck stop with ONE_AUTH file not present (255) with oned stopped; version and backup do not need it", () => {
    expect(sb.run(SLAVE_GE, "systemctl stop opennebula").code).toBe(0);
    expect(sb.run(SLAVE_GE, `onedb backup ${sb.work}/ge.bck`).code).toBe(0);
    setCliCredential(sb.dir, SLAVE_GE, "missing");
    expect(sb.run(SLAVE_GE, `onedb restore -f ${sb.work}/ge.bck`)).toEqual(NO_CREDENTIAL);
    expect(sb.run(SLAVE_GE, `onedb restore --federated ${sb.work}/ge.bck`)).toEqual(NO_CREDENTIAL);
    expect(sb.run(SLAVE_GE, "onedb fsck")).toEqual(NO_CREDENTIAL);
    expect(sb.run(SLAVE_GE, "onedb version").code).toBe(0);
    expect(sb.run(SLAVE_GE, `onedb backup -f ${sb.work}/ge.bck`).code).toBe(0);
    // The file check and the lock file come first, as in onedb.rb.
    expect(sb.run(SLAVE_GE, `onedb restore -f ${sb.work}/none.bck`).stderr).toBe(`File ${sb.work}/none.bck doesn't exist, backup restoration aborted.\n`);
    fs.writeFileSync(sb.path(SLAVE_GE, "/var/lock/one/one"), "1\n");
    expect(sb.run(SLAVE_GE, `onedb restore -f ${sb.work}/ge.bck`).stderr).toBe("First stop OpenNebula. Lock file found: /var/lock/one/one\n");
    fs.rmSync(sb.path(SLAVE_GE, "/var/lock/one/one"));
    setCliCredential(sb.dir, SLAVE_GE, "valid");
    expect(sb.run(SLAVE_GE, `onedb restore -f ${sb.work}/ge.bck`)).toEqual({
      stdout: "Sqlite database backup restored in /var/lib/one/one.db\n",
      stderr: "",
      code: 0,
    });
    expect(sb.run(SLAVE_GE, "systemctl start opennebula").code).toBe(0);
  });

  it("onedb upgrade without a credential file exits 255 before its backup", () => {
    expect(sb.run(SLAVE_CA, "systemctl stop opennebula").code).toBe(0);
    upgradePackages(sb, SLAVE_CA);
    setCliCredential(sb.dir, SLAVE_CA, "missing");
    expect(sb.run(SLAVE_CA, `onedb upgrade -b ${sb.work}/ca-pre.bck`)).toEqual(NO_CREDENTIAL);
    expect(fs.existsSync(`${sb.work}/ca-pre.bck`)).toBe(false);
    setCliCredential(sb.dir, SLAVE_CA, "valid");
  });
});

describe("a zone ENDPOINT with another path than /RPC2", () => {
  let sb: EmulatorSandbox;
  beforeAll(() => (sb = EmulatorSandbox.create()));
  afterAll(() => sb.remove());

  it("gets FED_INDEX - everywhere (oned answers 404), while the list still exits 0", () => {
    expect(setZoneEndpointPath(sb.dir, 100, "/")).toBe("http://127.0.50.2:2633/");
    const list = sb.run(MASTER, "onezone list --csv");
    expect(list.code).toBe(0);
    // The change is one federated record, replicated to the slaves.
    expect(list.stdout).toBe(
      "CURRENT,ID,NAME,ENDPOINT,FED_INDEX,STAT\n" +
        "*,0,M-EU-FR,http://127.0.50.1:2633/RPC2,715439,on\n" +
        '"",100,S-EU-GE,http://127.0.50.2:2633/,-,on\n' +
        '"",101,S-US-CA,http://127.0.50.3:2633/RPC2,715439,on\n',
    );
    expect(fedIndexes(sb, SLAVE_CA)["100"]).toBe("-");
  });

  it("fails a CLI whose own endpoint has that path with the client's HTTP error, 255", () => {
    expect(sb.run(MASTER, "onezone list --endpoint http://127.0.50.1:2633/RPC")).toEqual({ stdout: "", stderr: "HTTP-Error: 404 Not Found\n", code: 255 });
  });

  it("takes an endpoint without a path as /RPC2, as the XML-RPC client does", () => {
    expect(sb.run(MASTER, "onezone list --csv --endpoint http://127.0.50.1:2633").code).toBe(0);
  });

  it("answers again once the path is /RPC2", () => {
    setZoneEndpointPath(sb.dir, 100, "/RPC2");
    expect(fedIndexes(sb)).toEqual({ "0": "715440", "100": "715440", "101": "715440" });
  });

  it("refuses an unknown zone and a path without /", () => {
    expect(() => setZoneEndpointPath(sb.dir, 7, "/")).toThrow(/no zone 7 \(the zones are 0, 100, 101\)/);
    expect(() => setZoneEndpointPath(sb.dir, 100, "RPC2")).toThrow(/a path starts with \/ and has no spaces/);
  });
});

describe("a hung oned", () => {
  let sb: EmulatorSandbox;
  beforeAll(() => (sb = EmulatorSandbox.create()));
  afterAll(() => sb.remove());

  it("costs `onezone list` 5 s for that zone, which shows -, exit 0", () => {
    setOnedHung(sb.dir, SLAVE_GE, true);
    const t0 = Date.now();
    expect(fedIndexes(sb)).toEqual({ "0": "715438", "100": "-", "101": "715438" });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(5000);
  }, 30_000);

  it("fails a CLI talking to it after the client timeout (ONE_XMLRPC_TIMEOUT), with Ruby's read timeout", () => {
    const t0 = Date.now();
    expect(sb.run(SLAVE_GE, "onezone list", { ONE_XMLRPC_TIMEOUT: "1" })).toEqual({
      stdout: "",
      stderr: "Net::ReadTimeout with #<TCPSocket:(closed)>\n",
      code: 255,
    });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1000);
  }, 30_000);

  it("takes no records while hung and catches up when it answers again", async () => {
    expect(sb.run(MASTER, "onezone disable 0").code).toBe(0);
    setOnedHung(sb.dir, SLAVE_GE, false);
    expect(fedIndexes(sb)).toEqual({ "0": "715439", "100": "715439", "101": "715439" });
    expect(sb.run(MASTER, "onezone enable 0").code).toBe(0);
  }, 30_000);

  it("is a sandbox hang --frontend FE [--off] command", async () => {
    const out: string[] = [];
    expect(await runSandboxCommand(["hang", "--dir", sb.dir, "--frontend", "100"], (l) => out.push(l))).toBe(0);
    expect(await runSandboxCommand(["hang", "--dir", sb.dir, "--frontend", "100", "--off"], (l) => out.push(l))).toBe(0);
    expect(out).toEqual(["zone100-server0: oned accepts connections and never answers", "zone100-server0: oned answers again"]);
  });
});

describe("Raft elections not won by the lowest id", () => {
  let sb: EmulatorSandbox;
  beforeAll(() => (sb = EmulatorSandbox.create({ ha: [100] })));
  afterAll(() => sb.remove());
  const GE = (n: number): string => `zone100-server${n}`;
  const leaderOf = (): string | undefined =>
    (
      JSON.parse(sb.run(MASTER, "onezone show 100 -j").stdout) as { ZONE: { SERVER_POOL: { SERVER: Array<{ ID: string; STATE: string }> } } }
    ).ZONE.SERVER_POOL.SERVER.find((s) => s.STATE === "3")?.ID;

  it("elects the named server when the leader goes, once; then the lowest again", () => {
    setRaftNextLeader(sb.dir, 100, 2);
    expect(leaderOf()).toBe("0");
    expect(sb.run(GE(0), "systemctl stop opennebula").code).toBe(0);
    expect(leaderOf()).toBe("2");
    expect(sb.run(GE(0), "systemctl start opennebula").code).toBe(0);
    expect(sb.run(GE(2), "systemctl stop opennebula").code).toBe(0);
    expect(leaderOf()).toBe("0");
    expect(sb.run(GE(2), "systemctl start opennebula").code).toBe(0);
  });

  it("a hung server: `onezone show` waits 5 s for its raftstatus and shows it as error", () => {
    setOnedHung(sb.dir, GE(1), true);
    const t0 = Date.now();
    const r = sb.run(MASTER, "onezone show 100");
    expect(Date.now() - t0).toBeGreaterThanOrEqual(5000);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ 1 server-1        error      -          -          -          -     -$/m);
    setOnedHung(sb.dir, GE(1), false);
  }, 30_000);

  it("refuses a server the zone does not have", () => {
    expect(() => setRaftNextLeader(sb.dir, 100, 5)).toThrow(/zone 100 has no server 5 \(servers 0\.\.2\)/);
  });
});

describe("onefed sandbox auth|endpoint|migrator", () => {
  let sb: EmulatorSandbox;
  beforeAll(() => (sb = EmulatorSandbox.create()));
  afterAll(() => sb.remove());
  const cli = async (...argv: string[]): Promise<{ code: number; out: string; err: string }> => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runSandboxCommand(
      argv,
      (l) => out.push(l),
      (l) => err.push(l),
    );
    return { code, out: out.join("\n"), err: err.join("\n") };
  };

  it("auth: wrong, missing, valid", async () => {
    expect(await cli("auth", "--dir", sb.dir, "--frontend", "0", "--credential", "wrong")).toEqual({
      code: 0,
      out: "zone0-server0: oneadmin credential wrong",
      err: "",
    });
    expect(sb.run(MASTER, "onezone list").stderr).toBe(NOT_AUTHENTICATED("one.zonepool.info"));
    expect((await cli("auth", "--dir", sb.dir, "--frontend", "0", "--credential", "missing")).out).toBe("zone0-server0: oneadmin credential removed");
    expect(sb.run(MASTER, "onezone list")).toEqual(NO_CREDENTIAL);
    expect((await cli("auth", "--dir", sb.dir, "--frontend", "0", "--credential", "valid")).code).toBe(0);
    expect(sb.run(MASTER, "onezone list").code).toBe(0);
    const bad = await cli("auth", "--dir", sb.dir, "--frontend", "0", "--credential", "stale");
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--credential must be one of valid, wrong, missing/);
  });

  it("endpoint: sets and puts back a zone's path", async () => {
    expect(await cli("endpoint", "--dir", sb.dir, "--zone", "101", "--path", "/RPC")).toEqual({
      code: 0,
      out: "zone 101: ENDPOINT http://127.0.50.3:2633/RPC",
      err: "",
    });
    expect(fedIndexes(sb)["101"]).toBe("-");
    expect((await cli("endpoint", "--dir", sb.dir, "--zone", "101", "--path", "/RPC2")).code).toBe(0);
    expect(fedIndexes(sb)["101"]).not.toBe("-");
  });

  it("status shows what a test changed: credential, hung oned, missing migrators", async () => {
    setCliCredential(sb.dir, SLAVE_GE, "wrong");
    setOnedHung(sb.dir, SLAVE_CA, true);
    setMigratorMissing(sb.dir, MASTER, "local/6.10.0_to_7.0.0.rb");
    const st = await sandboxStatus(sb.dir);
    expect(st.zones.map((z) => z.frontends[0]).map((f) => [f.name, f.credential, f.hung, f.missingMigrators])).toEqual([
      [MASTER, "valid", false, ["local/6.10.0_to_7.0.0.rb"]],
      [SLAVE_GE, "wrong", false, []],
      [SLAVE_CA, "valid", true, []],
    ]);
    const table = await cli("status", "--dir", sb.dir);
    expect(table.out).toMatch(/zone101-server0 .* active \(hung\) /);
    expect(table.out).toMatch(
      /\nzone100-server0: oneadmin credential wrong\nzone0-server0: migrators missing: local\/6\.10\.0_to_7\.0\.0\.rb$|zone0-server0: migrators missing: local\/6\.10\.0_to_7\.0\.0\.rb\nzone100-server0: oneadmin credential wrong$/,
    );
    setCliCredential(sb.dir, SLAVE_GE, "valid");
    setOnedHung(sb.dir, SLAVE_CA, false);
    setMigratorMissing(sb.dir, MASTER);
  });

  it("migrator: lists, removes, restores", async () => {
    expect(await cli("migrator", "--dir", sb.dir, "--frontend", "0")).toEqual({
      code: 0,
      out: "shared/6.10.0_to_7.0.0.rb\nlocal/6.10.0_to_7.0.0.rb",
      err: "",
    });
    expect((await cli("migrator", "--dir", sb.dir, "--frontend", "0", "--remove", "shared/6.10.0_to_7.0.0.rb")).out).toBe(
      "zone0-server0: migrator shared/6.10.0_to_7.0.0.rb removed",
    );
    expect((await cli("migrator", "--dir", sb.dir, "--frontend", "0", "--restore")).out).toBe("zone0-server0: every migrator is back");
    expect((await cli("migrator", "--dir", sb.dir, "--frontend", "0", "--remove", "x", "--restore")).code).toBe(2);
  });
});
