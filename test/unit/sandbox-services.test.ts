/**
 * The emulated systemctl, dpkg-query, apt-get and onecfg: systemd's and apt's messages and exit
 * codes, oned's start checks, and the package/config versions a front-end moves through.
 */
import * as fs from "fs";
import { EmulatorSandbox, MASTER, SLAVE_GE } from "../sandbox/emulator-harness";

describe("emulated systemctl and oned start-up", () => {
  let sb: EmulatorSandbox;
  beforeAll(() => (sb = EmulatorSandbox.create()));
  afterAll(() => sb.remove());

  it("reports unit states with is-active (exit 3 unless all active)", () => {
    expect(sb.run(MASTER, "systemctl is-active opennebula opennebula-flow.service")).toEqual({ stdout: "active\nactive\n", stderr: "", code: 0 });
    expect(sb.run(MASTER, "systemctl stop opennebula-flow && systemctl is-active opennebula opennebula-flow nosuch")).toEqual({
      stdout: "active\ninactive\ninactive\n",
      stderr: "",
      code: 3,
    });
  });

  it("lists the unit files of the installed release like systemd 252", () => {
    const r = sb.run(MASTER, "systemctl list-unit-files --no-legend --no-pager 'opennebula*'");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^opennebula-scheduler\.service\s+enabled enabled$/m);
    expect(r.stdout).toMatch(/^opennebula\.service {19,}enabled enabled$/m);
    expect(r.stdout).toMatch(/^opennebula-showback\.service\s+static {2}-$/m);
  });

  it("stops oned with its lock file, and fails unknown units with systemd's message and exit 5", () => {
    expect(sb.run(MASTER, "systemctl stop opennebula opennebula-hem").code).toBe(0);
    expect(fs.existsSync(sb.path(MASTER, "/var/lock/one/one"))).toBe(false);
    expect(sb.run(MASTER, "systemctl start nosuch")).toEqual({
      stdout: "",
      stderr: "Failed to start nosuch.service: Unit nosuch.service not found.\n",
      code: 5,
    });
    expect(sb.run(MASTER, "systemctl stop nosuch").stderr).toBe("Failed to stop nosuch.service: Unit nosuch.service not loaded.\n");
  });

  it("starts oned (and the units it wants) when the DB matches the binary", () => {
    expect(sb.run(MASTER, "systemctl daemon-reload && systemctl start opennebula")).toEqual({ stdout: "", stderr: "", code: 0 });
    expect(sb.run(MASTER, "systemctl is-active opennebula opennebula-hem").stdout).toBe("active\nactive\n");
    expect(fs.existsSync(sb.path(MASTER, "/var/lock/one/one"))).toBe(true);
    expect(fs.readFileSync(sb.path(MASTER, "/var/log/one/oned.log"), "utf8")).toMatch(/\[Z0\]\[ONE\]\[I\]: oned is using version 6\.10\.0 for db_versioning/);
  });

  it("fails the unit when the packages are newer than the DB, logging the mismatch", () => {
    expect(sb.run(SLAVE_GE, "systemctl stop opennebula").code).toBe(0);
    fs.writeFileSync(
      sb.path(SLAVE_GE, "/etc/apt/sources.list.d/opennebula.list"),
      "deb https://downloads.opennebula.io/repo/7.0/Debian/12 stable opennebula\n",
    );
    expect(sb.run(SLAVE_GE, "apt-get update -q >/dev/null && apt-get install -y -q --only-upgrade opennebula >/dev/null").code).toBe(0);
    expect(sb.run(SLAVE_GE, "systemctl start opennebula")).toEqual({
      stdout: "",
      stderr:
        "Job for opennebula.service failed because the control process exited with error code.\n" +
        'See "systemctl status opennebula.service" and "journalctl -xeu opennebula.service" for details.\n',
      code: 1,
    });
    expect(sb.run(SLAVE_GE, "systemctl is-active opennebula")).toEqual({ stdout: "failed\n", stderr: "", code: 3 });
    expect(sb.run(SLAVE_GE, "systemctl start opennebula-scheduler").code).toBe(5);
  });
});

