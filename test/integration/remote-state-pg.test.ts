/**
 * The state in a real PostgreSQL (terraform's pg backend), as a team with several CI runners keeps
 * it: a full upgrade from one checkout, a second deploy from a fresh checkout after the first was
 * deleted (a no-op), a reviewed plan whose stale check reads the state through the engine, and two
 * deploys from two checkouts at once (one refused with exit 5, nothing run twice).
 */
import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { holdCommand, releaseCommand, waitUntilHeld } from "../../sandbox";
import { readBundle } from "../../lib/terraform/review/bundle";
import { ensureEngine } from "../../lib/terraform/engine/ensure-engine";
import { engineEnv } from "../../lib/terraform/engine/engine-env";
import {
  changesSince,
  describeAsRoot,
  OnefedProcess,
  SandboxFixture,
  startOnefed,
  changeCounts,
  ONE_UPGRADE_OF_ONE_PLUS_TWO,
} from "../support/sandbox-fixture";
import { PostgresFixture } from "../support/postgres-fixture";

jest.setTimeout(900_000);

const MASTER = "zone0-server0";
const CONN_ENV = "ONEFED_PG_CONN";

let pg: PostgresFixture;
beforeAll(async () => {
  pg = await PostgresFixture.start("127.0.154.250");
});
afterAll(async () => pg?.stop());

/**
 * A fresh checkout on the automation host: the sandbox's federation file with absolute paths (so
 * that any checkout synthesizes the same stack) and its state in pg schema `schema`.
 */
function checkout(sandbox: SandboxFixture, schema: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "onefed-checkout-"));
  const text = fs
    .readFileSync(sandbox.configPath, "utf8")
    .replace(/: \.\//g, `: ${sandbox.dir}/`)
    .replace(/^terraform: .*$/m, `terraform: { backend: { pg: { connEnv: ${CONN_ENV}, schemaName: ${schema} } } }`);
  expect(text).toContain(`schemaName: ${schema}`);
  fs.writeFileSync(path.join(dir, "federation.yaml"), text);
  return dir;
}

/** `onefed ARGV` run in checkout `dir`, with the connection string in the named variable only. */
function onefed(dir: string, argv: readonly string[]): OnefedProcess {
  return startOnefed([...argv, "--config", path.join(dir, "federation.yaml")], dir, { [CONN_ENV]: pg.connectionString, PG_CONN_STR: "" });
}

/** Every file under `dir` that contains `needle`. */
function filesContaining(dir: string, needle: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true }).flatMap((e) => {
    if (!e.isFile()) return [];
    const file = path.join(e.parentPath, e.name);
    return fs.readFileSync(file).includes(needle) ? [file] : [];
  });
}

/** The pg backend's row for the default workspace: its serial and lineage as terraform wrote them. */
function pgState(schema: string): { serial: number; lineage: string } | undefined {
  const data = pg.sql(`SELECT data FROM ${schema}.states WHERE name = 'default'`);
  return data ? (JSON.parse(data) as { serial: number; lineage: string }) : undefined;
}

const succeeded = (r: { code: number | null; output: string }) => ({ code: r.code, tail: r.code === 0 ? "" : r.output.slice(-4000) });

