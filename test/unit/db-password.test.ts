import { OpenNebulaFrontend } from "../../lib/remote/opennebula/frontend";
import { renderCommand, withDbPassword } from "../../lib/remote/opennebula/remote-command";
import { onedb } from "../../lib/remote/opennebula/commands";
import { execFileSync } from "child_process";
import { FakeTransport } from "../support/fake-frontend";

const SECRET = "s3cr3t'; rm -rf / #";

describe("the MySQL password", () => {
  it("never appears in the rendered command line", () => {
    const cmd = withDbPassword(onedb.upgrade("/var/lib/one/backups/x.bck"), SECRET);
    const line = renderCommand(cmd);
    expect(line).not.toContain("s3cr3t");
    expect(line).toBe(`sh -c 'IFS= read -r ONE_DB_PASSWORD && export ONE_DB_PASSWORD && exec "$@"' sh onedb upgrade -v -b /var/lib/one/backups/x.bck`);
    expect(cmd.stdin).toBe(`${SECRET}\n`);
  });

  it("reaches the command's environment through stdin, byte for byte", () => {
    const cmd = withDbPassword({ argv: ["printenv", "ONE_DB_PASSWORD"] }, SECRET);
    const out = execFileSync("sh", ["-c", renderCommand(cmd)], { input: cmd.stdin, encoding: "utf8" });
    expect(out).toBe(`${SECRET}\n`);
  });

  it("goes with every onedb command and nothing else", async () => {
    const t = new FakeTransport([
      [/onedb version/, { stdout: "Shared: 6.10.0\nLocal:  6.10.0\n" }],
      [/^dpkg-query/, { stdout: "6.10.0-1" }],
    ]);
    const logged: string[] = [];
    const fe = new OpenNebulaFrontend(t, { host: "h", port: 22 }, "apt", (l) => logged.push(l), SECRET);
    await fe.dbVersion();
    await fe.installedVersion();
    expect(t.stdins.map(([l]) => l)).toEqual([`sh -c 'IFS= read -r ONE_DB_PASSWORD && export ONE_DB_PASSWORD && exec "$@"' sh onedb version`]);
    expect(logged.join("\n")).not.toContain("s3cr3t");
  });

  it("travels beside onedb's MySQL connection options, which go after the subcommand", async () => {
    const t = new FakeTransport([[/onedb version/, { stdout: "Shared: 7.0.0\nLocal:  7.0.0\n" }]]);
    const fe = new OpenNebulaFrontend(t, { host: "h", port: 22 }, "apt", () => undefined, SECRET, {
      server: "db-ge.example",
      port: 3306,
      user: "oneadmin",
      name: "opennebula",
    });
    await fe.dbVersion();
    expect(t.lines).toEqual([
      `sh -c 'IFS= read -r ONE_DB_PASSWORD && export ONE_DB_PASSWORD && exec "$@"' sh onedb version -t mysql -S db-ge.example -P 3306 -u oneadmin -d opennebula`,
    ]);
    expect(t.stdins).toEqual([[t.lines[0], `${SECRET}\n`]]);
  });

  it("is refused as missing before any connection when the variable is unset", () => {
    const { databasePassword } = require("../../lib/run/connector");
    delete process.env.ONEFED_UNSET_PASSWORD;
    expect(() => databasePassword({ database: { backend: "mysql", passwordEnv: "ONEFED_UNSET_PASSWORD" } })).toThrow(
      /database\.passwordEnv names ONEFED_UNSET_PASSWORD, but ONEFED_UNSET_PASSWORD is not set/,
    );
  });
});
