/**
 * The warm runner's fact cache (lib/remote/ssh/fact-cache.ts, docs/round-trips.md "Facts kept
 * between steps"): a fact read once is answered from memory until the run's next action on that
 * machine; what others or the machine itself change is always read live.
 */
import { FactCache, FactKind } from "../../lib/remote/ssh/fact-cache";
import { SessionPool } from "../../lib/remote/ssh/session-pool";
import { CommandResult } from "../../lib/remote/ssh/command-result";
import { OpenNebulaFrontend } from "../../lib/remote/opennebula/frontend";
import { HypervisorNode } from "../../lib/remote/opennebula/hypervisor-node";
import { files, ledgerFiles, onecfg, onedb, onedConf, onezone, systemctl } from "../../lib/remote/opennebula/commands";
import { factsChangedByWriting } from "../../lib/remote/opennebula/fact-paths";
import { RemoteCommand } from "../../lib/remote/opennebula/remote-command";
import { PackagesConfig } from "../../lib/model/federation";
import {
  downgradeCommand,
  downloadCommand,
  installedVersionCommand,
  pendingDownloadsCommand,
  refreshCommand,
  repositorySwitchCommand,
  upgradeCommand,
} from "../../lib/remote/opennebula/packages";
import { RemoteLedgerStore } from "../../lib/remote/opennebula/ledger-store";
import { CommandObserver } from "../../lib/remote/opennebula/command-observer";
import { FakeTransport, Rule } from "../support/fake-frontend";

const result = (stdout: string): CommandResult => ({ host: "h:22", command: "c", exitCode: 0, signal: null, stdout, stderr: "", durationMs: 0 });

