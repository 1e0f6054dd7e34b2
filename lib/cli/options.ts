/**
 * The kinds of command-line option a command can declare: what `util.parseArgs` reads, what
 * `--help` says, and how the text given becomes a typed value (or a usage error naming it).
 */

/** Text an option cannot take; the message completes "--name …", e.g. "must be on or off". */
export class BadValue extends Error {}

/** One option (or positional argument) as a command declares it. */
export interface Option<T> {
  /** What `util.parseArgs` reads: a value after the option, or a switch. */
  readonly type: "string" | "boolean";
  /** One-letter alias, as in `-j` for `--json`. @default none */
  readonly short?: string;
  /** The value's placeholder in help and usage, e.g. `FILE`. @default none (switches) */
  readonly valueName?: string;
  /** What it is for, as help prints it (may run over several lines). */
  readonly help: string;
  /** The default as help states it. @default none stated */
  readonly defaultText?: string;
  /** Leaving it out is a usage error. @default false */
  readonly required?: boolean;
  /** The typed value of what was given (`undefined`: not given); throws BadValue for text it cannot take. */
  readonly convert: (given: string | boolean | undefined) => T;
}

interface Described {
  /** What the option is for. */
  readonly help: string;
  /** One-letter alias. @default none */
  readonly short?: string;
}

interface ValueSpec<T> extends Described {
  /** Applied when the option is not given, and stated in help. @default none */
  readonly default?: T;
  /**
   * A default that the code the value goes to decides (e.g. from the federation file), stated in
   * help only. @default none
   */
  readonly defaultNote?: string;
  /** Leaving it out is a usage error. @default false */
  readonly required?: boolean;
}

interface Valued<T> extends ValueSpec<T> {
  /** Placeholder for the value in help, e.g. `FILE`, `N`, `ZONES`. */
  readonly value: string;
}

/** `T` when the option always has a value (a default, or required), else `T | undefined`. */
export type Given<S, T> = S extends { readonly default: T } | { readonly required: true } ? T : T | undefined;

function valued<S extends ValueSpec<T>, T>(spec: S, valueName: string, parse: (text: string) => T, show: (value: T) => string = String): Option<Given<S, T>> {
  return {
    type: "string",
    short: spec.short,
    valueName,
    help: spec.help,
    defaultText: spec.default !== undefined ? show(spec.default) : spec.defaultNote,
    required: spec.required,
    convert: (given) => (typeof given === "string" ? parse(given) : spec.default) as Given<S, T>,
  };
}

/** A switch: `--json`. */
export function flag(spec: Described): Option<boolean> {
  return { type: "boolean", short: spec.short, help: spec.help, convert: (given) => given === true };
}

/** Any text: a file, a directory, an address. */
export function text<S extends Valued<string>>(spec: S): Option<Given<S, string>> {
  return valued(spec, spec.value, (t) => {
    if (t === "") throw new BadValue("needs a value");
    return t;
  });
}

/** A whole number from `min` to `max`. */
export function integer<S extends Valued<number> & { readonly min: number; readonly max: number }>(spec: S): Option<Given<S, number>> {
  return valued(spec, spec.value, (t) => {
    if (!/^\d+$/.test(t) || Number(t) < spec.min || Number(t) > spec.max) throw new BadValue(`must be an integer from ${spec.min} to ${spec.max}`);
    return Number(t);
  });
}

/** One of a few words; the placeholder lists them (`engine|cdktf`). */
export function oneOf<const C extends string, S extends ValueSpec<C> & { readonly value?: string }>(choices: readonly C[], spec: S): Option<Given<S, C>> {
  const words = choices.length === 2 ? `${choices[0]} or ${choices[1]}` : `one of ${choices.join(", ")}`;
  return valued(spec, spec.value ?? choices.join("|"), (t) => {
    if (!(choices as readonly string[]).includes(t)) throw new BadValue(`must be ${words}`);
    return t as C;
  });
}

/** A zone id, as in the federation file. */
export function zoneId<S extends Valued<number>>(spec: S): Option<Given<S, number>> {
  return valued(spec, spec.value, (t) => {
    if (!/^\d+$/.test(t)) throw new BadValue("must be a zone id from the federation file, like 0 or 101");
    return Number(t);
  });
}

/** Zone ids, comma-separated: `0,101`. */
export function zoneIds<S extends Valued<number[]>>(spec: S): Option<Given<S, number[]>> {
  return valued<S, number[]>(
    spec,
    spec.value,
    (t) => {
      const parts = t.split(",").map((p) => p.trim());
      if (parts.some((p) => !/^\d+$/.test(p))) throw new BadValue("must be a comma-separated list of zone ids like 0,101");
      return parts.map(Number);
    },
    (ids) => ids.join(","),
  );
}
