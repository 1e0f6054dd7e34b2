/**
 * RHEL-family zones (`dnfZones`, `yumZones`): what their front-ends and nodes have installed, rpm's
 * queries, dnf/yum makecache and upgrade bound to the series in /etc/yum.repos.d/opennebula.repo,
 * the absence of apt-get and dpkg-query, and federation.yaml / status.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { sandboxStatus } from "../../sandbox";
import { planSandbox } from "../../sandbox/prepare";
import { EMULATOR, EmulatorSandbox, MASTER, NODE, SLAVE_CA, SLAVE_GE } from "../sandbox/emulator-harness";

const REPO = "/etc/yum.repos.d/opennebula.repo";
/** The repository file the tool writes by default (lib/config DEFAULTS.yumRepository for a series). */
const repoFile = (series: string): string =>
  `[opennebula]\nname=OpenNebula Community Edition\nbaseurl=https://downloads.opennebula.io/repo/${series}/RedHat/$releasever/$basearch\nenabled=1\n` +
  "gpgkey=https://downloads.opennebula.io/repo/repo2.key\ngpgcheck=1\nrepo_gpgcheck=1\n";
/** The tool's 7.0 front-end upgrade on RHEL. */
const FRONTEND_UPGRADE = "dnf -y -q upgrade opennebula opennebula-gate opennebula-flow opennebula-fireedge opennebula-migration python3-pyone opennebula-guacd";
const VERSION = "rpm -q --qf '%{VERSION}' opennebula";

describe("RHEL-family zones: options", () => {
  it.each([
    [{ dnfZones: [102] }, /--dnf 102: no such zone \(the zones are 0, 100, 101\)/],
    [{ yumZones: [7] }, /--yum 7: no such zone/],
    [{ dnfZones: [100], yumZones: [100] }, /zone 100 cannot be both --dnf and --yum/],
  ])("refuses %j", (o, message) => {
    expect(() => planSandbox({ dir: "/tmp/onefed-plan", ...o }, "n", "e")).toThrow(message);
  });

  it("keeps addresses and leaves apt zones as they were", () => {
    const reg = planSandbox({ dir: "/tmp/onefed-plan", dnfZones: [101], yumZones: [0] }, "n", "e");
    expect(reg.zones.map((z) => [z.id, z.packageManager ?? "apt", z.frontends[0].host])).toEqual([
      [0, "yum", "127.0.50.1"],
      [100, "apt", "127.0.50.2"],
      [101, "dnf", "127.0.50.3"],
    ]);
  });
});

