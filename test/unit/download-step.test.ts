/**
 * The download step on scripted front-ends and hosts: the target's packages into every cache before
 * the freeze, proven there (apt: nothing left to fetch; dnf: --downloadonly's exit code), nothing
 * installed; and the upgrade after the stop installing from that cache without refreshing.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { FederationConfig, NodeConfig, ZoneConfig } from "../../lib/model/federation";
import { safetyBackupRemotePath } from "../../lib/model/paths";
import { STEPS } from "../../lib/run/steps/catalog";
import { STEP_PLANS } from "../../lib/synth/step-plans";
import { dbVersionText, FakeTransport, fakeStepContext, Reply, Rule } from "../support/fake-frontend";
import { seedFederation } from "../support/federation-builder";
import { ledgerWith, safetyBackupEntry } from "../support/ledger-entries";

const FRONTEND_DEBS = "opennebula opennebula-gate opennebula-flow opennebula-fireedge opennebula-migration python3-pyone";
const SAFETY_SHA = "5".repeat(64);

/** A command line without the environment apt runs with ("env DEBIAN_FRONTEND=noninteractive "). */
const bare = (l: string) => l.replace(/^env DEBIAN_FRONTEND=noninteractive /, "");

/** A Debian machine at `version` whose cache holds nothing until --download-only fills it (unless `cacheFills` is false). */
function aptMachine(pkg: string, version: string, cacheFills = true): FakeTransport {
  let cached = false;
  return new FakeTransport([
    [new RegExp(`^dpkg-query -W '-f=\\$\\{Version\\}' ${pkg}$`), { stdout: `${version}-1` }],
    [/^sh -c 'printf "%s" "\$1" > "\$2"' sh 'deb .*\/repo\/7\.0\/Debian\/12 stable opennebula\n' \/etc\/apt\/sources\.list\.d\/opennebula\.list$/, {}],
    [/^apt-get update -q$/, {}],
    [/apt-get install --download-only -y -q --only-upgrade /, () => ((cached = cacheFills), {})],
    [
      /apt-get install --print-uris -qq --only-upgrade /,
      (): Reply => ({ stdout: cached ? "" : `'http://repo/pool/${pkg}_7.0.0-1_amd64.deb' ${pkg}_7.0.0-1_amd64.deb 7113 SHA256:00\n` }),
    ],
  ]);
}

function run(config: FederationConfig, zone: ZoneConfig, frontends: FakeTransport[], nodes: Record<string, FakeTransport> = {}) {
  const ctx = fakeStepContext(
    config,
    zone,
    "download",
    (_z, i) => frontends[i],
    (n: NodeConfig) => nodes[n.name],
  );
  return STEPS.download.run(ctx);
}

const installs = (t: FakeTransport) => t.lines.filter((l) => /apt-get install -y|dnf -y -q upgrade (?!--downloadonly)|^systemctl|^onedb/.test(l));

