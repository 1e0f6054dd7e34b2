/**
 * Host keys as operators' known_hosts files hold them, against real sshd front-ends that offer
 * ed25519, ECDSA and RSA host keys (127.0.140.x): an ECDSA-only or RSA-only pin connects (the
 * `onefed check` of a pipeline, a step's connector, and OpenSSH's own client with the same file);
 * a changed key of each type is refused with its fingerprint before any command runs; a pinned
 * type the front-end does not offer is refused naming both types.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { loadConfig } from "../../lib/config/load-config";
import { HostKeyError } from "../../lib/remote/ssh/errors";
import { Deadline } from "../../lib/remote/ssh/deadline";
import { connectFrontend } from "../../lib/run/connector";
import { refreshKnownHosts, rekeyFrontend, SandboxHostKeyType } from "../../sandbox";
import { describeAsRoot, runOnefed, SandboxFixture } from "../support/sandbox-fixture";

jest.setTimeout(300_000);

const MASTER = "127.0.140.1";
const SLAVE = "127.0.140.2";

/** What each sandbox key type is called inside a key blob and in known_hosts. */
const KEY_TYPE: Record<SandboxHostKeyType, string> = { ed25519: "ssh-ed25519", ecdsa: "ecdsa-sha2-nistp256", rsa: "ssh-rsa" };

describeAsRoot("host keys of every type (sandbox on 127.0.140.x)", () => {
  let sandbox: SandboxFixture;
  beforeAll(async () => {
    sandbox = await SandboxFixture.up(MASTER, 1);
  });
  afterAll(async () => sandbox?.down());

  const knownHosts = (): string => fs.readFileSync(path.join(sandbox.dir, "known_hosts"), "utf8");
  const hostKeyPub = (fe: string, type: SandboxHostKeyType): string => path.join(sandbox.dir, "frontends", fe, `ssh_host_${type}_key.pub`);
  const fingerprintOf = (pub: string): string => execFileSync("ssh-keygen", ["-l", "-f", pub], { encoding: "utf8" }).split(" ")[1];

  /** A step's way in: the connector over SSH, then one command on the slave's front-end. */
  async function loginToSlave(): Promise<string> {
    const config = loadConfig(sandbox.configPath);
    const { session } = await connectFrontend(config, config.zones[1], new Deadline(30), () => undefined);
    try {
      return (await session.exec("id -un")).stdout.trim();
    } finally {
      session.close();
    }
  }

  /** What `onefed check` says about reaching the front-ends. */
  async function check(): Promise<{ code: number | null; output: string }> {
    return runOnefed(["check", "--config", sandbox.configPath], sandbox.dir);
  }

  it("pins ed25519 by default while every sshd offers ed25519, ECDSA and RSA", () => {
    expect(knownHosts()).toMatch(new RegExp(`^${MASTER.replace(/\./g, "\\.")} ssh-ed25519 AAAA`));
    for (const type of ["ed25519", "ecdsa", "rsa"] as const) expect(fs.existsSync(hostKeyPub("zone0-server0", type))).toBe(true);
    const sshdConfig = fs.readFileSync(path.join(sandbox.dir, "frontends", "zone0-server0", "sshd_config"), "utf8");
    expect(sshdConfig.match(/^HostKey .*ssh_host_(\w+)_key$/gm)?.map((l) => l.replace(/.*ssh_host_(\w+)_key$/, "$1"))).toEqual(["ed25519", "ecdsa", "rsa"]);
  });

  it.each(["ecdsa", "rsa"] as const)("connects with %s-only pins: onefed check, a step's connector, and OpenSSH with the same file", async (type) => {
    refreshKnownHosts(sandbox.dir, type);
    expect(
      new Set(
        knownHosts()
          .trim()
          .split("\n")
          .map((l) => l.split(" ")[1]),
      ),
    ).toEqual(new Set([KEY_TYPE[type]]));

    const checked = await check();
    expect(checked).toMatchObject({ code: 0, output: expect.stringMatching(/frontend-reachable/) });
    expect(checked.output).not.toMatch(/host key/);
    expect(await loginToSlave()).toBe("onefed");
    const viaOpenSsh = execFileSync(
      "ssh",
      [
        "-i",
        path.join(sandbox.dir, "keys", "id_ed25519"),
        "-o",
        `UserKnownHostsFile=${path.join(sandbox.dir, "known_hosts")}`,
        "-o",
        "StrictHostKeyChecking=yes",
        "-o",
        "BatchMode=yes",
        `onefed@${SLAVE}`,
        "id -un",
      ],
      { encoding: "utf8" },
    );
    expect(viaOpenSsh.trim()).toBe("onefed");
  });

  it("connects with hashed ECDSA pins (ssh-keygen -H)", async () => {
    refreshKnownHosts(sandbox.dir, "ecdsa");
    execFileSync("ssh-keygen", ["-q", "-H", "-f", path.join(sandbox.dir, "known_hosts")], { stdio: "pipe" });
    expect(knownHosts()).not.toContain(SLAVE);
    expect(await loginToSlave()).toBe("onefed");
  });

  it.each(["ecdsa", "rsa", "ed25519"] as const)("refuses a changed %s key with its fingerprint before any command runs", async (type) => {
    refreshKnownHosts(sandbox.dir, type);
    await rekeyFrontend(sandbox.dir, "zone100-server0", type);
    const commandsBefore = sandbox.log("zone100-server0").length;
    const newKey = fingerprintOf(hostKeyPub("zone100-server0", type));

    const refusal = await loginToSlave().catch((e: Error) => e);
    expect(refusal).toBeInstanceOf(HostKeyError);
    expect((refusal as Error).message).toContain(
      `zone 100 (S-EU-GE), front-end ${SLAVE}:22 presented a host key that differs from the one pinned in ${path.join(sandbox.dir, "known_hosts")}; it presented ${KEY_TYPE[type]} key ${newKey}, expected ${KEY_TYPE[type]} key SHA256:`,
    );
    expect((refusal as Error).message).toMatch(/nothing was changed\.$/);

    const checked = await check();
    expect(checked.code).toBe(1);
    expect(checked.output).toContain(`it presented ${KEY_TYPE[type]} key ${newKey}`);
    expect(sandbox.log("zone100-server0")).toHaveLength(commandsBefore);
  });

  it("refuses a pinned type the front-end does not offer, naming both types", async () => {
    refreshKnownHosts(sandbox.dir);
    const p384 = path.join(sandbox.dir, "p384");
    execFileSync("ssh-keygen", ["-q", "-t", "ecdsa", "-b", "384", "-N", "", "-f", p384]);
    const pinned = fs.readFileSync(`${p384}.pub`, "utf8").split(" ").slice(0, 2).join(" ");
    fs.writeFileSync(
      path.join(sandbox.dir, "known_hosts"),
      knownHosts()
        .split("\n")
        .map((l) => (l.startsWith(`${SLAVE} `) ? `${SLAVE} ${pinned}` : l))
        .join("\n"),
    );
    const commandsBefore = sandbox.log("zone100-server0").length;

    const refusal = await loginToSlave().catch((e: Error) => e);
    expect((refusal as Error).message).toContain(
      `presented a host key of another type than the one pinned in ${path.join(sandbox.dir, "known_hosts")}: ` +
        `expected ecdsa-sha2-nistp384 key ${fingerprintOf(`${p384}.pub`)} (line 2), found ssh-ed25519 key ${fingerprintOf(hostKeyPub("zone100-server0", "ed25519"))}; ` +
        `the front-end offers no key of the pinned type.`,
    );
    expect(sandbox.log("zone100-server0")).toHaveLength(commandsBefore);
  });
});
