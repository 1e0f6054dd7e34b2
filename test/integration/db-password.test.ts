/**
 * A MySQL federation (every zone MySQL-configured, zone 101 an HA zone of three servers), each
 * front-end on its own real MariaDB: the federation file gives the solo zones' onedb its connection
 * (-t mysql -S <its server> -P -u -d; an HA zone's servers each have their own, so there onedb reads
 * oned.conf) and names the variable that holds the password. The password reaches each onedb on
 * stdin only; the servers check it (a wrong one is refused before anything changes) and the
 * front-ends audit every process's command line while onedb runs. It is in no synthesized JSON,
 * state, terraform output, command log or local file.
 */
import * as fs from "fs";
import * as path from "path";
import { SANDBOX_DB_PASSWORD_ENV } from "../../sandbox";
import { describeAsRoot, SandboxFixture } from "../support/sandbox-fixture";

jest.setTimeout(900_000);

describeAsRoot("a MySQL password", () => {
  let sandbox: SandboxFixture;
  let password = "";
  const changes = () =>
    sandbox.log().filter((e) => /^(onezone (disable|enable)|systemctl stop|iptables -I|onehost disable)|onedb (backup|restore|upgrade)/.test(e.command));

  beforeAll(async () => {
    sandbox = await SandboxFixture.up("127.0.67.1", 2, { mysqlZones: [0, 100, 101], ha: [101], servers: 3 });
    password = sandbox.mysqlPassword();
  });
  afterAll(async () => {
    delete process.env[SANDBOX_DB_PASSWORD_ENV];
    await sandbox?.down();
  });

  it("stops the deploy before any command when the variable is missing", async () => {
    delete process.env[SANDBOX_DB_PASSWORD_ENV];
    await expect(sandbox.deploy()).rejects.toThrow(new RegExp(`${SANDBOX_DB_PASSWORD_ENV} is not set in the environment of the automation host`));
    expect(sandbox.log()).toEqual([]);
  });

  it("refuses a wrong password at the preflight, before any zone changes", async () => {
    process.env[SANDBOX_DB_PASSWORD_ENV] = "not-the-password";
    const output = await sandbox.failedDeploy();
    expect(output).toMatch(/Access denied for user 'oneadmin'@'127\.0\.0\.1' \(using password: YES\)/);
    expect(changes()).toEqual([]);
  });

  it("upgrades with the right password on stdin and leaves it nowhere", async () => {
    process.env[SANDBOX_DB_PASSWORD_ENV] = password;
    await sandbox.deploy(); // retries the tainted preflight, then runs everything
    const output = await sandbox.deploy();
    expect(output).toMatch(/No changes\.|Resources: 0 added/);
    const status = await sandbox.status();
    for (const fe of status.zones.flatMap((z) => z.frontends)) {
      expect([fe.name, fe.packageVersion, `${fe.db.shared}/${fe.db.local}`, fe.passwordLeaks]).toEqual([fe.name, "7.0.0", "7.0.0/7.0.0", 0]);
      // The front-end's onedb checked the password it was given: it really arrived (an HA server's onedb uses oned.conf's PASSWD).
      if (!fe.name.startsWith("zone101-")) expect(fe.onedbPasswordAuths).toBeGreaterThan(0);
    }

    const onedbCalls = sandbox.log().filter((e) => /(^| )onedb /.test(e.command));
    expect(onedbCalls.length).toBeGreaterThan(10);
    for (const e of onedbCalls)
      expect(e.command).toMatch(
        e.frontend.startsWith("zone101-")
          ? /^sh -c 'IFS= read -r ONE_DB_PASSWORD && export ONE_DB_PASSWORD && exec "\$@"' sh onedb \S+( |$)(?!.*-t mysql)/
          : /^sh -c 'IFS= read -r ONE_DB_PASSWORD && export ONE_DB_PASSWORD && exec "\$@"' sh onedb \S+ -t mysql -S 127\.0\.67\.[12] -P 3306 -u oneadmin -d opennebula/,
      );
    expect(sandbox.log().some((e) => e.command.includes(password))).toBe(false);

    const files: string[] = [];
    const walk = (d: string) => {
      for (const f of fs.readdirSync(d, { withFileTypes: true })) {
        const p = path.join(d, f.name);
        // Front-end trees (root, /etc overlay) hold oned.conf with PASSWD like a real front-end and its
        // /etc/one backup; the password file is the secret store. Everything else is the automation host's.
        if (f.isDirectory() && !["root", "etc-overlay", "mariadb", ".terraform"].includes(f.name)) walk(p);
        else if (f.isFile() && !["mysql-password", "password-leaks.log"].includes(f.name) && fs.statSync(p).size < 5_000_000) files.push(p);
      }
    };
    walk(sandbox.dir);
    expect(files.some((f) => f.endsWith("terraform.tfstate"))).toBe(true);
    expect(files.some((f) => f.endsWith("cdk.tf.json"))).toBe(true);
    expect(files.filter((f) => fs.readFileSync(f).includes(password))).toEqual([]);
    expect(output).not.toContain(password);
  });
});
