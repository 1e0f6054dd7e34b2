/**
 * The pipeline examples (docs/pipelines.md) as files a team copies: the GitHub Actions workflow
 * passes actionlint, the GitLab pipeline passes a schema of GitLab's keywords and the cross-checks
 * a schema cannot express, both hand the federation file exactly the secrets it names, and the
 * GitLab note script updates its note in place instead of adding one per push.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import Ajv from "ajv";
import { parse } from "yaml";
import { loadConfig } from "../../lib/config/load-config";
import { findOnPath } from "../../lib/terraform/engine/engine-binary";
import { ACTIONLINT_VERSION, obtainActionlint, runActionlint } from "../support/actionlint";

const root = path.resolve(__dirname, "../..");
const examples = path.join(root, "examples");
const workflowFile = path.join(examples, "github-actions", "onefed.yml");
const gitlabFile = path.join(examples, "gitlab-ci", ".gitlab-ci.yml");
const fixtures = path.join(root, "test", "fixtures", "ci");

type Doc = Record<string, unknown>;
const read = (file: string): Doc => parse(fs.readFileSync(file, "utf8")) as Doc;

/** The problems GitLab would report that a schema cannot see: stages, needs, manual approval. */
function gitlabCrossCheck(doc: Doc): string[] {
  const problems: string[] = [];
  const stages = (doc.stages as string[] | undefined) ?? ["build", "test", "deploy"];
  const reserved = new Set(["workflow", "stages", "variables", "default", "include", "image", "services", "before_script", "after_script", "cache"]);
  const jobs = Object.entries(doc).filter(([name]) => !reserved.has(name) && !name.startsWith(".")) as [string, Doc][];
  const stageOf = new Map(jobs.map(([name, job]) => [name, (job.stage as string | undefined) ?? "test"]));
  for (const [name, job] of jobs) {
    const stage = stageOf.get(name)!;
    if (!stages.includes(stage)) problems.push(`${name}: stage ${stage} is not in stages`);
    for (const need of (job.needs as (string | { job: string })[] | undefined) ?? []) {
      const other = typeof need === "string" ? need : need.job;
      if (!stageOf.has(other)) problems.push(`${name}: needs ${other}, which is no job`);
      else if (stages.indexOf(stageOf.get(other)!) > stages.indexOf(stage)) problems.push(`${name}: needs ${other} of a later stage`);
    }
  }
  return problems;
}

describe("the GitLab CI example", () => {
  const ajv = new Ajv({ allErrors: true });
  const validate = ajv.compile(JSON.parse(fs.readFileSync(path.join(fixtures, "gitlab-ci.schema.json"), "utf8")) as object);
  const doc = read(gitlabFile);
  const jobs = doc as Record<string, Doc>;

  it("passes the schema of GitLab's keywords and the stage and needs cross-checks", () => {
    expect(validate(doc) ? [] : validate.errors).toEqual([]);
    expect(gitlabCrossCheck(doc)).toEqual([]);
  });

  it.each<[string, (d: Record<string, Doc>) => void, RegExp]>([
    ["a misspelt when", (d) => (d.apply.when = "manaul"), /should be equal to one of the allowed values/],
    ["an unknown job keyword", (d) => (d.plan.scripts = d.plan.script), /should NOT have additional properties/],
    ["an artifact path given as a string", (d) => (d.plan.artifacts = { paths: "plan-review/" }), /should be array/],
    ["a job without a script", (d) => delete d.check.script, /should have required property 'script'/],
  ])("rejects %s (the check can fail)", (_, mutate, message) => {
    const broken = structuredClone(doc) as Record<string, Doc>;
    mutate(broken);
    expect(validate(broken)).toBe(false);
    expect(ajv.errorsText(validate.errors)).toMatch(message);
  });

  it("refuses needs on an unknown job or a later stage", () => {
    const broken = structuredClone(doc) as Record<string, Doc>;
    broken.check.needs = ["plan", "nope"];
    expect(gitlabCrossCheck(broken)).toEqual(["check: needs plan of a later stage", "check: needs nope, which is no job"]);
  });

  it("runs check and plan, then apply --plan as a manual, blocking job on a protected environment, one at a time", () => {
    expect(doc.stages).toEqual(["check", "plan", "apply"]);
    expect(jobs.check.script).toEqual(["node dist/lib/cli/onefed.js check"]);
    expect(jobs.plan.script).toContain("node dist/lib/cli/onefed.js plan --out plan-review");
    expect(jobs.plan.artifacts).toMatchObject({ paths: ["plan-review/"] });
    expect(jobs.apply).toMatchObject({
      needs: ["check", "plan"],
      rules: [{ when: "manual" }],
      allow_failure: false,
      environment: { name: "federation-prod" },
      resource_group: jobs.plan.resource_group,
      script: ["node dist/lib/cli/onefed.js apply --plan plan-review"],
    });
    // The engine and null provider cache sits where GitLab can cache it, keyed by the pins.
    const vars = doc.variables as Doc;
    expect(vars.ONEFED_CACHE_DIR).toBe("$CI_PROJECT_DIR/.cache/onefed");
    expect((doc.default as Doc).cache).toEqual([{ key: { prefix: "onefed-engine", files: ["lib/terraform/engine/pins.ts"] }, paths: [".cache/onefed/"] }]);
  });
});

