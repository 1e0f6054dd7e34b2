/**
 * Hygiene on a live sandbox (MySQL-configured master): an unusable artifact directory stops the
 * deploy before any command reaches a front-end; a federated backup that fails the way the real
 * onedb fails on MySQL (mysqldump's whole command line, password included, on stderr) fails the
 * apply with `***` where the password was, in terraform's output too; the next deploy completes.
 */
import * as fs from "fs";
import * as path from "path";
import { injectFailure, SANDBOX_DB_PASSWORD_ENV } from "../../sandbox";
import { deploy } from "../../lib/terraform/deploy";
import { describeAsRoot, SandboxFixture } from "../support/sandbox-fixture";

jest.setTimeout(900_000);

describeAsRoot("hygiene on a MySQL sandbox", () => {
  let sandbox: SandboxFixture;
  let password = "";

  beforeAll(async () => {
    sandbox = await SandboxFixture.up("127.0.130.1", 1, { mysqlZones: [0, 100] });
    password = sandbox.mysqlPassword();
    process.env[SANDBOX_DB_PASSWORD_ENV] = password;
  });
  afterAll(async () => {
    delete process.env[SANDBOX_DB_PASSWORD_ENV];
    await sandbox?.down();
  });

  it("refuses an artifact directory that cannot be written before any command reaches a front-end", async () => {
    const blocked = path.join(sandbox.dir, "not-a-directory");
    fs.writeFileSync(blocked, "");
    const config = path.join(sandbox.dir, "federation-blocked.yaml");
    fs.writeFileSync(
      config,
      fs.readFileSync(sandbox.configPath, "utf8").replace(/backup: \{ localDirectory: [^}]+\}/, `backup: { localDirectory: ${blocked}/artifacts }`),
    );
    const failure = deploy({ configPath: config, outdir: path.join(sandbox.dir, "cdktf.out"), log: () => undefined });
    await expect(failure).rejects.toMatchObject({ exitCode: 2 });
    await expect(failure).rejects.toThrow(/backup\.localDirectory: .*not-a-directory\/artifacts does not exist and cannot be created/);
    expect(sandbox.log()).toEqual([]);
  });

  it("shows *** where onedb printed the MySQL password, and the next deploy completes", async () => {
    const file = "/var/lib/one/backups/onefed/x.sql";
    injectFailure(sandbox.dir, {
      frontend: "zone0-server0",
      match: "-v --federated -f",
      exitCode: 255,
      stderr: `sh: 1: cannot create ${file}: Directory nonexistent\nUnknown error running 'mysqldump -u oneadmin -p'${password}' -h localhost -P 0 --add-drop-table opennebula  > ${file}'`,
    });
    const output = await sandbox.failedDeploy();
    expect(output).toMatch(/`.*onedb backup .*-v --federated -f .*` exited with 255:/);
    expect(output).toContain("Unknown error running 'mysqldump -u oneadmin -p'***' -h localhost");
    expect(output).not.toContain(password);

    const again = await sandbox.deploy();
    expect(again).not.toContain(password);
    const status = await sandbox.status();
    expect(status.zones.flatMap((z) => z.frontends.map((f) => f.packageVersion))).toEqual(["7.0.0", "7.0.0"]);
  });
});