describe("download step", () => {
  const config = seedFederation()
    .withNodes(100, [{ name: "kvm-ge-1", host: "192.168.150.21" }])
    .with({ hosts: { manage: true } })
    .parse();
  const zone = config.zones[1];

  it("downloads the front-end's and the host's packages into their caches, proves them there and installs nothing", async () => {
    const fe = aptMachine("opennebula", "6.10.0");
    const kvm = aptMachine("opennebula-node-kvm", "6.10.0");
    await expect(run(config, zone, [fe], { "kvm-ge-1": kvm })).resolves.toEqual({
      status: "done",
      summary: "packages of 7.0.0 in the cache of 192.168.150.2:22, kvm-ge-1",
      evidence: { downloaded_on: ["192.168.150.2:22", "kvm-ge-1"] },
    });
    expect(fe.lines.slice(1).map((l) => bare(l).split(" ").slice(0, 3).join(" "))).toEqual([
      "sh -c 'printf",
      "apt-get update -q",
      "apt-get install --download-only",
      "apt-get install --print-uris",
    ]);
    expect(fe.lines.map(bare)).toContain(`apt-get install --download-only -y -q --only-upgrade ${FRONTEND_DEBS}`);
    expect(kvm.lines.map(bare)).toContain("apt-get install --download-only -y -q --only-upgrade opennebula-node-kvm");
    // Package commands run under the command guard, like every other package command.
    expect(fe.guarded.map(bare)).toEqual(expect.arrayContaining([expect.stringMatching(/apt-get install --download-only /), "apt-get update -q"]));
    expect([...installs(fe), ...installs(kvm)]).toEqual([]);
  });

  it("refuses when the cache still lacks an archive after the download, naming the machine, before anything is frozen", async () => {
    await expect(run(config, zone, [aptMachine("opennebula", "6.10.0")], { "kvm-ge-1": aptMachine("opennebula-node-kvm", "6.10.0", false) })).rejects.toThrow(
      /download refused on zone 100 \(S-EU-GE\), front-end 192\.168\.150\.21:22: expected every package of the upgrade to 7\.0\.0 in the package cache of kvm-ge-1 after the download, but found still to fetch: opennebula-node-kvm_7\.0\.0-1_amd64\.deb/,
    );
  });

  it("has nothing to do on machines that already run the target", async () => {
    const fe = aptMachine("opennebula", "7.0.0");
    const kvm = aptMachine("opennebula-node-kvm", "7.0.0");
    await expect(run(config, zone, [fe], { "kvm-ge-1": kvm })).resolves.toMatchObject({ status: "already-done" });
    expect([...fe.lines, ...kvm.lines].filter((l) => !l.startsWith("dpkg-query"))).toEqual([]);
  });

  it("uses dnf --downloadonly on a dnf zone, whose exit code is the proof", async () => {
    const dnf = seedFederation()
      .withZone(100, { packages: { manager: "dnf" } })
      .parse();
    const fe = new FakeTransport([
      [/^rpm -q --qf '%\{VERSION\}' opennebula$/, { stdout: "6.10.0" }],
      [/^sh -c 'printf [\s\S]*\/etc\/yum\.repos\.d\/opennebula\.repo$/, {}],
      [/^dnf -q makecache$/, {}],
      [/^dnf -y -q upgrade --downloadonly /, {}],
    ]);
    await expect(run(dnf, dnf.zones[1], [fe])).resolves.toMatchObject({ status: "done" });
    expect(fe.lines).toContain(`dnf -y -q upgrade --downloadonly ${FRONTEND_DEBS} opennebula-guacd`);
    expect(fe.lines.some((l) => l.includes("print-uris"))).toBe(false);
  });
});

describe("upgrade after the download", () => {
  const config = seedFederation()
    .with({ backup: { localDirectory: fs.mkdtempSync(path.join(os.tmpdir(), "onefed-download-")) } })
    .parse();
  const master = config.master;

  /**
   * The master, stopped, with its safety backup, whose cache holds the download unless `cached` is
   * false; `startedByPackages` units come up with the install (package scripts) until stopped.
   */
  function stoppedMaster(cached: boolean, startedByPackages: readonly string[] = []): FakeTransport {
    let up: readonly string[] = [];
    let version = "6.10.0";
    let db = "6.10.0";
    const rules: Rule[] = [
      [new RegExp(`^test -e ${safetyBackupRemotePath(config, master)}$`), { exitCode: 0 }],
      [new RegExp(`^sha256sum ${safetyBackupRemotePath(config, master)}$`), { stdout: `${SAFETY_SHA}  ${safetyBackupRemotePath(config, master)}\n` }],
      [/^dpkg-query -W '-f=\$\{Version\}' opennebula$/, () => ({ stdout: `${version}-1` })],
      [/^onedb version/, () => ({ stdout: dbVersionText(db, db), exitCode: db === "7.0.0" ? 0 : 2 })],
      [/^systemctl list-unit-files/, { stdout: "opennebula.service enabled enabled\n" }],
      [
        /^systemctl is-active/,
        (line) => {
          const units = line.split(" ").slice(2);
          return { exitCode: up.length > 0 ? 0 : 3, stdout: units.map((u) => (up.includes(u) ? "active\n" : "inactive\n")).join("") };
        },
      ],
      [/^systemctl stop /, (line) => ((up = up.filter((u) => !line.split(" ").includes(u))), {})],
      [/^test -e /, { exitCode: 1 }],
      [/^mkdir /, {}],
      [/^chmod 0600 /, {}],
      [/^cp -a /, {}],
      [/^sh -c 'printf /, {}],
      [/^apt-get update -q$/, {}],
      [
        /apt-get install --print-uris /,
        { stdout: cached ? "" : "'http://repo/pool/opennebula_7.0.0-1_amd64.deb' opennebula_7.0.0-1_amd64.deb 7113 SHA256:00\n" },
      ],
      [/apt-get install -y -q --only-upgrade /, () => ((version = "7.0.0"), (up = startedByPackages), {})],
      [/^onecfg upgrade$/, {}],
      [/^onedb upgrade /, () => ((db = "7.0.0"), {})],
      [/^onedb fsck /, {}],
    ];
    return new FakeTransport(rules);
  }

  const upgrade = (t: FakeTransport) =>
    STEPS.upgrade.run(fakeStepContext(config, master, "upgrade", () => t, undefined, ledgerWith([safetyBackupEntry(config, master, SAFETY_SHA)])));

  it("installs from the cache without going back to the repository", async () => {
    const t = stoppedMaster(true);
    await expect(upgrade(t)).resolves.toMatchObject({ status: "done" });
    const packages = t.lines.map(bare).filter((l) => l.startsWith("apt-get"));
    expect(packages).toEqual([
      `apt-get install --print-uris -qq --only-upgrade ${FRONTEND_DEBS}`,
      expect.stringMatching(/apt-get install -y -q --only-upgrade /),
    ]);
  });

  /** What the step sent from the install on, in order (a batch's commands one after the other). */
  const afterInstall = (t: FakeTransport) => t.lines.slice(t.lines.findIndex((l) => l.includes("apt-get install -y")) + 1).map(bare);

  it("proves everything down after the install with one read of the unit states and the lock file, together", async () => {
    const t = stoppedMaster(true);
    await expect(upgrade(t)).resolves.toMatchObject({ status: "done" });
    const after = afterInstall(t);
    expect(after.slice(0, after.indexOf("onecfg upgrade"))).toEqual([
      "dpkg-query -W '-f=${Version}' opennebula",
      "systemctl list-unit-files --no-legend --no-pager 'opennebula*'",
      expect.stringMatching(/^systemctl is-active opennebula\b/),
      "test -e /var/lock/one/one",
    ]);
    expect(t.batches).toContainEqual([expect.stringMatching(/^systemctl is-active opennebula\b/), "test -e /var/lock/one/one"]);
  });

  it("stops what the package scripts started, and proves it again before onecfg", async () => {
    const t = stoppedMaster(true, ["opennebula"]);
    await expect(upgrade(t)).resolves.toMatchObject({ status: "done" });
    const after = afterInstall(t);
    const before = after.slice(0, after.indexOf("onecfg upgrade"));
    expect(before).toContain("systemctl stop opennebula");
    // The proof after the stop: the states and the lock file read again, after it.
    expect(before.slice(before.indexOf("systemctl stop opennebula") + 1)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^systemctl is-active opennebula\b/), "test -e /var/lock/one/one"]),
    );
  });

  it("refreshes and downloads inside the window only when the cache lost an archive", async () => {
    const t = stoppedMaster(false);
    await expect(upgrade(t)).resolves.toMatchObject({ status: "done" });
    expect(
      t.lines
        .map(bare)
        .filter((l) => l.startsWith("apt-get"))
        .map((l) => l.split(" ").slice(0, 3).join(" ")),
    ).toEqual(["apt-get install --print-uris", "apt-get update -q", "apt-get install -y"]);
  });
});

