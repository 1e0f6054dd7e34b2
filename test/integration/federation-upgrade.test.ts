/**
 * End to end on a sandbox federation (1 master + 2 slaves on real sshd) with the real engine:
 * the upgrade completes, the command logs show the procedure's order, and a second deploy runs
 * no command on any zone.
 */
import * as fs from "fs";
import * as path from "path";
import { connect, exec } from "../sandbox/ssh-client";
import { changesSince, describeAsRoot, firstIndex, SandboxFixture } from "../support/sandbox-fixture";

jest.setTimeout(600_000);

describeAsRoot("type B upgrade of a 1+2 federation", () => {
  let sandbox: SandboxFixture;
  let firstOutput = "";

  beforeAll(async () => {
    sandbox = await SandboxFixture.up("127.0.61.1");
    firstOutput = await sandbox.deploy();
  });
  afterAll(async () => sandbox?.down());

  it("upgrades every zone to 7.0.0 and leaves the federation enabled and in sync", async () => {
    expect(firstOutput).toMatch(/Apply complete! Resources: 24 added, 0 changed, 0 destroyed/);
    const status = await sandbox.status();
    const fedIndexes = new Set<number>();
    for (const zone of status.zones) {
      for (const fe of zone.frontends) {
        expect({ zone: zone.id, pkg: fe.packageVersion, db: fe.db.shared + "/" + fe.db.local, oned: fe.services["opennebula"] }).toEqual({
          zone: zone.id,
          pkg: "7.0.0",
          db: "7.0.0/7.0.0",
          oned: "active",
        });
        expect(Object.values(fe.zoneStates).every((s) => s === "ENABLED")).toBe(true);
        fedIndexes.add(fe.fedIndex);
      }
    }
    expect(fedIndexes.size).toBe(1);
  });

  it("ran the procedure in order, as the command logs show", () => {
    const log = sandbox.log();
    const master = "zone0-server0";
    const at = (re: RegExp, fe?: string) => {
      const i = firstIndex(log, re, fe);
      expect(`${fe ?? "any"} ${re}: ${i}`).not.toMatch(/: -1$/);
      return i;
    };
    const masterDisable = at(/^onezone disable 0 /, master);
    const firstDisable = at(/^onezone disable /);
    expect(at(/apt-get install --download-only /, master)).toBeLessThan(firstDisable);
    const masterUpgrade = at(/^onedb upgrade /, master);
    const backup = at(/^onedb backup -v --federated /, master);
    const masterEnable = at(/^onezone enable 0 /, master);
    expect(masterUpgrade).toBeLessThan(backup);
    for (const [id, fe] of [
      [100, "zone100-server0"],
      [101, "zone101-server0"],
    ] as const) {
      expect(at(new RegExp(`^onezone disable ${id} `), fe)).toBeLessThan(masterDisable);
      const stop = at(/^systemctl stop /, fe);
      expect(stop).toBeLessThan(masterUpgrade);
      const restore = at(/^onedb restore .* -v --federated$/, fe);
      // The install after the stop, from the cache the download filled before the freeze.
      const download = at(/apt-get install --download-only /, fe);
      expect(download).toBeLessThan(firstDisable);
      const packages = at(/apt-get install -y -q --only-upgrade /, fe);
      const dbUpgrade = at(/^onedb upgrade /, fe);
      expect(backup).toBeLessThan(restore);
      expect(restore).toBeLessThan(packages);
      expect(packages).toBeLessThan(dbUpgrade);
      expect(masterEnable).toBeLessThan(at(new RegExp(`^onezone enable ${id} `), fe));
    }
    // The master is never restored.
    expect(firstIndex(log, /^onedb restore/, master)).toBe(-1);
  });

  it("keeps the artifact private and never logs or stores the private key", async () => {
    const fs = await import("fs");
    const path = await import("path");
    const artifacts = fs.readdirSync(path.join(sandbox.dir, "artifacts"));
    expect(artifacts.some((f) => f.endsWith(".sql"))).toBe(true);
    for (const f of artifacts) {
      const st = fs.statSync(path.join(sandbox.dir, "artifacts", f));
      expect(st.mode & 0o777).toBe(st.isDirectory() ? 0o700 : 0o600);
    }
    const key = fs.readFileSync(path.join(sandbox.dir, "keys", "id_ed25519"), "utf8").split("\n")[1];
    const stackDir = path.join(sandbox.dir, "cdktf.out", "stacks");
    const stateFiles = [path.join(sandbox.dir, "terraform.tfstate"), ...fs.readdirSync(stackDir).map((s) => path.join(stackDir, s, "cdk.tf.json"))];
    for (const f of stateFiles.filter((x) => fs.existsSync(x))) expect(fs.readFileSync(f, "utf8")).not.toContain(key);
    expect(firstOutput).not.toContain(key);
    expect(sandbox.log().some((e) => e.command.includes(key))).toBe(false);
  });

  it("took a full safety backup on every front-end before changing it, and reports it in the outputs", async () => {
    const fs = await import("fs");
    const path = await import("path");
    const crypto = await import("crypto");
    for (const id of [0, 100, 101]) {
      const recordFile = path.join(sandbox.dir, "artifacts", "safety-backups", `zone-${id}.json`);
      expect(fs.statSync(recordFile).mode & 0o777).toBe(0o600);
      const record = JSON.parse(fs.readFileSync(recordFile, "utf8"));
      expect(record).toMatchObject({ zone_id: id, opennebula_version: "6.10.0" });
      expect(record.path).not.toContain(":");
      const onDisk = path.join(sandbox.dir, "frontends", `zone${id}-server0`, "root", record.path);
      const bytes = fs.readFileSync(onDisk);
      expect(bytes.length).toBe(record.size_bytes);
      expect(crypto.createHash("sha256").update(bytes).digest("hex")).toBe(record.sha256);
      expect(firstOutput).toContain(`safety_backup_zone_${id} = {`);
      expect(firstOutput).toContain(`"sha256" = "${record.sha256}"`);
    }
    // Taken with oned stopped, after the stop and before the packages moved.
    const log = sandbox.log("zone100-server0").map((e) => e.command);
    const full = log.findIndex((c) => /^onedb backup -v -f /.test(c));
    expect(full).toBeGreaterThan(log.findIndex((c) => /^systemctl stop /.test(c)));
    expect(full).toBeLessThan(log.findIndex((c) => /^onedb restore /.test(c)));
  });

  it("changes nothing on any zone when deployed again, with terraform or with cdktf deploy: it only reads the master's ledger", async () => {
    const before = sandbox.log().length;
    expect(await sandbox.deploy("engine")).toMatch(/No changes\.|Resources: 0 added, 0 changed, 0 destroyed/);
    expect(await sandbox.deploy("cdktf")).toMatch(/No changes\.|Resources: 0 added, 0 changed, 0 destroyed/);
    const since = sandbox.log().slice(before);
    expect(since.map((e) => e.frontend)).toEqual(["zone0-server0", "zone0-server0"]);
    for (const e of since)
      expect(e.command).toMatch(
        /^sh -c '\[ -d "\$1" \] \|\| exit 0; d=\$1; set -- "\$d"\/\*\.json;.*' sh \/var\/lib\/one\/backups\/onefed\/ledger\/sandbox-6\.10\.0-to-7\.0\.0$/,
      );
  });

  it("a new CI runner with no state and no artifact directory changes nothing: the ledger proves every step, and the safety-backup records come back", async () => {
    const records = [0, 100, 101].map((id) => path.join(sandbox.dir, "artifacts", "safety-backups", `zone-${id}.json`));
    const kept = records.map((f) => fs.readFileSync(f, "utf8"));
    fs.rmSync(path.join(sandbox.dir, "terraform.tfstate"), { force: true });
    fs.rmSync(path.join(sandbox.dir, "artifacts"), { recursive: true, force: true });
    const before = sandbox.log().length;
    const output = await sandbox.deploy();
    expect(output).toMatch(/Apply complete! Resources: 24 added, 0 changed, 0 destroyed/);
    expect(output).toMatch(/already done: the federation's ledger records it complete/);
    // Every step re-created in the fresh state, none ran: only the ledger was read (and nothing written but the local records).
    expect(changesSince(sandbox.log(), before)).toEqual([]);
    // Each step's begin found its entry and wrote nothing: no lock taken again, no runner left.
    expect(sandbox.ledger().lock).toBeUndefined();
    expect(fs.readdirSync(sandbox.ledgerDir()).filter((f) => f.startsWith("runner-") || f.startsWith(".tmp"))).toEqual([]);
    expect(records.map((f) => JSON.parse(fs.readFileSync(f, "utf8")))).toEqual(kept.map((t) => JSON.parse(t)));
  });

  it("verify catches a zone left disabled, and unfreeze lifts it (master first)", async () => {
    const { loadConfig } = await import("../../lib/config/load-config");
    const { runStep } = await import("../../lib/run/run-step");
    const { runUnfreezeCommand, runVerifyCommand } = await import("../../lib/cli/zones-command");
    const config = loadConfig(sandbox.configPath);
    // The upgrade is over: the ledger records the freeze done, so the runner does nothing; the zone is disabled by hand, as an operator would.
    const before = sandbox.log().length;
    await expect(runStep({ config, step: "freeze", zone: config.slaves[0], log: () => undefined })).resolves.toMatchObject({ status: "already-done" });
    expect(changesSince(sandbox.log(), before)).toEqual([]);
    expect(sandbox.ledger().lock).toBeUndefined();
    const client = await connect(sandbox.dir, config.slaves[0].frontends[0].host);
    expect((await exec(client, `onezone disable 100 --endpoint ${config.slaves[0].endpoint}`)).code).toBe(0);
    client.end();
    const out: string[] = [];
    expect(await runVerifyCommand(["--config", sandbox.configPath], (l) => out.push(l))).toBe(3); // not as expected: NotReady
    expect(out.join("\n")).toMatch(/verify refused on zone 100 \(S-EU-GE\).*found zone still DISABLED/);
    expect(await runUnfreezeCommand(["--config", sandbox.configPath], () => undefined)).toBe(0);
    expect(await runVerifyCommand(["--config", sandbox.configPath], () => undefined)).toBe(0);
  });
});
