/**
 * `dpkg-query -W [-f FORMAT] <pkg>…` and `dpkg-query -s <pkg>` over the front-end's installed
 * package table, with dpkg's messages and exit status.
 */
import { EmulatorContext } from "./context";
import { err, out } from "./io";

function glob(pattern: string): RegExp {
  return new RegExp(
    `^${pattern
      .replace(/[.+^${}()|\\]/g, "\\$&")
      .replace(/\*/g, ".*")
      .replace(/\?/g, ".")}$`,
  );
}

/** Expands dpkg's ${Field} format with its backslash escapes. */
function render(format: string, pkg: string, version: string): string {
  const fields: Record<string, string> = {
    Package: pkg,
    "binary:Package": pkg,
    Version: version,
    Status: "install ok installed",
    "db:Status-Abbrev": "ii ",
    Architecture: "amd64",
  };
  return format
    .replace(/\$\{([^}:;]+(?::[^};]+)?)(?:;-?\d+)?\}/g, (_, f: string) => fields[f] ?? "")
    .replace(/\\(n|t|\\)/g, (_, c: string) => (c === "n" ? "\n" : c === "t" ? "\t" : "\\"));
}

/** Emulated `dpkg-query`. */
export function dpkgQuery(ctx: EmulatorContext, argv: string[]): number {
  let mode: "show" | "status" | undefined;
  let format = "${binary:Package}\t${Version}\n";
  const patterns: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "-W" || a === "--show") mode = "show";
    else if (a === "-s" || a === "--status") mode = "status";
    else if (a === "-f" || a === "--showformat") format = argv[++i] ?? "";
    else if (a.startsWith("--showformat=")) format = a.slice("--showformat=".length);
    else if (a.startsWith("-f")) format = a.slice(2).replace(/^=/, "");
    else if (a.startsWith("-")) {
      err(`dpkg-query: error: unknown option ${a}\n\nUse --help for help about querying packages.\n`);
      return 2;
    } else patterns.push(a);
  }
  if (!mode) {
    err("dpkg-query: error: need an action option\n\nUse --help for help about querying packages.\n");
    return 2;
  }
  const installed = ctx.state().packages;
  let rc = 0;
  for (const p of patterns.length > 0 ? patterns : ["*"]) {
    const names = Object.keys(installed)
      .filter((n) => glob(p).test(n))
      .sort();
    if (names.length === 0) {
      err(
        mode === "status" ? `dpkg-query: package '${p}' is not installed and no information is available\n` : `dpkg-query: no packages found matching ${p}\n`,
      );
      rc = 1;
      continue;
    }
    for (const n of names) {
      if (mode === "show") out(render(format, n, installed[n]));
      else out(`Package: ${n}\nStatus: install ok installed\nPriority: optional\nSection: net\nArchitecture: amd64\nVersion: ${installed[n]}\n\n`);
    }
  }
  return rc;
}
