/**
 * terraform.backend: how the file's block resolves and is refused, the backend block each choice
 * synthesizes (credentials never in it), the engine environment that carries the credentials, and
 * the engine session's lock handling (-lock-timeout, the state lock's refusal as exit 5).
 */
import "cdktf/lib/testing/adapters/jest";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Testing } from "../../lib/synth/cdk";
import { FederationUpgrade } from "../../lib/synth/constructs/federation-upgrade";
import { ConfigError } from "../../lib/config/load-config";
import { ExitCode } from "../../lib/model/exit-codes";
import { describeError } from "../../lib/model/errors";
import { backendEnv, BackendEnvironmentError } from "../../lib/terraform/backend-env";
import { EngineSession } from "../../lib/terraform/engine-session";
import { EngineRunError, StateLockedError } from "../../lib/terraform/errors";
import { stateLocationOf } from "../../lib/terraform/state-fingerprint";
import type { FederationFile } from "../../lib/config/schema";
import { seedFederation } from "../support/federation-builder";
import { FakeEngine } from "../support/fake-engine";

type TerraformBlock = NonNullable<FederationFile["terraform"]>;
const runner = { command: ["/usr/bin/node", "/opt/onefed/dist/lib/cli/onefed.js"], configPath: "/etc/onefed/federation.yaml" };
const withTerraform = (terraform: TerraformBlock) => seedFederation().with({ backup: { localDirectory: "/var/lib/onefed/artifacts" }, terraform });
const CONN = "postgres://onefed:s3cr3t-pw@db.example:5432/onefed?sslmode=require";

/** The stack's synthesized JSON for a terraform block. */
function synth(terraform: TerraformBlock): { json: { terraform: { backend: Record<string, Record<string, unknown>> } }; text: string } {
  const app = Testing.app();
  const stack = new FederationUpgrade(app, "federation-seed", { config: withTerraform(terraform).parse(), runner });
  const text = Testing.synth(stack);
  return { json: JSON.parse(text), text };
}

/** The problems a file's load reports, or [] when it loads. */
function problems(terraform: unknown): string[] {
  try {
    seedFederation().set("terraform", terraform).parse();
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return [err.message];
    throw err;
  }
}

describe("terraform.backend in the federation file", () => {
  it("resolves each backend with its defaults", () => {
    expect(withTerraform({}).parse().terraform).toEqual({ backend: { kind: "local" }, lockTimeoutSeconds: 0 });
    expect(withTerraform({ stateFile: "/srv/onefed/prod.tfstate" }).parse().terraform.backend).toEqual({ kind: "local", path: "/srv/onefed/prod.tfstate" });
    expect(withTerraform({ backend: { local: { path: "/srv/s.tfstate" } }, lockTimeoutSeconds: 120 }).parse().terraform).toEqual({
      backend: { kind: "local", path: "/srv/s.tfstate" },
      lockTimeoutSeconds: 120,
    });
    expect(withTerraform({ backend: { pg: { connEnv: "ONEFED_PG_CONN" } } }).parse().terraform.backend).toEqual({
      kind: "pg",
      connEnv: "ONEFED_PG_CONN",
      schemaName: "onefed_seed",
      skipSchemaCreation: false,
    });
    expect(withTerraform({ backend: { s3: { bucket: "ops-state", region: "eu-west-1" } } }).parse().terraform.backend).toEqual({
      kind: "s3",
      bucket: "ops-state",
      key: "onefed/seed.tfstate",
      region: "eu-west-1",
      usePathStyle: false,
    });
    expect(withTerraform({ backend: { s3: { bucket: "ops-state", endpoint: "https://minio.example:9000" } } }).parse().terraform.backend).toMatchObject({
      usePathStyle: true,
    });
    expect(withTerraform({ backend: { http: { address: "https://state.example/prod" } } }).parse().terraform.backend).toEqual({
      kind: "http",
      address: "https://state.example/prod",
      lockAddress: "https://state.example/prod",
      unlockAddress: "https://state.example/prod",
    });
  });

  it.each<[string, unknown, RegExp]>([
    [
      "two backends",
      { backend: { pg: { connEnv: "PG" }, s3: { bucket: "ops-state" } } },
      /terraform\.backend: names pg and s3; the state lives in exactly one backend/,
    ],
    ["no backend named", { backend: {} }, /terraform\.backend: name one of local, pg, s3, http/],
    [
      "stateFile with a backend",
      { stateFile: "./s.tfstate", backend: { pg: { connEnv: "PG" } } },
      /terraform\.stateFile: set together with terraform\.backend \(pg\)/,
    ],
    ["a connection string in the file", { backend: { pg: { connEnv: "PG", connStr: CONN } } }, /terraform\.backend\.pg.*(additional|connStr)/i],
    ["a value instead of a variable name", { backend: { pg: { connEnv: CONN } } }, /terraform\.backend\.pg\.connEnv/],
    ["credentials in the http address", { backend: { http: { address: "https://user:pw@state.example/prod" } } }, /terraform\.backend\.http\.address/],
    ["an s3 secret key in the file", { backend: { s3: { bucket: "ops-state", secretKey: "x" } } }, /terraform\.backend\.s3/],
    ["a negative lock timeout", { lockTimeoutSeconds: -1 }, /terraform\.lockTimeoutSeconds/],
  ])("refuses %s", (_what, terraform, message) => {
    const found = problems(terraform);
    expect(found.join("\n")).toMatch(message);
    // A refused connection string is never quoted back.
    expect(found.join("\n")).not.toContain("s3cr3t-pw");
  });
});

