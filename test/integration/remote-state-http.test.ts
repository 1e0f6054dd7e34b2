/**
 * terraform's http backend with the real engine, against a minimal state server on loopback (GET /
 * POST the state, LOCK / UNLOCK, basic auth): the credentials reach the engine from the variables
 * the file names, the lineage and serial are read back through the engine, another holder's lock
 * refuses a plan with exit 5, and with terraform.lockTimeoutSeconds the plan waits for it instead.
 */
import * as fs from "fs";
import * as http from "http";
import * as os from "os";
import * as path from "path";
import { loadConfig } from "../../lib/config/load-config";
import { ExitCode } from "../../lib/model/exit-codes";
import { synthesize } from "../../lib/synth/synthesize";
import { ensureEngine } from "../../lib/terraform/engine/ensure-engine";
import { EngineSession } from "../../lib/terraform/engine-session";
import { StateLockedError } from "../../lib/terraform/errors";
import { NULL_PROVIDER_VERSION_ENV } from "../../lib/model/environment";
import { seedFederation } from "../support/federation-builder";

jest.setTimeout(120_000);

const USER = "ci-runner";
const TOKEN = "tok-7c1e9a-state";

/** The protocol terraform's http backend speaks, in memory, behind basic auth. */
class StateServer {
  state?: Buffer;
  lock?: { ID: string; Who: string; Operation: string };
  readonly authorizations = new Set<string>();
  private readonly server = http.createServer((req, res) => {
    const body: Buffer[] = [];
    req.on("data", (d: Buffer) => body.push(d));
    req.on("end", () => this.answer(req, Buffer.concat(body), res));
  });

  private answer(req: http.IncomingMessage, body: Buffer, res: http.ServerResponse): void {
    this.authorizations.add(req.headers.authorization ?? "none");
    if (req.headers.authorization !== `Basic ${Buffer.from(`${USER}:${TOKEN}`).toString("base64")}`) return void res.writeHead(401).end();
    const isLock = req.url?.startsWith("/state/prod/lock");
    if (req.method === "GET" && !isLock) return void (this.state ? res.writeHead(200).end(this.state) : res.writeHead(404).end());
    if (req.method === "POST" && !isLock) {
      this.state = body;
      return void res.writeHead(200).end();
    }
    if (req.method === "LOCK") {
      if (this.lock) return void res.writeHead(423, { "content-type": "application/json" }).end(JSON.stringify(this.lock));
      this.lock = JSON.parse(body.toString()) as StateServer["lock"];
      return void res.writeHead(200).end();
    }
    if (req.method === "UNLOCK") {
      this.lock = undefined;
      return void res.writeHead(200).end();
    }
    res.writeHead(405).end();
  }

  async listen(host: string): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, host, resolve));
    return `http://${host}:${(this.server.address() as { port: number }).port}/state/prod`;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

describe("state behind terraform's http backend", () => {
  const server = new StateServer();
  let dir: string;
  let stackDir: string;
  let configPath: string;
  let address: string;

  beforeAll(async () => {
    address = await server.listen("127.0.152.1");
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "onefed-http-state-"));
    configPath = seedFederation()
      .with({ terraform: { backend: { http: { address, lockAddress: `${address}/lock`, usernameEnv: "STATE_USER", passwordEnv: "STATE_TOKEN" } } } })
      .write(dir);
    const engine = await ensureEngine({ log: () => undefined });
    const { stack, outdir } = synthesize({ configPath, outdir: path.join(dir, "cdktf.out"), nullProviderVersion: engine.env[NULL_PROVIDER_VERSION_ENV] });
    stackDir = path.join(outdir, "stacks", stack);
    process.env.STATE_USER = USER;
    process.env.STATE_TOKEN = TOKEN;
  });
  afterAll(async () => {
    delete process.env.STATE_USER;
    delete process.env.STATE_TOKEN;
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function session(lockTimeoutSeconds = 0): Promise<EngineSession> {
    const config = loadConfig(configPath);
    return new EngineSession({
      engine: await ensureEngine({ log: () => undefined }),
      stackDir,
      configPath,
      terraform: { ...config.terraform, lockTimeoutSeconds },
    });
  }

  it("initializes with the credentials from the named variables and gives the state its lineage, read back through the engine", async () => {
    const s = await session();
    await s.init();
    const lineage = await s.ensureLineage();
    const stored = JSON.parse(server.state!.toString()) as { lineage: string; serial: number };
    expect(lineage).toBe(stored.lineage);
    expect(await s.stateFingerprint()).toEqual({ location: `http ${address}`, exists: true, serial: stored.serial, lineage });
    expect([...server.authorizations]).toEqual([`Basic ${Buffer.from(`${USER}:${TOKEN}`).toString("base64")}`]);
    expect(fs.readFileSync(path.join(stackDir, "cdk.tf.json"), "utf8")).not.toContain(TOKEN);
    expect(server.lock).toBeUndefined();
  });

  it("refuses a plan while another run holds the lock: exit 5, naming the state, nothing written", async () => {
    server.lock = { ID: "a1b2c3", Who: "ci@runner-2", Operation: "OperationTypeApply" };
    const before = server.state;
    const err = await (await session()).plan(path.join(dir, "plan.tfplan"), 10).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StateLockedError);
    expect(err).toMatchObject({ exitCode: ExitCode.Locked });
    expect((err as Error).message).toMatch(
      new RegExp(`^terraform plan refused: the state at http ${address} is locked by another run \\(HTTP remote state already locked: ID=a1b2c3\\)`),
    );
    expect((err as Error).message).not.toContain(TOKEN);
    expect(server.state).toBe(before);
    expect(fs.existsSync(path.join(dir, "plan.tfplan"))).toBe(false);
  });

  it("waits for the lock with terraform.lockTimeoutSeconds, then plans", async () => {
    server.lock = { ID: "a1b2c3", Who: "ci@runner-2", Operation: "OperationTypeApply" };
    setTimeout(() => (server.lock = undefined), 3000);
    const started = Date.now();
    await (await session(60)).plan(path.join(dir, "plan.tfplan"), 10);
    expect(Date.now() - started).toBeGreaterThanOrEqual(2500);
    expect(fs.existsSync(path.join(dir, "plan.tfplan"))).toBe(true);
    expect(server.lock).toBeUndefined();
  });
});
