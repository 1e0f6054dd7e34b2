/** Minimal argv parsing for the onefed subcommands: --flag value, --flag=value, boolean flags. */
import { UsageError } from "../model/errors";

export interface ParsedArgs {
  readonly positional: string[];
  readonly flags: Record<string, string | true>;
}

export function parseArgs(argv: readonly string[], spec: { readonly values: readonly string[]; readonly booleans: readonly string[] }, command: string): ParsedArgs {
  const positional: string[] = [];
  const flags: Record<string, string | true> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith("--")) {
      positional.push(arg);
      continue;
    }
    const [name, inline] = arg.slice(2).split(/=(.*)/s, 2);
    if (spec.booleans.includes(name)) flags[name] = true;
    else if (spec.values.includes(name)) {
      const value = inline ?? argv[++i];
      if (value === undefined) throw new UsageError(`${command}: --${name} needs a value (see ${command} --help)`);
      flags[name] = value;
    } else throw new UsageError(`${command}: unknown option --${name} (see ${command} --help)`);
  }
  return { positional, flags };
}

export function flag(args: ParsedArgs, name: string): string | undefined {
  const v = args.flags[name];
  return typeof v === "string" ? v : undefined;
}