describeAsRoot("state in PostgreSQL: a full upgrade, a fresh checkout, a reviewed plan", () => {
  let sandbox: SandboxFixture;
  const schema = "onefed_it_full";
  const checkouts: string[] = [];
  beforeAll(async () => {
    sandbox = await SandboxFixture.up("127.0.150.1");
  });
  afterAll(async () => {
    await sandbox?.down();
    for (const d of checkouts) fs.rmSync(d, { recursive: true, force: true });
  });

  it("upgrades every zone with the state in pg, never writing the connection string anywhere", async () => {
    const first = checkout(sandbox, schema);
    checkouts.push(first);
    const started = Date.now();
    const r = await onefed(first, ["deploy"]).finished(600_000);
    console.log(`pg: full deploy took ${Date.now() - started} ms`);
    expect(succeeded(r)).toEqual({ code: 0, tail: "" });
    expect(r.output).toMatch(/Apply complete! Resources: \d+ added, 0 changed, 0 destroyed/);
    const status = await sandbox.status();
    for (const z of status.zones)
      for (const fe of z.frontends) expect({ zone: z.id, pkg: fe.packageVersion, db: fe.db.shared }).toEqual({ zone: z.id, pkg: "7.0.0", db: "7.0.0" });

    // The state is in pg, nowhere on disk; its lineage is the one the ledger's run carries.
    const state = pgState(schema);
    expect(state).toMatchObject({ serial: expect.any(Number), lineage: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    expect(r.output).toContain(`(state lineage ${state!.lineage})`);
    expect(new Set(sandbox.ledger().entries.map((e) => e.lineage))).toEqual(new Set([state!.lineage]));
    expect(filesContaining(first, '"lineage"').filter((f) => !f.includes(`${path.sep}.terraform${path.sep}`))).toEqual([]);
    expect(fs.readdirSync(sandbox.dir).filter((f) => f.endsWith(".tfstate"))).toEqual([]);
    // The connection string (and its password) is in no file, output or front-end log.
    expect(r.output).not.toContain(pg.password);
    expect(filesContaining(first, pg.password)).toEqual([]);
    expect(filesContaining(sandbox.dir, pg.password)).toEqual([]);
    const cdk = fs.readFileSync(path.join(first, "cdktf.out", "stacks", "federation-sandbox", "cdk.tf.json"), "utf8");
    expect(JSON.parse(cdk).terraform.backend).toEqual({ pg: { schema_name: schema } });
  });

  it("survives the checkout being deleted: a deploy from a fresh checkout changes nothing", async () => {
    fs.rmSync(checkouts[0], { recursive: true, force: true });
    const serial = pgState(schema)!.serial;
    const before = sandbox.log().length;
    const fresh = checkout(sandbox, schema);
    checkouts.push(fresh);
    const r = await onefed(fresh, ["deploy"]).finished();
    expect(succeeded(r)).toEqual({ code: 0, tail: "" });
    expect(r.output).toMatch(/No changes\.|Apply complete! Resources: 0 added, 0 changed, 0 destroyed/);
    expect(changesSince(sandbox.log(), before)).toEqual([]);
    expect(pgState(schema)!.lineage).toBeDefined();
    expect(pgState(schema)!.serial).toBeGreaterThanOrEqual(serial);
  });

  it("plans and applies a reviewed plan whose stale check reads the pg state through the engine", async () => {
    const dir = checkouts[1];
    const planDir = path.join(dir, "plan-review");
    const plan = await onefed(dir, ["plan", "--no-check", "--out", planDir]).finished();
    expect(succeeded(plan)).toEqual({ code: 0, tail: "" });
    const state = pgState(schema)!;
    expect(readBundle(planDir).state).toEqual({ location: `pg schema ${schema}`, exists: true, serial: state.serial, lineage: state.lineage });
    expect(fs.readFileSync(path.join(planDir, "review.md"), "utf8")).not.toContain(pg.password);

    // Another runner moves the state on (a taint through the engine, as reconcile does): the plan is stale, exit 4.
    const stackDir = readBundle(planDir).stack.dir;
    const tainted = await engineRun(stackDir, ["taint", "null_resource.zone_0_verify"]);
    expect(tainted).toMatchObject({ code: 0 });
    const stale = await onefed(dir, ["apply", "--plan", planDir]).finished();
    expect({ code: stale.code }).toEqual({ code: 4 });
    expect(stale.output).toMatch(
      new RegExp(
        `the state pg schema ${schema} changed \\(serial ${state.serial}, lineage ${state.lineage} at plan time, now serial \\d+, lineage ${state.lineage}\\)`,
      ),
    );
    await engineRun(stackDir, ["untaint", "null_resource.zone_0_verify"]);
    const fresh = await onefed(dir, ["plan", "--no-check", "--out", planDir]).finished();
    expect(succeeded(fresh)).toEqual({ code: 0, tail: "" });
    const applied = await onefed(dir, ["apply", "--plan", planDir]).finished();
    expect(succeeded(applied)).toEqual({ code: 0, tail: "" });
    expect(applied.output).not.toContain(pg.password);
  });
});

/** terraform itself in a stack directory, as an operator runs it by hand against the pg state. */
async function engineRun(stackDir: string, args: readonly string[]): Promise<{ code: number | null; output: string }> {
  const engine = await ensureEngine({ log: () => undefined });
  return new Promise((resolve) =>
    execFile(engine.binary, [...args], { cwd: stackDir, env: { ...engineEnv(engine), PG_CONN_STR: pg.connectionString } }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, output: stdout + stderr }),
    ),
  );
}

