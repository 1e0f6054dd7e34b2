import * as fs from "fs";
import * as path from "path";
import { execFileSync } from "child_process";
import { poolJson } from "../../sandbox/emulator/onezone-format";
import { judgeRaft } from "../../lib/checks/raft-health";
import { fedIndexOf, fedIndexText, parseFedIndex } from "../../lib/remote/opennebula/fed-index";
import { parseZonePoolJson } from "../../lib/remote/opennebula/zone-pool";
import { monitordConf, onedConf } from "../../lib/remote/opennebula/commands";
import { renderCommand } from "../../lib/remote/opennebula/remote-command";
import {
  parseDbVersion,
  parseMonitorAddress,
  parseOnedFederation,
  raftRole,
  parseIsActive,
  parsePackageVersion,
  parseSha256,
  parseUnitFiles,
  parseZoneListCsv,
  parseZoneShowJson,
  ParseError,
} from "../../lib/remote/opennebula/parsers";

const SAMPLES = path.resolve(__dirname, "../fixtures/opennebula");
const sample = (rel: string) => fs.readFileSync(path.join(SAMPLES, rel), "utf8");
const rc = (rel: string) => Number(sample(`${rel}.rc`).trim());

describe("onezone list --csv", () => {
  it("reads the in-sync seed federation", () => {
    expect(parseZoneListCsv(sample("onezone/a-in-sync/list_--csv.out"))).toEqual([
      { current: true, id: 0, name: "M-EU-FR", endpoint: "http://127.0.50.1:2633/RPC2", fedIndex: fedIndexOf(715438), enabled: true },
      { current: false, id: 100, name: "S-EU-GE", endpoint: "http://127.0.50.2:2633/RPC2", fedIndex: fedIndexOf(715438), enabled: true },
      { current: false, id: 101, name: "S-US-CA", endpoint: "http://127.0.50.3:2633/RPC2", fedIndex: fedIndexOf(715438), enabled: true },
    ]);
  });
  it("reads a lagging zone's index", () => {
    expect(parseZoneListCsv(sample("onezone/b-lagging/list_--csv.out")).map((r) => r.fedIndex)).toEqual([
      fedIndexOf(715438),
      fedIndexOf(715438),
      fedIndexOf(715401),
    ]);
  });
  it("reads an unreachable zone as unreachable", () => {
    expect(parseZoneListCsv(sample("onezone/c-unreachable/list_--csv.out"))[1].fedIndex).toEqual({ kind: "unreachable" });
  });

  /** The c-unreachable sample with zone 100's FED_INDEX cell replaced, in the CLI's exact CSV format. */
  const withZone100 = (cell: string) =>
    sample("onezone/c-unreachable/list_--csv.out").replace(
      '"",100,S-EU-GE,http://127.0.50.2:2633/RPC2,-,on',
      `"",100,S-EU-GE,http://127.0.50.2:2633/RPC2,${cell},on`,
    );

  it.each([
    ["a real index", "715438", { kind: "index", value: 715438n }],
    ["the first federated record", "0", { kind: "index", value: 0n }],
    // Real OpenNebula 6.10 for a federated zone with no federated record yet: UINT64_MAX, beyond 2^53.
    ["no federated record yet", "18446744073709551615", { kind: "no-record" }],
    ["an index beyond 2^53, exactly", "18446744073709551614", { kind: "index", value: 18446744073709551614n }],
    ["a zone the CLI could not ask", "-", { kind: "unreachable" }],
    ["a standalone zone", "-1", { kind: "standalone" }],
  ])("reads FED_INDEX as %s (%s)", (_what, cell, expected) => {
    const csv = withZone100(cell);
    expect(csv).toContain(`,${cell},on\n`);
    expect(parseZoneListCsv(csv)[1].fedIndex).toEqual(expected);
    expect(fedIndexText(parseZoneListCsv(csv)[1].fedIndex)).toBe(cell);
  });
  it("never confuses UINT64_MAX with its neighbour, as a JS number would", () => {
    expect(Number("18446744073709551615")).toBe(Number("18446744073709551614"));
    expect(parseFedIndex("18446744073709551615")).not.toEqual(parseFedIndex("18446744073709551614"));
  });
  it.each(["-2", "18446744073709551616", "7e5", "715438.0", "", " 715438"])("refuses the FED_INDEX cell %j", (cell) => {
    expect(() => parseZoneListCsv(withZone100(cell))).toThrow(ParseError);
  });
  it("reads a disabled zone", () => {
    expect(parseZoneListCsv(sample("onezone/a-in-sync/seq06_list_--csv.out")).map((r) => r.enabled)).toEqual([true, false, true]);
  });
  it("refuses the fixed-width table", () => {
    expect(() => parseZoneListCsv(sample("onezone/a-in-sync/list.out"))).toThrow(ParseError);
  });
});

