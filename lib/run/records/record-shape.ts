/**
 * The shape of a record a run resumes from, checked on read. Each record file declares its
 * interface (the JSON field names, with their docs) and a shape typed against that interface, so
 * the compiler proves the check covers every field with its exact type.
 *
 * Hand-written rather than TypeBox: every (step, zone) is its own short `onefed step` process, and
 * loading TypeBox would add 100–170 ms to each one (measured with process.hrtime), for three small
 * records.
 */

/** A check of one JSON value, whatever type it stands for. */
interface ShapeCheck {
  /**
   * Every way `value` differs from the shape, each as "<where>: expected <what>, found <what>"; empty
   * when it fits. `where` names the value in those messages ("servers[1].server_id"), and is empty
   * for the record itself.
   */
  problems(value: unknown, where: string): string[];
  /** Marks a field that may be absent (see optional()). */
  readonly optional?: true;
}

/** A check of one JSON value against the type `T`. */
export interface Shape<T> extends ShapeCheck {
  /** Never set: it ties the shape to `T` both ways, so that a shape stands for exactly one type. */
  readonly type?: (value: T) => T;
}

/** The JSON type of a value, in the words a problem message uses. */
export function describeJson(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return "an object";
  if (typeof value === "string") return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  return String(value);
}

/** One problem; `where` is empty for the record itself. */
function mismatch(where: string, expected: string, value: unknown): string {
  return `${where ? `${where}: ` : ""}expected ${expected}, found ${describeJson(value)}`;
}

function primitive<T>(expected: string, fits: (value: unknown) => boolean): Shape<T> {
  return { problems: (value, where) => (fits(value) ? [] : [mismatch(where, expected, value)]) };
}

export const integer: Shape<number> = primitive("an integer", (v) => Number.isInteger(v));
export const string: Shape<string> = primitive("a string", (v) => typeof v === "string");

export function nullable<T>(shape: Shape<T>): Shape<T | null> {
  return { problems: (value, where) => (value === null ? [] : shape.problems(value, where)) };
}

/** A field that may be absent (but, when present, has `shape`). */
export function optional<T>(shape: Shape<T>): Shape<T | undefined> {
  return { optional: true, problems: (value, where) => (value === undefined ? [] : shape.problems(value, where)) };
}

export function array<T>(item: Shape<T>): Shape<readonly T[]> {
  return {
    problems: (value, where) => (Array.isArray(value) ? value.flatMap((v, i) => item.problems(v, `${where}[${i}]`)) : [mismatch(where, "an array", value)]),
  };
}

/**
 * An object with a shape for every field of `T` (fields the record does not know are ignored, so
 * an older onefed can read what a newer one wrote).
 */
export function object<T extends object>(fields: { readonly [K in keyof T]-?: Shape<T[K]> }): Shape<T> {
  return {
    problems(value, where) {
      if (typeof value !== "object" || value === null || Array.isArray(value)) return [mismatch(where, "an object", value)];
      const record = value as Record<string, unknown>;
      return Object.entries<ShapeCheck>(fields).flatMap(([name, shape]) => {
        const at = where === "" ? name : `${where}.${name}`;
        return record[name] === undefined && !shape.optional ? [`${at}: missing`] : shape.problems(record[name], at);
      });
    },
  };
}