describeAsRoot("two deploys against one pg state at once", () => {
  let sandbox: SandboxFixture;
  const schema = "onefed_it_race";
  const checkouts: string[] = [];
  beforeAll(async () => {
    sandbox = await SandboxFixture.up("127.0.151.1");
  });
  afterAll(async () => {
    await sandbox?.down();
    for (const d of checkouts) fs.rmSync(d, { recursive: true, force: true });
  });

  it("lets exactly one run: the other exits 5 (federation lock or state lock) and nothing runs twice", async () => {
    const [dirA, dirB] = [checkout(sandbox, schema), checkout(sandbox, schema)];
    checkouts.push(dirA, dirB);
    holdCommand(sandbox.dir, { frontend: MASTER, match: "onedb upgrade" });
    const a = onefed(dirA, ["deploy"]);
    const b = onefed(dirB, ["deploy"]);
    const first = await Promise.race([a.exited.then(() => "a" as const), b.exited.then(() => "b" as const)]);
    const [loser, winner, loserDir] = first === "a" ? [a, b, dirA] : [b, a, dirB];
    const lost = await loser.finished();
    expect({ code: lost.code, tail: lost.code === 5 ? "" : lost.output.slice(-4000) }).toEqual({ code: 5, tail: "" });
    expect(lost.output).toMatch(
      /(LockHeldError: deploy refused: the federation sandbox is being upgraded by another run|StateLockedError: terraform \S+ refused: the state at pg schema onefed_it_race is locked by another run)/,
    );
    expect(lost.output).not.toMatch(/\n\s+at .*:\d+:\d+\)?\n/);
    expect(lost.output).not.toContain(pg.password);
    console.log(`pg: the loser was refused: ${/(LockHeldError|StateLockedError): .*/.exec(lost.output)?.[0]}`);
    // The loser may be refused long before the winner reaches the upgrade.
    await waitUntilHeld(sandbox.dir, MASTER, { match: "onedb upgrade", timeoutMs: 300_000 });
    await releaseCommand(sandbox.dir, MASTER);
    const won = await winner.finished(600_000);
    expect(succeeded(won)).toEqual({ code: 0, tail: "" });

    // One state, one lineage, every change once: proven from the front-ends' own command logs.
    const log = sandbox.log();
    expect(changeCounts(log)).toEqual(ONE_UPGRADE_OF_ONE_PLUS_TWO);
    // Without a terminal every line starts with its UTC time (docs/events.md).
    const winnerRun = /^(?:\S+Z )?run (\S+) \(state lineage/m.exec(won.output)?.[1];
    const ledger = sandbox.ledger();
    expect(new Set(ledger.entries.map((e) => e.run_id))).toEqual(new Set([winnerRun]));
    expect(new Set(ledger.entries.map((e) => e.lineage))).toEqual(new Set([pgState(schema)!.lineage]));
    expect(ledger.lock).toBeUndefined();

    // And the loser, run again now, finds nothing to do.
    const before = sandbox.log().length;
    const again = await onefed(loserDir, ["deploy"]).finished();
    expect(succeeded(again)).toEqual({ code: 0, tail: "" });
    expect(changesSince(sandbox.log(), before)).toEqual([]);
  });
});
