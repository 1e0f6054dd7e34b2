/**
 * Comments and docs cite OpenNebula facts as `docs/opennebula.md §5.4` or `§6 row 15`. This keeps
 * every such pointer resolvable: each cited section has a heading there, each cited §6 row a row,
 * and nothing points at the research notes or samples that used to live outside the repository.
 */
import * as fs from "fs";
import * as path from "path";

const ROOT = path.resolve(__dirname, "../..");
const DOC = "docs/opennebula.md";
const SCANNED = ["lib", "sandbox", "test", "docs", "bench", "bin", "main.ts", "README.md"];
const TEXT = /\.(ts|js|md|json|ya?ml)$|^onefed$/;

/** Spelled in pieces so this file does not match its own patterns. */
const FORBIDDEN: ReadonlyArray<[string, RegExp]> = [
  ["a path outside the repository", new RegExp(["\\.\\.", "shared"].join("/"))],
  ["a path outside the repository", new RegExp(["", "work", "shared"].join("/"))],
  ["the old research notes", new RegExp(["reference", "§"].join("\\s+"), "i")],
  ["the old research notes", new RegExp(["reference", "md"].join("\\."))],
];

/** `§4.4`, `§6 row 11`; a range `§1.2–§5.5` yields both ends. */
const POINTER = /§(\d+(?:\.\d+)*)(?:\s+rows?\s+(\d+))?/g;

interface Line {
  readonly file: string;
  readonly line: number;
  readonly text: string;
}

function filesUnder(rel: string): string[] {
  const abs = path.join(ROOT, rel);
  if (!fs.existsSync(abs)) return [];
  if (fs.statSync(abs).isFile()) return [rel];
  return fs.readdirSync(abs, { withFileTypes: true }).flatMap((e) => {
    const child = path.join(rel, e.name);
    if (e.isDirectory()) return e.name === "node_modules" ? [] : filesUnder(child);
    return TEXT.test(e.name) ? [child] : [];
  });
}

const lines: Line[] = SCANNED.flatMap(filesUnder).flatMap((file) =>
  fs
    .readFileSync(path.join(ROOT, file), "utf8")
    .split("\n")
    .map((text, i) => ({ file, line: i + 1, text })),
);

/** Section numbers of the `## §N` / `### §N.N` headings, and the row numbers of the §6 table. */
function sectionsOf(markdown: string): { sections: Set<string>; rows: Set<string> } {
  const sections = new Set<string>();
  const rows = new Set<string>();
  let current = "";
  for (const text of markdown.split("\n")) {
    const heading = /^#{2,4}\s+§(\d+(?:\.\d+)*)\s/.exec(text);
    if (heading) sections.add((current = heading[1]));
    const row = /^\|\s*(\d+)\s*\|/.exec(text);
    if (row && current === "6") rows.add(row[1]);
  }
  return { sections, rows };
}

const { sections, rows } = sectionsOf(fs.readFileSync(path.join(ROOT, DOC), "utf8"));
const where = (l: Line) => `${l.file}:${l.line}`;

describe(`pointers into ${DOC}`, () => {
  const pointers = lines.flatMap((l) => [...l.text.matchAll(POINTER)].map((m) => ({ at: where(l), section: m[1], row: m[2] })));

  it("finds the doc's sections and the comments that cite them", () => {
    expect(sections.size).toBeGreaterThan(20);
    expect(rows.size).toBe(20);
    expect(pointers.filter((p) => !p.at.startsWith(DOC)).length).toBeGreaterThan(50);
  });

  it("cites only sections that have a heading", () => {
    expect(pointers.filter((p) => !sections.has(p.section)).map((p) => `${p.at} §${p.section}`)).toEqual([]);
  });

  it("cites only §6 rows that exist", () => {
    expect(pointers.filter((p) => p.row !== undefined && !(p.section === "6" && rows.has(p.row))).map((p) => `${p.at} §${p.section} row ${p.row}`)).toEqual([]);
  });

  it("nothing refers to files outside the repository or to the old research notes", () => {
    const found = lines.flatMap((l) => FORBIDDEN.filter(([, re]) => re.test(l.text)).map(([what]) => `${where(l)}: ${what}: ${l.text.trim()}`));
    expect(found).toEqual([]);
  });
});
