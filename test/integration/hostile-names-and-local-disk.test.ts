/**
 * Two faults of issue 10 that unit tests only imitated, on a live 1+1 sandbox:
 * - a zone name on the master holding terminal escape sequences (a window title, a clear screen, a
 *   carriage return) reaches `onefed check`'s report and a deploy's refusal escaped, never raw;
 * - the automation host's artifact directory full (a real tmpfs mounted over it): the deploy is
 *   refused with one paragraph before anything reaches a front-end, and once there is room the
 *   next deploy completes (a disk that fills up during a step is covered on a front-end by
 *   artifacts-and-full-disk.test.ts, and locally by the unit tests of LocalFileError).
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { sqliteExec, sqlQuote } from "../../sandbox/sqlite";
import { describeAsRoot, runOnefed, SandboxFixture } from "../support/sandbox-fixture";

jest.setTimeout(600_000);

const MASTER = "zone0-server0";
const HOSTILE = "S-EU-GE\u001b]0;owned\u0007\u001b[2J\rX";
// eslint-disable-next-line no-control-regex -- what must never reach the operator's terminal
const RAW_CONTROL = /[\u001b\u0007\r]/;

describeAsRoot("hostile names and a full disk on the automation host, live", () => {
  let sandbox: SandboxFixture;
  let mounted: string | undefined;
  beforeAll(async () => {
    sandbox = await SandboxFixture.up("127.0.125.1", 1);
  });
  afterAll(async () => {
    if (mounted) execFileSync("umount", [mounted]);
    await sandbox?.down();
  });

  it("a zone name with escape sequences on the master reaches the check's report escaped", async () => {
    const db = sandbox.frontendPath(MASTER, "/var/lib/one/one.db");
    const rename = (from: string, to: string) =>
      sqliteExec(
        db,
        `UPDATE zone_pool SET name = ${sqlQuote(to)}, body = replace(body, ${sqlQuote(`<NAME>${from}</NAME>`)}, ${sqlQuote(`<NAME>${to}</NAME>`)}) WHERE oid = 100`,
      );
    rename("S-EU-GE", HOSTILE);
    try {
      const r = await runOnefed(["check", "--config", sandbox.configPath], sandbox.dir);
      expect(r.code).toBe(3);
      expect(r.output).toContain("S-EU-GE\\x1b]0;owned\\x07\\x1b[2J\\rX");
      expect(r.output).not.toMatch(RAW_CONTROL);
    } finally {
      rename(HOSTILE, "S-EU-GE");
    }
    expect((await runOnefed(["check", "--config", sandbox.configPath], sandbox.dir)).code).toBe(0);
  });

  it("the artifact directory full on the automation host: refused before anything reaches a front-end; a deploy completes once there is room", async () => {
    const artifacts = path.join(sandbox.dir, "artifacts");
    fs.mkdirSync(artifacts, { recursive: true });
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=4k,mode=0700", "onefed-test-full", artifacts]);
    mounted = artifacts;
    // Fill what is left, as a disk filled by something else would be.
    try {
      fs.writeFileSync(path.join(artifacts, "filler"), Buffer.alloc(64 * 1024));
    } catch {
      // ENOSPC: full, as intended.
    }
    const before = sandbox.log().length;
    const failed = await runOnefed(["deploy", "--config", sandbox.configPath], sandbox.dir);
    expect(failed.code).toBe(2);
    expect(failed.output).toContain(`backup.localDirectory: ${artifacts} cannot be written to (no space left on the automation host (ENOSPC))`);
    expect(failed.output).toContain("no zone was touched");
    expect(failed.output).not.toMatch(/^\s+at .+\(.+:\d+:\d+\)$/m);
    expect(sandbox.log().length).toBe(before);

    execFileSync("umount", [artifacts]);
    mounted = undefined;
    const r = await runOnefed(["deploy", "--config", sandbox.configPath], sandbox.dir);
    expect({ code: r.code, tail: r.code === 0 ? "" : r.output.slice(-3000) }).toEqual({ code: 0, tail: "" });
    const status = await sandbox.status();
    for (const z of status.zones) expect([z.id, z.frontends[0].packageVersion]).toEqual([z.id, "7.0.0"]);
  });
});
