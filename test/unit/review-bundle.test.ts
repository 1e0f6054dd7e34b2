/**
 * What `onefed apply --plan` verifies before applying: the bundle itself, and every way the world
 * can move under a reviewed plan (federation file, synthesized stack, state, engine, a second apply).
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { synthesize } from "../../lib/synth/synthesize";
import type { Engine } from "../../lib/terraform/engine/engine";
import { APPLIED_FILE, stateChangedSince, whatChangedSince } from "../../lib/terraform/review/apply-plan";
import { BUNDLE_FORMAT, readBundle, writeBundle, type ReviewBundle } from "../../lib/terraform/review/bundle";
import { StalePlanError, StateUnreadableError } from "../../lib/terraform/errors";
import { PlanBundleError } from "../../lib/terraform/review/errors";
import { sha256File, sha256Of } from "../../lib/terraform/review/fingerprint";
import { parseStateFingerprint, stateLocationOf } from "../../lib/terraform/state-fingerprint";
import { seedFederation } from "../support/federation-builder";

const made: string[] = [];
afterAll(() => made.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));
/** A temporary directory removed after the file's tests. */
const tempDir = (prefix: string): string => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(d);
  return d;
};
const engine = { kind: "terraform", version: "1.11.4", binary: "/usr/local/bin/terraform", env: {} } as unknown as Engine;

/** The seed federation with its own state file, beside the federation file. */
const workspaceFederation = seedFederation().with({ terraform: { stateFile: "./terraform.tfstate" } });

/** A federation directory with the seed file (own state file) and a bundle as `onefed plan` writes it. */
function workspace(): { dir: string; config: string; planDir: string; bundle: ReviewBundle } {
  const dir = tempDir("onefed-review-");
  const config = workspaceFederation.write(dir);
  const { stack, outdir } = synthesize({ configPath: config, outdir: path.join(dir, "cdktf.out") });
  const stackDir = path.join(outdir, "stacks", stack);
  const cdkText = fs.readFileSync(path.join(stackDir, "cdk.tf.json"), "utf8");
  const planDir = path.join(dir, "plan-review");
  fs.mkdirSync(planDir);
  fs.writeFileSync(path.join(planDir, "plan.tfplan"), "plan bytes");
  const bundle: ReviewBundle = {
    format: BUNDLE_FORMAT,
    createdAt: "2026-01-01T00:00:00.000Z",
    federation: { name: "seed", fromVersion: "6.10.0", toVersion: "7.0.0", configPath: config, configSha256: sha256File(config) },
    stack: { name: stack, dir: stackDir, cdkTfJsonSha256: sha256Of(cdkText) },
    state: { location: stateLocationOf(JSON.parse(cdkText), stackDir), exists: false },
    engine: { kind: "terraform", binary: "/usr/local/bin/terraform", version: "1.11.4" },
    plan: {
      file: "plan.tfplan",
      sha256: sha256File(path.join(planDir, "plan.tfplan")),
      parallelism: 10,
      counts: { create: 23, replace: 0, update: 0, delete: 0, read: 0, "no-op": 0 },
    },
    drift: { status: "skipped" },
  };
  writeBundle(planDir, bundle);
  return { dir, config, planDir, bundle };
}

describe("state fingerprints", () => {
  it("finds where the stack keeps its state, for every backend, naming no credential", () => {
    expect(stateLocationOf({ terraform: { backend: { local: { path: "/srv/s.tfstate" } } } }, "/x/stack")).toBe("/srv/s.tfstate");
    expect(stateLocationOf({ terraform: { backend: { local: { path: "../../s.tfstate" } } } }, "/x/out/stack")).toBe("/x/s.tfstate");
    expect(stateLocationOf({}, "/x/stack")).toBe("/x/stack/terraform.tfstate");
    expect(stateLocationOf({ terraform: { backend: { pg: { schema_name: "onefed_prod" } } } }, "/x/stack")).toBe("pg schema onefed_prod");
    expect(stateLocationOf({ terraform: { backend: { s3: { bucket: "b", key: "onefed/prod.tfstate" } } } }, "/x/stack")).toBe("s3://b/onefed/prod.tfstate");
    expect(stateLocationOf({ terraform: { backend: { http: { address: "https://state.example/prod" } } } }, "/x/stack")).toBe(
      "http https://state.example/prod",
    );
  });

  it("reads serial and lineage from `state pull`, says when there is no state, refuses a broken one", () => {
    expect(parseStateFingerprint("pg schema s", "")).toEqual({ location: "pg schema s", exists: false });
    // A remote backend's new workspace: serial 0, no lineage yet.
    expect(parseStateFingerprint("pg schema s", JSON.stringify({ version: 4, serial: 0, lineage: "" }))).toEqual({ location: "pg schema s", exists: false });
    expect(parseStateFingerprint("pg schema s", JSON.stringify({ version: 4, serial: 7, lineage: "3f2c" }))).toEqual({
      location: "pg schema s",
      exists: true,
      serial: 7,
      lineage: "3f2c",
    });
    expect(() => parseStateFingerprint("/x/terraform.tfstate", "{ half")).toThrow(StateUnreadableError);
  });
});

