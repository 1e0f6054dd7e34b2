/**
 * `onefed discover` without a federation: the oned.conf DB reader run by the real awk (the
 * password never comes out), the parsers, where front-ends are looked for, host-key trust, the
 * drafted federation file (parsed by the real loader) and the command line's refusals.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { main } from "../../lib/cli/onefed";
import { parseMasterAddress, pathFromFile } from "../../lib/cli/discover-command";
import { ConfigError, parseConfig } from "../../lib/config/load-config";
import { endpointHost, frontendAddresses } from "../../lib/discover/discover";
import { DiscoverError } from "../../lib/discover/discover-error";
import { Discovery, FrontendFindings, ZoneFindings } from "../../lib/discover/findings";
import { DEFAULT_PASSWORD_ENV, draftFederationFile, DraftOptions, federationNameFrom, TO_VERSION_PLACEHOLDER } from "../../lib/discover/federation-draft";
import { HostKeyPinning } from "../../lib/discover/host-key-pinning";
import { UsageError } from "../../lib/model/errors";
import { onedConf } from "../../lib/remote/opennebula/commands";
import { parseOnedDatabase, parsePackageTools, ParseError, ZoneShow } from "../../lib/remote/opennebula/parsers";
import { HostKeyError } from "../../lib/remote/ssh/errors";
import { fingerprint, keyTypeOf, parseKnownHosts } from "../../lib/remote/ssh/known-hosts";
import { parse as parseYaml } from "yaml";
import { mysqlDbSection } from "../../sandbox/mysql";

const work = fs.mkdtempSync(path.join(os.tmpdir(), "onefed-discover-"));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));
// The files the drafted ssh section names: the loader checks that they can be read.
fs.writeFileSync(path.join(work, "id_ed25519"), "");
fs.writeFileSync(path.join(work, "known_hosts"), "");

/** Runs the DB reader exactly as a front-end would: the same awk program on an oned.conf. */
function readDatabase(onedConfText: string): string {
  const file = path.join(work, `oned-${Math.random().toString(36).slice(2)}.conf`);
  fs.writeFileSync(file, onedConfText);
  const [awk, program] = onedConf.readDatabase().argv;
  return execFileSync(awk, [program, file], { encoding: "utf8" });
}

