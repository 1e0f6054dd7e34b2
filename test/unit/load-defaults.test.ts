/**
 * Safe under load (docs/round-trips.md): the default -parallelism is capped per CPU, and an SSH
 * connect that timed out (nothing ran yet) is tried again while the deadline allows; a refused one is not.
 */
import * as net from "net";
import { defaultParallelism } from "../../lib/terraform/deploy";
import { CONNECT_RETRY_BACKOFF_MS, SshSession } from "../../lib/remote/ssh/ssh-session";
import { SshConnectError } from "../../lib/remote/ssh/errors";
import { Deadline } from "../../lib/remote/ssh/deadline";

describe("default parallelism", () => {
  it.each([
    [3, 2, 10],
    [18, 2, 16],
    [66, 2, 16],
    [66, 8, 64],
    [66, 16, 68],
    [5, 1, 10],
  ])("%i zones on %i CPUs: %i", (zones, cpus, expected) => {
    expect(defaultParallelism(zones, cpus)).toBe(expected);
  });

  // A warm-runner step is a shell and two cats on the runner's shared connections: 16 per CPU.
  it.each([
    [3, 2, 10],
    [17, 2, 19],
    [66, 2, 32],
    [66, 4, 64],
    [5, 1, 10],
  ])("%i zones on %i CPUs with the warm runner: %i", (zones, cpus, expected) => {
    expect(defaultParallelism(zones, cpus, "warm")).toBe(expected);
    expect(defaultParallelism(zones, cpus, "warm")).toBeGreaterThanOrEqual(defaultParallelism(zones, cpus, "process"));
  });
});

describe("SSH connect timeout", () => {
  const connectTo = (port: number, deadlineSeconds: number) =>
    SshSession.connect({
      target: { host: "127.0.218.1", port, zone: "zone 0" },
      credentials: { user: "oneadmin", offered: "nothing" },
      knownHosts: [],
      knownHostsPath: "/dev/null",
      connectTimeoutSeconds: 1,
      keepaliveIntervalSeconds: 10,
      deadline: new Deadline(deadlineSeconds),
    });

  it("tries again after a handshake timeout while the deadline allows, then fails with the timeout", async () => {
    // Accepts TCP and never says a word: the handshake times out.
    const sockets: net.Socket[] = [];
    const server = net.createServer((s) => sockets.push(s));
    await new Promise<void>((r) => server.listen(0, "127.0.218.1", r));
    const port = (server.address() as net.AddressInfo).port;
    try {
      const started = Date.now();
      const err = await connectTo(port, 60).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SshConnectError);
      expect((err as SshConnectError).timedOut).toBe(true);
      expect(sockets).toHaveLength(1 + CONNECT_RETRY_BACKOFF_MS.length);
      expect(Date.now() - started).toBeGreaterThanOrEqual(CONNECT_RETRY_BACKOFF_MS.reduce((a, b) => a + b, 0));
      // A deadline without room for another full attempt gets none.
      sockets.length = 0;
      await expect(connectTo(port, 1.5)).rejects.toBeInstanceOf(SshConnectError);
      expect(sockets).toHaveLength(1);
    } finally {
      sockets.forEach((s) => s.destroy());
      server.close();
    }
  }, 60_000);

  it("does not try again when the connection is refused", async () => {
    const server = net.createServer();
    await new Promise<void>((r) => server.listen(0, "127.0.218.1", r));
    const port = (server.address() as net.AddressInfo).port;
    await new Promise<void>((r) => server.close(() => r()));
    const started = Date.now();
    const err = await connectTo(port, 60).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SshConnectError);
    expect((err as SshConnectError).timedOut).toBe(false);
    expect(Date.now() - started).toBeLessThan(CONNECT_RETRY_BACKOFF_MS[0]);
  });
});