describe("the download step's plan", () => {
  const config = seedFederation()
    .withNodes(100, [{ name: "kvm-ge-1", host: "192.168.150.21" }])
    .with({ hosts: { manage: true } })
    .withZone(101, { packages: { manager: "dnf" } })
    .parse();

  it("names the machines and the very commands the step runs, and how it proves the cache (apt)", () => {
    const plan = STEP_PLANS.download(config.zones[1], config);
    expect(plan[0]).toBe("before any freeze or stop, on 192.168.150.2:22 kvm-ge-1=192.168.150.21:22; nothing installed");
    expect(plan).toEqual(
      expect.arrayContaining([
        "apt-get update -q",
        `env DEBIAN_FRONTEND=noninteractive apt-get install --download-only -y -q --only-upgrade ${FRONTEND_DEBS}`,
        `env DEBIAN_FRONTEND=noninteractive apt-get install --print-uris -qq --only-upgrade ${FRONTEND_DEBS} → no archive left to fetch`,
        "env DEBIAN_FRONTEND=noninteractive apt-get install --download-only -y -q --only-upgrade opennebula-node-kvm",
      ]),
    );
  });

  it("says dnf's exit code is the proof on a dnf zone, and the upgrade installs from the cache", () => {
    const zone = config.zones[2];
    expect(STEP_PLANS.download(zone, config)).toEqual(
      expect.arrayContaining([
        "dnf -q makecache",
        `dnf -y -q upgrade --downloadonly ${FRONTEND_DEBS} opennebula-guacd`,
        "dnf --downloadonly exit 0: every package downloaded, its checksum checked",
      ]),
    );
    expect(STEP_PLANS.upgrade(zone, config)).toContain("install from the cache the download step filled (no makecache)");
    expect(STEP_PLANS.upgrade(config.zones[1], config).join("\n")).toMatch(
      /--print-uris .* → install from the cache; apt-get update -q only for a missing archive/,
    );
  });
});