describe("the GitHub Actions example", () => {
  const doc = read(workflowFile);
  const jobs = doc.jobs as Record<string, Doc>;
  const obtained = obtainActionlint();
  if ("unavailable" in obtained) console.warn(`actionlint ${ACTIONLINT_VERSION} unavailable, the workflow is not linted: ${obtained.unavailable}`);
  const withActionlint = "binary" in obtained ? it : it.skip;

  withActionlint(`passes actionlint ${ACTIONLINT_VERSION}`, () => {
    const { binary } = obtained as { binary: string };
    // The runner label `onefed` is declared as actionlint expects self-hosted labels to be.
    const config = path.join(fixtures, "actionlint.yaml");
    expect(runActionlint(binary, workflowFile, config)).toEqual({ code: 0, output: "" });
    // And it finds a real mistake: the apply job needing a job that does not exist.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "onefed-actionlint-"));
    try {
      const copy = path.join(dir, "onefed.yml");
      fs.writeFileSync(copy, fs.readFileSync(workflowFile, "utf8").replace("needs: [check, plan]", "needs: [check, plan, review]"));
      const broken = runActionlint(binary, copy, config);
      expect(broken.code).toBe(1);
      expect(broken.output).toContain('job "apply" needs job "review" which does not exist');
      // With shellcheck on PATH (.ci/run installs it), the run: scripts are linted too.
      if (findOnPath("shellcheck", process.env.PATH)) {
        fs.writeFileSync(copy, fs.readFileSync(workflowFile, "utf8").replace('} > "$body"', "} > $body"));
        expect(runActionlint(binary, copy, config).output).toContain("SC2086");
      } else console.warn("shellcheck is not on PATH: actionlint did not lint the workflow's shell scripts");
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("plans with a pull-request comment, and applies the reviewed plan after the environment's approval", () => {
    expect(Object.keys(jobs)).toEqual(["check", "plan", "apply"]);
    expect(doc.permissions).toEqual({});
    expect(jobs.plan.permissions).toEqual({ contents: "read", "pull-requests": "write" });
    expect(jobs.apply).toMatchObject({ needs: ["check", "plan"], environment: "federation-prod", permissions: { contents: "read" } });
    const runs = (job: string) => (jobs[job].steps as Doc[]).map((s) => String(s.run ?? ""));
    expect(runs("check")).toContain("node dist/lib/cli/onefed.js check");
    expect(runs("plan")).toContain("node dist/lib/cli/onefed.js plan --out plan-review");
    expect(runs("apply")).toContain("node dist/lib/cli/onefed.js apply --plan plan-review");
    // The comment is found by its marker and edited (PATCH) when it exists.
    expect(runs("plan").join("\n")).toMatch(/startswith\(\\"\$MARKER\\"\)[\s\S]*--method PATCH "repos\/\$GITHUB_REPOSITORY\/issues\/comments\/\$id"/);
  });
});

describe("both examples and the federation file they assume", () => {
  const federation = path.join(examples, "federation.yaml");
  const secretScript = (text: string) => ({
    umask: /umask 077/.test(text),
    key: /> \.onefed\/secrets\/id_ed25519/.test(text),
    knownHosts: /> \.onefed\/secrets\/known_hosts/.test(text),
    chmod: /chmod 600 \.onefed\/secrets\/id_ed25519 \.onefed\/secrets\/known_hosts/.test(text),
    removed: /rm -rf \.onefed\/secrets/.test(text),
  });

  it("is a valid federation file once the job wrote its secrets, choosing tofu and reading the password from ONEFED_DB_PASSWORD", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "onefed-pipeline-"));
    try {
      fs.copyFileSync(federation, path.join(dir, "federation.yaml"));
      fs.mkdirSync(path.join(dir, ".onefed", "secrets"), { recursive: true });
      for (const f of ["id_ed25519", "known_hosts"]) fs.writeFileSync(path.join(dir, ".onefed", "secrets", f), "x\n", { mode: 0o600 });
      const config = loadConfig(path.join(dir, "federation.yaml"));
      expect(config.engine).toBe("tofu");
      expect(config.database.passwordEnv).toBe("ONEFED_DB_PASSWORD");
      expect(config.ssh.privateKeyPath).toBe(path.join(dir, ".onefed", "secrets", "id_ed25519"));
      expect(config.terraform.backend).toEqual({ kind: "local", path: "/var/lib/onefed/prod.tfstate" });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("GitHub: every job writes the key and known_hosts 0600 where the file reads them, removes them, and passes the DB password", () => {
    const jobs = read(workflowFile).jobs as Record<string, Doc>;
    for (const [name, job] of Object.entries(jobs)) {
      const steps = job.steps as Doc[];
      expect({ name, ...secretScript(steps.map((s) => String(s.run ?? "")).join("\n")) }).toEqual({
        name,
        umask: true,
        key: true,
        knownHosts: true,
        chmod: true,
        removed: true,
      });
      expect(steps.find((s) => s.run === "rm -rf .onefed/secrets")?.if).toBe("always()");
      expect((job.env as Doc).ONEFED_DB_PASSWORD).toBe("${{ secrets.ONEFED_DB_PASSWORD }}");
      const writer = steps.find((s) => /umask 077/.test(String(s.run)))!;
      expect(writer.env).toEqual({ SSH_KEY: "${{ secrets.ONEFED_SSH_KEY }}", KNOWN_HOSTS: "${{ vars.ONEFED_KNOWN_HOSTS }}" });
    }
  });

  it("GitLab: every job writes the key and known_hosts 0600 where the file reads them and removes them after", () => {
    const d = read(gitlabFile).default as Doc;
    expect(secretScript([...(d.before_script as string[]), ...(d.after_script as string[])].join("\n"))).toEqual({
      umask: true,
      key: true,
      knownHosts: true,
      chmod: true,
      removed: true,
    });
  });

  it("GitLab: the note script posts the review once, then updates that note in place", () => {
    const plan = (read(gitlabFile) as Record<string, Doc>).plan;
    const noteScript = (plan.script as string[]).find((s) => s.includes("CI_MERGE_REQUEST_IID"))!;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "onefed-gitlab-note-"));
    try {
      // A stand-in for curl that serves the notes listing from notes.json and records every call.
      const bin = path.join(dir, "bin");
      fs.mkdirSync(bin);
      fs.writeFileSync(
        path.join(bin, "curl"),
        `#!/bin/sh\nprintf '%s\\n' "$*" >> "${dir}/calls"\nfor a in "$@"; do case "$a" in *'/notes?'*) cat "${dir}/notes.json";; esac; done\n`,
        { mode: 0o755 },
      );
      fs.mkdirSync(path.join(dir, "plan-review"));
      fs.mkdirSync(path.join(dir, ".onefed"));
      fs.writeFileSync(path.join(dir, "plan-review", "review.md"), "# the review\n");
      const env = {
        PATH: `${bin}:${process.env.PATH}`,
        CI_API_V4_URL: "https://gitlab.example/api/v4",
        CI_PROJECT_ID: "7",
        CI_MERGE_REQUEST_IID: "12",
        ONEFED_GITLAB_TOKEN: "glpat-test",
      };
      const run = (notes: unknown[]): string[] => {
        fs.writeFileSync(path.join(dir, "notes.json"), JSON.stringify(notes));
        fs.rmSync(path.join(dir, "calls"), { force: true });
        const r = spawnSync("sh", ["-ec", noteScript], { cwd: dir, env, encoding: "utf8" });
        expect(r.stderr).toBe("");
        expect(r.status).toBe(0);
        return fs.readFileSync(path.join(dir, "calls"), "utf8").trim().split("\n");
      };
      const notes = "https://gitlab.example/api/v4/projects/7/merge_requests/12/notes";
      const first = run([{ id: 3, body: "LGTM" }]);
      expect(first[1]).toMatch(new RegExp(`--request POST .*--data @\\.onefed/review-note\\.json ${notes}$`));
      const body = JSON.parse(fs.readFileSync(path.join(dir, ".onefed", "review-note.json"), "utf8")) as { body: string };
      expect(body.body).toBe("<!-- onefed plan review: federation.yaml -->\n\n# the review\n");
      const again = run([
        { id: 3, body: "LGTM" },
        { id: 41, body: body.body },
      ]);
      expect(again[1]).toMatch(new RegExp(`--request PUT .* ${notes}/41$`));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