/** A machine's rules: version 6.10.0 until an install, then 7.0.0; units and states. */
function machine(): Rule[] {
  let version = "6.10.0";
  return [
    [/^dpkg-query /, () => ({ stdout: `${version}-1` })],
    [/^systemctl list-unit-files/, { stdout: "opennebula.service enabled enabled\n" }],
    [/^systemctl is-active/, { stdout: "active\n" }],
    [/^systemctl (stop|restart) /, {}],
    [/^onezone show/, { stdout: JSON.stringify({ ZONE: { ID: "0", NAME: "M", STATE: "1", SERVER_POOL: {} } }) }],
    [/^onezone list -j$/, { stdout: '{"ZONE_POOL":{}}' }],
    [/^onedb version/, { stdout: "Shared: 6.10.0\nLocal:  6.10.0\n" }],
    [/^test -e /, { exitCode: 1 }],
    [/^sha256sum /, { stdout: `${"a".repeat(64)}  /f\n` }],
    [/^df -P/, { stdout: "Filesystem 1-blocks Used Available Capacity Mounted on\n/dev/vda 10 5 5 50% /\n" }],
    [/^iptables -S/, { stdout: "-P INPUT ACCEPT\n" }],
    [/^sed -n .*FEDERATION/, { stdout: "FEDERATION = [ MODE = STANDALONE, ZONE_ID = 0, SERVER_ID = -1 ]\n" }],
    [/apt-get install -y/, () => ((version = "7.0.0"), {})],
    [/^apt-get update/, {}],
    [/^sh -c 'p=\$1; while /, { stdout: "/var/lib/one\n" }],
    [/^sh -c /, { stdout: "" }],
  ];
}

/** A front-end over `t`, the pool's facts for `address` attached as the warm runner's Connector does. */
function pooled(t: FakeTransport, pool: SessionPool, address = "10.0.0.1:22", route = `0/${address}`): OpenNebulaFrontend {
  const facts = pool.facts(address);
  const transport = Object.assign(Object.create(t) as FakeTransport, {
    facts: {
      read: (key: string, live: () => Promise<CommandResult>, kind?: FactKind) => facts.read(`${route} ${key}`, live, kind),
      action: <T>(run: () => Promise<T>, changes?: readonly FactKind[]) => facts.action(run, changes),
    },
  });
  return new OpenNebulaFrontend(transport, { host: address, port: 22, zone: "zone 0" }, "apt");
}

describe("FactCache", () => {
  it("answers a kept read from memory and shares one read between concurrent askers", async () => {
    const cache = new FactCache();
    let sent = 0;
    const live = async () => (sent++, result("6.10.0"));
    const a = cache.read("k", live);
    const b = cache.read("k", live);
    expect([a.cached, b.cached]).toEqual([false, true]);
    await Promise.all([a.result, b.result]);
    expect((await cache.read("k", live).result).stdout).toBe("6.10.0");
    expect(sent).toBe(1);
    expect(cache.hits).toBe(2);
  });

  it("forgets everything when an action starts and again when it ends", async () => {
    const cache = new FactCache();
    let sent = 0;
    const live = async () => (sent++, result("x"));
    await cache.read("k", live).result;
    const during: boolean[] = [];
    await cache.action(async () => {
      // A read while the action runs may see the machine half-changed: answered live, and not kept.
      const read = cache.read("k", live);
      during.push(read.cached);
      await read.result;
    });
    expect(during).toEqual([false]);
    expect(cache.read("k", live).cached).toBe(false);
    expect(sent).toBe(3);
  });

  it("keeps no read that an action overlapped, nor a failed one", async () => {
    const cache = new FactCache();
    let release: (r: CommandResult) => void = () => undefined;
    const slow = cache.read("k", () => new Promise<CommandResult>((r) => (release = r)));
    const action = cache.action(async () => undefined);
    release(result("before the action"));
    await Promise.all([slow.result, action]);
    expect(cache.read("k", async () => result("after")).cached).toBe(false);
    const failed = cache.read("f", async () => Promise.reject(new Error("exit 255")));
    await expect(failed.result).rejects.toThrow("exit 255");
    expect(cache.read("f", async () => result("ok")).cached).toBe(false);
  });

  it("forgets after a failed action too (it may have changed the machine)", async () => {
    const cache = new FactCache();
    await cache.read("k", async () => result("x")).result;
    await expect(cache.action(async () => Promise.reject(new Error("cut")))).rejects.toThrow("cut");
    expect(cache.read("k", async () => result("x")).cached).toBe(false);
  });
});

describe("facts between steps over the warm runner's pool", () => {
  it("a second step's installed version and unit files come from the cache: one remote command each", async () => {
    const pool = new SessionPool();
    const t = new FakeTransport(machine());
    await pooled(t, pool).installedVersion();
    await pooled(t, pool).installedUnits();
    const step2 = pooled(t, pool);
    expect(await step2.installedVersion()).toBe("6.10.0");
    expect([...(await step2.installedUnits())]).toEqual(["opennebula"]);
    expect(await step2.federationSettings()).toMatchObject({ serverId: -1 });
    await pooled(t, pool).federationSettings();
    expect(t.lines.filter((l) => l.startsWith("dpkg-query"))).toHaveLength(1);
    expect(t.lines.filter((l) => l.startsWith("systemctl list-unit-files"))).toHaveLength(1);
    expect(t.lines.filter((l) => l.startsWith("sed -n"))).toHaveLength(1);
    expect(pool.factHits).toBe(3);
  });

  it("a package install makes the next read live, and the proof after an upgrade reads the new version; a service stop keeps them", async () => {
    const pool = new SessionPool();
    const t = new FakeTransport(machine());
    const fe = pooled(t, pool);
    expect(await fe.installedVersion()).toBe("6.10.0");
    await fe.stopUnits(["opennebula"]);
    expect(await pooled(t, pool).installedVersion()).toBe("6.10.0");
    await pooled(t, pool).upgradePackages(["opennebula"], { refresh: false });
    expect(await pooled(t, pool).installedVersion()).toBe("7.0.0");
    expect(t.lines.filter((l) => l.startsWith("dpkg-query"))).toHaveLength(2);
  });

  it("an upload forgets the facts read from where it lands, and only those", async () => {
    const pool = new SessionPool();
    const t = new FakeTransport(machine());
    const read = async () => {
      await pooled(t, pool).installedVersion();
      await pooled(t, pool).federationSettings();
    };
    const sent = (prefix: string) => t.lines.filter((l) => l.startsWith(prefix)).length;
    await read();
    await pooled(t, pool).upload(__filename, "/var/lib/one/backups/onefed/x.sql");
    await read();
    expect([sent("dpkg-query"), sent("sed -n")]).toEqual([1, 1]);
    await pooled(t, pool).upload(__filename, "/etc/one/oned.conf");
    await read();
    expect([sent("dpkg-query"), sent("sed -n")]).toEqual([1, 2]);
    await pooled(t, pool).upload(__filename, "/usr/bin/onezone");
    await read();
    expect([sent("dpkg-query"), sent("sed -n")]).toEqual([2, 2]);
    await pooled(t, pool).upload(__filename, "relative/path");
    await read();
    expect([sent("dpkg-query"), sent("sed -n")]).toEqual([3, 3]);
  });

  it("a configuration rewrite (onecfg upgrade) forgets oned.conf and keeps the package facts; a repository switch, a list refresh and a download keep everything; an install forgets everything", async () => {
    const pool = new SessionPool();
    const t = new FakeTransport([[/^onecfg upgrade/, {}], [/apt-get (update|install)/, {}], ...machine()]);
    const read = async () => {
      await pooled(t, pool).installedVersion();
      await pooled(t, pool).installedUnits();
      await pooled(t, pool).federationSettings();
    };
    const sent = () => ["dpkg-query", "systemctl list-unit-files", "sed -n"].map((p) => t.lines.filter((l) => l.startsWith(p)).length);
    await read();
    await pooled(t, pool).run(onecfg.upgrade());
    await read();
    expect(sent()).toEqual([1, 1, 2]);
    // The download step before the freeze: repository file, package lists, archives into the cache.
    await pooled(t, pool).pointRepositoryAt({ manager: "apt", repositoryLine: "deb x {series} main" } as PackagesConfig, "7.0.0");
    await pooled(t, pool).downloadPackages(["opennebula"]);
    await read();
    expect(sent()).toEqual([1, 1, 2]);
    await pooled(t, pool).upgradePackages(["opennebula"], { refresh: false });
    await read();
    expect(sent()).toEqual([2, 2, 3]);
  });

  it("an action on one machine keeps another machine's facts", async () => {
    const pool = new SessionPool();
    const a = new FakeTransport(machine());
    const b = new FakeTransport(machine());
    await pooled(a, pool, "10.0.0.1:22").installedVersion();
    await pooled(b, pool, "10.0.0.2:22").installedVersion();
    await pooled(b, pool, "10.0.0.2:22").upgradePackages(["opennebula"], { refresh: false });
    await pooled(a, pool, "10.0.0.1:22").installedVersion();
    await pooled(b, pool, "10.0.0.2:22").installedVersion();
    expect(a.lines.filter((l) => l.startsWith("dpkg-query"))).toHaveLength(1);
    expect(b.lines.filter((l) => l.startsWith("dpkg-query"))).toHaveLength(2);
  });

  it("one address reached by two routes (a front-end also listed as a host): reads apart, an action through either forgets both", async () => {
    const pool = new SessionPool();
    const t = new FakeTransport(machine());
    const fe = pooled(t, pool, "10.0.0.1:22", "0/10.0.0.1:22");
    const facts = pool.facts("10.0.0.1:22");
    const asNode = new HypervisorNode(
      Object.assign(Object.create(t) as FakeTransport, {
        facts: {
          read: (k: string, live: () => Promise<CommandResult>, kind?: FactKind) => facts.read(`node ${k}`, live, kind),
          action: <T>(run: () => Promise<T>, changes?: readonly FactKind[]) => facts.action(run, changes),
        },
      }),
      { host: "10.0.0.1", port: 22, zone: "zone 0 host kvm1" },
      "apt",
    );
    await fe.installedVersion();
    await asNode.upgradePackages(["opennebula-node-kvm"], { refresh: false });
    await fe.installedVersion();
    expect(t.lines.filter((l) => l.startsWith("dpkg-query"))).toHaveLength(2);
  });

  it("the ledger's own writes keep the master's facts; its reads are never cached", async () => {
    const pool = new SessionPool();
    const t = new FakeTransport(machine());
    const store = new RemoteLedgerStore(pooled(t, pool), "/var/lib/one/backups/onefed/ledger/x");
    await pooled(t, pool).installedVersion();
    await store.read();
    await store.transact([{ op: "remove", name: "runner-1.json" }], true);
    await store.remove(["runner-2.json"]);
    await store.read();
    await pooled(t, pool).installedVersion();
    expect(t.lines.filter((l) => l.startsWith("dpkg-query"))).toHaveLength(1);
    expect(t.lines.filter((l) => l.startsWith("sh -c '[ -d"))).toHaveLength(2);
    for (const cmd of [ledgerFiles.readAll("/d"), ledgerFiles.write("/d", "a.json", "{}"), ledgerFiles.remove("/d", ["a.json"])]) expect(cmd.fact).toBeFalsy();
  });

  it("never caches what others or the machine itself change: zone state, services, DB version, files, digests, disk, firewall", async () => {
    const pool = new SessionPool();
    const t = new FakeTransport(machine());
    for (let i = 0; i < 2; i++) {
      const fe = pooled(t, pool);
      await fe.zoneShow(0);
      await fe.zoneStates();
      await fe.unitStates(["opennebula"]);
      await fe.dbVersion();
      await fe.onedLockPresent();
      await fe.sha256("/f");
      await fe.freeBytes("/var/lib/one/backups/onefed");
      await fe.firewallRules("onefed-freeze-x");
    }
    for (const p of ["onezone show", "onezone list -j", "systemctl is-active", "onedb version", "test -e", "sha256sum", "df -P", "iptables -S", "sh -c 'p=$1"])
      expect([p, t.lines.filter((l) => l.startsWith(p)).length]).toEqual([p, 2]);
    expect(pool.factHits).toBe(0);
    // The kinds that may be cached are marked in the adapter, and only those.
    expect([installedVersionCommand("apt"), systemctl.listUnitFiles(), onedConf.readFederation()].every((c) => c.fact && c.readOnly)).toBe(true);
    expect([onezone.showJson(0), onezone.listJson(), onezone.listCsv(), systemctl.isActive(["opennebula"])].some((c) => c.fact)).toBe(false);
  });

  it("a cache hit is no remote command: it leaves no command event", async () => {
    const pool = new SessionPool();
    const t = new FakeTransport(machine());
    const started: string[] = [];
    const observer: CommandObserver = {
      commandStarted: (_target, line) => (started.push(line), { output: () => undefined, ended: () => undefined, failed: () => undefined }),
    };
    const withObserver = (fe: OpenNebulaFrontend) =>
      new OpenNebulaFrontend((fe as unknown as { transport: FakeTransport }).transport, fe.target, "apt", () => undefined, undefined, undefined, observer);
    await withObserver(pooled(t, pool)).installedVersion();
    await withObserver(pooled(t, pool)).installedVersion();
    expect(started).toEqual(["dpkg-query -W '-f=${Version}' opennebula"]);
  });

  it("without a fact cache (a step in its own process) every read is live, as before", async () => {
    const t = new FakeTransport(machine());
    const fe = new OpenNebulaFrontend(t, { host: "h", port: 22, zone: "z" }, "apt");
    await fe.installedVersion();
    await new OpenNebulaFrontend(t, { host: "h", port: 22, zone: "z" }, "apt").installedVersion();
    expect(t.lines.filter((l) => l.startsWith("dpkg-query"))).toHaveLength(2);
  });
});

describe("which actions forget which facts (docs/round-trips.md)", () => {
  it("a read overlapped by an action of another kind is kept; one of its own kind is not", async () => {
    const cache = new FactCache();
    let release!: () => void;
    const action = cache.action(() => new Promise<void>((r) => (release = r)), ["configuration"]);
    let sent = 0;
    const live = async () => (sent++, result("6.10.0"));
    await cache.read("version", live, "packages").result;
    await cache.read("oned.conf", live, "configuration").result;
    release();
    await action;
    await cache.read("version", live, "packages").result;
    await cache.read("oned.conf", live, "configuration").result;
    expect(sent).toBe(3);
    // A read of no declared kind is forgotten by any action that changes something.
    await cache.read("untyped", live).result;
    await cache.action(async () => undefined, ["packages"]);
    await cache.read("untyped", live).result;
    expect(sent).toBe(5);
    await cache.read("version", live, "packages").result;
    expect(sent).toBe(6);
    // An action that changes nothing keeps everything.
    await cache.action(async () => undefined, []);
    await cache.read("version", live, "packages").result;
    await cache.read("oned.conf", live, "configuration").result;
    await cache.read("untyped", live).result;
    expect(sent).toBe(6);
  });

  it("a write forgets the kinds read from inside it or from a tree it lies in; an unclear path forgets all", () => {
    expect(factsChangedByWriting("/var/lib/one/backups/onefed/sandbox-zone0-full-before-7.0.0.sql")).toEqual([]);
    expect(factsChangedByWriting("/etc/one.onefed-6.10.0")).toEqual([]);
    expect(factsChangedByWriting("/var/lib/one/remotes/etc.onefed-6.10.0")).toEqual([]);
    expect(factsChangedByWriting("/etc/one/oned.conf")).toEqual(["configuration"]);
    expect(factsChangedByWriting("/etc/one")).toEqual(["configuration"]);
    expect(factsChangedByWriting("/etc/systemd/system/opennebula.service")).toEqual(["packages"]);
    expect(factsChangedByWriting("/var/lib/dpkg/status")).toEqual(["packages"]);
    expect(factsChangedByWriting("/etc")).toEqual(["packages", "configuration"]);
    expect(factsChangedByWriting("/")).toEqual(["packages", "configuration"]);
    for (const p of ["relative", "/var/lib/one/../../etc/one", "/var//lib", "/etc/./one"])
      expect(factsChangedByWriting(p)).toEqual(["packages", "configuration"]);
  });

  it("each action says what it can change: installs everything, onecfg the configuration, list refreshes, downloads, the repository file and the rest nothing", () => {
    const all = ["packages", "configuration"];
    const changes = (cmd: RemoteCommand) => cmd.changes ?? all;
    const packages: PackagesConfig = { manager: "apt", repositoryLine: "deb x {series} main" } as PackagesConfig;
    const table: Array<[string, RemoteCommand, readonly string[]]> = [
      ["apt-get update", refreshCommand("apt"), []],
      ["dnf makecache", refreshCommand("dnf"), []],
      ["package upgrade", upgradeCommand("apt", ["opennebula"]), all],
      ["dnf upgrade", upgradeCommand("dnf", ["opennebula"]), all],
      ["package downgrade (rollback)", downgradeCommand("apt", ["opennebula"], "6.10.0"), all],
      ["package download", downloadCommand("apt", ["opennebula"]), []],
      ["dnf download", downloadCommand("dnf", ["opennebula"]), []],
      ["repository switch", repositorySwitchCommand(packages, "7.0.0"), []],
      ["repository switch (dnf)", repositorySwitchCommand({ ...packages, manager: "dnf" }, "7.0.0"), []],
      ["the operator's repository command", repositorySwitchCommand({ ...packages, repositoryCommand: ["/usr/local/bin/repo", "{series}"] }, "7.0.0"), all],
      ["a file written into /etc/one", files.write("/etc/one/oned.conf", "x"), ["configuration"]],
      ["pending downloads (simulation)", pendingDownloadsCommand(["opennebula"]), []],
      ["onecfg upgrade", onecfg.upgrade(), ["configuration"]],
      ["SERVER_ID edit", onedConf.setServerId(1), all],
      ["systemctl stop", systemctl.stop(["opennebula"]), []],
      ["systemctl start", systemctl.start(["opennebula"]), []],
      ["systemctl daemon-reload", systemctl.daemonReload(), []],
      ["onezone disable", onezone.disable(100, "http://x:2633/RPC2"), []],
      ["onedb backup", onedb.backupFull("/var/lib/one/backups/onefed/f.sql"), []],
      ["onedb restore", onedb.restoreFederated("/var/lib/one/backups/onefed/f.sql"), []],
      ["onedb upgrade", onedb.upgrade("/var/lib/one/backups/onefed/f.bck"), []],
      ["config backup copy", files.copyTree("/etc/one", "/etc/one.onefed-6.10.0"), []],
      ["backup directory", files.makePrivateDir("/var/lib/one/backups/onefed"), []],
      ["HA unpack", files.unpackTrees("/tmp/a.tgz"), all],
      ["ledger transaction", ledgerFiles.transaction("/d", [{ op: "remove", name: "a.json" }], false), []],
    ];
    for (const [what, cmd, expected] of table) expect([what, changes(cmd)]).toEqual([what, expected]);
  });
});