describe("readBundle", () => {
  it("reads what writeBundle wrote", () => {
    const { planDir, bundle } = workspace();
    expect(readBundle(planDir)).toEqual(bundle);
  });

  it.each([
    ["no bundle", (_d: string) => undefined, /no bundle.json/],
    ["another format", (d: string) => fs.writeFileSync(path.join(d, "bundle.json"), JSON.stringify({ format: 99 })), /has format 99/],
    [
      "missing fields",
      (d: string) => fs.writeFileSync(path.join(d, "bundle.json"), JSON.stringify({ format: BUNDLE_FORMAT, federation: {} })),
      /lacks federation.configPath, federation.configSha256, stack.dir/,
    ],
  ])("refuses %s", (_what, make, message) => {
    const d = tempDir("onefed-bundle-");
    make(d);
    expect(() => readBundle(d)).toThrow(PlanBundleError);
    expect(() => readBundle(d)).toThrow(message);
  });

  it("refuses a plan file outside the bundle directory", () => {
    const { planDir, bundle } = workspace();
    writeBundle(planDir, { ...bundle, plan: { ...bundle.plan, file: "../elsewhere.tfplan" } });
    expect(() => readBundle(planDir)).toThrow(/outside the directory/);
  });
});

describe("whatChangedSince", () => {
  it("finds nothing when nothing changed", () => {
    const { config, planDir, bundle } = workspace();
    expect(whatChangedSince(bundle, config, engine, planDir)).toEqual([]);
  });

  it("notices an edited federation file even when the stack stays the same", () => {
    const { config, planDir, bundle } = workspace();
    fs.appendFileSync(config, "# reviewed?\n");
    const changes = whatChangedSince(bundle, config, engine, planDir);
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatch(/the federation file .*federation.yaml changed \(sha256 [0-9a-f]{12}… at plan time, now [0-9a-f]{12}…\)/);
  });

  it("notices a federation file that now synthesizes another stack", () => {
    const { config, planDir, bundle } = workspace();
    workspaceFederation.withZone(101, { name: "S-US-NY" }).write(path.dirname(config));
    const changes = whatChangedSince(bundle, config, engine, planDir);
    expect(changes.join("\n")).toMatch(/the synthesized stack differs from the one planned \(cdk.tf.json sha256/);
  });

  it("notices a plan applied already", () => {
    const { config, planDir, bundle } = workspace();
    fs.writeFileSync(path.join(planDir, APPLIED_FILE), JSON.stringify({ appliedAt: "2026-01-02T00:00:00Z" }));
    expect(whatChangedSince(bundle, config, engine, planDir)).toEqual(["this plan was already applied (2026-01-02T00:00:00Z)"]);
  });

  it("notices a state written since the plan (as `state pull` reads it, whatever the backend)", () => {
    const { bundle } = workspace();
    const now = { location: bundle.state.location, exists: true, serial: 1, lineage: "abc" };
    expect(stateChangedSince(bundle, now)).toBe(`the state ${bundle.state.location} changed (no state yet at plan time, now serial 1, lineage abc)`);
    expect(stateChangedSince(bundle, bundle.state)).toBeUndefined();
  });

  it("notices another engine version", () => {
    const { config, planDir, bundle } = workspace();
    const changes = whatChangedSince(bundle, config, { ...engine, version: "1.12.0" } as Engine, planDir);
    expect(changes).toEqual(["the engine is now terraform 1.12.0, the plan was made with terraform 1.11.4"]);
  });

  it("words the refusal as one paragraph that says what to do", () => {
    const err = new StalePlanError("/ci/plan-review", ["the state changed (serial 3 at plan time, now serial 5)"]);
    expect(err.message).not.toContain("\n");
    expect(err.message).toMatch(
      /is stale and was not applied; no zone was touched\. Since it was reviewed, the state changed .*\. Run `onefed plan --out \/ci\/plan-review` again/,
    );
    expect(err.exitCode).toBe(4);
  });
});
