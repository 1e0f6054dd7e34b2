/**
 * One declaration per command (its options, positional arguments, help sections and exit codes)
 * is both its parser and its `--help`, so the two cannot disagree. Parsing is Node's
 * `util.parseArgs` in strict mode; this module words its refusals the way help names things and
 * turns the text given into typed values. Kept light: `onefed step`, on every resource's hot path,
 * loads it.
 */
import { parseArgs } from "util";
import { UsageError } from "../model/errors";
import { EXIT_CODE_TABLE, ExitCode } from "../model/exit-codes";
import { BadValue, Option } from "./options";

/** Where a command writes what it has to say; one call per block, the newline is added. */
export type Output = (text: string) => void;

export type Options = Readonly<Record<string, Option<unknown>>>;

/** The typed values of declared options (or positionals), by name. */
export type Values<O extends Options> = { readonly [K in keyof O]: O[K] extends Option<infer T> ? T : never };

export interface CommandSpec<O extends Options, P extends Options> {
  /** As typed, e.g. `onefed sandbox up`. */
  readonly name: string;
  /** What it does, in one line: lists of commands show it. */
  readonly summary: string;
  /** What it does, as help's first paragraphs. */
  readonly description: string;
  /** Positional arguments, in order (help shows them as `<name>`). @default none: any is a usage error */
  readonly positionals?: P;
  /** Options, in the order help lists them (`-h`/`--help` is added). */
  readonly options: O;
  /** More help between the description and the options, e.g. the steps a command knows. @default none */
  readonly sections?: ReadonlyArray<{ readonly title: string; readonly body: string }>;
  /** What it can end with besides done (0) and a usage error (2), which every command can. @default none */
  readonly exitCodes?: readonly ExitCode[];
}

/** A command ready to run: its help, its parser and its action, from one declaration. */
export interface Command<A> {
  readonly name: string;
  readonly summary: string;
  readonly help: string;
  /** The typed arguments, or "help" when `-h`/`--help` is anywhere in argv; bad input throws UsageError. */
  parse(argv: readonly string[]): A | "help";
  /** Prints help and returns 0 without doing anything else, or parses and acts; resolves to the exit code. */
  run(argv: readonly string[], out: Output): Promise<number>;
}

const HELP_FLAGS: readonly string[] = ["-h", "--help"];
const WIDTH = 100;

export function defineCommand<O extends Options, P extends Options = Record<never, never>>(
  spec: CommandSpec<O, P>,
  action: (args: Values<P> & Values<O>, out: Output) => Promise<number>,
): Command<Values<P> & Values<O>> {
  const positionals: Options = spec.positionals ?? {};
  const clash = Object.keys(positionals).find((name) => name in spec.options);
  if (clash) throw new Error(`${spec.name}: "${clash}" is declared both as an option and as a positional argument`);
  const help = renderHelp(spec);
  const parse = (argv: readonly string[]) =>
    argv.some((a) => HELP_FLAGS.includes(a)) ? ("help" as const) : (parseValues(spec, argv) as Values<P> & Values<O>);
  return {
    name: spec.name,
    summary: spec.summary,
    help,
    parse,
    async run(argv, out) {
      const args = parse(argv);
      if (args === "help") {
        out(help);
        return ExitCode.Done;
      }
      return action(args, out);
    },
  };
}

/** A usage error that names the offending argument and points at the command's help. */
export function usageError(command: string, problem: string): UsageError {
  return new UsageError(`${command}: ${problem} (see ${command} --help)`);
}

function parseValues(spec: CommandSpec<Options, Options>, argv: readonly string[]): Record<string, unknown> {
  const positionals = Object.entries(spec.positionals ?? {});
  const config = {
    args: [...argv],
    options: Object.fromEntries(Object.entries(spec.options).map(([name, o]) => [name, o.short ? { type: o.type, short: o.short } : { type: o.type }])),
    allowPositionals: positionals.length > 0,
  };
  let parsed: { values: Record<string, string | boolean | undefined>; positionals: string[] };
  try {
    parsed = parseArgs({ ...config, strict: true }) as typeof parsed;
  } catch (err) {
    throw usageError(spec.name, refusal(config, spec.options, err));
  }
  const extra = parsed.positionals[positionals.length];
  if (extra !== undefined) throw usageError(spec.name, `unexpected argument ${JSON.stringify(extra)}`);
  const values: Record<string, unknown> = {};
  positionals.forEach(([name, p], i) => (values[name] = convert(spec.name, `<${name}>`, `<${name}>`, p, parsed.positionals[i])));
  for (const [name, o] of Object.entries(spec.options)) values[name] = convert(spec.name, `--${name}`, optionWord(name, o), o, parsed.values[name]);
  return values;
}