describe("emulated packages: dpkg-query, apt-get, onecfg", () => {
  let sb: EmulatorSandbox;
  beforeAll(() => (sb = EmulatorSandbox.create()));
  afterAll(() => sb.remove());
  const install =
    "DEBIAN_FRONTEND=noninteractive apt-get install -y -q --only-upgrade -o Dpkg::Options::=--force-confold opennebula opennebula-gate opennebula-flow opennebula-fireedge python3-pyone";

  it("prints the installed version like dpkg-query (no newline), and its error when absent", () => {
    expect(sb.run(MASTER, "dpkg-query -W -f='${Version}' opennebula")).toEqual({ stdout: "6.10.0-1", stderr: "", code: 0 });
    expect(sb.run(MASTER, "dpkg-query -W -f='${Version}' opennebula-ks")).toEqual({
      stdout: "",
      stderr: "dpkg-query: no packages found matching opennebula-ks\n",
      code: 1,
    });
  });

  it("keeps the installed version until apt-get update has seen the new repository", () => {
    fs.writeFileSync(
      sb.path(MASTER, "/etc/apt/sources.list.d/opennebula.list"),
      "deb [signed-by=/etc/apt/keyrings/opennebula.gpg] https://downloads.opennebula.io/repo/7.0/Debian/12 stable opennebula\n",
    );
    const stale = sb.run(MASTER, install);
    expect(stale.code).toBe(0);
    expect(stale.stdout).toContain("opennebula is already the newest version (6.10.0-1).\n");
    expect(stale.stdout).toMatch(/\n0 upgraded, 0 newly installed, 0 to remove and 0 not upgraded\.\n$/);
    expect(sb.run(MASTER, "apt-get update -q").stdout).toMatch(/^Get:1 https:\/\/downloads\.opennebula\.io\/repo\/7\.0\/Debian\/12 stable InRelease/);
    const r = sb.run(MASTER, install);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Unpacking opennebula (7.0.0-1) over (6.10.0-1) ...\n");
    expect(sb.run(MASTER, "dpkg-query -W -f='${Version}' opennebula").stdout).toBe("7.0.0-1");
    expect(sb.run(MASTER, "systemctl is-active opennebula-scheduler").stdout).toBe("inactive\n");
  });

  it("moves the config version only with onecfg upgrade", () => {
    const before = sb.run(MASTER, "onecfg status");
    expect(before.code).toBe(1);
    expect(before.stdout).toBe(
      "--- Versions ------------------------------\nOpenNebula:  7.0.0\nConfig:      6.10.0\n\n--- Available Configuration Updates -------\nNew config: 7.0.0\n- from 6.10.0 to 7.0.0 (YAML,Ruby)\n",
    );
    expect(sb.run(MASTER, "onecfg upgrade").stdout).toMatch(/ANY {3}: Configuration updated to 7\.0\.0\n$/);
    expect(sb.run(MASTER, "onecfg status")).toMatchObject({ code: 0, stdout: expect.stringContaining("No updates available.") });
  });

  it("refuses to install without the repository file (exit 100)", () => {
    fs.rmSync(sb.path(SLAVE_GE, "/etc/apt/sources.list.d/opennebula.list"));
    const r = sb.run(SLAVE_GE, install);
    expect(r.code).toBe(100);
    expect(r.stderr).toMatch(/^E: Unable to locate package opennebula\n/);
  });

  it("aborts without -y like apt-get without a terminal", () => {
    fs.writeFileSync(
      sb.path(SLAVE_GE, "/etc/apt/sources.list.d/opennebula.list"),
      "deb https://downloads.opennebula.io/repo/7.0/Debian/12 stable opennebula\n",
    );
    expect(sb.run(SLAVE_GE, "apt-get update").code).toBe(0);
    const r = sb.run(SLAVE_GE, "apt-get install --only-upgrade opennebula");
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/Do you want to continue\? \[Y\/n\] Abort\.\n$/);
  });
});
