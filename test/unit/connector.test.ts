/**
 * The Connector gives a step (and the drift check) its machines: each opened once, however many
 * callers ask at the same time, and every session closed by one close(), also one still connecting.
 * SSH itself is replaced by scripted sessions; the key and known_hosts are the fixture's real files.
 */
import * as fs from "fs";
import * as path from "path";
import { parseConfig } from "../../lib/config/load-config";
import { Connector } from "../../lib/run/connector";
import { buildStepContext } from "../../lib/run/step-context";
import { Deadline } from "../../lib/remote/ssh/deadline";
import { SshConnectOptions, SshSession } from "../../lib/remote/ssh/ssh-session";
import { FakeTransport, fakeFrontend } from "../support/fake-frontend";

const FIXTURE = path.resolve(__dirname, "../fixtures/federation.yaml");
const text =
  fs
    .readFileSync(FIXTURE, "utf8")
    .replace(
      "frontends: [ { host: 192.168.150.3 } ]",
      "frontends: [ { host: 192.168.150.3 }, { host: 192.168.150.31 } ], nodes: [ { name: kvm-ca-1, host: 192.168.150.41 } ]",
    ) + "hosts: { manage: true }\n";
const config = parseConfig(text, FIXTURE);
const [master, , ha] = config.zones;

/** Scripted SSH: each connect() waits for `release`, and every session records its close. */
function scriptSsh(fail: (target: string) => boolean = () => false) {
  const opened: string[] = [];
  const closed: string[] = [];
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  jest.spyOn(SshSession, "connect").mockImplementation(async (opts: SshConnectOptions) => {
    const target = `${opts.target.host}:${opts.target.port}`;
    opened.push(target);
    await released;
    if (fail(target)) throw new Error(`connect ${target} refused`);
    return { target: opts.target, close: () => closed.push(target) } as unknown as SshSession;
  });
  return { opened, closed, release };
}

afterEach(() => jest.restoreAllMocks());

describe("Connector over SSH", () => {
  it("opens each front-end (by zone and position) and each host (by host:port) once, also when asked at the same time", async () => {
    const ssh = scriptSsh();
    const connector = Connector.overSsh(config, new Deadline(60), () => undefined);
    const asked = [
      connector.frontend(ha, 0),
      connector.frontend(ha, 0),
      connector.frontend(ha, 1),
      connector.frontend(master, 0),
      connector.node(ha, ha.nodes[0]),
      connector.node(ha, ha.nodes[0]),
    ];
    ssh.release();
    const [a, b, c, d, n1, n2] = await Promise.all(asked);
    expect(a).toBe(b);
    expect(n1).toBe(n2);
    expect(new Set([a, c, d]).size).toBe(3);
    expect(a.target).toMatchObject({ host: "192.168.150.3", port: 22, zone: "zone 101 (S-US-CA)" });
    expect(n1.target).toMatchObject({ host: "192.168.150.41", zone: "zone 101 (S-US-CA) host kvm-ca-1" });
    expect(ssh.opened).toEqual(["192.168.150.3:22", "192.168.150.31:22", "192.168.150.1:22", "192.168.150.41:22"]);
    await connector.close();
    expect(ssh.closed.sort()).toEqual([...ssh.opened].sort());
  });

  it("closes a session still connecting when close() is called, and skips one that failed to open", async () => {
    const ssh = scriptSsh((t) => t === "192.168.150.31:22");
    const connector = Connector.overSsh(config, new Deadline(60), () => undefined);
    const first = connector.frontend(ha, 0);
    const second = connector.frontend(ha, 1);
    const closing = connector.close();
    ssh.release();
    await expect(second).rejects.toThrow("connect 192.168.150.31:22 refused");
    await first;
    await closing;
    expect(ssh.closed).toEqual(["192.168.150.3:22"]);
  });

  it("keeps the runner's message for a key gone since the file was checked, for every machine asked", async () => {
    const gone = path.join(path.dirname(FIXTURE), "no-such-key");
    // Each zone carries its login (the federation's ssh with its overrides): the key is gone for all of them.
    const missing = {
      ...config,
      ssh: { ...config.ssh, privateKeyPath: gone },
      zones: config.zones.map((z) => ({ ...z, ssh: { ...z.ssh, privateKeyPath: gone } })),
    };
    const connect = jest.spyOn(SshSession, "connect");
    const connector = Connector.overSsh(missing, new Deadline(60), () => undefined);
    await expect(connector.frontend(ha, 0)).rejects.toThrow(
      /^cannot read the SSH key or known_hosts file: ENOENT.*no-such-key.*\. Check ssh\.privateKeyPath and ssh\.knownHostsPath\.$/,
    );
    await expect(connector.frontend(ha, 1)).rejects.toThrow(/cannot read the SSH key/);
    expect(connect).not.toHaveBeenCalled();
    await connector.close();
  });
});

describe("a step context over scripted openers", () => {
  it("opens each machine once, like the runner's", async () => {
    const opens: string[] = [];
    const ctx = buildStepContext(config, master, "preflight", () => undefined, {
      frontend: async (z, i) => (opens.push(`${z.id}/${i}`), fakeFrontend(new FakeTransport([]))),
      node: async () => {
        throw new Error("no hosts here");
      },
    });
    const [a, b] = await Promise.all([ctx.serverOf(ha, 1), ctx.serverOf(ha, 1)]);
    expect(a).toBe(b);
    expect((await ctx.serversOf(ha))[1].frontend).toBe(a);
    expect(opens).toEqual(["101/1", "101/0"]);
  });
});
