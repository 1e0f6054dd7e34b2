/**
 * `rpm -q [--qf FORMAT] <pkg>…` and `rpm -qa [PATTERN]` over a RHEL-family machine's installed
 * packages, with rpm's "is not installed" line (on stdout) and its exit status (the number of
 * packages not found).
 */
import { EmulatorContext } from "./context";
import { err, out } from "./io";
import { releaseOfDeb } from "../catalog";

const DEFAULT_FORMAT = "%{NAME}-%{VERSION}-%{RELEASE}.%{ARCH}\\n";

function glob(pattern: string): RegExp {
  return new RegExp(
    `^${pattern
      .replace(/[.+^${}()|\\]/g, "\\$&")
      .replace(/\*/g, ".*")
      .replace(/\?/g, ".")}$`,
  );
}

/** The header tags the sandbox knows of an installed package ("6.10.0-1.el9" → VERSION 6.10.0, RELEASE 1.el9). */
function tags(name: string, full: string): Record<string, string> {
  const version = releaseOfDeb(full);
  const release = full.slice(version.length + 1);
  const arch = name.startsWith("python") ? "noarch" : "x86_64";
  return {
    NAME: name,
    VERSION: version,
    RELEASE: release,
    ARCH: arch,
    EPOCH: "(none)",
    NVRA: `${name}-${version}-${release}.${arch}`,
    NEVRA: `${name}-${version}-${release}.${arch}`,
  };
}

/** Expands rpm's %{TAG} / %-20{TAG} query format with its backslash escapes; undefined for an unknown tag. */
function render(format: string, values: Record<string, string>): { text: string } | { unknown: string } {
  let unknown: string | undefined;
  const text = format
    .replace(/%(-?\d+)?\{([^}]+)\}/g, (_, width: string | undefined, tag: string) => {
      const v = values[tag.toUpperCase()];
      if (v === undefined) unknown ??= tag;
      const w = width ? parseInt(width, 10) : 0;
      return w < 0 ? (v ?? "").padEnd(-w) : (v ?? "").padStart(w);
    })
    .replace(/\\(n|t|\\)/g, (_, c: string) => (c === "n" ? "\n" : c === "t" ? "\t" : "\\"));
  return unknown === undefined ? { text } : { unknown };
}

/** Emulated `rpm` (queries only). */
export function rpm(ctx: EmulatorContext, argv: string[]): number {
  let query = false;
  let all = false;
  let format = DEFAULT_FORMAT;
  const names: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "-q" || a === "--query") query = true;
    else if (a === "-qa" || a === "-aq") {
      query = true;
      all = true;
    } else if (a === "-a" || a === "--all") all = true;
    else if (a === "--qf" || a === "--queryformat") format = argv[++i] ?? "";
    else if (a.startsWith("--qf=") || a.startsWith("--queryformat=")) format = a.slice(a.indexOf("=") + 1);
    else if (a.startsWith("-")) {
      err(`rpm: ${a}: unknown option\n`);
      return 1;
    } else names.push(a);
  }
  if (!query) {
    err("rpm: no operation specified (the sandbox emulates rpm -q only)\n");
    return 1;
  }
  const installed = ctx.state().packages;
  const print = (name: string): number => {
    const r = render(format, tags(name, installed[name]));
    if ("unknown" in r) {
      err(`error: incorrect format: unknown tag: "${r.unknown}"\n`);
      return 1;
    }
    out(r.text);
    return 0;
  };
  if (all) {
    let rc = 0;
    const patterns = names.length > 0 ? names.map(glob) : [/.*/];
    for (const n of Object.keys(installed).sort()) if (patterns.some((p) => p.test(n))) rc = Math.max(rc, print(n));
    return rc;
  }
  if (names.length === 0) {
    err("rpm: no arguments given for query\n");
    return 1;
  }
  let missing = 0;
  for (const n of names) {
    if (installed[n] === undefined) {
      out(`package ${n} is not installed\n`);
      missing++;
    } else if (print(n) !== 0) return 1;
  }
  return Math.min(missing, 255);
}
