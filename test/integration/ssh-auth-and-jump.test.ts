/**
 * SSH as operators have it, against real sshd: a sandbox whose every machine is reached through a
 * jump host (another sshd that only forwards TCP, its host key pinned like a front-end's). The
 * ssh-agent logs in alone (a real ssh-agent holding the sandbox key); an encrypted key logs in with
 * its passphrase from the variable the file names, and a missing variable or a wrong passphrase
 * stops the run with exit 2 before any command. A full upgrade runs through the jump host: every
 * login a front-end accepted came through a channel the jump host forwarded, and the passphrase is
 * in no output, plan, state, synthesized JSON or file of the automation host.
 */
import { ChildProcess, execFileSync, spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { readJumpForwards } from "../../sandbox";
import { describeAsRoot, runOnefed, SandboxFixture } from "../support/sandbox-fixture";

jest.setTimeout(900_000);

const PASSPHRASE_ENV = "ONEFED_IT_KEY_PASSPHRASE";
const PASSPHRASE = "correct-horse-7f3a9c battery";
const JUMP = "127.0.145.3";

describeAsRoot("SSH logins through a jump host", () => {
  let sandbox: SandboxFixture;
  let agent: ChildProcess | undefined;
  let agentSocket = "";
  /** Everything every onefed run printed, to search for the passphrase at the end. */
  const outputs: string[] = [];

  /** A copy of the sandbox's federation file (beside it: the same relative paths) with another ssh block, and maybe more changed. */
  function variant(name: string, ssh: string, edit: (text: string) => string = (t) => t): string {
    const file = path.join(sandbox.dir, `${name}.yaml`);
    const text = fs.readFileSync(sandbox.configPath, "utf8");
    expect(text).toMatch(/^ssh: \{.*\}$/m);
    fs.writeFileSync(file, edit(text.replace(/^ssh: \{.*\}$/m, `ssh: { ${ssh} }`)));
    return file;
  }

  async function onefed(argv: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; output: string }> {
    // No agent unless the test gives one: the key file must do the work.
    const r = await runOnefed(argv, sandbox.dir, { SSH_AUTH_SOCK: "", ...env });
    outputs.push(r.output);
    return r;
  }

  /** Logins each machine's sshd accepted (its own log, written by sshd itself). */
  function acceptedLogins(machine: string): number {
    const log = fs.readFileSync(path.join(sandbox.dir, "frontends", machine, "sshd.log"), "utf8");
    return (log.match(/Accepted publickey for onefed from/g) ?? []).length;
  }

  beforeAll(async () => {
    sandbox = await SandboxFixture.up("127.0.145.1", 1, { jumpHost: true });
    const keys = path.join(sandbox.dir, "keys");
    fs.copyFileSync(path.join(keys, "id_ed25519"), path.join(keys, "id_encrypted"));
    fs.chmodSync(path.join(keys, "id_encrypted"), 0o600);
    execFileSync("ssh-keygen", ["-q", "-p", "-P", "", "-N", PASSPHRASE, "-f", path.join(keys, "id_encrypted")]);
    // known_hosts without the jump host's line: the jump host is then an unknown machine.
    const pinned = fs.readFileSync(path.join(sandbox.dir, "known_hosts"), "utf8");
    fs.writeFileSync(
      path.join(sandbox.dir, "known_hosts_no_jump"),
      pinned
        .split("\n")
        .filter((l) => !l.startsWith(`${JUMP} `))
        .join("\n"),
    );

    agentSocket = path.join(sandbox.dir, "agent.sock");
    agent = spawn("ssh-agent", ["-D", "-a", agentSocket], { stdio: "ignore" });
    for (let i = 0; i < 100 && !fs.existsSync(agentSocket); i++) await new Promise((r) => setTimeout(r, 50));
    execFileSync("ssh-add", ["-q", path.join(keys, "id_ed25519")], { env: { ...process.env, SSH_AUTH_SOCK: agentSocket }, stdio: "ignore" });
  });

  afterAll(async () => {
    if (agent?.pid) process.kill(agent.pid, "SIGTERM");
    await sandbox?.down();
  });

  it("checks the federation with the ssh-agent's keys alone, and refuses agent: true without SSH_AUTH_SOCK before any command", async () => {
    const config = variant("agent", `user: onefed, agent: true, knownHostsPath: ./known_hosts, jump: [ { host: ${JUMP}, port: 22 } ]`);
    const noAgent = await onefed(["check", "--config", config]);
    expect(noAgent.code).toBe(2);
    expect(noAgent.output).toMatch(/agent is true, but SSH_AUTH_SOCK is not set in the environment of the automation host/);
    expect(sandbox.log()).toEqual([]);

    const r = await onefed(["check", "--config", config], { SSH_AUTH_SOCK: agentSocket });
    expect(r.output).toMatch(/ok\s+frontend-reachable/);
    expect(r.code).toBe(0);
    expect(sandbox.log().length).toBeGreaterThan(0);
  });

  it("refuses a jump host that is not pinned, refuses the login or refuses the channel, naming the hop; nothing runs behind it", async () => {
    const before = sandbox.log().length;
    const unpinned = variant(
      "unpinned-jump",
      `user: onefed, privateKeyPath: ./keys/id_ed25519, knownHostsPath: ./known_hosts_no_jump, jump: [ { host: ${JUMP}, port: 22 } ]`,
    );
    const r = await onefed(["check", "--config", unpinned]);
    expect(r.code).toBe(1);
    expect(r.output).toMatch(
      new RegExp(`zone 0 \\(M-EU-FR\\), jump host ${JUMP}:22 has no pinned host key in .*known_hosts_no_jump.*; it presented ssh-ed25519 key SHA256:`),
    );

    execFileSync("ssh-add", ["-q", "-D"], { env: { ...process.env, SSH_AUTH_SOCK: agentSocket }, stdio: "ignore" });
    const emptyAgent = await onefed(["check", "--config", path.join(sandbox.dir, "agent.yaml")], { SSH_AUTH_SOCK: agentSocket });
    expect(emptyAgent.code).toBe(1);
    expect(emptyAgent.output).toMatch(new RegExp(`jump host ${JUMP}:22 refused the login of user onefed with the ssh-agent's keys`));
    expect(sandbox.log().length).toBe(before);

    // The jump host forwards only to the machines (PermitOpen): another port of the master is refused there ("open failed").
    const elsewhere = variant(
      "unforwarded",
      `user: onefed, privateKeyPath: ./keys/id_ed25519, knownHostsPath: ./known_hosts, jump: [ { host: ${JUMP}, port: 22 } ]`,
      (t) => t.replace("frontends: [ { host: 127.0.145.1, port: 22 } ]", "frontends: [ { host: 127.0.145.1, port: 2222 } ]"),
    );
    const master = sandbox.log("zone0-server0").length;
    const refused = await onefed(["check", "--config", elsewhere]);
    expect(refused.code).toBe(1);
    expect(refused.output).toMatch(
      new RegExp(`zone 0 \\(M-EU-FR\\), jump host ${JUMP}:22 could not open a TCP channel to front-end 127\\.0\\.145\\.1:2222: \\(SSH\\) Channel open failure`),
    );
    // The other zone was checked as usual; nothing reached the master.
    expect(sandbox.log("zone0-server0").length).toBe(master);
  });

  it("stops on a missing passphrase variable or a wrong passphrase with exit 2 before any command", async () => {
    const config = variant(
      "encrypted",
      `user: onefed, privateKeyPath: ./keys/id_encrypted, passphraseEnv: ${PASSPHRASE_ENV}, agent: false, knownHostsPath: ./known_hosts, jump: [ { host: ${JUMP}, port: 22 } ]`,
    );
    const before = sandbox.log().length;
    const missing = await onefed(["deploy", "--config", config, "--out", path.join(sandbox.dir, "cdktf.out")]);
    expect(missing.code).toBe(2);
    expect(missing.output).toMatch(new RegExp(`passphraseEnv names ${PASSPHRASE_ENV}, but ${PASSPHRASE_ENV} is not set`));

    const wrong = await onefed(["deploy", "--config", config, "--out", path.join(sandbox.dir, "cdktf.out")], { [PASSPHRASE_ENV]: "wrong-passphrase-5521" });
    expect(wrong.code).toBe(2);
    expect(wrong.output).toMatch(new RegExp(`cannot be decrypted with the passphrase in ${PASSPHRASE_ENV} \\(wrong passphrase\\)`));
    expect(wrong.output).not.toContain("wrong-passphrase-5521");
    expect(sandbox.log().length).toBe(before);
  });

  it("upgrades the whole federation with the encrypted key through the jump host, and the passphrase is nowhere", async () => {
    const config = path.join(sandbox.dir, "encrypted.yaml");
    const env = { [PASSPHRASE_ENV]: PASSPHRASE };
    const out = path.join(sandbox.dir, "cdktf.out");
    const plan = await onefed(["plan", "--config", config, "--out", path.join(sandbox.dir, "plan-review"), "--cdktf-out", out], env);
    expect(plan.code).toBe(0);
    const deploy = await onefed(["deploy", "--config", config, "--out", out], env);
    expect(deploy.code).toBe(0);
    const again = await onefed(["deploy", "--config", config, "--out", out], env);
    expect(again.code).toBe(0);
    expect(again.output).toMatch(/No changes\.|Resources: 0 added/);

    const status = await sandbox.status();
    for (const fe of status.zones.flatMap((z) => z.frontends)) expect([fe.name, fe.packageVersion, fe.db.shared]).toEqual([fe.name, "7.0.0", "7.0.0"]);

    // Every login a front-end's sshd accepted came through a channel the jump host forwarded to it.
    const forwards = readJumpForwards(sandbox.dir);
    expect(status.jumpHost).toEqual({ host: JUMP, port: 22, sshdPid: expect.any(Number), forwards: forwards.length });
    for (const fe of status.zones.flatMap((z) => z.frontends)) {
      const through = forwards.filter((f) => f.host === fe.host && f.port === fe.port).length;
      expect([fe.name, through]).toEqual([fe.name, acceptedLogins(fe.name)]);
      // The plan's check, reconcile and the warm runner's one connection per front-end: a few logins each.
      expect(through).toBeGreaterThan(1);
    }

    const files: string[] = [];
    const walk = (d: string) => {
      for (const f of fs.readdirSync(d, { withFileTypes: true })) {
        const p = path.join(d, f.name);
        if (f.isDirectory() && !["root", "etc-overlay", ".terraform"].includes(f.name)) walk(p);
        else if (f.isFile() && fs.statSync(p).size < 5_000_000) files.push(p);
      }
    };
    walk(sandbox.dir);
    expect(files.some((f) => f.endsWith("terraform.tfstate"))).toBe(true);
    expect(files.some((f) => f.endsWith("cdk.tf.json"))).toBe(true);
    expect(files.some((f) => f.endsWith("plan.json"))).toBe(true);
    expect(files.filter((f) => fs.readFileSync(f).includes(PASSPHRASE))).toEqual([]);
    expect(outputs.filter((o) => o.includes(PASSPHRASE))).toEqual([]);
  });
});
