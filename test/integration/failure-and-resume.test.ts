/**
 * Failures an operator must be able to trust: a restore that fails once stops the apply with a
 * clear error and the next deploy resumes without repeating the master's steps; a changed host
 * key stops the deploy before any command runs on any zone.
 */
import { injectFailure, rekeyFrontend } from "../../sandbox";
import { changesSince, describeAsRoot, SandboxFixture } from "../support/sandbox-fixture";

jest.setTimeout(600_000);

describeAsRoot("a restore that fails once", () => {
  let sandbox: SandboxFixture;
  beforeAll(async () => {
    sandbox = await SandboxFixture.up("127.0.62.1");
  });
  afterAll(async () => sandbox?.down());

  it("fails the apply with a clear error, then resumes without repeating the master's steps", async () => {
    injectFailure(sandbox.dir, { frontend: "zone101-server0", match: "onedb restore", times: 1, exitCode: 255, stderr: "Error while restoring: disk full" });
    const failure = sandbox.deploy();
    await expect(failure).rejects.toThrow(/apply failed/);
    const output: string = await failure.catch((e) => e.output);
    expect(output).toMatch(
      /zone 101 \(S-US-CA\), front-end 127\.0\.62\.3:22: `onedb restore .* -v --federated` exited with 255:\s+(null_resource\.zone_101_restore_to_start \(local-exec\):\s+)?Error while restoring: disk full/,
    );

    const masterLog = () => sandbox.log("zone0-server0").map((e) => e.command);
    const count = (re: RegExp) => masterLog().filter((c) => re.test(c)).length;
    expect(count(/^onedb upgrade /)).toBe(1);
    expect(count(/^onedb backup -v --federated /)).toBe(1);

    await sandbox.deploy();
    expect(count(/^onedb upgrade /)).toBe(1);
    expect(count(/^onedb backup -v --federated /)).toBe(1);
    // The install itself (the download before the freeze is `apt-get install --download-only`).
    expect(count(/apt-get install -y /)).toBe(1);
    const status = await sandbox.status();
    expect(status.zones.flatMap((z) => z.frontends.map((f) => f.packageVersion))).toEqual(["7.0.0", "7.0.0", "7.0.0"]);
    const slave = sandbox.log("zone101-server0").map((e) => e.command);
    expect(slave.filter((c) => /^onedb restore /.test(c))).toHaveLength(2);
  });
});

describeAsRoot("a changed host key", () => {
  let sandbox: SandboxFixture;
  beforeAll(async () => {
    sandbox = await SandboxFixture.up("127.0.63.1");
  });
  afterAll(async () => sandbox?.down());

  it("stops the deploy before any command changes anything, showing the fingerprint", async () => {
    await rekeyFrontend(sandbox.dir, "zone100-server0");
    const failure = sandbox.deploy();
    await expect(failure).rejects.toThrow(/apply failed/);
    const output: string = await failure.catch((e) => e.output);
    expect(output).toMatch(
      /zone 100 \(S-EU-GE\), front-end 127\.0\.63\.2:22 presented a host key that differs from the one pinned in .*known_hosts; it presented ssh-ed25519 key SHA256:[A-Za-z0-9+/]{43}/,
    );
    // Only the master's ledger was read (by the deploy's reconcile and the preflight); no lock was even taken.
    expect(changesSince(sandbox.log(), 0)).toEqual([]);
    const touched = sandbox.log().map((e) => e.frontend);
    expect(touched.length).toBeGreaterThan(0);
    expect(new Set(touched)).toEqual(new Set(["zone0-server0"]));
    const status = await sandbox.status();
    expect(status.zones.flatMap((z) => z.frontends.map((f) => f.packageVersion))).toEqual(["6.10.0", "6.10.0", "6.10.0"]);
  });
});
