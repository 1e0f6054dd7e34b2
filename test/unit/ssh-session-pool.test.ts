/**
 * The warm runner's connection pool against a real sshd (a one-front-end sandbox): one connection
 * per machine shared by steps, a new one after the link dropped, at most `maxChannels` channels at
 * once, and a step's deadline or stop that closes only its own channels.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { loadConfig } from "../../lib/config/load-config";
import { FederationConfig } from "../../lib/model/federation";
import { Connector } from "../../lib/run/connector";
import { ChannelSlots } from "../../lib/remote/ssh/channel-slots";
import { Deadline } from "../../lib/remote/ssh/deadline";
import { DeadlineError } from "../../lib/remote/ssh/errors";
import { ExecScope, StepStoppedError } from "../../lib/remote/ssh/exec-scope";
import { SessionPool } from "../../lib/remote/ssh/session-pool";
import { sandboxDown, sandboxUp } from "../../sandbox";
import { describeAsRoot } from "../support/sandbox-fixture";

const tick = (ms = 10) => new Promise((r) => setTimeout(r, ms));

describe("channel slots", () => {
  it("grants at most `limit` at once, the rest in order as slots free; a release counts once", async () => {
    const slots = new ChannelSlots(2);
    const order: number[] = [];
    const releases = await Promise.all([slots.acquire(), slots.acquire()]);
    const waiting = [3, 4].map((n) => slots.acquire().then((release) => (order.push(n), release)));
    await tick();
    expect([slots.busy, slots.queued]).toEqual([2, 2]);
    releases[0]();
    releases[0]();
    await tick();
    expect(order).toEqual([3]);
    expect([slots.busy, slots.queued]).toEqual([2, 1]);
    releases[1]();
    (await Promise.all(waiting)).forEach((r) => r());
    expect(order).toEqual([3, 4]);
    expect(slots.busy).toBe(0);
  });
});

describeAsRoot("the pool over a real sshd", () => {
  let dir: string;
  let config: FederationConfig;
  const accepted = () => fs.readFileSync(path.join(dir, "frontends", "zone0-server0", "sshd.log"), "utf8").split("Accepted publickey").length - 1;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "onefed-pool-"));
    fs.chmodSync(dir, 0o755);
    await sandboxUp({ dir, addressBase: "127.0.212.1", slaves: 0 });
    config = loadConfig(path.join(dir, "federation.yaml"));
  }, 120_000);
  afterAll(async () => {
    await sandboxDown(dir);
    fs.rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  /** One step's connector over `pool`, and its scope. */
  function step(pool: SessionPool, seconds = 60) {
    const scope = new ExecScope(new Deadline(seconds));
    return { scope, connector: Connector.pooled(config, pool, scope, () => undefined) };
  }

  it("steps share one connection per machine: one handshake for several steps", async () => {
    const before = accepted();
    const pool = new SessionPool();
    const steps = [step(pool), step(pool), step(pool)];
    const fes = await Promise.all(steps.map((s) => s.connector.frontend(config.master, 0)));
    const versions = await Promise.all(fes.map((fe) => fe.packageVersion("opennebula")));
    expect(versions).toEqual(["6.10.0", "6.10.0", "6.10.0"]);
    expect(pool.handshakes).toBe(1);
    // The installed version is a fact (docs/round-trips.md): the three steps shared one read of it.
    expect(pool.factHits).toBe(2);
    await pool.close();
    expect(accepted() - before).toBe(1);
  }, 60_000);

  it("a dropped connection is opened again at the next command, with the same host-key check", async () => {
    const pool = new SessionPool();
    const { connector } = step(pool);
    const fe = await connector.frontend(config.master, 0);
    await fe.packageVersion("opennebula");
    const key = `${config.master.id}/${config.master.frontends[0].host}:${config.master.frontends[0].port}`;
    const session = await pool.get(key, () => Promise.reject(new Error("not asked")));
    // The link dies under it (a reset, keepalive unanswered).
    (session as unknown as { client: { destroy(): void } }).client.destroy();
    for (let i = 0; i < 100 && session.alive; i++) await tick();
    expect(session.alive).toBe(false);
    // A live read (the installed version would come from the pool's fact cache now: no command at all).
    expect(await fe.exists("/")).toBe(true);
    expect(pool.handshakes).toBe(2);
    await pool.close();
  }, 60_000);

  it("queues channels beyond maxChannels instead of opening them", async () => {
    const pool = new SessionPool();
    const scope = new ExecScope(new Deadline(60));
    const { connector } = step(pool);
    await connector.frontend(config.master, 0);
    const key = `${config.master.id}/${config.master.frontends[0].host}:${config.master.frontends[0].port}`;
    const session = await pool.get(key, () => Promise.reject(new Error("not asked")));
    const slots = (session as unknown as { slots: ChannelSlots }).slots;
    expect(slots.limit).toBe(8);
    let most = 0;
    const watch = setInterval(() => (most = Math.max(most, slots.busy)), 5);
    const started = Date.now();
    const results = await Promise.all(Array.from({ length: 12 }, () => session.exec("sleep 0.6; echo ok", undefined, undefined, scope)));
    clearInterval(watch);
    expect(results.map((r) => r.stdout.trim())).toEqual(Array(12).fill("ok"));
    expect(most).toBe(8);
    // Two rounds: 8, then 4.
    expect(Date.now() - started).toBeGreaterThanOrEqual(1200);
    await pool.close();
  }, 60_000);

  it("a step's stop and a step's deadline close only that step's channels; the connection serves the others", async () => {
    const pool = new SessionPool();
    const a = step(pool);
    const b = step(pool, 1);
    const other = step(pool);
    const [feA, feB, feOther] = await Promise.all([a, b, other].map((s) => s.connector.frontend(config.master, 0)));
    void feA;
    void feB;
    const key = `${config.master.id}/${config.master.frontends[0].host}:${config.master.frontends[0].port}`;
    const session = await pool.get(key, () => Promise.reject(new Error("not asked")));
    const stopped = session.exec("sleep 5", undefined, undefined, a.scope);
    const late = session.exec("sleep 5", undefined, undefined, b.scope);
    await tick(300);
    a.scope.stop("its `onefed step` (pid 1) went away: terraform stopped or was killed");
    await expect(stopped).rejects.toThrow(StepStoppedError);
    await expect(stopped).rejects.toThrow(/stopped at `sleep 5`: its `onefed step` \(pid 1\) went away/);
    await expect(session.exec("true", undefined, undefined, a.scope)).rejects.toThrow(StepStoppedError);
    await expect(late).rejects.toThrow(DeadlineError);
    expect(session.alive).toBe(true);
    expect(await feOther.packageVersion("opennebula")).toBe("6.10.0");
    expect(pool.handshakes).toBe(1);
    await pool.close();
  }, 60_000);

  it("a session of its own (onefed step without the runner) still closes the connection at its deadline, as before", async () => {
    const connector = Connector.overSsh(config, new Deadline(1), () => undefined);
    const fe = await connector.frontend(config.master, 0);
    await expect(fe.run({ argv: ["sleep", "5"] } as never)).rejects.toThrow(DeadlineError);
    await connector.close();
  }, 60_000);
});
