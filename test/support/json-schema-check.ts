/**
 * A small JSON Schema (draft-07) checker for the keywords our documented schemas use: type, const,
 * enum, required, properties, items, minimum, minLength, maxLength, pattern, allOf, if/then/else.
 * An unknown keyword is an error, so a schema cannot silently outgrow what this checks.
 */

type Schema = Readonly<Record<string, unknown>>;

const ANNOTATIONS = new Set(["$schema", "$id", "title", "description"]);
const KNOWN = new Set([
  "type",
  "const",
  "enum",
  "required",
  "properties",
  "items",
  "minimum",
  "minLength",
  "maxLength",
  "pattern",
  "allOf",
  "if",
  "then",
  "else",
]);

function typeOf(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (typeof v === "number") return Number.isInteger(v) ? "integer" : "number";
  return typeof v;
}

/** Every way `value` breaks `schema`, as "path: problem"; empty when it conforms. */
export function schemaErrors(schema: Schema, value: unknown, at = "$"): string[] {
  const errors: string[] = [];
  for (const key of Object.keys(schema)) {
    if (!KNOWN.has(key) && !ANNOTATIONS.has(key)) throw new Error(`${at}: the checker does not know the keyword ${key}`);
  }
  if (schema.type !== undefined) {
    const types = ([] as string[]).concat(schema.type as string | string[]);
    const t = typeOf(value);
    if (!types.includes(t) && !(t === "integer" && types.includes("number"))) errors.push(`${at}: is ${t}, expected ${types.join(" or ")}`);
  }
  if ("const" in schema && JSON.stringify(schema.const) !== JSON.stringify(value))
    errors.push(`${at}: is ${JSON.stringify(value)}, expected ${JSON.stringify(schema.const)}`);
  if (schema.enum && !(schema.enum as unknown[]).some((e) => JSON.stringify(e) === JSON.stringify(value)))
    errors.push(`${at}: ${JSON.stringify(value)} is not one of ${JSON.stringify(schema.enum)}`);
  if (typeof value === "string") {
    const length = [...value].length;
    if (typeof schema.minLength === "number" && length < schema.minLength) errors.push(`${at}: shorter than ${schema.minLength}`);
    if (typeof schema.maxLength === "number" && length > schema.maxLength) errors.push(`${at}: longer than ${schema.maxLength}`);
    if (typeof schema.pattern === "string" && !new RegExp(schema.pattern, "u").test(value))
      errors.push(`${at}: ${JSON.stringify(value)} does not match ${schema.pattern}`);
  }
  if (typeof value === "number" && typeof schema.minimum === "number" && value < schema.minimum) errors.push(`${at}: ${value} < ${schema.minimum}`);
  if (typeOf(value) === "object") {
    const obj = value as Record<string, unknown>;
    for (const r of (schema.required as string[] | undefined) ?? []) if (!(r in obj)) errors.push(`${at}: lacks ${r}`);
    for (const [k, sub] of Object.entries((schema.properties as Record<string, Schema> | undefined) ?? {})) {
      if (k in obj) errors.push(...schemaErrors(sub, obj[k], `${at}.${k}`));
    }
  }
  if (Array.isArray(value) && schema.items) value.forEach((item, i) => errors.push(...schemaErrors(schema.items as Schema, item, `${at}[${i}]`)));
  for (const sub of (schema.allOf as Schema[] | undefined) ?? []) errors.push(...schemaErrors(sub, value, at));
  if (schema.if) {
    const branch = schemaErrors(schema.if as Schema, value, at).length === 0 ? schema.then : schema.else;
    if (branch) errors.push(...schemaErrors(branch as Schema, value, at));
  }
  return errors;
}
