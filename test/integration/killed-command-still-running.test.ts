/**
 * A deploy killed while zone 100's safety backup (`onedb backup`) runs: the SSH session is cut, but
 * without a terminal the remote command goes on. The next deploy must not start a second copy
 * beside it — the command guard refuses, naming the one still running — and once it has ended, a
 * deploy carries the upgrade on to its end.
 */
import * as fs from "fs";
import { commandGuard } from "../../lib/remote/opennebula/commands";
import { holdCommand, releaseCommand, waitUntilHeld } from "../../sandbox";
import { describeAsRoot, SandboxFixture } from "../support/sandbox-fixture";

jest.setTimeout(600_000);

const GE = "zone100-server0";
const SAFETY_BACKUP = "onedb backup -v -f /var/lib/one/backups/onefed/sandbox-zone100-full-before";

describeAsRoot("a killed run's onedb still running on a front-end", () => {
  let sandbox: SandboxFixture;
  beforeAll(async () => {
    sandbox = await SandboxFixture.up("127.0.123.1");
  });
  afterAll(async () => sandbox?.down());

  const safetyBackups = () => sandbox.log(GE).filter((e) => e.command.startsWith(SAFETY_BACKUP));

  it("the next deploy refuses to start a second copy beside it, naming the one that runs", async () => {
    holdCommand(sandbox.dir, { frontend: GE, match: SAFETY_BACKUP });
    const killed = sandbox.startDeploy();
    await waitUntilHeld(sandbox.dir, GE, { match: SAFETY_BACKUP, timeoutMs: 240_000 });
    killed.killGroup("SIGKILL");
    expect((await killed.exited).signal).toBe("SIGKILL");
    expect(safetyBackups()).toHaveLength(1);

    const next = await sandbox.startDeploy().finished();
    expect(next.code).toBe(1);
    expect(next.output).toMatch(
      /zone 100 \(S-EU-GE\), front-end 127\.0\.123\.2:22: `onedb backup -v -f \/var\/lib\/one\/backups\/onefed\/sandbox-zone100-full-before-7\.0\.0\.sql` was not started, because `onedb backup -v -f \S+ — started \S+ by onefed pid \d+ on [^`]+` still runs there/,
    );
    // The guard stopped it before onedb started: the log holds the killed run's backup alone (logged when it began).
    expect(safetyBackups()).toHaveLength(1);
    expect(sandbox.recorded("safety-backup", 100)).toBe(false);
    expect(sandbox.recorded("upgrade", 100)).toBe(false);
  });

  it("once that command has ended, the next deploy completes", async () => {
    await releaseCommand(sandbox.dir, GE, { match: SAFETY_BACKUP });
    // The guard's note goes when the guarded command and its shell have ended.
    const note = sandbox.frontendPath(GE, commandGuard.noteFile);
    const deadline = Date.now() + 60_000;
    while (fs.existsSync(note) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(fs.existsSync(note)).toBe(false);
    const r = await sandbox.startDeploy().finished();
    expect({ code: r.code, tail: r.code === 0 ? "" : r.output.slice(-3000) }).toEqual({ code: 0, tail: "" });
    const status = await sandbox.status();
    for (const z of status.zones) expect([z.id, z.frontends[0].packageVersion, z.frontends[0].db.shared]).toEqual([z.id, "7.0.0", "7.0.0"]);
    expect(sandbox.recorded("safety-backup", 100)).toBe(true);
  });
});
