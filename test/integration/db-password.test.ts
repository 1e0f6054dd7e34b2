/**
 * A MySQL-configured federation: the password comes from the automation host's environment and
 * reaches onedb on stdin only — never in the synthesized JSON, the state, terraform's output, the
 * front-ends' command logs (the remote argv) or the review files.
 */
import * as fs from "fs";
import * as path from "path";
import { describeAsRoot, SandboxFixture } from "../support/sandbox-fixture";

jest.setTimeout(600_000);

const PASSWORD = "Pw-onefed-7f3a9c1e";

describeAsRoot("a MySQL password", () => {
  let sandbox: SandboxFixture;
  beforeAll(async () => {
    sandbox = await SandboxFixture.up("127.0.67.1");
    fs.appendFileSync(sandbox.configPath, "database: { backend: mysql, passwordEnv: ONEFED_IT_DB_PASSWORD }\n");
  });
  afterAll(async () => {
    delete process.env.ONEFED_IT_DB_PASSWORD;
    await sandbox?.down();
  });

  it("stops the deploy before any command when the variable is missing", async () => {
    delete process.env.ONEFED_IT_DB_PASSWORD;
    await expect(sandbox.deploy()).rejects.toThrow(/ONEFED_IT_DB_PASSWORD is not set in the environment of the automation host/);
    expect(sandbox.log()).toEqual([]);
  });

  it("upgrades with the password on stdin and leaves it nowhere", async () => {
    process.env.ONEFED_IT_DB_PASSWORD = PASSWORD;
    await sandbox.deploy(); // retries the tainted preflight, then runs everything
    const output = await sandbox.deploy();
    expect(output).toMatch(/No changes\.|Resources: 0 added/);
    const status = await sandbox.status();
    expect(status.zones.map((z) => z.frontends[0].packageVersion)).toEqual(["7.0.0", "7.0.0", "7.0.0"]);

    const onedbCalls = sandbox.log().filter((e) => e.command.includes(" onedb "));
    expect(onedbCalls.length).toBeGreaterThan(10);
    for (const e of onedbCalls) expect(e.command).toMatch(/^sh -c 'IFS= read -r ONE_DB_PASSWORD/);
    expect(sandbox.log().some((e) => e.command.includes(PASSWORD))).toBe(false);

    const files: string[] = [];
    const walk = (d: string) => {
      for (const f of fs.readdirSync(d, { withFileTypes: true })) {
        const p = path.join(d, f.name);
        if (f.isDirectory() && f.name !== "root" && f.name !== ".terraform") walk(p);
        else if (f.isFile() && fs.statSync(p).size < 5_000_000) files.push(p);
      }
    };
    walk(sandbox.dir);
    expect(files.some((f) => f.endsWith("terraform.tfstate"))).toBe(true);
    expect(files.filter((f) => fs.readFileSync(f).includes(PASSWORD))).toEqual([]);
    expect(output).not.toContain(PASSWORD);
  });
});