describe("the synthesized backend block", () => {
  it.each<[string, TerraformBlock]>([
    ["local (stateFile)", { stateFile: "/srv/onefed/prod.tfstate" }],
    ["pg", { backend: { pg: { connEnv: "ONEFED_PG_CONN" } } }],
    ["pg with a DBA's schema", { backend: { pg: { connEnv: "ONEFED_PG_CONN", schemaName: "ops_state", skipSchemaCreation: true } } }],
    ["s3 (AWS)", { backend: { s3: { bucket: "ops-state", region: "eu-west-1" } } }],
    [
      "s3 (MinIO, DynamoDB-free)",
      { backend: { s3: { bucket: "ops-state", region: "us-east-1", endpoint: "https://minio.example:9000", key: "prod.tfstate" } } },
    ],
    ["s3 with a DynamoDB lock table", { backend: { s3: { bucket: "ops-state", region: "eu-west-1", dynamodbTable: "tf-locks" } } }],
    ["http", { backend: { http: { address: "https://state.example/prod", usernameEnv: "STATE_USER", passwordEnv: "STATE_TOKEN" } } }],
    [
      "http (GitLab)",
      {
        backend: {
          http: {
            address: "https://gitlab.example/api/v4/projects/7/terraform/state/prod",
            lockAddress: "https://gitlab.example/api/v4/projects/7/terraform/state/prod/lock",
            lockMethod: "POST",
            unlockMethod: "DELETE",
          },
        },
      },
    ],
  ])("%s", (_what, terraform) => {
    const { json, text } = synth(terraform);
    expect(json.terraform.backend).toMatchSnapshot();
    // Credentials and the variables' values never reach the JSON.
    for (const secret of ["conn_str", "password", "username", "secret_key", "access_key", "token"]) expect(text).not.toContain(`"${secret}"`);
  });

  it("never locks an S3 state by nothing: a lock object unless a DynamoDB table is named", () => {
    expect(synth({ backend: { s3: { bucket: "ops-state", region: "eu-west-1" } } }).json.terraform.backend.s3).toMatchObject({ use_lockfile: true });
    expect(synth({ backend: { s3: { bucket: "ops-state", region: "eu-west-1", dynamodbTable: "tf-locks" } } }).json.terraform.backend.s3).not.toHaveProperty(
      "use_lockfile",
    );
  });

  it("names where the state lives, as messages and the review show it", () => {
    const where = (t: TerraformBlock) => stateLocationOf(synth(t).json, "/x/cdktf.out/stacks/federation-seed");
    expect(where({ backend: { pg: { connEnv: "ONEFED_PG_CONN" } } })).toBe("pg schema onefed_seed");
    expect(where({ backend: { s3: { bucket: "ops-state", region: "eu-west-1" } } })).toBe("s3://ops-state/onefed/seed.tfstate");
    expect(where({ backend: { http: { address: "https://state.example/prod" } } })).toBe("http https://state.example/prod");
    expect(where({ stateFile: "/srv/onefed/prod.tfstate" })).toBe("/srv/onefed/prod.tfstate");
  });
});