describe("a dnf zone", () => {
  let sb: EmulatorSandbox;
  beforeAll(() => (sb = EmulatorSandbox.create({ dnfZones: [100], nodes: 1 })));
  afterAll(() => sb.remove());

  it("renders packages: { manager: dnf } for the zone in federation.yaml, and nothing for apt zones", () => {
    const yaml = fs.readFileSync(`${sb.dir}/federation.yaml`, "utf8");
    expect(yaml).toContain(
      '  - { id: 100, name: S-EU-GE, role: slave,  endpoint: "http://127.0.50.2:2633/RPC2", frontends: [ { host: 127.0.50.2, port: 22 } ], packages: { manager: dnf }, nodes: [ { name: kvm-100-0, host: 127.0.50.5, port: 22 } ] }\n',
    );
    expect(yaml.match(/packages:/g)).toHaveLength(1);
  });

  it("seeds the repository file of the from series instead of the apt list", () => {
    expect(fs.readFileSync(sb.path(SLAVE_GE, REPO), "utf8")).toBe(repoFile("6.10"));
    expect(fs.existsSync(sb.path(SLAVE_GE, "/etc/apt/sources.list.d/opennebula.list"))).toBe(false);
    expect(fs.readFileSync(sb.path(NODE(100), REPO), "utf8")).toBe(repoFile("6.10"));
    expect(fs.existsSync(sb.path(MASTER, REPO))).toBe(false);
  });

  it("answers rpm queries like rpm: VERSION without release, NVRA by default, 'is not installed' on stdout", () => {
    expect(sb.run(SLAVE_GE, VERSION)).toEqual({ stdout: "6.10.0", stderr: "", code: 0 });
    expect(sb.run(SLAVE_GE, "rpm -q opennebula opennebula-guacd python3-pyone")).toEqual({
      stdout: "opennebula-6.10.0-1.el9.x86_64\nopennebula-guacd-6.10.0-1.el9.x86_64\npython3-pyone-6.10.0-1.el9.noarch\n",
      stderr: "",
      code: 0,
    });
    expect(sb.run(SLAVE_GE, "rpm -q --qf '%{VERSION}' opennebula-migration")).toEqual({
      stdout: "package opennebula-migration is not installed\n",
      stderr: "",
      code: 1,
    });
    expect(sb.run(SLAVE_GE, "rpm -q nope1 opennebula nope2").code).toBe(2);
    expect(sb.run(SLAVE_GE, "rpm -qa 'opennebula-f*' --qf '%{NAME} %{RELEASE}\\n'").stdout).toBe("opennebula-fireedge 1.el9\nopennebula-flow 1.el9\n");
    expect(sb.run(NODE(100), "rpm -q --qf '%{VERSION}' opennebula-node-kvm")).toEqual({ stdout: "6.10.0", stderr: "", code: 0 });
  });

  it("has no apt-get or dpkg-query: the shell does not find them", () => {
    for (const fe of [SLAVE_GE, NODE(100)]) {
      expect(sb.run(fe, "dpkg-query -W '-f=${Version}' opennebula")).toEqual({ stdout: "", stderr: "bash: dpkg-query: command not found\n", code: 127 });
      expect(sb.run(fe, "apt-get update -q").code).toBe(127);
    }
    // Even when called directly, the emulator refuses tools the machine does not have.
    const r = spawnSync(process.execPath, [EMULATOR, "apt-get", "update"], {
      encoding: "utf8",
      env: { ONEFED_SANDBOX_DIR: sb.dir, ONEFED_FRONTEND: SLAVE_GE },
    });
    expect([r.status, r.stderr]).toEqual([127, "bash: apt-get: command not found\n"]);
    // Debian zones keep theirs and have no rpm.
    expect(sb.run(MASTER, "dpkg-query -W '-f=${Version}' opennebula").stdout).toBe("6.10.0-1");
    const rpm = spawnSync(process.execPath, [EMULATOR, "rpm", "-q", "opennebula"], {
      encoding: "utf8",
      env: { ONEFED_SANDBOX_DIR: sb.dir, ONEFED_FRONTEND: MASTER },
    });
    expect([rpm.status, rpm.stderr]).toEqual([127, "/bin/sh: 1: rpm: not found\n"]);
  });

  it("leaves everything alone while the repository still serves the from series", () => {
    expect(sb.run(SLAVE_GE, "dnf -q makecache")).toEqual({ stdout: "", stderr: "", code: 0 });
    expect(sb.run(SLAVE_GE, "dnf -y upgrade opennebula")).toEqual({
      stdout: "Last metadata expiration check: 0:00:03 ago on Wed 01 Jan 2025 12:00:00 PM UTC.\nDependencies resolved.\nNothing to do.\nComplete!\n",
      stderr: "",
      code: 0,
    });
    expect(sb.run(SLAVE_GE, VERSION).stdout).toBe("6.10.0");
  });

  it("upgrades only installed packages to the series of the repository file, units following", () => {
    fs.writeFileSync(sb.path(SLAVE_GE, REPO), repoFile("7.0"));
    expect(sb.run(SLAVE_GE, "systemctl stop opennebula").code).toBe(0);
    // Without -y there is nobody to answer the prompt.
    const asked = sb.run(SLAVE_GE, "dnf upgrade opennebula");
    expect(asked.stdout).toMatch(/^Upgrading:\n opennebula\s+x86_64\s+7\.0\.0-1\.el9\s+opennebula\s+2\.1 M\n/m);
    expect(asked.stdout).toMatch(/Is this ok \[y\/N\]: Operation aborted\.\n$/);
    expect(asked.code).toBe(1);
    expect(sb.run(SLAVE_GE, VERSION).stdout).toBe("6.10.0");
    // -q: only dnf's warning about the named package that is not installed.
    expect(sb.run(SLAVE_GE, FRONTEND_UPGRADE)).toEqual({ stdout: "", stderr: "Package opennebula-migration available, but not installed.\n", code: 0 });
    expect(sb.run(SLAVE_GE, "rpm -qa --qf '%{NAME}=%{VERSION}-%{RELEASE}\\n'").stdout).toBe(
      [
        "opennebula=7.0.0-1.el9",
        "opennebula-fireedge=7.0.0-1.el9",
        "opennebula-flow=7.0.0-1.el9",
        "opennebula-gate=7.0.0-1.el9",
        "opennebula-guacd=7.0.0-1.el9",
        "opennebula-provision=6.10.0-1.el9",
        "python3-pyone=7.0.0-1.el9",
        "",
      ].join("\n"),
    );
    expect(sb.run(SLAVE_GE, "systemctl is-active opennebula-scheduler opennebula-fireedge")).toEqual({ stdout: "inactive\nactive\n", stderr: "", code: 3 });
    expect(sb.run(SLAVE_GE, "systemctl start opennebula-scheduler").code).toBe(5);
    // A second run has nothing to do.
    expect(sb.run(SLAVE_GE, FRONTEND_UPGRADE).code).toBe(0);
  });

  it("finds nothing to upgrade when the repository file has no usable series, or none at all", () => {
    const node = NODE(100);
    fs.writeFileSync(sb.path(node, REPO), "[opennebula]\nname=OpenNebula\nbaseurl=https://mirror.example.com/opennebula/el9/\nenabled=1\n");
    expect(sb.run(node, "dnf -y -q upgrade opennebula-node-kvm")).toEqual({ stdout: "", stderr: "", code: 0 });
    fs.rmSync(sb.path(node, REPO));
    expect(sb.run(node, "dnf -y upgrade opennebula-node-kvm").stdout).toMatch(/\nNothing to do\.\nComplete!\n$/);
    expect(sb.run(node, "rpm -q --qf '%{VERSION}' opennebula-node-kvm").stdout).toBe("6.10.0");
  });

  it("upgrades a node's opennebula-node-kvm the same way; libvirtd keeps running", () => {
    const node = NODE(100);
    fs.writeFileSync(sb.path(node, REPO), repoFile("7.0"));
    expect(sb.run(node, "dnf -q check-update")).toEqual({
      stdout: "\nopennebula-node-kvm.x86_64              7.0.0-1.el9           opennebula\n",
      stderr: "",
      code: 100,
    });
    expect(sb.run(node, "dnf -q makecache && dnf -y -q upgrade opennebula-node-kvm")).toEqual({ stdout: "", stderr: "", code: 0 });
    expect(sb.run(node, "rpm -q --qf '%{VERSION}' opennebula-node-kvm && systemctl restart libvirtd && systemctl is-active libvirtd")).toEqual({
      stdout: "7.0.0active\n",
      stderr: "",
      code: 0,
    });
    expect(sb.run(node, "dnf -q check-update").code).toBe(0);
  });

  it("fails like dnf on a series the download site does not have", () => {
    fs.writeFileSync(sb.path(SLAVE_GE, REPO), repoFile("9.9"));
    const err =
      "Errors during downloading metadata for repository 'opennebula':\n" +
      "  - Status code: 404 for https://downloads.opennebula.io/repo/9.9/RedHat/9/x86_64/repodata/repomd.xml (IP: 104.26.6.180)\n" +
      "Error: Failed to download metadata for repo 'opennebula': Cannot download repomd.xml: Cannot download repodata/repomd.xml: All mirrors were tried\n";
    expect(sb.run(SLAVE_GE, "dnf -q makecache")).toEqual({ stdout: "", stderr: err, code: 1 });
    expect(sb.run(SLAVE_GE, "yum -y -q upgrade opennebula")).toEqual({ stdout: "", stderr: err, code: 1 });
  });

  it("refuses an upgrade of packages none of which is installed, and says which it skipped", () => {
    fs.writeFileSync(sb.path(SLAVE_GE, REPO), repoFile("7.0"));
    expect(sb.run(SLAVE_GE, "dnf -y upgrade opennebula-node-kvm nope")).toEqual({
      stdout:
        "Last metadata expiration check: 0:00:03 ago on Wed 01 Jan 2025 12:00:00 PM UTC.\nNo match for argument: opennebula-node-kvm\nNo match for argument: nope\n",
      stderr: "Package opennebula-node-kvm available, but not installed.\nError: No packages marked for upgrade.\n",
      code: 1,
    });
  });

  it("reports the package manager of every front-end and node", async () => {
    const st = await sandboxStatus(sb.dir);
    expect(st.zones.map((z) => [z.id, z.frontends[0].packageManager, z.nodes[0].packageManager])).toEqual([
      [0, "apt", "apt"],
      [100, "dnf", "dnf"],
      [101, "apt", "apt"],
    ]);
    expect(st.zones[1].frontends[0].packageVersion).toBe("7.0.0");
  });
});

