/**
 * `onefed discover` on real sandboxes of several shapes (sshd on 127.0.170.x–127.0.174.x): the file
 * it writes is, in substance, the one `sandbox up` wrote (compared as parsed configurations; what
 * discovery cannot know is filled in here), `onefed check` on it exits 0, and the front-ends'
 * command logs prove that it only read. Bad input is refused before anything connects. Needs root.
 */
import * as fs from "fs";
import * as path from "path";
import { loadConfig, parseConfig } from "../../lib/config/load-config";
import { TO_VERSION_PLACEHOLDER } from "../../lib/discover/federation-draft";
import { ExitCode } from "../../lib/model/exit-codes";
import { FederationConfig } from "../../lib/model/federation";
import { onedConf, onehost, onezone, packageTools, systemctl } from "../../lib/remote/opennebula/commands";
import { installedVersionCommand } from "../../lib/remote/opennebula/packages";
import { renderCommand } from "../../lib/remote/opennebula/remote-command";
import { parseKnownHosts } from "../../lib/remote/ssh/known-hosts";
import { rekeyFrontend } from "../../sandbox";
import { describeAsRoot, runOnefed, SandboxFixture } from "../support/sandbox-fixture";

jest.setTimeout(300_000);

/** Every command line discover may send: the reads it is built from, and nothing else. */
function readOnlyCommands(zoneIds: readonly number[]): Set<string> {
  return new Set(
    [
      onezone.listCsv(),
      ...zoneIds.map((id) => onezone.showJson(id)),
      onehost.listCsv(),
      onedConf.readFederation(),
      onedConf.readDatabase(),
      packageTools.probe(),
      installedVersionCommand("apt"),
      installedVersionCommand("dnf"),
      installedVersionCommand("yum"),
      systemctl.listUnitFiles(),
    ].map(renderCommand),
  );
}

/** What a federation file says about the federation; what discovery cannot know is left out (paths, password variable, local directories). */
function substance(c: FederationConfig) {
  return {
    name: c.name,
    fromVersion: c.fromVersion,
    toVersion: c.toVersion,
    user: c.ssh.user,
    zones: c.zones.map((z) => ({
      id: z.id,
      name: z.name,
      role: z.role,
      endpoint: z.endpoint,
      frontends: z.frontends,
      database: { backend: z.database.backend, connection: z.database.connection, hasPasswordEnv: z.database.passwordEnv !== undefined },
      packages: z.packages,
      nodes: z.nodes,
    })),
  };
}

/** host → key blobs (base64) of a known_hosts file. */
function keysByHost(file: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const e of parseKnownHosts(fs.readFileSync(file, "utf8"))) for (const p of e.patterns) (out[p] ??= []).push(e.key.toString("base64"));
  for (const k of Object.keys(out)) out[k].sort();
  return out;
}

interface Shape {
  readonly title: string;
  readonly addressBase: string;
  readonly slaves: number;
  readonly options: Parameters<typeof SandboxFixture.up>[2];
  /** The target the sandbox's file names (given to discover with --to). @default 7.0.0 */
  readonly to?: string;
}

const SHAPES: readonly Shape[] = [
  { title: "solo zones, 1 master + 1 slave", addressBase: "127.0.170.1", slaves: 1, options: {} },
  { title: "an HA master and an HA slave (2 servers each) and a solo slave", addressBase: "127.0.171.1", slaves: 2, options: { ha: [0, 101], servers: 2 } },
  { title: "a dnf zone", addressBase: "127.0.172.1", slaves: 2, options: { dnfZones: [101] } },
  // Mixed backends only inside one series: across series (type B) the loader refuses them.
  {
    title: "MySQL-configured zones 0 and 100 (101 SQLite), a type A upgrade",
    addressBase: "127.0.173.1",
    slaves: 2,
    options: { mysqlZones: [0, 100], to: "6.10.2" },
    to: "6.10.2",
  },
  { title: "every zone MySQL-configured, an HA slave", addressBase: "127.0.174.1", slaves: 1, options: { mysqlZones: [0, 100], ha: [100], servers: 2 } },
  { title: "6.0 front-ends (no STAT column, no zone STATE)", addressBase: "127.0.174.33", slaves: 1, options: { from: "6.0.0", to: "6.2.0" }, to: "6.2.0" },
];

