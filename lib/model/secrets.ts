/**
 * Secret values the process holds (MySQL passwords from database.passwordEnv, key passphrases) and
 * their redaction: every command result, error, log line and ledger record passes through
 * `redact` before it leaves the runner, so a tool that echoes a password (onedb prints mysqldump's
 * whole command line, `-p'<password>'` included, when a backup fails) never puts it in a log.
 */

/** What a redacted secret reads as. */
export const REDACTED = "***";

/**
 * The shapes in which tools echo a password even when its exact value is unknown here (another
 * zone's, or quoted differently): only the value is replaced, the option name stays readable.
 */
const SECRET_SHAPES: ReadonlyArray<readonly [RegExp, (...groups: string[]) => string]> = [
  // mysqldump/mysql: -p'…' or -p"…" (no space after -p: that is how the option takes a value)
  [/(?<!\S)-p'[^'\n]*'/g, () => `-p'${REDACTED}'`],
  [/(?<!\S)-p"(?:[^"\\\n]|\\.)*"/g, () => `-p"${REDACTED}"`],
  // --password=… quoted or bare
  [/(--password=)(?:'[^'\n]*'|"(?:[^"\\\n]|\\.)*"|[^\s'"]+)/gi, (_m, name) => `${name}${REDACTED}`],
  // oned.conf's DB = [ …, PASSWD = "…" ], ONE_DB_PASSWORD=…, MYSQL_PWD=…: quoted or up to a separator
  [/\b(\w*(?:PASSWD|PASSWORD|_PWD)\s*=\s*)('[^'\n]*'|"(?:[^"\\\n]|\\.)*"|[^\s,;\]&'"]+)/gi, (_m, name, value) => `${name}${quoteLike(value)}`],
  // SQL: IDENTIFIED BY '…' (also IDENTIFIED BY PASSWORD '…')
  [/\b(IDENTIFIED\s+BY\s+(?:PASSWORD\s+)?)('[^'\n]*'|"(?:[^"\\\n]|\\.)*")/gi, (_m, name, value) => `${name}${quoteLike(value)}`],
];

/**
 * A text none of whose lines any SECRET_SHAPES pattern can match: every pattern needs one of these
 * literals (`-p'`, `-p"`, `--password=`, `PASSWD`/`PASSWORD`, `_PWD`, `IDENTIFIED`). Redaction runs on
 * every output line of every command, so most lines skip the five replacements with this one test.
 */
const SHAPE_HINT = /-p['"]|passw(?:or)?d|_pwd|identified/i;

/** `***` in the quotes the value had, so the redacted line still reads as the tool printed it. */
function quoteLike(value: string): string {
  const q = value[0] === "'" || value[0] === '"' ? value[0] : "";
  return `${q}${REDACTED}${q}`;
}

export class Secrets {
  private readonly values = new Set<string>();
  /** Bumped by every add: a child's cached list is stale once its parent's or its own version moved. */
  private version = 0;
  private cache?: { readonly version: number; readonly list: readonly string[] };

  constructor(
    /** Secrets that hold here too (a machine's set over the process's). @default none */
    private readonly parent?: Secrets,
  ) {}

  /** Registers a secret value; an undefined or empty one is ignored. */
  add(value: string | undefined): this {
    if (value && !this.values.has(value)) {
      this.values.add(value);
      this.version++;
    }
    return this;
  }

  /** Every value known here and in the parent, longest first (a secret holding another is replaced whole). */
  private known(): readonly string[] {
    const version = this.versions();
    if (this.cache?.version === version) return this.cache.list;
    const all = new Set([...(this.parent?.known() ?? []), ...this.values]);
    const list = [...all].sort((a, b) => b.length - a.length);
    this.cache = { version, list };
    return list;
  }

  /** Changes whenever this set or a parent gains a value (every add bumps one version; they only grow). */
  private versions(): number {
    return this.version + (this.parent?.versions() ?? 0);
  }

  /**
   * Whether `redact` could change `text` or any part of it (a line of it): a known value or a
   * password shape's literal occurs. False means every line of it comes out of `redact` unchanged.
   */
  mayRedact(text: string): boolean {
    return this.known().some((value) => text.includes(value)) || SHAPE_HINT.test(text);
  }

  /** The text with every known value, and every value in a password shape, replaced by `***`. */
  redact(text: string): string {
    let out = text;
    for (const value of this.known()) if (out.includes(value)) out = out.split(value).join(REDACTED);
    if (!SHAPE_HINT.test(out)) return out;
    for (const [shape, replace] of SECRET_SHAPES) out = out.replace(shape, replace);
    return out;
  }

  /** A copy of a JSON-like value (a command result, a ledger record) with every string redacted. */
  redactStrings<T>(value: T): T {
    if (typeof value === "string") return this.redact(value) as T;
    if (Array.isArray(value)) return value.map((v) => this.redactStrings(v)) as T;
    if (value !== null && typeof value === "object") {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.redactStrings(v)])) as T;
    }
    return value;
  }

  /** Redacts a thrown error's message and stack in place (its class stays, for callers that test it) and returns it. */
  redactError<E>(err: E): E {
    if (err instanceof Error) {
      err.message = this.redact(err.message);
      if (err.stack) err.stack = this.redact(err.stack);
    }
    return err;
  }
}

/**
 * Every secret this process has read: the runner registers each as it reads it (a DB password from
 * the environment), and the last-resort redaction of the step log and the CLI's error printing uses
 * it, whatever path a message took.
 */
export const PROCESS_SECRETS = new Secrets();