/** The typed value of one argument; `label` names it in a refusal, `word` as usage shows it. */
function convert(command: string, label: string, word: string, option: Option<unknown>, given: string | boolean | undefined): unknown {
  if (given === undefined && option.required) throw usageError(command, `${word} is required`);
  try {
    return option.convert(given);
  } catch (err) {
    if (err instanceof BadValue) throw usageError(command, `${label} ${err.message} (got ${JSON.stringify(given)})`);
    throw err;
  }
}

/**
 * Why strict parsing refused argv, naming the argument as typed: util.parseArgs says it in its own
 * words, and a lenient pass over the same argv shows which token it meant.
 */
function refusal(
  config: { args: string[]; options: Record<string, { type: "string" | "boolean" }>; allowPositionals: boolean },
  options: Options,
  err: unknown,
): string {
  const { tokens } = parseArgs({ ...config, strict: false, allowPositionals: true, tokens: true });
  for (const t of tokens) {
    if (t.kind === "positional" && !config.allowPositionals) return `unexpected argument ${JSON.stringify(t.value)}`;
    if (t.kind !== "option") continue;
    const option = options[t.name];
    if (!option) return `unknown option ${t.rawName}`;
    if (option.type === "boolean" && t.value !== undefined) return `${t.rawName} takes no value`;
    if (option.type === "string" && t.value === undefined) return `${t.rawName} needs a value`;
    if (option.type === "string" && !t.inlineValue && t.value?.startsWith("-"))
      return `${t.rawName} needs a value (for one that starts with "-", write ${t.rawName}=${t.value})`;
  }
  return String((err as Error).message).split("\n")[0];
}

/** `Exit codes:` with the meaning of each code from the one table (exit-codes.ts). */
export function renderExitCodes(codes: readonly ExitCode[]): string {
  return EXIT_CODE_TABLE.filter((row) => codes.includes(row.code))
    .map((row) => `  ${row.code}  ${row.meaning}`)
    .join("\n");
}

/** Two columns: names padded to the widest (up to 24 characters), help lines indented under their first. */
export function renderRows(rows: ReadonlyArray<readonly [string, string]>): string {
  const width = Math.min(24, Math.max(...rows.map(([name]) => name.length)));
  const indent = " ".repeat(width + 4);
  return rows
    .map(([name, help]) => {
      const lines = help.split("\n");
      const first = name.length > width ? `  ${name}\n${indent}${lines[0]}` : `  ${name.padEnd(width)}  ${lines[0]}`;
      return [first, ...lines.slice(1).map((l) => indent + l)].join("\n");
    })
    .join("\n");
}

/** An option as usage and help show it: `--config FILE`, `--json`. */
function optionWord(name: string, o: Option<unknown>): string {
  return `--${name}${o.valueName ? ` ${o.valueName}` : ""}`;
}

function usageLine(spec: CommandSpec<Options, Options>): string {
  const words = [
    ...Object.entries(spec.positionals ?? {}).map(([name, p]) => (p.required ? `<${name}>` : `[<${name}>]`)),
    ...Object.entries(spec.options).map(([name, o]) => (o.required ? optionWord(name, o) : `[${optionWord(name, o)}]`)),
  ];
  const head = `Usage: ${spec.name}`;
  const lines = [head];
  for (const w of words) {
    if (lines[lines.length - 1].length + 1 + w.length > WIDTH) lines.push(" ".repeat(head.length));
    lines[lines.length - 1] += ` ${w}`;
  }
  return lines.join("\n");
}

function optionHelp(o: Option<unknown>): string {
  return o.help + (o.required ? " (required)" : "") + (o.defaultText !== undefined ? ` (default: ${o.defaultText})` : "");
}

function renderHelp(spec: CommandSpec<Options, Options>): string {
  const positionals = Object.entries(spec.positionals ?? {});
  const options: Array<readonly [string, string]> = Object.entries(spec.options).map(([name, o]) => [
    `${o.short ? `-${o.short}, ` : ""}${optionWord(name, o)}`,
    optionHelp(o),
  ]);
  options.push(["-h, --help", "print this help and exit; nothing else runs"]);
  const exitCodes = [ExitCode.Done, ExitCode.Usage, ...(spec.exitCodes ?? [])];
  const blocks = [
    usageLine(spec),
    spec.description.trimEnd(),
    ...(spec.sections ?? []).map((s) => `${s.title}:\n${s.body.trimEnd()}`),
    ...(positionals.length > 0 ? [`Arguments:\n${renderRows(positionals.map(([name, p]) => [`<${name}>`, p.help]))}`] : []),
    `Options:\n${renderRows(options)}`,
    `Exit codes:\n${renderExitCodes(exitCodes)}`,
  ];
  return `${blocks.join("\n\n")}\n`;
}