describe("onezone list -j", () => {
  // The sandbox's emulator prints the pool as the CLI does (ZONE always an array, every value a string).
  const pool = (zones: { id: number; name: string; state: number; servers?: { id: number; name: string; endpoint: string }[] }[], withState = true) =>
    poolJson(
      zones.map((z) => ({ ...z, endpoint: `http://127.0.50.${z.id + 1}:2633/RPC2` })),
      withState,
    );
  it("reads the captured sample", () => {
    expect(parseZonePoolJson(sample("onezone/a-in-sync/list_-j.out"))).toEqual([
      { id: 0, name: "M-EU-FR", enabled: true },
      { id: 100, name: "S-EU-GE", enabled: true },
      { id: 101, name: "S-US-CA", enabled: true },
    ]);
  });
  it("reads every zone's STATE, HA servers or not", () => {
    const text = pool([
      { id: 0, name: "M-EU-FR", state: 1 },
      { id: 100, name: "S-EU-GE", state: 0, servers: [{ id: 0, name: "ge-fe1", endpoint: "http://10.0.0.1:2633/RPC2" }] },
    ]);
    expect(parseZonePoolJson(text)).toEqual([
      { id: 0, name: "M-EU-FR", enabled: false },
      { id: 100, name: "S-EU-GE", enabled: true },
    ]);
  });
  it("reads a release without zone STATE as enabled, and an empty pool as no zone", () => {
    expect(parseZonePoolJson(pool([{ id: 0, name: "M", state: 1 }], false))).toEqual([{ id: 0, name: "M", enabled: true }]);
    expect(parseZonePoolJson(pool([]))).toEqual([]);
  });
  it("refuses what is not a zone pool", () => {
    expect(() => parseZonePoolJson("oops")).toThrow(ParseError);
    expect(() => parseZonePoolJson('{"ZONE":{"ID":"0","NAME":"M"}}')).toThrow(/no ZONE_POOL/);
    expect(() => parseZonePoolJson('{"ZONE_POOL":{"ZONE":[{"NAME":"M"}]}}')).toThrow(/without ID or NAME/);
  });
});

describe("onezone show -j", () => {
  it("reads a solo zone", () => {
    expect(parseZoneShowJson(sample("onezone/a-in-sync/show_0_-j.out"))).toEqual({
      id: 0,
      name: "M-EU-FR",
      enabled: true,
      endpoint: "http://127.0.50.1:2633/RPC2",
      servers: [],
    });
  });
  it("reads the HA sample's servers and roles", () => {
    const z = parseZoneShowJson(sample("onezone/e-ha-zone/show_100_-j.out"));
    expect(z.servers.length).toBeGreaterThan(0);
    for (const s of z.servers) expect(s.raftState === null || (s.raftState >= 0 && s.raftState <= 3)).toBe(true);
  });
  it("reads the HA sample's leader, follower and unreachable server with their Raft counters", () => {
    const z = parseZoneShowJson(sample("onezone/e-ha-zone/show_100_-j.out"));
    expect(z.servers.map((s) => [s.id, s.name, raftRole(s), s.term, s.commit, s.logIndex, s.fedIndex])).toEqual([
      [0, "ge-fe1", "leader", 7, 48211, 48211, fedIndexOf(715438)],
      [1, "ge-fe2", "follower", 7, 48211, 48211, fedIndexOf(715438)],
      [2, "ge-fe3", "error", null, null, null, { kind: "unreachable" }],
    ]);
    const members = z.servers.map((s) => ({ frontend: `127.0.52.${s.id + 1}:22`, serverId: s.id }));
    expect(judgeRaft(z.servers, members)).toEqual({
      healthy: false,
      problem: "not in sync: 127.0.52.3:22 (SERVER_ID 2) error at COMMIT - (leader 48211)",
      lagging: [],
      catchingUp: false,
    });
    expect(judgeRaft(z.servers.slice(0, 2), members.slice(0, 2))).toEqual({ healthy: true, problem: "" });
  });
  it("reads FEDLOG_INDEX exactly, UINT64_MAX as no federated record yet", () => {
    const text = sample("onezone/e-ha-zone/show_100_-j.out");
    expect(text.match(/"FEDLOG_INDEX": "715438"/g)).toHaveLength(2);
    const z = parseZoneShowJson(text.replace('"FEDLOG_INDEX": "715438"', '"FEDLOG_INDEX": "18446744073709551615"'));
    expect(z.servers.map((s) => s.fedIndex)).toEqual([{ kind: "no-record" }, fedIndexOf(715438), { kind: "unreachable" }]);
    expect(() => parseZoneShowJson(text.replace('"FEDLOG_INDEX": "715438"', '"FEDLOG_INDEX": "x"'))).toThrow(/unexpected FEDLOG_INDEX "x"/);
  });
});