describe("a yum zone (RHEL 7)", () => {
  let sb: EmulatorSandbox;
  beforeAll(() => (sb = EmulatorSandbox.create({ yumZones: [101] })));
  afterAll(() => sb.remove());

  it("has yum and rpm but no dnf", () => {
    // (The exact line of the machine's bash is checked over ssh in sandbox-nodes-live.)
    expect(sb.run(SLAVE_CA, "dnf -q makecache")).toMatchObject({
      stdout: "",
      stderr: expect.stringMatching(/^bash: (line 1: )?dnf: command not found\n$/),
      code: 127,
    });
    expect(sb.run(SLAVE_CA, "yum -q makecache")).toEqual({ stdout: "", stderr: "", code: 0 });
    expect(sb.run(SLAVE_CA, "rpm -q opennebula").stdout).toBe("opennebula-6.10.0-1.el7.x86_64\n");
    expect(fs.readFileSync(`${sb.dir}/federation.yaml`, "utf8")).toContain("packages: { manager: yum } }\n");
  });

  it("upgrades with yum -y -q to the repository's series", () => {
    fs.writeFileSync(sb.path(SLAVE_CA, REPO), repoFile("7.0"));
    expect(sb.run(SLAVE_CA, "yum -y -q upgrade opennebula opennebula-node-kvm")).toEqual({ stdout: "", stderr: "", code: 0 });
    expect(sb.run(SLAVE_CA, "rpm -q opennebula opennebula-flow").stdout).toBe("opennebula-7.0.0-1.el7.x86_64\nopennebula-flow-6.10.0-1.el7.x86_64\n");
    const verbose = sb.run(SLAVE_CA, "yum -y upgrade opennebula-flow");
    expect(verbose.stdout).toContain("---> Package opennebula-flow.x86_64 0:6.10.0-1.el7 will be updated\n");
    expect(verbose.stdout).toMatch(/Updated:\n {2}opennebula-flow\.x86_64 0:7\.0\.0-1\.el7\n\nComplete!\n$/);
  });

  it("keeps its own /etc/yum.repos.d: the host has none", () => {
    expect(fs.existsSync(path.join(sb.dir, "frontends", SLAVE_CA, "root", REPO))).toBe(true);
    expect(fs.existsSync(REPO)).toBe(false);
  });
});
