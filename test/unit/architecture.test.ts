/**
 * The folder layout is the architecture (docs/architecture.md): imports only point down the flow,
 * synth never loads run-time code, the step process and the processes that live through an apply never
 * load cdktf, and nothing imports main.ts.
 */
import * as fs from "fs";
import * as path from "path";

const ROOT = path.resolve(__dirname, "../..");

const ARCHITECTURE_DOC = fs.readFileSync(path.join(ROOT, "docs/architecture.md"), "utf8");

/**
 * What each folder may import, besides itself, read from the table "What may import what" in
 * docs/architecture.md: the document is the rule, and this test holds the code to it.
 */
function allowedImports(doc: string): Record<string, readonly string[]> {
  const section = doc.split(/^## /m).find((s) => s.startsWith("What may import what"));
  if (!section) throw new Error('docs/architecture.md has no section "What may import what"');
  const rows = [...section.matchAll(/^\| `([^`]+)` \| (.+) \|$/gm)];
  const unit = (name: string) => (name === "main.ts" ? name : name.replace(/\/$/, ""));
  const units = rows.map((r) => unit(r[1]));
  return Object.fromEntries(
    rows.map((r) => {
      const words = r[2]
        .replace(/\([^)]*\)/g, "")
        .split(/,| and /)
        .map((w) => w.trim().replace(/`/g, ""))
        .filter(Boolean);
      const targets = words.flatMap((w) =>
        w === "everything" ? units : w === "nothing of ours" ? [] : [units.find((u) => u === unit(w) || u === `lib/${w}`) ?? `unknown: ${w}`],
      );
      return [unit(r[1]), targets.filter((t) => t !== unit(r[1]))];
    }),
  );
}

const ALLOWED = allowedImports(ARCHITECTURE_DOC);

function sources(dir: string): string[] {
  return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = path.join(dir, e.name);
    if (e.isDirectory()) return sources(rel);
    return e.name.endsWith(".ts") ? [rel] : [];
  });
}

/** The architectural unit of a repo-relative file: lib/<folder>, sandbox, or main.ts. */
function unitOf(file: string): string {
  const parts = file.split(path.sep);
  return parts[0] === "lib" ? `lib/${parts[1]}` : parts[0];
}

interface Edge {
  readonly from: string;
  readonly to: string;
  readonly fromUnit: string;
  readonly toUnit: string;
}

function importsOf(file: string): Edge[] {
  const text = fs.readFileSync(path.join(ROOT, file), "utf8");
  const specs = [...text.matchAll(/(?:from\s+|require\(|import\()\s*["'](\.{1,2}\/[^"']*)["']/g)].map((m) => m[1]);
  return specs.map((spec) => {
    const to = path.normalize(path.join(path.dirname(file), spec));
    const isFolder = fs.existsSync(path.join(ROOT, to)) && fs.statSync(path.join(ROOT, to)).isDirectory();
    return { from: file, to, fromUnit: unitOf(file), toUnit: unitOf(isFolder ? path.join(to, "index.ts") : `${to}.ts`) };
  });
}

const files = [...sources("lib"), ...sources("sandbox"), "main.ts"];
const edges = files.flatMap(importsOf);

describe("the import graph", () => {
  test("every folder imports only what docs/architecture.md allows", () => {
    const bad = edges.filter((e) => e.fromUnit !== e.toUnit && !(ALLOWED[e.fromUnit] ?? []).includes(e.toUnit)).map((e) => `${e.from} → ${e.to}`);
    expect(bad).toEqual([]);
  });

  test("every folder under lib/ is in the table", () => {
    const folders = fs.readdirSync(path.join(ROOT, "lib"), { withFileTypes: true }).filter((e) => e.isDirectory());
    expect(folders.map((e) => `lib/${e.name}`).filter((f) => !(f in ALLOWED))).toEqual([]);
  });

  test("has no cycle between folders", () => {
    const next = new Map<string, Set<string>>();
    for (const e of edges) if (e.fromUnit !== e.toUnit) next.set(e.fromUnit, (next.get(e.fromUnit) ?? new Set()).add(e.toUnit));
    const cycles: string[] = [];
    const visit = (unit: string, trail: string[]): void => {
      if (trail.includes(unit)) {
        cycles.push([...trail.slice(trail.indexOf(unit)), unit].join(" → "));
        return;
      }
      for (const n of next.get(unit) ?? []) visit(n, [...trail, unit]);
    };
    for (const unit of next.keys()) visit(unit, []);
    expect(cycles).toEqual([]);
  });

  test("nothing imports main.ts", () => {
    expect(edges.filter((e) => e.to === "main").map((e) => e.from)).toEqual([]);
  });

  test("the table in docs/architecture.md names only real folders", () => {
    expect(
      Object.values(ALLOWED)
        .flat()
        .filter((t) => t.startsWith("unknown")),
    ).toEqual([]);
    expect(Object.keys(ALLOWED).filter((unit) => !fs.existsSync(path.join(ROOT, unit)))).toEqual([]);
    expect(ALLOWED["lib/synth"]).not.toContain("lib/run");
  });
});

describe("what each process loads", () => {
  /** Modules a compiled entry point loads, through its static imports only. */
  function closure(entry: string): Set<string> {
    const seen = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const text = fs.readFileSync(path.join(ROOT, file), "utf8");
      for (const m of text.matchAll(/^import (?!type )[^;]*?from\s+["']([^"']+)["'];/gm)) {
        const spec = m[1];
        if (!spec.startsWith(".")) {
          seen.add(spec);
          continue;
        }
        const to = path.normalize(path.join(path.dirname(file), spec));
        visit(fs.existsSync(path.join(ROOT, `${to}.ts`)) ? `${to}.ts` : path.join(to, "index.ts"));
      }
    };
    visit(entry);
    return seen;
  }

  test("the step runner never loads cdktf, the engine or the sandbox", () => {
    const loaded = [...closure("lib/cli/step-command.ts")];
    expect(loaded.filter((m) => /^(cdktf|constructs|@cdktf\/)|^lib\/(synth|terraform)\/|^sandbox\//.test(m))).toEqual([]);
  });

  // They live beside terraform for a whole apply: cdktf and its construct tree would stay in their heap (lib/terraform/synth-in-child.ts).
  test.each(["lib/terraform/deploy.ts", "lib/terraform/review/apply-plan.ts", "lib/terraform/review/make-plan.ts", "lib/terraform/rehearse/rehearse.ts"])(
    "%s never loads cdktf: it synthesizes in a child process",
    (entry) => {
      const loaded = [...closure(entry)];
      expect(loaded.filter((m) => /^(cdktf|constructs|@cdktf\/)|^lib\/synth\/(synthesize|cdk)\.ts$|^lib\/synth\/constructs\//.test(m))).toEqual([]);
    },
  );

  test("the synth never loads ssh2 or the run-time steps", () => {
    const loaded = [...closure("lib/synth/synthesize.ts")];
    expect(loaded.filter((m) => /^ssh2$|^lib\/run\//.test(m))).toEqual([]);
  });
});