describe("monitord.conf MONITOR_ADDRESS", () => {
  const conf = (v: string) =>
    `# MONITOR_ADDRESS = "10.9.9.9" in a comment\nNETWORK = [\n    ADDRESS = "0.0.0.0",\n    PORT = 4124,\n    MONITOR_ADDRESS = ${v}\n]\n`;
  it("reads auto, an address, or nothing", () => {
    expect(parseMonitorAddress(conf('"auto"'))).toBe("auto");
    expect(parseMonitorAddress(conf('"192.168.150.100"'))).toBe("192.168.150.100");
    expect(parseMonitorAddress("NETWORK = [ PORT = 4124 ]\n")).toBeUndefined();
  });
  it("replaces only auto, with the address quoted, and refuses anything that is not an address", () => {
    const line = renderCommand(monitordConf.setMonitorAddress("192.168.150.100"));
    expect(line).toBe(`sed -i -E 's/^([[:space:]]*MONITOR_ADDRESS[[:space:]]*=[[:space:]]*)"auto"/\\1"192.168.150.100"/' /etc/one/monitord.conf`);
    const out = execFileSync("sed", ["-E", `s/^([[:space:]]*MONITOR_ADDRESS[[:space:]]*=[[:space:]]*)"auto"/\\1"192.168.150.100"/`], {
      input: conf('"auto"'),
      encoding: "utf8",
    });
    expect(parseMonitorAddress(out)).toBe("192.168.150.100");
    expect(() => monitordConf.setMonitorAddress("x/y;rm")).toThrow(RangeError);
  });
});

describe("oned.conf FEDERATION", () => {
  const conf = (serverId: string) =>
    `# SERVER_ID = 9 in a comment is ignored\nDB = [ BACKEND = "sqlite" ]\nFEDERATION = [\n    MODE          = "SLAVE",\n    ZONE_ID       = 100,\n    SERVER_ID     = ${serverId},\n    MASTER_ONED   = "http://127.0.50.1:2633/RPC2"\n]\n`;
  it("reads MODE, ZONE_ID and SERVER_ID", () => {
    expect(parseOnedFederation(conf("2"))).toEqual({ mode: "SLAVE", zoneId: 100, serverId: 2 });
    expect(parseOnedFederation(conf("-1")).serverId).toBe(-1);
  });
  it("is read with only the FEDERATION section leaving the front-end, never the DB password", () => {
    const full = `DB = [ BACKEND = "mysql", SERVER = "localhost", PASSWD = "Pw-7f3a9c1e", DB_NAME = "opennebula" ]\n${conf("1")}RAFT = [ LIMIT_PURGE = 100000 ]\n`;
    const [cmd, ...args] = onedConf.readFederation().argv;
    const file = path.join(fs.mkdtempSync(path.join(require("os").tmpdir(), "onefed-conf-")), "oned.conf");
    fs.writeFileSync(file, full);
    const out = execFileSync(cmd, [...args.slice(0, -1), file], { encoding: "utf8" });
    expect(out).not.toContain("Pw-7f3a9c1e");
    expect(out).not.toContain("RAFT");
    expect(parseOnedFederation(out)).toEqual({ mode: "SLAVE", zoneId: 100, serverId: 1 });
  });
  it("refuses a file without a numeric SERVER_ID", () => {
    expect(() => parseOnedFederation(conf('"x"'))).toThrow(ParseError);
    expect(() => parseOnedFederation("PORT = 2633\n")).toThrow(/no FEDERATION/);
  });
});

describe("onedb version", () => {
  it.each([
    ["onedb/01-version_master", "up-to-date", "6.10.0"],
    ["onedb/02-version-v_master", "up-to-date", "6.10.0"],
    ["onedb/11-version-v_slave_after-federated-restore", "up-to-date", "6.10.0"],
  ])("%s", (rel, status, shared) => {
    expect(parseDbVersion(sample(`${rel}.out`), rc(rel))).toEqual({ status, shared, local: "6.10.0" });
  });
  it("maps exit codes 2 and 3", () => {
    const text = "Shared: 7.0.0\nLocal:  6.10.0\nRequired shared version: 7.0.0\nRequired local version:  7.0.0\n";
    expect(parseDbVersion(text, 2).status).toBe("upgrade-needed");
    expect(parseDbVersion(text, 3).status).toBe("db-newer-than-software");
  });
  it("refuses an unknown exit code", () => {
    expect(() => parseDbVersion("", 255)).toThrow(/exit code 255/);
  });
});

describe("small parsers", () => {
  it("package versions", () => {
    expect(parsePackageVersion("6.10.0-1")).toBe("6.10.0");
    expect(parsePackageVersion("6.8.0.1-1")).toBe("6.8.0.1");
    expect(() => parsePackageVersion("")).toThrow(ParseError);
  });
  it("systemctl", () => {
    expect(parseIsActive(["a", "b"], "active\ninactive\n")).toEqual({ a: "active", b: "inactive" });
    expect(() => parseIsActive(["a", "b"], "active\n")).toThrow(ParseError);
    expect(parseUnitFiles("opennebula.service    enabled enabled\nopennebula-showback.timer enabled enabled\n")).toEqual([
      "opennebula.service",
      "opennebula-showback.timer",
    ]);
  });
  it("sha256sum", () => {
    expect(parseSha256(`${"a".repeat(64)}  /x\n`)).toBe("a".repeat(64));
  });
});
