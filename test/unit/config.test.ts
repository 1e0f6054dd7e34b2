import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ConfigError, parseConfig } from "../../lib/config/load-config";
import { FederationBuilder, seedFederation } from "../support/federation-builder";

const FIXTURES = path.resolve(__dirname, "../fixtures");
const VALID = fs.readFileSync(path.join(FIXTURES, "federation.yaml"), "utf8");
const file = path.join(FIXTURES, "federation.yaml");
const seed = seedFederation();

/** The problems the loader names in a federation file, none when it loads. */
function problemsOf(federation: FederationBuilder | string, at = file): string[] {
  try {
    if (typeof federation === "string") parseConfig(federation, at);
    else federation.parse(at);
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

  const cases: Array<[string, (f: FederationBuilder) => FederationBuilder, RegExp]> = [
    ["no master", (f) => f.withZone(0, { role: "slave" }), /zones: no zone has role master/],
    ["two masters", (f) => f.withZone(100, { role: "master" }), /2 zones have role master \(zone 0 \(M-EU-FR\), zone 100 \(S-EU-GE\)\)/],
    ["duplicate ids", (f) => f.withZone(101, { id: 100 }), /zone id 100 is used more than once/],
    ["duplicate names", (f) => f.withZone(101, { name: "S-EU-GE" }), /zone name S-EU-GE is used more than once/],
    [
      "slave without front-end",
      (f) => f.withZone(101, { frontends: [] }),
      /zones\[2\] \(S-US-CA\)\.frontends: Expected array length to be greater or equal to 1/,
    ],
    ["unknown key", (f) => f.set("zones.1.colour", "red"), /zones\[1\] \(S-EU-GE\)\.colour: Unexpected property/],
    ["bad version", (f) => f.with({ federation: { toVersion: "seven" } }), /federation\.toVersion: Expected string to match/],
    [
      "toVersion not above",
      (f) => f.with({ federation: { toVersion: "6.8.0" } }),
      /federation\.toVersion: 6\.8\.0 is not above federation\.fromVersion 6\.10\.0/,
    ],
    ["missing key file", (f) => f.with({ ssh: { privateKeyPath: "./nope" } }), /ssh\.privateKeyPath: cannot read .*nope \(ENOENT\)/],
    ["missing known_hosts", (f) => f.with({ ssh: { knownHostsPath: "./nope_hosts" } }), /ssh\.knownHostsPath: cannot read .*nope_hosts \(ENOENT\)/],
    ["bad endpoint", (f) => f.withZone(101, { endpoint: "ftp://x" }), /zones\[2\] \(S-US-CA\)\.endpoint: Expected string to match/],
    ["shell metacharacters in a name", (f) => f.withZone(101, { name: "x;rm -rf /" }), /zones\[2\].*\.name: Expected string to match/],
    [
      "nodes without hosts.manage",
      (f) => f.withNodes(101, [{ name: "kvm-1", host: "10.0.0.5" }]),
      /zone 101 \(S-US-CA\)\.nodes: node packages are upgraded while the hosts are disabled and before onehost sync; set hosts\.manage: true/,
    ],
    [
      "a node listed twice",
      (f) =>
        f
          .withNodes(101, [
            { name: "kvm-1", host: "10.0.0.5" },
            { name: "kvm-1", host: "10.0.0.6" },
          ])
          .with({ hosts: { manage: true } }),
      /zone 101 \(S-US-CA\)\.nodes: host kvm-1 is listed more than once/,
    ],
    [
      "a node that is a front-end",
      (f) => f.withNodes(101, [{ name: "kvm-1", host: "192.168.150.2" }]).with({ hosts: { manage: true } }),
      /kvm-1 \(192\.168\.150\.2:22\) is also a front-end/,
    ],
    [
      "repository file and command together",
      (f) => f.with({ packages: { repositoryLine: "deb x {series}", repositoryCommand: ["/usr/local/sbin/one-repo", "{series}"] } }),
      /packages: repositoryLine and repositoryCommand are both set; keep one/,
    ],
    [
      "half a MySQL connection",
      (f) => f.with({ database: { backend: "mysql", server: "db.example" } }),
      /database: onedb connection settings need server, user and name together \(missing user, name\)/,
    ],
    [
      "MySQL settings on SQLite",
      (f) => f.withZone(101, { database: { passwordEnv: "GE_DB_PASSWORD" } }),
      /zone 101 \(S-US-CA\)\.database: passwordEnv only apply to backend mysql/,
    ],
    [
      "a target the reference does not cover",
      (f) => f.with({ federation: { toVersion: "7.6.0" } }),
      /federation\.toVersion: 7\.6\.0 is in series 7\.6, which this tool does not cover .*development and future releases are refused rather than guessed/,
    ],
    ["a development release", (f) => f.with({ federation: { toVersion: "6.99.80" } }), /federation\.toVersion: 6\.99\.80 is in series 6\.99/],
    [
      "a type B upgrade with a slave on SQLite under a MySQL master",
      (f) => f.withZone(0, { database: { backend: "mysql" } }),
      /zone 100 \(S-EU-GE\)\.database: backend sqlite, but the master zone 0 \(M-EU-FR\) is on mysql\. A type B upgrade restores the master's federated backup/,
    ],
    [
      "type A across series",
      (f) => f.with({ federation: { upgradeType: "A" } }),
      /federation\.upgradeType: A \(zone by zone\) cannot take 6\.10\.0 → 7\.0\.0: the shared DB version changes across series/,
    ],
  ];
  it.each(cases)("rejects %s, naming the field and zone", (_name, mutate, expected) => {
    const federation = mutate(seed);
    expect(federation.toYaml()).not.toBe(seed.toYaml());
    const problems = problemsOf(federation);
    expect(problems.join("\n")).toMatch(expected);
  });

  it("accepts mixed DB backends inside one series (type A: no federated backup travels)", () => {
    const c = seed
      .withZone(0, { database: { backend: "mysql" } })
      .with({ federation: { toVersion: "6.10.5" } })
      .parse(file);
    expect(c.zones.map((z) => z.database.backend)).toEqual(["mysql", "sqlite", "sqlite"]);
  });

  it.each([
    ["7.0.0", undefined, "B"],
    ["6.10.5", undefined, "A"],
    ["6.10.5", "B", "B"],
  ] as const)("chooses the upgrade type for 6.10.0 → %s (upgradeType %s): %s", (to, requested, expected) => {
    const federation = seed.with({ federation: { toVersion: to, ...(requested ? { upgradeType: requested } : {}) } });
    expect(federation.parse(file).upgradeType).toBe(expected);
  });

  it("applies a zone's packages over the federation's: manager, its default repository file, or its own command", () => {
    const federation = seed
      .withZone(101, { packages: { manager: "dnf" } })
      .withZone(100, { packages: { repositoryCommand: ["/usr/local/sbin/one-repo", "{series}"] } })
      .with({ packages: { repositoryLine: "deb https://mirror.example/one/{series} stable opennebula" } });
    const c = federation.parse(file);
    expect(c.zones[0].packages).toEqual({ manager: "apt", repositoryLine: "deb https://mirror.example/one/{series} stable opennebula" });
    expect(c.zones[1].packages).toMatchObject({ manager: "apt", repositoryCommand: ["/usr/local/sbin/one-repo", "{series}"] });
    expect(c.zones[2].packages.manager).toBe("dnf");
    expect(c.zones[2].packages.repositoryLine).toMatch(
      /^\[opennebula\]\n[\s\S]*baseurl=https:\/\/downloads\.opennebula\.io\/repo\/\{series\}\/RedHat\/\$releasever\/\$basearch/,
    );
  });

  it("applies a zone's database settings over the federation's", () => {
    const federation = seed
      .withZone(101, { database: { server: "db-us.example", passwordEnv: "US_DB_PASSWORD" } })
      .with({ database: { backend: "mysql", user: "oneadmin", name: "opennebula", server: "db-eu.example", passwordEnv: "EU_DB_PASSWORD" } });
    const c = federation.parse(file);
    expect(c.zones[0].database).toEqual({
      backend: "mysql",
      passwordEnv: "EU_DB_PASSWORD",
      connection: { server: "db-eu.example", port: 0, user: "oneadmin", name: "opennebula" },
    });
    expect(c.zones[2].database).toEqual({
      backend: "mysql",
      passwordEnv: "US_DB_PASSWORD",
      connection: { server: "db-us.example", port: 0, user: "oneadmin", name: "opennebula" },
    });
    expect(parseConfig(VALID, file).zones[0].database).toEqual({ backend: "sqlite" });
  });

  it("reads hypervisor nodes with their defaults", () => {
    const federation = seed
      .withNodes(101, [
        { name: "kvm-1", host: "10.0.0.5" },
        { name: "lxc-1", host: "10.0.0.6", port: 2222, hypervisor: "lxc" },
      ])
      .with({ hosts: { manage: true } });
    const c = federation.parse(file);
    expect(c.zones[2].nodes).toEqual([
      { name: "kvm-1", host: "10.0.0.5", port: 22, hypervisor: "kvm" },
      { name: "lxc-1", host: "10.0.0.6", port: 2222, hypervisor: "lxc" },
    ]);
    expect(c.zones[0].nodes).toEqual([]);
  });

  it("reports every problem in one run", () => {
    const federation = seed
      .withZone(0, { role: "slave" })
      .withZone(101, { id: 100 })
      .with({ ssh: { knownHostsPath: "./nope_hosts" } });
    expect(problemsOf(federation)).toHaveLength(3);
  });

  it("points at the YAML line of a syntax error", () => {
    expect(problemsOf("federation: {\n  name: x\nzones: [")[0]).toMatch(/YAML syntax error/);
  });

  it("fails cleanly on a missing file", () => {
    const { loadConfig } = require("../../lib/config/load-config");
    expect(() => loadConfig(path.join(os.tmpdir(), "does-not-exist.yaml"))).toThrow(/cannot read the file \(ENOENT\)/);
  });
});
