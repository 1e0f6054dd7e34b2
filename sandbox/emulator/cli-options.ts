/**
 * How the OpenNebula Ruby CLIs (onezone, onehost) read their command line: `--flag`, `--key value`
 * or `--key=value`, every other word an argument, and an unknown option the end of the command.
 */

/** The options one CLI knows, by every spelling. */
export interface OptionSpec {
  /** Options without a value → the name they set. */
  readonly flags: Readonly<Record<string, string>>;
  /** Options that take the next word (or `=value`) → the name it is kept under. */
  readonly values: Readonly<Record<string, string>>;
}

export interface ParsedOptions {
  /** Words that are not options, in order. */
  readonly args: string[];
  /** Names of the flags given. */
  readonly flags: Set<string>;
  /** Values by name; the last one given wins; `""` when the value was missing. */
  readonly values: Map<string, string>;
}

/** Parses `argv`; `{ invalid }` names the first unknown option (the CLI prints `invalid option:` and exits 255). */
export function parseCliOptions(argv: readonly string[], spec: OptionSpec): ParsedOptions | { readonly invalid: string } {
  const parsed: ParsedOptions = { args: [], flags: new Set(), values: new Map() };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const [flag, inline] = a.startsWith("--") && a.includes("=") ? [a.slice(0, a.indexOf("=")), a.slice(a.indexOf("=") + 1)] : [a, undefined];
    if (!flag.startsWith("-") || flag === "-") parsed.args.push(a);
    else if (flag in spec.flags) parsed.flags.add(spec.flags[flag]);
    else if (flag in spec.values) parsed.values.set(spec.values[flag], inline ?? argv[++i] ?? "");
    else return { invalid: a };
  }
  return parsed;
}

/** The output and client options both CLIs share. */
export const COMMON_OPTIONS: OptionSpec = {
  flags: { "--csv": "csv", "-x": "xml", "--xml": "xml", "-j": "json", "--json": "json", "--no-header": "no-header", "-v": "verbose", "--verbose": "verbose" },
  values: {
    "--endpoint": "endpoint",
    "--user": "user",
    "--password": "password",
    "-l": "list",
    "--list": "list",
    "--filter": "filter",
    "--operator": "operator",
    "--describe": "describe",
  },
};

/** The shared options as the commands read them. */
export interface CommonOptions {
  readonly csv: boolean;
  readonly xml: boolean;
  readonly json: boolean;
  readonly header: boolean;
  readonly verbose: boolean;
  readonly endpoint?: string;
}

export function commonOptions(p: ParsedOptions): CommonOptions {
  return {
    csv: p.flags.has("csv"),
    xml: p.flags.has("xml"),
    json: p.flags.has("json"),
    header: !p.flags.has("no-header"),
    verbose: p.flags.has("verbose"),
    endpoint: p.values.get("endpoint"),
  };
}