describe("oned.conf's DB section, read on the front-end", () => {
  const tricky = 's3,cr"et#USER=evil],SERVER=x';
  const escaped = tricky.replace(/"/g, '\\"');

  it.each([
    ["the shipped SQLite line", 'DB = [ BACKEND = "sqlite",\n       TIMEOUT = 2500 ]\n', { backend: "sqlite" }],
    ["one line", 'LOG = [ SYSTEM = "file" ]\nDB = [ BACKEND = "sqlite", TIMEOUT = 2500 ]\nPORT = 2633\n', { backend: "sqlite" }],
    [
      "the sandbox's MySQL section",
      `${mysqlDbSection("Zq8sV3kP0aLm2Xc7RtYu9WbN", "127.0.50.1")}\nFEDERATION = [ MODE = "MASTER" ]\n`,
      { backend: "mysql", server: "127.0.50.1", port: 3306, user: "oneadmin", name: "opennebula" },
    ],
    [
      "commented examples before the real section, and a comment inside it",
      '# DB = [ BACKEND = "mysql",\n#        PASSWD = "nope" ]\nDB = [ backend = "mysql", # the server\n  SERVER = "db.example", PORT = 3306,\n  USER = "one", DB_NAME = "one_db" ]\n',
      { backend: "mysql", server: "db.example", port: 3306, user: "one", name: "one_db" },
    ],
  ])("%s", (_title, text, expected) => {
    expect(parseOnedDatabase(readDatabase(text))).toEqual(expected);
  });

  it("never prints the password, whatever it holds (commas, quotes, #, ], key names)", () => {
    const text = `DB = [ BACKEND = "mysql",\n  PASSWD = "${escaped}",\n  SERVER = "localhost", USER = "oneadmin",\n  DB_NAME = "opennebula" ]\n`;
    const printed = readDatabase(text);
    expect(printed).toBe("BACKEND=mysql\nSERVER=localhost\nUSER=oneadmin\nDB_NAME=opennebula\n");
    for (const part of ["s3", "cr", "et", "evil", "PASSWD"]) expect(printed).not.toContain(part);
  });

  it("prints nothing without an uncommented DB section, which the parser refuses", () => {
    expect(readDatabase('# DB = [ BACKEND = "mysql" ]\nPORT = 2633\n')).toBe("");
    expect(() => parseOnedDatabase("")).toThrow(ParseError);
  });

  it("refuses lines it did not ask for and a PORT that is not a number", () => {
    expect(() => parseOnedDatabase("BACKEND=mysql\nPASSWD=x\n")).toThrow(/unexpected line/);
    expect(() => parseOnedDatabase("BACKEND=mysql\nPORT=abc\n")).toThrow(/PORT "abc" is not a number/);
  });
});

describe("the package tool probe", () => {
  it.each([
    ["dpkg-query\n", "apt"],
    ["dnf\nyum\n", "dnf"],
    ["yum\n", "yum"],
    ["dpkg-query\ndnf\n", "apt"],
  ])("%j → %s", (stdout, manager) => expect(parsePackageTools(stdout)).toBe(manager));

  it("refuses a machine with none", () => expect(() => parsePackageTools("")).toThrow(/none of dpkg-query, dnf or yum/));
});

describe("where the front-ends are", () => {
  const master = { host: "10.0.0.1", port: 2222 };
  const show = (endpoint: string, servers: Array<[number, string]> = []): ZoneShow => ({
    id: 0,
    name: "z",
    enabled: true,
    endpoint,
    servers: servers.map(([id, ep]) => ({
      id,
      name: `server-${id}`,
      endpoint: ep,
      raftState: 3,
      term: 1,
      commit: 1,
      logIndex: 1,
      fedIndex: { kind: "unreachable" },
    })),
  });

  it("a solo zone at its ENDPOINT's host, on --master's SSH port", () => {
    expect(frontendAddresses(show("http://10.0.0.7:2633/RPC2"), false, master)).toEqual([{ host: "10.0.0.7", port: 2222 }]);
    expect(frontendAddresses(show("https://one.example:2633/RPC2"), false, master)).toEqual([{ host: "one.example", port: 2222 }]);
  });

  it("an HA zone at each server's endpoint host, in server id order (not at the floating IP)", () => {
    const ha = show("http://10.0.0.100:2633/RPC2", [
      [2, "http://10.0.0.3:2633/RPC2"],
      [0, "http://10.0.0.1:2633/RPC2"],
      [1, "http://10.0.0.2:2633/RPC2"],
    ]);
    expect(frontendAddresses(ha, true, master)).toEqual([
      { host: "10.0.0.1", port: 2222, serverId: 0 },
      { host: "10.0.0.2", port: 2222, serverId: 1 },
      { host: "10.0.0.3", port: 2222, serverId: 2 },
    ]);
  });

  it("a master whose ENDPOINT is the loopback at the address --master gave; a slave's loopback stays (and will fail)", () => {
    expect(frontendAddresses(show("http://localhost:2633/RPC2"), true, master)).toEqual([master]);
    expect(frontendAddresses(show("http://localhost:2633/RPC2"), false, master)).toEqual([{ host: "localhost", port: 2222 }]);
  });

  it("IPv6 endpoints without brackets; a non-URL is an error", () => {
    expect(endpointHost("http://[fd00::1]:2633/RPC2")).toBe("fd00::1");
    expect(() => endpointHost("not a url")).toThrow(/not a URL/);
  });
});

describe("host keys", () => {
  const keyFile = path.join(work, "hk");
  execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", keyFile]);
  const blob = Buffer.from(fs.readFileSync(`${keyFile}.pub`, "utf8").split(" ")[1], "base64");
  execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", `${keyFile}2`]);
  const other = Buffer.from(fs.readFileSync(`${keyFile}2.pub`, "utf8").split(" ")[1], "base64");
  const scanned = (key: Buffer) => ({ keyType: keyTypeOf(key), fingerprint: fingerprint(key), key });
  const target = { host: "10.0.0.1", port: 22 };

  it("refuses a key nothing pins without --accept-new-host-key, showing its fingerprint", () => {
    const pinning = new HostKeyPinning([], false, undefined, () => undefined);
    expect(() => pinning.pin(target, "the master", scanned(blob))).toThrow(DiscoverError);
    expect(() => pinning.pin(target, "the master", scanned(blob))).toThrow(
      new RegExp(
        `the master 10\\.0\\.0\\.1:22 presented ssh-ed25519 host key ${fingerprint(blob).replace(/[+/]/g, "\\$&")}, and no known_hosts file was given`,
      ),
    );
    expect(pinning.pinned()).toEqual([]);
  });

  it("accepts it with the flag, saying so once, and writes it to known_hosts", () => {
    const lines: string[] = [];
    const pinning = new HostKeyPinning([], true, undefined, (l) => lines.push(l));
    pinning.pin(target, "the master", scanned(blob));
    pinning.pin(target, "the master", scanned(blob));
    pinning.pin({ host: "10.0.0.2", port: 2222 }, "zone 100 (S) front-end", scanned(other));
    expect(lines).toEqual([
      `accepted the new host key of the master 10.0.0.1: ssh-ed25519 ${fingerprint(blob)}`,
      `accepted the new host key of zone 100 (S) front-end [10.0.0.2]:2222: ssh-ed25519 ${fingerprint(other)}`,
    ]);
    expect(pinning.renderKnownHosts()).toBe(`10.0.0.1 ssh-ed25519 ${blob.toString("base64")}\n[10.0.0.2]:2222 ssh-ed25519 ${other.toString("base64")}\n`);
  });

  it("trusts a key the given known_hosts pins, without the flag", () => {
    const lines: string[] = [];
    const pinning = new HostKeyPinning(parseKnownHosts(`10.0.0.1 ssh-ed25519 ${blob.toString("base64")}\n`), false, "/k", (l) => lines.push(l));
    expect(pinning.pin(target, "the master", scanned(blob)).key).toEqual(blob);
    expect(pinning.pinned()).toMatchObject([{ host: "10.0.0.1", accepted: false }]);
    expect(lines).toEqual([]);
  });

  it("scans offering only the pinned types, and refuses a key of another type even with the flag", () => {
    execFileSync("ssh-keygen", ["-q", "-t", "ecdsa", "-b", "256", "-N", "", "-f", `${keyFile}3`]);
    const ecdsa = fs.readFileSync(`${keyFile}3.pub`, "utf8").split(" ").slice(0, 2).join(" ");
    const pinning = new HostKeyPinning(parseKnownHosts(`10.0.0.1 ${ecdsa}\n`), true, "/k", () => undefined);
    expect(pinning.algorithmsFor(target)).toEqual(["ecdsa-sha2-nistp256"]);
    expect(pinning.algorithmsFor({ host: "10.0.0.9", port: 22 })).toBeUndefined();
    expect(() => pinning.pin(target, "the master", scanned(blob))).toThrow(/another type than the one pinned in \/k/);
  });

  it("refuses a key that differs from the pinned one, even with the flag", () => {
    const pinning = new HostKeyPinning(parseKnownHosts(`10.0.0.1 ssh-ed25519 ${blob.toString("base64")}\n`), true, "/k", () => undefined);
    expect(() => pinning.pin(target, "the master", scanned(other))).toThrow(HostKeyError);
  });
});

function frontend(host: string, over: Partial<FrontendFindings> = {}): FrontendFindings {
  return {
    host,
    port: 22,
    packageManager: "apt",
    version: "6.10.0",
    database: { backend: "sqlite" },
    federation: { mode: "SLAVE", zoneId: 100, serverId: -1 },
    units: ["opennebula", "opennebula-flow"],
    ...over,
  };
}

function zone(id: number, name: string, frontends: FrontendFindings[], over: Partial<ZoneFindings> = {}): ZoneFindings {
  return {
    id,
    name,
    endpoint: `http://${frontends[0].host}:2633/RPC2`,
    serverIds: [],
    frontends: frontends.map((f) => ({
      ...f,
      federation: { ...f.federation, zoneId: id, mode: id === 0 && f.federation.mode === "SLAVE" ? "MASTER" : f.federation.mode },
    })),
    hosts: [{ id: 0, name: `${name.toLowerCase()}-kvm-0`, enabled: true, stat: "on" }],
    ...over,
  };
}

const MYSQL = { backend: "mysql", server: "localhost", port: 0, user: "oneadmin", name: "opennebula" };
const OPTIONS: DraftOptions = {
  toVersion: "7.0.0",
  user: "root",
  privateKeyPath: "./id_ed25519",
  knownHostsPath: "./known_hosts",
  readAt: "2026-11-30T12:00:00Z",
};
const discovery = (zones: ZoneFindings[]): Discovery => ({ master: { host: zones[0].frontends[0].host, port: 22 }, masterZoneId: 0, zones });
const parse = (text: string) => parseConfig(text, path.join(work, "federation.yaml"));

describe("the drafted federation file", () => {
  const solo = discovery([
    zone(0, "M-EU-FR", [frontend("10.0.0.1")]),
    zone(100, "S-EU-GE", [frontend("10.0.0.2")]),
    zone(101, "S-US-CA", [frontend("10.0.0.3")]),
  ]);

  it("is a valid federation file with the zones, roles, endpoints and front-ends discovered", () => {
    const draft = draftFederationFile(solo, { ...OPTIONS, name: "prod" });
    const c = parse(draft.text);
    expect({ name: c.name, from: c.fromVersion, to: c.toVersion, user: c.ssh.user }).toEqual({ name: "prod", from: "6.10.0", to: "7.0.0", user: "root" });
    expect(
      c.zones.map((z) => [z.id, z.name, z.role, z.endpoint, z.frontends.map((f) => `${f.host}:${f.port}`), z.packages.manager, z.database.backend]),
    ).toEqual([
      [0, "M-EU-FR", "master", "http://10.0.0.1:2633/RPC2", ["10.0.0.1:22"], "apt", "sqlite"],
      [100, "S-EU-GE", "slave", "http://10.0.0.2:2633/RPC2", ["10.0.0.2:22"], "apt", "sqlite"],
      [101, "S-US-CA", "slave", "http://10.0.0.3:2633/RPC2", ["10.0.0.3:22"], "apt", "sqlite"],
    ]);
    expect(c.ssh.knownHostsPath).toBe(path.join(work, "known_hosts"));
    expect(draft.toFill).toEqual([]);
  });

  it("lists each zone's front-ends, units and registered hosts as comments, hosts not managed", () => {
    const { text } = draftFederationFile(solo, OPTIONS);
    expect(text).toContain("  # zone 100 (S-EU-GE): 10.0.0.2 (SERVER_ID -1, OpenNebula 6.10.0, apt, DB sqlite)\n");
    expect(text).toContain("  #   units: opennebula, opennebula-flow\n");
    expect(text).toMatch(/# {3}registered hosts \(onehost list\): s-eu-ge-kvm-0 \(on\); not managed/);
    expect(parse(text).zones.every((z) => z.nodes.length === 0)).toBe(true);
    expect(parse(text).hosts.manage).toBe(false);
  });

  it("says why a zone's hosts could not be listed (oned stopped there), and still drafts the zone", () => {
    const stopped = zone(100, "S", [frontend("10.0.0.2")], {
      hosts: undefined,
      hostsError: "Failed to open TCP connection to localhost:2633 (Connection refused)\nmore",
    });
    const { text } = draftFederationFile(discovery([zone(0, "M", [frontend("10.0.0.1")]), stopped]), OPTIONS);
    expect(text).toContain("#   registered hosts (onehost list): could not be read (Failed to open TCP connection to localhost:2633 (Connection refused));");
    expect(parse(text).zones.map((z) => z.id)).toEqual([0, 100]);
  });

  it("leaves the target version as a placeholder that the loader refuses, and says so", () => {
    const draft = draftFederationFile(solo, { ...OPTIONS, toVersion: undefined });
    expect(draft.text).toContain(`toVersion: ${JSON.stringify(TO_VERSION_PLACEHOLDER)}`);
    expect(draft.toFill).toEqual([expect.stringMatching(/^federation\.toVersion: the version to upgrade to/)]);
    expect(draft.text).toMatch(/# Fill in before `onefed check` accepts this file:\n# {3}- federation\.toVersion/);
    expect(() => parse(draft.text)).toThrow(ConfigError);
    expect(() => parse(draft.text)).toThrow(/federation\.toVersion/);
  });

  it("derives the federation name from the master zone's name, and notes it", () => {
    expect(federationNameFrom("M-EU-FR")).toBe("m-eu-fr");
    expect(federationNameFrom("Main Zone_1")).toBe("main-zone-1");
    expect(federationNameFrom("___")).toBe("federation");
    const draft = draftFederationFile(solo, OPTIONS);
    expect(parse(draft.text).name).toBe("m-eu-fr");
    expect(draft.notes).toContainEqual(expect.stringMatching(/^federation\.name "m-eu-fr" is derived from the master zone's name/));
  });

  it("an HA zone: every server in SERVER_POOL order, the floating IP as endpoint", () => {
    const ha = zone(
      0,
      "M",
      [
        frontend("10.0.0.1", { federation: { mode: "MASTER", zoneId: 0, serverId: 0 } }),
        frontend("10.0.0.2", { federation: { mode: "MASTER", zoneId: 0, serverId: 1 } }),
      ],
      {
        endpoint: "http://10.0.0.100:2633/RPC2",
        serverIds: [0, 1],
      },
    );
    const c = parse(draftFederationFile(discovery([ha, zone(100, "S", [frontend("10.0.0.3")])]), OPTIONS).text);
    expect(c.zones[0].endpoint).toBe("http://10.0.0.100:2633/RPC2");
    expect(c.zones[0].frontends.map((f) => f.host)).toEqual(["10.0.0.1", "10.0.0.2"]);
  });

  it("a dnf zone gets its package manager", () => {
    const c = parse(
      draftFederationFile(discovery([zone(0, "M", [frontend("10.0.0.1")]), zone(100, "S", [frontend("10.0.0.2", { packageManager: "dnf" })])]), OPTIONS).text,
    );
    expect(c.zones.map((z) => z.packages.manager)).toEqual(["apt", "dnf"]);
    expect(c.zones[1].packages.repositoryLine).toMatch(/RedHat/);
  });

  it("MySQL zones: the connection from oned.conf and a password variable to export, per zone when some zones are SQLite", () => {
    // Inside one series (type A) mixed backends are fine: no federated backup travels.
    const options = { ...OPTIONS, toVersion: "6.10.2" };
    const draft = draftFederationFile(discovery([zone(0, "M", [frontend("10.0.0.1", { database: MYSQL })]), zone(100, "S", [frontend("10.0.0.2")])]), options);
    const c = parse(draft.text);
    expect(c.zones.map((z) => z.database)).toEqual([
      { backend: "mysql", passwordEnv: DEFAULT_PASSWORD_ENV, connection: { server: "localhost", port: 0, user: "oneadmin", name: "opennebula" } },
      { backend: "sqlite" },
    ]);
    expect(draft.text).not.toMatch(/^database:/m);
    expect(draft.toFill).toEqual([
      expect.stringMatching(new RegExp(`^database\\.passwordEnv ${DEFAULT_PASSWORD_ENV}: discovery never reads the MySQL password; export`)),
    ]);
    expect(draft.notes).toContainEqual(expect.stringMatching(/master zone 0 is on DB backend mysql, zone 100 is on sqlite: a type B upgrade/));
  });

  it("a type B upgrade with a slave on another backend than the master: written as found, to fill, and refused by the loader", () => {
    const draft = draftFederationFile(discovery([zone(0, "M", [frontend("10.0.0.1", { database: MYSQL })]), zone(100, "S", [frontend("10.0.0.2")])]), OPTIONS);
    expect(draft.toFill).toContainEqual(
      expect.stringMatching(/master zone 0 is on DB backend mysql, zone 100 is on sqlite: .*`onefed check` refuses the file until every zone on one backend/),
    );
    expect(() => parse(draft.text)).toThrow(/zone 100 \(S\)\.database: backend sqlite, but the master zone 0 \(M\) is on mysql/);
  });

  it("MySQL everywhere with the same settings: one top-level database", () => {
    const draft = draftFederationFile(
      discovery([zone(0, "M", [frontend("10.0.0.1", { database: MYSQL })]), zone(100, "S", [frontend("10.0.0.2", { database: MYSQL })])]),
      OPTIONS,
    );
    expect(draft.text).toMatch(
      /^database: \{ backend: mysql, server: localhost, port: 0, user: oneadmin, name: opennebula, passwordEnv: ONEFED_DB_PASSWORD \}$/m,
    );
    expect(parse(draft.text).zones.every((z) => z.database.connection?.name === "opennebula")).toBe(true);
  });

  it("a MySQL section without user or name: no connection (onedb reads oned.conf), with a note", () => {
    const draft = draftFederationFile(discovery([zone(0, "M", [frontend("10.0.0.1", { database: { backend: "mysql", server: "db" } })])]), OPTIONS);
    expect(parse(draft.text).zones[0].database).toEqual({ backend: "mysql", passwordEnv: DEFAULT_PASSWORD_ENV });
    expect(draft.notes).toContainEqual(expect.stringMatching(/zone 0: oned\.conf's MySQL DB section has no user, name/));
  });

  it("a backend onefed does not upgrade stays in the file, so that the loader refuses it", () => {
    const draft = draftFederationFile(discovery([zone(0, "M", [frontend("10.0.0.1", { database: { backend: "postgresql" } })])]), OPTIONS);
    expect(draft.toFill).toContainEqual(expect.stringMatching(/zone 0: DB backend postgresql is not one onefed upgrades/));
    expect(() => parse(draft.text)).toThrow(/backend/);
  });

  it("notes what does not agree: versions across the federation, settings inside a zone, a zone that is not federated", () => {
    const draft = draftFederationFile(
      discovery([
        zone(0, "M", [frontend("10.0.0.1")]),
        zone(100, "S", [frontend("10.0.0.2", { version: "6.10.2" }), frontend("10.0.0.3", { packageManager: "dnf" })], { serverIds: [0, 1] }),
      ]),
      OPTIONS,
    );
    expect(draft.notes).toContainEqual(expect.stringMatching(/fromVersion is the master's 6\.10\.0, but zone 100 10\.0\.0\.2 runs 6\.10\.2/));
    expect(draft.notes).toContainEqual(expect.stringMatching(/zone 100: the front-ends differ in package manager \(10\.0\.0\.2: "apt", 10\.0\.0\.3: "dnf"\)/));
    const standalone = draftFederationFile(
      discovery([zone(0, "M", [frontend("10.0.0.1", { federation: { mode: "STANDALONE", zoneId: 0, serverId: -1 } })])]),
      OPTIONS,
    );
    expect(parse(standalone.text).zones[0].role).toBe("master");
    expect(standalone.notes).toContainEqual(expect.stringMatching(/zone 0: FEDERATION\/MODE is STANDALONE, not MASTER or SLAVE .* written as master/));
  });

  it("never holds anything it was not given: no password field at all", () => {
    const draft = draftFederationFile(discovery([zone(0, "M", [frontend("10.0.0.1", { database: MYSQL })])]), OPTIONS);
    expect(JSON.stringify(parseYaml(draft.text))).not.toMatch(/"passw(or)?d"/i);
  });
});

describe("onefed discover's command line", () => {
  async function onefed(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(argv, { out: (s) => void out.push(s), err: (s) => void err.push(s) });
    return { code, out: out.join("\n"), err: err.join("\n") };
  }
  const key = path.join(work, "hk");

  it("reads --master as HOST, HOST:PORT or [IPv6]:PORT", () => {
    expect(parseMasterAddress("10.0.0.1")).toEqual({ host: "10.0.0.1", port: 22 });
    expect(parseMasterAddress("one-master.example:2222")).toEqual({ host: "one-master.example", port: 2222 });
    expect(parseMasterAddress("[fd00::1]:22")).toEqual({ host: "fd00::1", port: 22 });
    for (const bad of ["", "host:0", "host:99999", "a b", "-x"]) expect(() => parseMasterAddress(bad)).toThrow(UsageError);
  });

  it("writes paths relative to the file when they are beside or below it", () => {
    expect(pathFromFile("/srv/fed", "/srv/fed/known_hosts")).toBe("./known_hosts");
    expect(pathFromFile("/srv/fed", "/srv/fed/keys/id")).toBe("./keys/id");
    expect(pathFromFile("/srv/fed", "/root/.ssh/id_ed25519")).toBe("/root/.ssh/id_ed25519");
  });

  it.each([
    [["--out", "x.yaml"], /--master HOST\[:PORT\] is required/],
    [["--master", "10.0.0.1"], /--out FILE is required/],
    [["--master", "10.0.0.1:http", "--out", "x.yaml"], /--master must be HOST or HOST:PORT/],
    [["--master", "10.0.0.1", "--out", "x.yaml", "--to", "seven"], /--to must be a version like 7\.0\.0/],
    [["--master", "10.0.0.1", "--out", "x.yaml", "--name", "Prod"], /--name must be lower-case/],
    [["--master", "10.0.0.1", "--out", "/nonexistent-dir/x.yaml"], /--out \/nonexistent-dir\/x\.yaml: its directory does not exist/],
    [["--master", "10.0.0.1", "--out", "x.yaml", "--key", "/nonexistent-key"], /--key \/nonexistent-key cannot be read \(ENOENT\)/],
  ])("refuses %j before connecting (exit 2)", async (argv, message) => {
    const r = await onefed(
      "discover",
      ...argv.map((a) => (a === "x.yaml" ? path.join(fs.mkdtempSync(path.join(work, "cli-")), "x.yaml") : a)),
      ...(argv.includes("--key") ? [] : ["--key", key]),
    );
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
    expect(r.err.split("\n")).toHaveLength(1);
  });

  it("refuses an --out that exists without --force, and a --known-hosts-out too", async () => {
    const dir = fs.mkdtempSync(path.join(work, "out-"));
    fs.writeFileSync(path.join(dir, "federation.yaml"), "keep me\n");
    const r = await onefed("discover", "--master", "192.0.2.1", "--key", key, "--out", path.join(dir, "federation.yaml"));
    expect(r).toMatchObject({ code: 2, err: expect.stringMatching(/--out .*federation\.yaml exists; pass --force to replace it/) });
    fs.writeFileSync(path.join(dir, "known_hosts"), "");
    const r2 = await onefed("discover", "--master", "192.0.2.1", "--key", key, "--out", path.join(dir, "other.yaml"));
    expect(r2).toMatchObject({ code: 2, err: expect.stringMatching(/--known-hosts-out .*known_hosts exists/) });
    expect(fs.readFileSync(path.join(dir, "federation.yaml"), "utf8")).toBe("keep me\n");
  });
});