describeAsRoot.each(SHAPES)("onefed discover on $title", ({ addressBase, slaves, options, to = "7.0.0" }) => {
  let sandbox: SandboxFixture;
  let out: string;
  let discovered: { code: number | null; output: string };
  let commands: Array<{ frontend: string; command: string }>;
  const env = (): NodeJS.ProcessEnv => (options?.mysqlZones ? { ONEFED_DB_PASSWORD: sandbox.mysqlPassword() } : {});

  beforeAll(async () => {
    sandbox = await SandboxFixture.up(addressBase, slaves, options);
    out = path.join(sandbox.dir, "discovered");
    fs.mkdirSync(out);
    const before = sandbox.log().length;
    discovered = await runOnefed(
      [
        "discover",
        "--master",
        addressBase,
        "--user",
        "onefed",
        "--key",
        path.join(sandbox.dir, "keys", "id_ed25519"),
        "--accept-new-host-key",
        "--name",
        "sandbox",
        "--to",
        to,
        "--out",
        path.join(out, "federation.yaml"),
      ],
      sandbox.dir,
    );
    commands = sandbox.log().slice(before);
  });
  afterAll(async () => sandbox?.down());

  it("writes the federation file `sandbox up` wrote, in substance", () => {
    expect(discovered).toMatchObject({ code: ExitCode.Done });
    expect(discovered.output).toMatch(/accepted the new host key of the master .*: ssh-ed25519 SHA256:/);
    const mine = parseConfig(fs.readFileSync(path.join(out, "federation.yaml"), "utf8"), path.join(out, "federation.yaml"));
    expect(substance(mine)).toEqual(substance(loadConfig(sandbox.configPath)));
  });

  it("pins in its known_hosts exactly the keys the sandbox pinned", () => {
    expect(keysByHost(path.join(out, "known_hosts"))).toEqual(keysByHost(path.join(sandbox.dir, "known_hosts")));
  });

  it("only read: every command on every front-end is one of its reads", async () => {
    const allowed = readOnlyCommands((await sandbox.status()).zones.map((z) => z.id));
    expect(commands.length).toBeGreaterThan(0);
    expect(commands.filter((c) => !allowed.has(c.command))).toEqual([]);
    // Every front-end was read (its own package manager and oned.conf), not only the master.
    const frontends = (await sandbox.status()).zones.flatMap((z) => z.frontends.map((f) => f.name));
    expect(new Set(commands.filter((c) => c.command === renderCommand(onedConf.readDatabase())).map((c) => c.frontend))).toEqual(new Set(frontends));
  });

  (options?.mysqlZones ? it : it.skip)("never saw or wrote the MySQL password", () => {
    const password = sandbox.mysqlPassword();
    expect(discovered.output).not.toContain(password);
    expect(fs.readFileSync(path.join(out, "federation.yaml"), "utf8")).not.toContain(password);
    expect(commands.map((c) => c.command).join("\n")).not.toContain(password);
    expect(discovered.output).toMatch(/export ONEFED_DB_PASSWORD/);
  });

  it("`onefed check` finds the discovered federation ready", async () => {
    const check = await runOnefed(["check", "--config", path.join(out, "federation.yaml")], sandbox.dir, env());
    expect(check).toMatchObject({ code: ExitCode.Done });
    expect(check.output).toMatch(/READY/);
  });
});

