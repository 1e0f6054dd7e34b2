/**
 * `onefed sandbox …` argument handling and the commands that need no running sshd (status,
 * inject, lag, log, down) on a prepared sandbox.
 */
import * as fs from "fs";
import { runSandboxCommand } from "../../lib/cli/sandbox-command";
import { EmulatorSandbox, MASTER, SLAVE_CA } from "../sandbox/emulator-harness";
import { planSandbox } from "../../sandbox/prepare";

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runSandboxCommand(
    argv,
    (s) => out.push(s),
    (s) => err.push(s),
  );
  return { code, out: out.join("\n"), err: err.join("\n") };
}

describe("onefed sandbox arguments", () => {
  it("prints help for the group and for each command", async () => {
    expect((await cli("--help")).out).toMatch(/^Usage: onefed sandbox <command>/);
    for (const c of ["up", "status", "down", "inject", "hold", "held", "release", "diskfull", "rekey", "lag", "raft", "log"]) {
      const r = await cli(c, "--help");
      expect(r.code).toBe(0);
      expect(r.out).toMatch(new RegExp(`^Usage: onefed sandbox ${c} `));
    }
  });

  it.each([
    [["frobnicate"], /unknown command "frobnicate"/],
    [["up", "--slaves", "two"], /--slaves must be an integer from 0 to 250 \(got "two"\)/],
    [["up", "--port", "70000"], /--port must be an integer from 1 to 65535/],
    [["up", "--bogus"], /unknown option --bogus/],
    [["status", "extra"], /unexpected argument "extra"/],
    [["inject", "--dir", "/nonexistent", "--match", "x"], /--frontend FE is required/],
    [["status", "--dir", "/nonexistent-sandbox"], /no sandbox in \/nonexistent-sandbox/],
    [["up", "--ha", "0,x"], /--ha must be a comma-separated list of zone ids like 0,101 \(got "0,x"\)/],
    [["up", "--ha", "0", "--servers", "9"], /--servers must be an integer from 2 to 7 \(got "9"\)/],
    [["up", "--nodes", "9"], /--nodes must be an integer from 0 to 8 \(got "9"\)/],
    [["up", "--dnf", "100,rhel"], /--dnf must be a comma-separated list of zone ids like 0,101 \(got "100,rhel"\)/],
    [["up", "--mysql", "0,x"], /--mysql must be a comma-separated list of zone ids like 0,101 \(got "0,x"\)/],
    [["raft", "--dir", "/nonexistent", "--zone", "0"], /give --leader N, --next-leader N and\/or --split-brain on\|off/],
    [["raft", "--dir", "/nonexistent", "--zone", "0", "--split-brain", "maybe"], /--split-brain must be on or off/],
  ])("rejects %j with one clear line and a non-zero exit", async (argv, message) => {
    const r = await cli(...(argv as string[]));
    expect(r.code).not.toBe(0);
    expect(r.err).toMatch(message);
    expect(r.err.split("\n")).toHaveLength(1);
    expect(r.err).not.toMatch(/\n\s+at /);
  });
});