describe("backendEnv", () => {
  it("hands the pg connection string to the engine as PG_CONN_STR and redacts it (and its password) everywhere", () => {
    const env = backendEnv({ kind: "pg", connEnv: "ONEFED_PG_CONN", schemaName: "onefed_seed", skipSchemaCreation: false }, { ONEFED_PG_CONN: CONN });
    expect(env).toEqual({ PG_CONN_STR: CONN });
    expect(describeError(new Error(`connect ${CONN} failed`))).not.toContain("s3cr3t-pw");
    expect(describeError(new Error("pq: password s3cr3t-pw rejected"))).not.toContain("s3cr3t-pw");
  });

  it("maps the http credentials' variables to TF_HTTP_USERNAME and TF_HTTP_PASSWORD, and adds nothing for local and s3", () => {
    const http = { kind: "http", address: "https://s/x", lockAddress: "https://s/x", unlockAddress: "https://s/x" } as const;
    expect(backendEnv({ ...http, usernameEnv: "U", passwordEnv: "P" }, { U: "ci", P: "tok-123" })).toEqual({
      TF_HTTP_USERNAME: "ci",
      TF_HTTP_PASSWORD: "tok-123",
    });
    expect(backendEnv(http, {})).toEqual({});
    expect(backendEnv({ kind: "local" }, { PG_CONN_STR: "x" })).toEqual({});
    expect(backendEnv({ kind: "s3", bucket: "b", key: "k", usePathStyle: false }, { AWS_SECRET_ACCESS_KEY: "aws-secret-1" })).toEqual({});
    expect(describeError(new Error("signature for aws-secret-1"))).not.toContain("aws-secret-1");
  });

  it("refuses a variable that is not set, as bad input (exit 2) naming the variable and never a value", () => {
    let err: unknown;
    try {
      backendEnv({ kind: "pg", connEnv: "ONEFED_PG_CONN", schemaName: "s", skipSchemaCreation: false }, { ONEFED_PG_CONN: "" });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(BackendEnvironmentError);
    expect(err).toMatchObject({ exitCode: ExitCode.Usage });
    expect((err as Error).message).toMatch(
      /^terraform\.backend\.pg\.connEnv names the environment variable ONEFED_PG_CONN, which is not set \(or empty\) here; .*Nothing was touched\.$/,
    );
  });
});

describe("EngineSession with a shared state", () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

  function session(script: ConstructorParameters<typeof FakeEngine>[1], lockTimeoutSeconds = 0): { fake: FakeEngine; session: EngineSession } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "onefed-backend-"));
    dirs.push(dir);
    const stackDir = path.join(dir, "stack");
    fs.mkdirSync(stackDir);
    fs.writeFileSync(path.join(stackDir, "cdk.tf.json"), JSON.stringify({ terraform: { backend: { pg: { schema_name: "onefed_seed" } } } }));
    const fake = new FakeEngine(dir, script);
    const terraform = {
      backend: { kind: "pg", connEnv: "ONEFED_TEST_PG_CONN", schemaName: "onefed_seed", skipSchemaCreation: false } as const,
      lockTimeoutSeconds,
    };
    process.env.ONEFED_TEST_PG_CONN = CONN;
    try {
      return { fake, session: new EngineSession({ engine: fake.engine, stackDir, configPath: "/etc/onefed/federation.yaml", terraform }) };
    } finally {
      delete process.env.ONEFED_TEST_PG_CONN;
    }
  }

  it("runs the engine with PG_CONN_STR, and waits for the state lock as long as the file says", async () => {
    const { fake, session: s } = session({}, 90);
    expect(s.env.PG_CONN_STR).toBe(CONN);
    await s.plan("/p/plan.tfplan", 10);
    await s.apply(10);
    await s.taint(["null_resource.zone_0_stop"]);
    expect(fake.calls().map((c) => c.args.filter((a) => a.startsWith("-lock-timeout")))).toEqual([
      ["-lock-timeout=90s"],
      ["-lock-timeout=90s"],
      ["-lock-timeout=90s"],
    ]);
    // Never on the command line, where `ps` would show it.
    expect(JSON.stringify(fake.calls())).not.toContain("s3cr3t-pw");
  });

  it("turns the engine's state-lock refusal into exit 5 naming the state, not a failed step", async () => {
    const lockError = ["Error: Error acquiring the state lock", "", "Error message: Workspace is already locked: default", "Lock Info:", "  ID: 1f0c"];
    const { session: s } = session({ apply: { stderr: lockError, exit: 1 }, plan: { stderr: lockError, exit: 1 } });
    const apply = await s.apply(10).catch((e: unknown) => e);
    expect(apply).toBeInstanceOf(StateLockedError);
    expect(apply).toMatchObject({ exitCode: ExitCode.Locked });
    expect((apply as Error).message).toMatch(
      /^terraform apply refused: the state at pg schema onefed_seed is locked by another run \(Workspace is already locked: default\), so nothing was applied\. /,
    );
    expect((apply as Error).message).not.toMatch(/frozen/);
    await expect(s.plan("/p/plan.tfplan", 10)).rejects.toBeInstanceOf(StateLockedError);
    await expect(s.applyPlan("/p/plan.tfplan", 10, "/p")).rejects.toBeInstanceOf(StateLockedError);
  });

  it("keeps any other failure an engine failure", async () => {
    const { session: s } = session({ apply: { stderr: ["Error: local-exec provisioner error"], exit: 1 } });
    await expect(s.apply(10)).rejects.toBeInstanceOf(EngineRunError);
  });

  /**
   * An engine whose `state push` stores `stored` (a remote backend's own lineage, or another runner's
   * state) and exits `pushExit`; `state pull` prints what is stored.
   */
  function remoteEngine(stored: string, pushExit: number): EngineSession {
    const { fake, session: s } = session({});
    const store = path.join(path.dirname(fake.engine.binary), "remote.json");
    const state = (lineage: string) => JSON.stringify({ version: 4, serial: 1, lineage });
    fs.writeFileSync(
      fake.engine.binary,
      [
        "#!/bin/sh",
        `if [ "$1 $2" = "state pull" ]; then cat ${store} 2>/dev/null || printf '%s' '${JSON.stringify({ version: 4, serial: 0, lineage: "" })}'; exit 0; fi`,
        `if [ "$1 $2" = "state push" ]; then printf '%s' '${state(stored)}' > ${store}; exit ${pushExit}; fi`,
        "exit 0",
      ].join("\n"),
      { mode: 0o755 },
    );
    return s;
  }

  it("takes the lineage the backend stored, not the one it pushed (a remote backend assigns its own)", async () => {
    await expect(remoteEngine("7a7a7a7a-0000-4000-8000-000000000001", 0).ensureLineage()).resolves.toBe("7a7a7a7a-0000-4000-8000-000000000001");
  });

  it("joins the lineage another runner pushed first when its own push is refused", async () => {
    await expect(remoteEngine("7a7a7a7a-0000-4000-8000-000000000002", 1).ensureLineage()).resolves.toBe("7a7a7a7a-0000-4000-8000-000000000002");
  });

  it("reads the state's fingerprint through the engine (state pull)", async () => {
    const { fake, session: s } = session({});
    expect(await s.stateFingerprint()).toEqual({ location: "pg schema onefed_seed", exists: false });
    expect(fake.calls().map((c) => c.args)).toEqual([["state", "pull"]]);
  });
});