describeAsRoot("onefed discover: placeholders and bad input (1+1 on 127.0.170.65)", () => {
  let sandbox: SandboxFixture;
  let dir: string;
  const key = () => path.join(sandbox.dir, "keys", "id_ed25519");
  /** A directory of its own for one case's files (--known-hosts-out defaults to known_hosts next to --out). */
  const fresh = (name: string) => {
    fs.mkdirSync(path.join(dir, name));
    return path.join(dir, name);
  };
  const discover = (...args: string[]) => runOnefed(["discover", "--user", "onefed", "--key", key(), ...args], sandbox.dir);

  beforeAll(async () => {
    sandbox = await SandboxFixture.up("127.0.170.65", 1);
    dir = path.join(sandbox.dir, "discovered");
    fs.mkdirSync(dir);
  });
  afterAll(async () => sandbox?.down());

  it("refuses an unknown host key without --accept-new-host-key, showing its fingerprint; runs nothing, writes nothing", async () => {
    const before = sandbox.log().length;
    const r = await discover("--master", "127.0.170.65", "--out", path.join(dir, "federation.yaml"));
    expect(r.code).toBe(ExitCode.Failed);
    expect(r.output).toMatch(/the master 127\.0\.170\.65:22 presented ssh-ed25519 host key SHA256:\S+, and no known_hosts file was given/);
    expect(r.output).toMatch(/--accept-new-host-key/);
    expect(r.output).not.toMatch(/\n\s+at /);
    expect(sandbox.log().length).toBe(before);
    expect(fs.existsSync(path.join(dir, "federation.yaml"))).toBe(false);
  });

  it("trusts the keys an existing known_hosts pins, without the flag", async () => {
    const r = await discover(
      "--master",
      "127.0.170.65",
      "--known-hosts",
      path.join(sandbox.dir, "known_hosts"),
      "--out",
      path.join(dir, "pinned.yaml"),
      "--known-hosts-out",
      path.join(dir, "pinned_known_hosts"),
    );
    expect(r).toMatchObject({ code: ExitCode.Done });
    expect(r.output).not.toMatch(/accepted the new host key/);
  });

  it("writes a placeholder target that `onefed check` refuses as a usage error until it is filled in", async () => {
    const file = path.join(dir, "federation.yaml");
    const r = await discover("--master", "127.0.170.65", "--accept-new-host-key", "--out", file);
    expect(r).toMatchObject({ code: ExitCode.Done });
    expect(r.output).toMatch(/fill in before `onefed check` accepts the file:\n\s+- federation\.toVersion/);
    const text = fs.readFileSync(file, "utf8");
    expect(text).toContain(TO_VERSION_PLACEHOLDER);
    const refused = await runOnefed(["check", "--config", file], sandbox.dir);
    expect(refused.code).toBe(ExitCode.Usage);
    expect(refused.output).toMatch(/federation\.toVersion/);
    fs.writeFileSync(file, text.replace(JSON.stringify(TO_VERSION_PLACEHOLDER), '"7.0.0"'));
    expect(await runOnefed(["check", "--config", file], sandbox.dir)).toMatchObject({ code: ExitCode.Done });
  });

  it("refuses an --out that exists without --force, before connecting", async () => {
    const file = path.join(dir, "federation.yaml");
    const before = sandbox.log().length;
    const r = await discover("--master", "127.0.170.65", "--accept-new-host-key", "--out", file);
    expect(r.code).toBe(ExitCode.Usage);
    expect(r.output).toMatch(/--out .*federation\.yaml exists; pass --force to replace it/);
    expect(sandbox.log().length).toBe(before);
    expect(await discover("--master", "127.0.170.65", "--accept-new-host-key", "--out", file, "--force")).toMatchObject({ code: ExitCode.Done });
  });

  it("says an unreachable master is unreachable, in one paragraph, exit 1", async () => {
    const r = await discover("--master", "127.0.174.250:2222", "--accept-new-host-key", "--out", path.join(fresh("nowhere"), "federation.yaml"));
    expect(r.code).toBe(ExitCode.Failed);
    expect(r.output).toMatch(/the master 127\.0\.174\.250:2222 is unreachable over SSH \(ECONNREFUSED\)\. Check --master/);
    expect(r.output.trim().split("\n")).toHaveLength(1);
    expect(fs.readdirSync(path.join(dir, "nowhere"))).toEqual([]);
  });

  it("refuses a slave's front-end as --master (usage, exit 2)", async () => {
    const r = await discover("--master", "127.0.170.66", "--accept-new-host-key", "--out", path.join(fresh("slave"), "federation.yaml"));
    expect(r.code).toBe(ExitCode.Usage);
    expect(r.output).toMatch(/is a front-end of zone 100, a slave .* Pass a front-end of the master zone/);
  });

  // Last: it changes the slave's host key.
  it("refuses a slave whose key differs from the pinned one, even with --accept-new-host-key, and writes nothing", async () => {
    await rekeyFrontend(sandbox.dir, "zone100-server0");
    const out = fresh("rekeyed");
    const before = sandbox.log().filter((e) => e.frontend === "zone100-server0").length;
    const r = await discover(
      "--master",
      "127.0.170.65",
      "--known-hosts",
      path.join(sandbox.dir, "known_hosts"),
      "--accept-new-host-key",
      "--out",
      path.join(out, "federation.yaml"),
    );
    expect(r.code).toBe(ExitCode.Failed);
    expect(r.output).toMatch(/discover could not read 1 of 2 front-ends, so it wrote no file/);
    expect(r.output).toMatch(/zone 100 \(S-EU-GE\) front-end 127\.0\.170\.66:22: .*differs from the one pinned/);
    expect(sandbox.log().filter((e) => e.frontend === "zone100-server0")).toHaveLength(before);
    expect(fs.readdirSync(out)).toEqual([]);
  });

  it("-h prints help and runs nothing", async () => {
    const before = sandbox.log().length;
    const r = await discover("--master", "127.0.170.65", "--out", path.join(dir, "help.yaml"), "-h");
    expect(r.code).toBe(ExitCode.Done);
    expect(r.output).toMatch(/^Usage: onefed discover/);
    expect(sandbox.log().length).toBe(before);
    expect(fs.existsSync(path.join(dir, "help.yaml"))).toBe(false);
  });
});
