/**
 * SSH logins from the federation file: a zone's `ssh` merged over the federation's, jump hosts
 * inheriting the login of the zone they lead to, the rules that every login can authenticate, and
 * the credentials loaded on the automation host (agent socket, encrypted keys and their
 * passphrase variable) before any connection, with messages that never hold the passphrase.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { ConfigError } from "../../lib/config/load-config";
import { ExitCode } from "../../lib/model/exit-codes";
import { PROCESS_SECRETS } from "../../lib/model/secrets";
import { loadCredentials } from "../../lib/remote/ssh/client-credentials";
import { SshCredentialError } from "../../lib/remote/ssh/credential-error";
import { authMethods } from "../../lib/remote/ssh/ssh-session";
import { loadRoutes } from "../../lib/run/ssh-routes";
import { FIXTURES_DIR, seedFederation } from "../support/federation-builder";

const seed = seedFederation();
const FIXTURE_KEY = path.join(FIXTURES_DIR, "id_ed25519_fixture");
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "onefed-ssh-logins-"));
const PASSPHRASE = "Tr0ub4dor&3 staple";
/** The fixture key, encrypted with PASSPHRASE (bcrypt KDF, as ssh-keygen writes it). */
const ENCRYPTED_KEY = path.join(tmp, "id_encrypted");

