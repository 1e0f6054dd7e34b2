import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ConfigError, parseConfig } from "../../lib/config/load-config";

const FIXTURES = path.resolve(__dirname, "../fixtures");
const VALID = fs.readFileSync(path.join(FIXTURES, "federation.yaml"), "utf8");
const file = path.join(FIXTURES, "federation.yaml");

function problemsOf(text: string, at = file): string[] {
  try {
    parseConfig(text, at);
  } catch (err) {
    if (err instanceof ConfigError) return [...err.problems];
    throw err;
  }
  return [];
}

describe("federation file", () => {
  it("loads the seed federation with defaults applied and paths made absolute", () => {
    const c = parseConfig(VALID, file);
    expect(c.master).toMatchObject({ id: 0, name: "M-EU-FR", role: "master" });
    expect(c.slaves.map((z) => z.id)).toEqual([100, 101]);
    expect(c.zones[1].frontends).toEqual([{ host: "192.168.150.2", port: 22 }]);
    expect(c.ssh.privateKeyPath).toBe(path.join(FIXTURES, "id_ed25519_fixture"));
    expect(c.ssh.keepaliveIntervalSeconds).toBe(5);
    expect(c.packages.manager).toBe("apt");
    expect(c.backup.remoteDirectory).toBe("/var/lib/one/backups/onefed");
    expect(c.timeouts.stepSeconds).toBe(900);
  });

  const cases: Array<[string, (s: string) => string, RegExp]> = [
    ["no master", (s) => s.replace("role: master", "role: slave"), /zones: no zone has role master/],
    ["two masters", (s) => s.replace("name: S-EU-GE, role: slave", "name: S-EU-GE, role: master"), /2 zones have role master \(zone 0 \(M-EU-FR\), zone 100 \(S-EU-GE\)\)/],
    ["duplicate ids", (s) => s.replace("id: 101", "id: 100"), /zone id 100 is used more than once/],
    ["duplicate names", (s) => s.replace("name: S-US-CA", "name: S-EU-GE"), /zone name S-EU-GE is used more than once/],
    ["slave without front-end", (s) => s.replace("frontends: [ { host: 192.168.150.3 } ]", "frontends: []"), /zones\[2\] \(S-US-CA\)\.frontends: Expected array length to be greater or equal to 1/],
    ["unknown key", (s) => s.replace("role: slave,  endpoint: \"http://192.168.150.2", "role: slave, colour: red, endpoint: \"http://192.168.150.2"), /zones\[1\] \(S-EU-GE\)\.colour: Unexpected property/],
    ["bad version", (s) => s.replace('toVersion: "7.0.0"', 'toVersion: "seven"'), /federation\.toVersion: Expected string to match/],
    ["toVersion not above", (s) => s.replace('toVersion: "7.0.0"', 'toVersion: "6.8.0"'), /federation\.toVersion: 6\.8\.0 is not above federation\.fromVersion 6\.10\.0/],
    ["missing key file", (s) => s.replace("./id_ed25519_fixture", "./nope"), /ssh\.privateKeyPath: cannot read .*nope \(ENOENT\)/],
    ["missing known_hosts", (s) => s.replace("./known_hosts", "./nope_hosts"), /ssh\.knownHostsPath: cannot read .*nope_hosts \(ENOENT\)/],
    ["bad endpoint", (s) => s.replace('"http://192.168.150.3:2633/RPC2"', '"ftp://x"'), /zones\[2\] \(S-US-CA\)\.endpoint: Expected string to match/],
    ["shell metacharacters in a name", (s) => s.replace("name: S-US-CA", 'name: "x;rm -rf /"'), /zones\[2\].*\.name: Expected string to match/],
    ["nodes without hosts.manage", (s) => s.replace("frontends: [ { host: 192.168.150.3 } ]", "frontends: [ { host: 192.168.150.3 } ], nodes: [ { name: kvm-1, host: 10.0.0.5 } ]"), /zone 101 \(S-US-CA\)\.nodes: node packages are upgraded while the hosts are disabled and before onehost sync; set hosts\.manage: true/],
    ["a node listed twice", (s) => s.replace("frontends: [ { host: 192.168.150.3 } ]", "frontends: [ { host: 192.168.150.3 } ], nodes: [ { name: kvm-1, host: 10.0.0.5 }, { name: kvm-1, host: 10.0.0.6 } ]") + "hosts: { manage: true }\n", /zone 101 \(S-US-CA\)\.nodes: host kvm-1 is listed more than once/],
    ["a node that is a front-end", (s) => s.replace("frontends: [ { host: 192.168.150.3 } ]", "frontends: [ { host: 192.168.150.3 } ], nodes: [ { name: kvm-1, host: 192.168.150.2 } ]") + "hosts: { manage: true }\n", /kvm-1 \(192\.168\.150\.2:22\) is also a front-end/],
    ["repository file and command together", (s) => s + 'packages: { repositoryLine: "deb x {series}", repositoryCommand: [ /usr/local/sbin/one-repo, "{series}" ] }\n', /packages: repositoryLine and repositoryCommand are both set; keep one/],
    ["half a MySQL connection", (s) => s + "database: { backend: mysql, server: db.example }\n", /database: onedb connection settings need server, user and name together \(missing user, name\)/],
    ["MySQL settings on SQLite", (s) => s.replace("frontends: [ { host: 192.168.150.3 } ]", "frontends: [ { host: 192.168.150.3 } ], database: { passwordEnv: GE_DB_PASSWORD }"), /zone 101 \(S-US-CA\)\.database: passwordEnv only apply to backend mysql/],
    ["a target the reference does not cover", (s) => s.replace('toVersion: "7.0.0"', 'toVersion: "7.6.0"'), /federation\.toVersion: 7\.6\.0 is in series 7\.6, which this tool does not cover .*development and future releases are refused rather than guessed/],
    ["a development release", (s) => s.replace('toVersion: "7.0.0"', 'toVersion: "6.99.80"'), /federation\.toVersion: 6\.99\.80 is in series 6\.99/],
    ["type A across series", (s) => s.replace('toVersion: "7.0.0" }', 'toVersion: "7.0.0", upgradeType: A }'), /federation\.upgradeType: A \(zone by zone\) cannot take 6\.10\.0 → 7\.0\.0: the shared DB version changes across series/],
  ];
  it.each(cases)("rejects %s, naming the field and zone", (_name, mutate, expected) => {
    const text = mutate(VALID);
    expect(text).not.toBe(VALID);
    const problems = problemsOf(text);
    expect(problems.join("\n")).toMatch(expected);
  });

  it.each([
    ["7.0.0", undefined, "B"],
    ["6.10.5", undefined, "A"],
    ["6.10.5", "B", "B"],
  ])("chooses the upgrade type for 6.10.0 → %s (upgradeType %s): %s", (to, requested, expected) => {
    const text = VALID.replace('toVersion: "7.0.0" }', `toVersion: "${to}"${requested ? `, upgradeType: ${requested}` : ""} }`);
    expect(parseConfig(text, file).upgradeType).toBe(expected);
  });

  it("applies a zone's packages over the federation's: manager, its default repository file, or its own command", () => {
    const text = VALID.replace("frontends: [ { host: 192.168.150.3 } ]", "frontends: [ { host: 192.168.150.3 } ], packages: { manager: dnf }")
      .replace("frontends: [ { host: 192.168.150.2 } ]", 'frontends: [ { host: 192.168.150.2 } ], packages: { repositoryCommand: [ /usr/local/sbin/one-repo, "{series}" ] }');
    const c = parseConfig(text + 'packages: { repositoryLine: "deb https://mirror.example/one/{series} stable opennebula" }\n', file);
    expect(c.zones[0].packages).toEqual({ manager: "apt", repositoryLine: "deb https://mirror.example/one/{series} stable opennebula" });
    expect(c.zones[1].packages).toMatchObject({ manager: "apt", repositoryCommand: ["/usr/local/sbin/one-repo", "{series}"] });
    expect(c.zones[2].packages.manager).toBe("dnf");
    expect(c.zones[2].packages.repositoryLine).toMatch(/^\[opennebula\]\n[\s\S]*baseurl=https:\/\/downloads\.opennebula\.io\/repo\/\{series\}\/RedHat\/\$releasever\/\$basearch/);
  });

  it("applies a zone's database settings over the federation's", () => {
    const text = VALID.replace("frontends: [ { host: 192.168.150.3 } ]", "frontends: [ { host: 192.168.150.3 } ], database: { server: db-us.example, passwordEnv: US_DB_PASSWORD }");
    const c = parseConfig(text + "database: { backend: mysql, user: oneadmin, name: opennebula, server: db-eu.example, passwordEnv: EU_DB_PASSWORD }\n", file);
    expect(c.zones[0].database).toEqual({ backend: "mysql", passwordEnv: "EU_DB_PASSWORD", connection: { server: "db-eu.example", port: 0, user: "oneadmin", name: "opennebula" } });
    expect(c.zones[2].database).toEqual({ backend: "mysql", passwordEnv: "US_DB_PASSWORD", connection: { server: "db-us.example", port: 0, user: "oneadmin", name: "opennebula" } });
    expect(parseConfig(VALID, file).zones[0].database).toEqual({ backend: "sqlite" });
  });

  it("reads hypervisor nodes with their defaults", () => {
    const text = VALID.replace("frontends: [ { host: 192.168.150.3 } ]", "frontends: [ { host: 192.168.150.3 } ], nodes: [ { name: kvm-1, host: 10.0.0.5 }, { name: lxc-1, host: 10.0.0.6, port: 2222, hypervisor: lxc } ]");
    const c = parseConfig(text + "hosts: { manage: true }\n", file);
    expect(c.zones[2].nodes).toEqual([
      { name: "kvm-1", host: "10.0.0.5", port: 22, hypervisor: "kvm" },
      { name: "lxc-1", host: "10.0.0.6", port: 2222, hypervisor: "lxc" },
    ]);
    expect(c.zones[0].nodes).toEqual([]);
  });

  it("reports every problem in one run", () => {
    const text = VALID.replace("role: master", "role: slave").replace("id: 101", "id: 100").replace("./known_hosts", "./nope_hosts");
    expect(problemsOf(text)).toHaveLength(3);
  });

  it("points at the YAML line of a syntax error", () => {
    expect(problemsOf("federation: {\n  name: x\nzones: [")[0]).toMatch(/YAML syntax error/);
  });

  it("fails cleanly on a missing file", () => {
    const { loadConfig } = require("../../lib/config/load-config");
    expect(() => loadConfig(path.join(os.tmpdir(), "does-not-exist.yaml"))).toThrow(/cannot read the file \(ENOENT\)/);
  });
});