describe("onefed sandbox on a prepared sandbox", () => {
  let sb: EmulatorSandbox;
  beforeAll(() => (sb = EmulatorSandbox.create()));
  afterAll(() => sb.remove());

  it("shows a readable status table and the JSON status", async () => {
    const table = await cli("status", "--dir", sb.dir);
    expect(table.out).toMatch(/federation sandbox, 6\.10\.0 → 7\.0\.0/);
    expect(table.out).toMatch(
      /^0\s+M-EU-FR\s+master\s+zone0-server0\s+127\.0\.50\.1:22\s+down\s+6\.10\.0\s+6\.10\.0\s+6\.10\.0\/6\.10\.0\s+active\s+yes\s+on\/on\/on\s+715438\s+0$/m,
    );
    const json = JSON.parse((await cli("status", "--dir", sb.dir, "--json")).out);
    expect(json.zones.map((z: { id: number; name: string }) => `${z.id} ${z.name}`)).toEqual(["0 M-EU-FR", "100 S-EU-GE", "101 S-US-CA"]);
    expect(json.zones[1].frontends[0]).toMatchObject({
      name: "zone100-server0",
      packageManager: "apt",
      // 6.10 bootstraps every database standalone: slaves too (is_slave=0).
      db: { shared: "6.10.0", local: "6.10.0", isSlave: false },
      services: { opennebula: "active" },
    });
    expect(json.zones[1].nodes).toEqual([]);
    // No nodes, no RHEL zone: neither the nodes' table nor the PKG column.
    expect(table.out).not.toMatch(/NODE|PKG/);
  });

  it("injects a failure that the next matching command suffers, once", async () => {
    expect((await cli("inject", "--dir", sb.dir, "--frontend", "0", "--match", "onedb version", "--exit", "3", "--stderr", "boom")).code).toBe(0);
    expect(sb.run(MASTER, "onedb version")).toEqual({ stdout: "", stderr: "boom\n", code: 3 });
    expect(sb.run(MASTER, "onedb version").code).toBe(0);
  });

  it("makes a slave lag and catch up", async () => {
    expect((await cli("lag", "--dir", sb.dir, "--frontend", SLAVE_CA, "--records", "5")).code).toBe(0);
    expect(sb.run(MASTER, "onezone list --csv -l ID,FED_INDEX").stdout).toBe("ID,FED_INDEX\n0,715443\n100,715443\n101,715438\n");
    expect((await cli("lag", "--dir", sb.dir, "--frontend", "101", "--off")).code).toBe(0);
    expect(sb.run(MASTER, "onezone list --csv -l ID,FED_INDEX").stdout).toBe("ID,FED_INDEX\n0,715443\n100,715443\n101,715443\n");
  });

  it("keeps the files on down --keep and removes them on down", async () => {
    expect((await cli("down", "--dir", sb.dir, "--keep")).code).toBe(0);
    expect(fs.existsSync(sb.dir)).toBe(true);
    expect((await cli("down", "--dir", sb.dir)).code).toBe(0);
    expect(fs.existsSync(sb.dir)).toBe(false);
  });
});

describe("onefed sandbox with an HA zone", () => {
  let sb: EmulatorSandbox;
  beforeAll(() => (sb = EmulatorSandbox.create({ ha: [100], servers: 3 })));
  afterAll(() => sb.remove());

  it("shows each server's id and Raft role, and the zone's term and leader", async () => {
    const table = (await cli("status", "--dir", sb.dir)).out;
    expect(table).toMatch(/^0\s+M-EU-FR\s+master\s+zone0-server0\s+127\.0\.50\.1:22\s+down\s+-\s+6\.10\.0\s/m);
    expect(table).toMatch(/^100\s+S-EU-GE\s+slave\s+zone100-server0\s+127\.0\.50\.2:22\s+down\s+0 leader\s+6\.10\.0\s/m);
    expect(table).toMatch(/^100\s+S-EU-GE\s+slave\s+zone100-server2\s+127\.0\.50\.4:22\s+down\s+2 follower\s/m);
    expect(table).toMatch(/^zone 100: floating IP 127\.0\.50\.6, term 1, leader server 0$/m);
    const json = JSON.parse((await cli("status", "--dir", sb.dir, "--json")).out);
    expect(json.zones[1].frontends.map((f: { serverId: number; raft: string }) => `${f.serverId}:${f.raft}`)).toEqual(["0:leader", "1:follower", "2:follower"]);
  });

  it("forces a leader and a split brain", async () => {
    expect(await cli("raft", "--dir", sb.dir, "--zone", "100", "--leader", "1", "--split-brain", "on")).toEqual({
      code: 0,
      out: "server 1 leads zone 100\nsplit brain in zone 100 on",
      err: "",
    });
    expect((await cli("status", "--dir", sb.dir)).out).toMatch(/^zone 100: floating IP 127\.0\.50\.6, term 2, leader server 1, split brain$/m);
    expect((await cli("raft", "--dir", sb.dir, "--zone", "101", "--leader", "0")).err).toBe("onefed sandbox raft: zone 101 is not an HA zone (HA zones: 100)");
  });

  it("refuses an unknown HA zone with the zone ids it has", () => {
    expect(() => planSandbox({ dir: "/tmp/x", slaves: 1, ha: [101] }, "n", "e")).toThrow("--ha 101: no such zone (the zones are 0, 100)");
  });
});
