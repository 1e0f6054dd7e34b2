/**
 * The sandbox downgrades packages as apt and dnf do, so a rollback is tested end to end: apt
 * installs a pinned older version only with --allow-downgrades, dnf/yum `downgrade name-version`
 * goes back to the release the repository serves; `dpkg-query`/`rpm` then report it.
 */
import * as fs from "fs";
import { downgradeCommand, frontendPackages, upgradeCommand } from "../../lib/remote/opennebula/packages";
import { renderCommand } from "../../lib/remote/opennebula/remote-command";
import { EmulatorSandbox, SLAVE_CA, SLAVE_GE } from "../sandbox/emulator-harness";

const APT_LIST = "/etc/apt/sources.list.d/opennebula.list";
const DEBIAN = (series: string) => `deb https://downloads.opennebula.io/repo/${series}/Debian/12 stable opennebula\n`;
const RPM_REPO = (series: string) =>
  `[opennebula]\nname=OpenNebula Community Edition\nbaseurl=https://downloads.opennebula.io/repo/${series}/RedHat/$releasever/$basearch\nenabled=1\n`;

/** The tool's own command lines, as the front-end receives them (without the env prefix apt gets). */
const line = (cmd: ReturnType<typeof downgradeCommand>) => renderCommand({ ...cmd, env: undefined });

describe("sandbox downgrades (what onefed rollback sends)", () => {
  let sb: EmulatorSandbox;
  beforeAll(() => (sb = EmulatorSandbox.create({ dnfZones: [100] })));
  afterAll(() => sb.remove());

  it("apt: the upgrade, then the pinned 6.10.0 set back only with --allow-downgrades", () => {
    fs.writeFileSync(sb.path(SLAVE_CA, APT_LIST), DEBIAN("7.0"));
    expect(sb.run(SLAVE_CA, "apt-get update -q").code).toBe(0);
    expect(sb.run(SLAVE_CA, line(upgradeCommand("apt", frontendPackages("7.0.0", "apt")))).code).toBe(0);
    expect(sb.run(SLAVE_CA, "dpkg-query -W -f='${Version}' opennebula").stdout).toBe("7.0.0-1");
    fs.writeFileSync(sb.path(SLAVE_CA, APT_LIST), DEBIAN("6.10"));
    expect(sb.run(SLAVE_CA, "apt-get update -q").code).toBe(0);
    const refused = sb.run(SLAVE_CA, "apt-get install -y opennebula=6.10.0-1");
    expect(refused.stderr).toBe("E: Packages were downgraded and -y was used without --allow-downgrades.\n");
    expect(refused.code).toBe(100);
    const back = sb.run(SLAVE_CA, line(downgradeCommand("apt", frontendPackages("6.10.0", "apt"), "6.10.0")));
    expect(back.stdout).toMatch(/^The following packages will be DOWNGRADED:\n .*opennebula /m);
    expect(back.code).toBe(0);
    expect(sb.run(SLAVE_CA, "dpkg-query -W -f='${Version}' opennebula").stdout).toBe("6.10.0-1");
  });

  it("dnf: downgrade name-version back to the release the repository serves; another version is no match", () => {
    fs.writeFileSync(sb.path(SLAVE_GE, "/etc/yum.repos.d/opennebula.repo"), RPM_REPO("7.0"));
    expect(sb.run(SLAVE_GE, line(upgradeCommand("dnf", frontendPackages("7.0.0", "dnf")))).code).toBe(0);
    expect(sb.run(SLAVE_GE, "rpm -q --qf '%{VERSION}' opennebula").stdout).toBe("7.0.0");
    fs.writeFileSync(sb.path(SLAVE_GE, "/etc/yum.repos.d/opennebula.repo"), RPM_REPO("6.10"));
    expect(sb.run(SLAVE_GE, "dnf -y -q downgrade opennebula-6.8.0")).toMatchObject({ code: 1, stderr: "Error: No match for argument: opennebula-6.8.0\n" });
    expect(sb.run(SLAVE_GE, line(downgradeCommand("dnf", frontendPackages("6.10.0", "dnf"), "6.10.0"))).code).toBe(0);
    expect(sb.run(SLAVE_GE, "rpm -q --qf '%{VERSION}' opennebula").stdout).toBe("6.10.0");
  });
});