beforeAll(() => {
  fs.copyFileSync(FIXTURE_KEY, ENCRYPTED_KEY);
  fs.chmodSync(ENCRYPTED_KEY, 0o600);
  execFileSync("ssh-keygen", ["-q", "-p", "-P", "", "-N", PASSPHRASE, "-f", ENCRYPTED_KEY]);
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function problemsOf(build: () => unknown): string[] {
  try {
    build();
  } catch (err) {
    if (err instanceof ConfigError) return [...err.problems];
    throw err;
  }
  return [];
}

describe("ssh settings of each zone", () => {
  it("gives every zone the federation's login when none overrides it, agent when available, no jump host", () => {
    const c = seed.parse();
    for (const z of c.zones) expect(z.ssh).toEqual({ user: "root", privateKeyPath: FIXTURE_KEY, agent: "auto", jump: [] });
    expect(c.ssh).toMatchObject({ user: "root", privateKeyPath: FIXTURE_KEY, agent: "auto", jump: [] });
  });

  it("merges a zone's user, port, key, passphrase variable and agent over the federation's", () => {
    const c = seed
      .with({ ssh: { passphraseEnv: "FED_KEY_PASS", port: 2222 } })
      .withZone(100, { ssh: { user: "oneadmin", port: 2200, agent: false } })
      .withZone(101, { ssh: { privateKeyPath: "./id_ed25519_fixture", agent: true } })
      .withNodes(101, [{ name: "kvm-1", host: "10.0.0.5" }])
      .with({ hosts: { manage: true } })
      .parse();
    const [master, ge, ca] = c.zones;
    expect(master.ssh).toMatchObject({ user: "root", passphraseEnv: "FED_KEY_PASS", agent: "auto" });
    expect(master.frontends[0].port).toBe(22); // given in the file
    expect(ge.ssh).toMatchObject({ user: "oneadmin", privateKeyPath: FIXTURE_KEY, passphraseEnv: "FED_KEY_PASS", agent: "off" });
    expect(ge.frontends[0].port).toBe(2200);
    // A key given by the zone brings its own passphrase variable, here none.
    expect(ca.ssh).toEqual({ user: "root", privateKeyPath: FIXTURE_KEY, agent: "required", jump: [] });
    expect(ca.frontends[0].port).toBe(2222);
    expect(ca.nodes[0].port).toBe(2222);
  });

  it("resolves jump hosts per zone: the zone's user and key unless the hop names its own, port 22, replaced by a zone's list", () => {
    const c = seed
      .with({
        ssh: { port: 2222, jump: [{ host: "bastion.example" }, { host: "10.0.0.9", port: 2022, user: "jump", privateKeyPath: "./id_ed25519_fixture" }] },
      })
      .withZone(100, { ssh: { user: "oneadmin", passphraseEnv: "GE_PASS" } })
      .withZone(101, { ssh: { jump: [] } })
      .parse();
    const [master, ge, ca] = c.zones;
    expect(master.ssh.jump).toEqual([
      { host: "bastion.example", port: 22, user: "root", privateKeyPath: FIXTURE_KEY, agent: "auto" },
      { host: "10.0.0.9", port: 2022, user: "jump", privateKeyPath: FIXTURE_KEY, agent: "auto" },
    ]);
    expect(ge.ssh.jump[0]).toEqual({
      host: "bastion.example",
      port: 22,
      user: "oneadmin",
      privateKeyPath: FIXTURE_KEY,
      passphraseEnv: "GE_PASS",
      agent: "auto",
    });
    // The hop with its own key does not inherit the zone's passphrase variable.
    expect(ge.ssh.jump[1]).not.toHaveProperty("passphraseEnv");
    expect(ca.ssh.jump).toEqual([]);
  });
});

describe("ssh rules", () => {
  it("accepts the agent alone (agent: true, no key) and a key alone", () => {
    expect(problemsOf(() => seed.with({ ssh: { privateKeyPath: undefined, agent: true } }).parse())).toEqual([]);
    expect(problemsOf(() => seed.parse())).toEqual([]);
  });

  const cases: Array<[string, () => unknown, string[]]> = [
    [
      "no key and no agent: once, where it is written",
      () => seed.with({ ssh: { privateKeyPath: undefined } }).parse(),
      ["ssh: no privateKeyPath and agent is not true, so nothing could log in; set privateKeyPath, or agent: true to log in with the ssh-agent's keys alone"],
    ],
    [
      "a zone turning the agent off without a key",
      () =>
        seed
          .with({ ssh: { privateKeyPath: undefined, agent: true } })
          .withZone(100, { ssh: { agent: false } })
          .parse(),
      [
        "zone 100 (S-EU-GE).ssh: no privateKeyPath and agent is not true, so nothing could log in; set privateKeyPath, or agent: true to log in with the ssh-agent's keys alone",
      ],
    ],
    [
      "a passphrase variable without a key",
      () => seed.with({ ssh: { privateKeyPath: undefined, agent: true, passphraseEnv: "KEY_PASS" } }).parse(),
      ["ssh: passphraseEnv KEY_PASS is set but there is no privateKeyPath whose passphrase it would hold; set privateKeyPath or remove passphraseEnv"],
    ],
    [
      "a jump host's passphrase variable without a key",
      () => seed.with({ ssh: { privateKeyPath: undefined, agent: true, jump: [{ host: "bastion", passphraseEnv: "JUMP_PASS" }] } }).parse(),
      [
        "ssh.jump[0] (bastion): passphraseEnv JUMP_PASS is set but there is no privateKeyPath whose passphrase it would hold; set privateKeyPath or remove passphraseEnv",
      ],
    ],
  ];
  it.each(cases)("refuses %s", (_name, build, expected) => expect(problemsOf(build)).toEqual(expected));

  it("names a zone's or a jump host's missing key file", () => {
    const problems = problemsOf(() =>
      seed
        .withZone(100, { ssh: { privateKeyPath: "./nope-zone" } })
        .with({ ssh: { jump: [{ host: "bastion", privateKeyPath: "./nope-jump" }] } })
        .parse(),
    );
    expect(problems).toEqual([
      expect.stringMatching(/^ssh\.jump\[0\]\.privateKeyPath: cannot read .*nope-jump \(ENOENT\)$/),
      expect.stringMatching(/^zone 100 \(S-EU-GE\)\.ssh\.privateKeyPath: cannot read .*nope-zone \(ENOENT\)$/),
    ]);
  });

  it("refuses unknown fields in a zone's ssh and a jump host", () => {
    expect(problemsOf(() => seed.withZone(100, { ssh: { knownHostsPath: "./x" } as never }).parse())).toEqual([
      expect.stringMatching(/^zones\[1\] \(S-EU-GE\)\.ssh\.knownHostsPath: Unexpected property/),
    ]);
    expect(problemsOf(() => seed.with({ ssh: { jump: [{ host: "b", password: "x" } as never] } }).parse())).toEqual([
      expect.stringMatching(/^ssh\.jump\.0\.password|^ssh\.jump\[0\]\.password: Unexpected property/),
    ]);
  });
});

describe("client credentials", () => {
  const login = { user: "root", privateKeyPath: ENCRYPTED_KEY, passphraseEnv: "ONEFED_TEST_KEY_PASS", agent: "off" as const };

  function refusal(build: () => unknown): SshCredentialError {
    try {
      build();
    } catch (err) {
      if (err instanceof SshCredentialError) return err;
      throw err;
    }
    throw new Error("expected a credential refusal");
  }

  it("decrypts an encrypted key with the passphrase from the named variable and registers it as a secret", () => {
    const c = loadCredentials(login, "ssh", { ONEFED_TEST_KEY_PASS: PASSPHRASE });
    expect(c.privateKey?.type).toBe("ssh-ed25519");
    expect(c.privateKey?.isPrivateKey()).toBe(true);
    expect(c.offered).toBe(`the key ${ENCRYPTED_KEY}`);
    expect(PROCESS_SECRETS.redact(`echo ${PASSPHRASE}`)).toBe("echo ***");
  });

  it("refuses a missing variable, a wrong passphrase and a missing passphraseEnv with exit 2, never quoting a passphrase", () => {
    const missing = refusal(() => loadCredentials(login, "zone 100 (S-EU-GE) ssh", {}));
    expect(missing.exitCode).toBe(ExitCode.Usage);
    expect(missing.message).toBe(
      `zone 100 (S-EU-GE) ssh: passphraseEnv names ONEFED_TEST_KEY_PASS, but ONEFED_TEST_KEY_PASS is not set in the environment of the automation host. Export it (from your secret store) before the run; it decrypts ${ENCRYPTED_KEY} in the runner's memory only. Nothing was changed.`,
    );
    const wrong = refusal(() => loadCredentials({ ...login, privateKeyPath: ENCRYPTED_KEY }, "ssh", { ONEFED_TEST_KEY_PASS: "not-the-passphrase-42" }));
    expect(wrong.exitCode).toBe(ExitCode.Usage);
    expect(wrong.message).toBe(
      `ssh: the private key ${ENCRYPTED_KEY} cannot be decrypted with the passphrase in ONEFED_TEST_KEY_PASS (wrong passphrase). Put that key's passphrase in ONEFED_TEST_KEY_PASS. Nothing was changed.`,
    );
    const none = refusal(() => loadCredentials({ user: "root", privateKeyPath: ENCRYPTED_KEY, agent: "off" }, "ssh", {}));
    expect(none.message).toMatch(/^ssh: the private key .*id_encrypted is encrypted; name the environment variable that holds its passphrase in passphraseEnv/);
    for (const err of [missing, wrong, none]) expect(err.message).not.toMatch(/Tr0ub4dor|not-the-passphrase/);
  });

  it("offers the agent's keys first when SSH_AUTH_SOCK is a socket, passes over a stale one, and requires one for agent: true", async () => {
    const socket = path.join(tmp, "agent.sock");
    const server = net.createServer().listen(socket);
    await new Promise((r) => server.once("listening", r));
    try {
      const plain = { user: "root", privateKeyPath: FIXTURE_KEY, agent: "auto" as const };
      expect(loadCredentials(plain, "ssh", { SSH_AUTH_SOCK: socket })).toMatchObject({
        agentSocket: socket,
        offered: `the ssh-agent's keys, then the key ${FIXTURE_KEY}`,
      });
      expect(loadCredentials(plain, "ssh", { SSH_AUTH_SOCK: path.join(tmp, "gone.sock") })).not.toHaveProperty("agentSocket");
      expect(loadCredentials({ ...plain, agent: "off" }, "ssh", { SSH_AUTH_SOCK: socket })).not.toHaveProperty("agentSocket");
      expect(loadCredentials({ user: "root", agent: "required" }, "ssh", { SSH_AUTH_SOCK: socket })).toEqual({
        user: "root",
        agentSocket: socket,
        offered: "the ssh-agent's keys",
      });
      expect(refusal(() => loadCredentials({ user: "root", agent: "required" }, "ssh", {})).message).toBe(
        "ssh: agent is true, but SSH_AUTH_SOCK is not set in the environment of the automation host. Start ssh-agent and add the key (ssh-add), or set agent: false and privateKeyPath. Nothing was changed.",
      );
    } finally {
      server.close();
    }
  });
});

describe("what ssh2 is asked to try", () => {
  it("offers the agent's keys before the key file, as OpenSSH does, and only what was loaded", () => {
    const key = loadCredentials({ user: "root", privateKeyPath: FIXTURE_KEY, agent: "off" }, "ssh", {}).privateKey!;
    expect(authMethods({ user: "oneadmin", agentSocket: "/run/agent.sock", privateKey: key, offered: "" })).toEqual([
      { type: "agent", username: "oneadmin", agent: "/run/agent.sock" },
      { type: "publickey", username: "oneadmin", key },
    ]);
    expect(authMethods({ user: "root", privateKey: key, offered: "" }).map((m) => m.type)).toEqual(["publickey"]);
    expect(authMethods({ user: "root", agentSocket: "/run/agent.sock", offered: "" }).map((m) => m.type)).toEqual(["agent"]);
  });
});

describe("routes to the zones", () => {
  it("loads every zone's login and hops at once, reporting a shared problem once", () => {
    const c = seed
      .with({ ssh: { privateKeyPath: ENCRYPTED_KEY, passphraseEnv: "ONEFED_TEST_KEY_PASS", agent: false } })
      .withZone(101, { ssh: { jump: [{ host: "b1" }, { host: "b2", port: 2022, user: "jump", privateKeyPath: FIXTURE_KEY }] } })
      .parse();
    expect(() => loadRoutes(c, {})).toThrow(SshCredentialError);
    try {
      loadRoutes(c, {});
    } catch (err) {
      expect((err as Error).message.match(/ONEFED_TEST_KEY_PASS is not set/g)).toHaveLength(1);
    }
    const routes = loadRoutes(c, { ONEFED_TEST_KEY_PASS: PASSPHRASE });
    expect(routes.get(0)!.hops).toEqual([]);
    const ca = routes.get(101)!;
    expect(ca.hops.map((h) => [h.target, h.credentials.user, h.credentials.offered])).toEqual([
      [{ host: "b1", port: 22, zone: "zone 101 (S-US-CA)", role: "jump host 1 of 2" }, "root", `the key ${ENCRYPTED_KEY}`],
      [{ host: "b2", port: 2022, zone: "zone 101 (S-US-CA)", role: "jump host 2 of 2" }, "jump", `the key ${FIXTURE_KEY}`],
    ]);
    expect(ca.credentials.privateKey?.isPrivateKey()).toBe(true);
  });
});
