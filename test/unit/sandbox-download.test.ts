/**
 * The package cache of the sandbox's emulated apt-get and dnf: --download-only / --downloadonly
 * fill it (the machine state's `downloaded`) without installing anything, apt's --print-uris lists
 * only what it still lacks, and the install after it fetches nothing and works.
 */
import * as fs from "fs";
import { readState } from "../../sandbox/frontend-state";
import { SandboxLayout } from "../../sandbox/layout";
import { EmulatorSandbox, NODE, SLAVE_CA, SLAVE_GE } from "../sandbox/emulator-harness";

const DEBIAN_70 = "deb [signed-by=/etc/apt/keyrings/opennebula.gpg] https://downloads.opennebula.io/repo/7.0/Debian/12 stable opennebula\n";
const PACKAGES = "opennebula opennebula-gate opennebula-flow opennebula-fireedge opennebula-migration python3-pyone";
const APT = "env DEBIAN_FRONTEND=noninteractive apt-get";
const DEB_VERSION = "dpkg-query -W '-f=${Version}' opennebula";

describe("apt-get with the package cache", () => {
  let sb: EmulatorSandbox;
  beforeAll(() => (sb = EmulatorSandbox.create({ nodes: 1 })));
  afterAll(() => sb.remove());
  const state = (fe: string) => readState(new SandboxLayout(sb.dir), fe);

  it("downloads into the cache without installing, lists nothing left to fetch, then installs from the cache", () => {
    fs.writeFileSync(sb.path(SLAVE_CA, "/etc/apt/sources.list.d/opennebula.list"), DEBIAN_70);
    expect(sb.run(SLAVE_CA, "apt-get update -q").code).toBe(0);
    const before = sb.run(SLAVE_CA, `${APT} install --print-uris -qq --only-upgrade ${PACKAGES}`);
    expect(before.code).toBe(0);
    expect(before.stdout.split("\n").filter(Boolean)).toHaveLength(5);
    expect(before.stdout).toMatch(
      /^'https:\/\/downloads\.opennebula\.io\/repo\/7\.0\/Debian\/12\/pool\/opennebula\/opennebula_7\.0\.0-1_amd64\.deb' opennebula_7\.0\.0-1_amd64\.deb \d+ SHA256:/m,
    );

    const download = sb.run(SLAVE_CA, `${APT} install --download-only -y -q --only-upgrade ${PACKAGES}`);
    expect(download).toMatchObject({ stderr: "", code: 0 });
    expect(download.stdout).toMatch(/^Get:1 .* opennebula amd64 7\.0\.0-1 /m);
    expect(download.stdout).toMatch(/Download complete and in download only mode\n$/);
    expect(sb.run(SLAVE_CA, DEB_VERSION).stdout).toBe("6.10.0-1");
    expect(state(SLAVE_CA).downloaded).toMatchObject({ opennebula: "7.0.0-1", "python3-pyone": "7.0.0-1" });
    expect(sb.run(SLAVE_CA, `${APT} install --print-uris -qq --only-upgrade ${PACKAGES}`)).toEqual({ stdout: "", stderr: "", code: 0 });

    const install = sb.run(SLAVE_CA, `${APT} install -y -q --only-upgrade -o Dpkg::Options::=--force-confold ${PACKAGES}`);
    expect(install).toMatchObject({ stderr: "", code: 0 });
    expect(install.stdout).not.toMatch(/^Get:/m);
    expect(install.stdout).toContain("Need to get 0,0 kB/35,565 kB of archives.\n");
    expect(sb.run(SLAVE_CA, DEB_VERSION).stdout).toBe("7.0.0-1");
  });

  it("downloads a node's package the same way", () => {
    const node = NODE(100);
    fs.writeFileSync(sb.path(node, "/etc/apt/sources.list.d/opennebula.list"), DEBIAN_70);
    expect(sb.run(node, "apt-get update -q").code).toBe(0);
    expect(sb.run(node, `${APT} install --download-only -y -q --only-upgrade opennebula-node-kvm`).code).toBe(0);
    expect(state(node).downloaded).toEqual({ "opennebula-node-kvm": "7.0.0-1" });
    expect(sb.run(node, "dpkg-query -W '-f=${Version}' opennebula-node-kvm").stdout).toBe("6.10.0-1");
  });

  it("has nothing to download on a machine whose lists still name the old series", () => {
    expect(sb.run(SLAVE_GE, `${APT} install --download-only -y -q --only-upgrade opennebula`)).toMatchObject({
      stdout: expect.stringContaining("opennebula is already the newest version (6.10.0-1).\n"),
      code: 0,
    });
    expect(state(SLAVE_GE).downloaded).toBeUndefined();
  });
});

describe("dnf with the package cache", () => {
  let sb: EmulatorSandbox;
  beforeAll(() => (sb = EmulatorSandbox.create({ dnfZones: [100] })));
  afterAll(() => sb.remove());

  it("downloads with --downloadonly without installing, then upgrades and empties the cache of what it installed", () => {
    const repo = sb.path(SLAVE_GE, "/etc/yum.repos.d/opennebula.repo");
    fs.writeFileSync(repo, fs.readFileSync(repo, "utf8").replace("/repo/6.10/", "/repo/7.0/"));
    const pkgs = `${PACKAGES} opennebula-guacd`;
    expect(sb.run(SLAVE_GE, `dnf -y -q upgrade --downloadonly ${pkgs}`)).toMatchObject({ code: 0 });
    expect(sb.run(SLAVE_GE, "rpm -q --qf '%{VERSION}' opennebula").stdout).toBe("6.10.0");
    const layout = new SandboxLayout(sb.dir);
    expect(readState(layout, SLAVE_GE).downloaded).toMatchObject({ opennebula: "7.0.0-1.el9" });
    expect(sb.run(SLAVE_GE, `dnf -y -q upgrade ${pkgs}`).code).toBe(0);
    expect(sb.run(SLAVE_GE, "rpm -q --qf '%{VERSION}' opennebula").stdout).toBe("7.0.0");
    expect(readState(layout, SLAVE_GE).downloaded).toEqual({});
  });
});
