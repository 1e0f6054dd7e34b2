/**
 * `onefed check` on a live sandbox: each kind of drift gives exit 3 (1 when a front-end cannot be
 * reached) with the finding named, and the command logs prove nothing on any zone changed.
 */
import * as fs from "fs";
import * as path from "path";
import { runCheckCommand } from "../../lib/cli/check-command";
import { nearestExistingCommand } from "../../lib/remote/opennebula/nearest-existing";
import { renderCommand } from "../../lib/remote/opennebula/remote-command";
import { advanceFederation, setFrontendState, setReplicationBlocked } from "../../sandbox";
import { describeAsRoot, isLedgerRead, SandboxFixture } from "../support/sandbox-fixture";

jest.setTimeout(300_000);

/** Commands that would change a zone; none may appear in a drift check's log. */
const MUTATING =
  /^(systemctl (stop|start|restart|daemon-reload)|onezone (enable|disable)|onedb (upgrade|restore|backup|fsck)|onecfg upgrade|apt-get|cp |mkdir |chmod |sh -c)/;

describeAsRoot("onefed check", () => {
  let sandbox: SandboxFixture;
  beforeAll(async () => {
    sandbox = await SandboxFixture.up("127.0.65.1");
  });
  afterAll(async () => sandbox?.down());

  async function check(configText?: string): Promise<{ code: number; text: string; json: { results: { check: string; status: string; summary: string }[] } }> {
    let file = sandbox.configPath;
    if (configText !== undefined) {
      file = path.join(sandbox.dir, "variant.yaml");
      fs.writeFileSync(file, configText);
    }
    const out: string[] = [];
    const code = await runCheckCommand(["--config", file], (s) => out.push(s));
    const jsonOut: string[] = [];
    await runCheckCommand(["--config", file, "--json"], (s) => jsonOut.push(s));
    return { code, text: out.join("\n"), json: JSON.parse(jsonOut.join("\n")) };
  }
  const findings = (r: Awaited<ReturnType<typeof check>>) => r.json.results.filter((x) => x.status === "finding");
  const original = () => fs.readFileSync(sandbox.configPath, "utf8");

  it("says ready on the fresh sandbox (exit 0)", async () => {
    const r = await check();
    expect(r.text).toMatch(/READY/);
    expect(findings(r)).toEqual([]);
    expect(r.code).toBe(0);
  });

  it("finds a zone the master knows but the file lacks", async () => {
    const text = original()
      .split("\n")
      .filter((l) => !l.includes("id: 101"))
      .join("\n");
    const r = await check(text);
    expect(r.code).toBe(3);
    expect(r.text).toMatch(/the master knows zone 101 \(S-US-CA\)/);
  });

  it("finds a changed endpoint", async () => {
    const r = await check(original().replace('endpoint: "http://127.0.65.2:2633/RPC2"', 'endpoint: "http://127.0.65.200:2633/RPC2"'));
    expect(r.code).toBe(3);
    expect(r.text).toMatch(/expected S-EU-GE at http:\/\/127\.0\.65\.200:2633\/RPC2, found S-EU-GE at http:\/\/127\.0\.65\.2:2633\/RPC2 on the master/);
  });

  it("finds a front-end at another version, and one already upgraded", async () => {
    setFrontendState(sandbox.dir, "zone101-server0", { packageVersion: "6.8.0" });
    setFrontendState(sandbox.dir, "zone100-server0", { packageVersion: "7.0.0" });
    try {
      const r = await check();
      expect(r.code).toBe(3);
      expect(r.text).toMatch(/zone 101 \(S-US-CA\), front-end 127\.0\.65\.3:22: expected OpenNebula 6\.10\.0 \(federation\.fromVersion\), found 6\.8\.0/);
      expect(r.text).toMatch(/zone 100 \(S-EU-GE\), front-end 127\.0\.65\.2:22: .*found 7\.0\.0, the target: a half-done upgrade/);
    } finally {
      setFrontendState(sandbox.dir, "zone101-server0", { packageVersion: "6.10.0" });
      setFrontendState(sandbox.dir, "zone100-server0", { packageVersion: "6.10.0" });
    }
  });

  it("finds a lagging FED_INDEX", async () => {
    setReplicationBlocked(sandbox.dir, "zone101-server0", true);
    advanceFederation(sandbox.dir, 37);
    try {
      const r = await check();
      expect(r.code).toBe(3);
      expect(r.text).toMatch(/zone 101 \(S-US-CA\): expected FED_INDEX (\d+) like zone 0 \(M-EU-FR\), found FED_INDEX \d+ \(37 behind\)/);
    } finally {
      setReplicationBlocked(sandbox.dir, "zone101-server0", false);
    }
  });

  it("cannot check an unreachable front-end (exit 1)", async () => {
    const r = await check(original().replace("{ host: 127.0.65.3, port: 22 }", "{ host: 127.0.65.3, port: 2 }"));
    expect(r.code).toBe(1);
    expect(r.text).toMatch(/COULD NOT CHECK/);
    expect(r.text).toMatch(/zone 101 \(S-US-CA\), front-end 127\.0\.65\.3:2 is unreachable over SSH: ECONNREFUSED/);
  });

  it("changed nothing on any zone", async () => {
    const log = sandbox.log();
    expect(log.length).toBeGreaterThan(0);
    // `sh -c` is mutating, but for the one read of the master's upgrade ledger (the lock check) and
    // the free-space walk's fixed script (the backup directory's nearest existing directory).
    const walk = renderCommand(nearestExistingCommand("/var/lib/one/backups/onefed"));
    expect(log.filter((e) => MUTATING.test(e.command) && !isLedgerRead(e) && e.command !== walk)).toEqual([]);
    const status = await sandbox.status();
    expect(status.zones.flatMap((z) => z.frontends.map((f) => [f.packageVersion, f.services["opennebula"]]))).toEqual([
      ["6.10.0", "active"],
      ["6.10.0", "active"],
      ["6.10.0", "active"],
    ]);
  });
});
