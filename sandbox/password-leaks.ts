/** Reading the password-leaks.log files the onedb process-list audit of MySQL zones writes. */
import { byTime, readJsonLines } from "./json-lines";
import { SandboxError } from "./errors";
import { SandboxLayout } from "./layout";
import { allFrontends, readRegistry } from "./registry";

/** A process that showed the sandbox's MySQL password in its command line while onedb ran. */
export interface PasswordLeak {
  /** When the scan saw it (UTC ISO). */
  readonly ts: string;
  /** The front-end whose onedb run scanned. */
  readonly frontend: string;
  /** Which scan: at the run's start, before its exit, or while one of its `system()` children ran (MySQL backups and restores). */
  readonly when: "start" | "exit" | "during";
  /**
   * Whose: a child of an emulated onedb (`sh -c mysqldump … -p'…'`, the real onedb's own exposure,
   * reproduced), or anything else (the caller's: e.g. `onedb … -p <password>`). @default "caller"
   */
  readonly origin?: "caller" | "onedb";
  /** The process. */
  readonly pid: number;
  /** Its command line, arguments joined by spaces, the password replaced by `***`. */
  readonly command: string;
}

/** Whether a record is the real onedb's own exposure rather than the caller's. */
export function isOnedbExposure(l: PasswordLeak): boolean {
  return l.origin === "onedb";
}

/** The leaks one front-end recorded (none when the file is absent). */
export function readLeaks(layout: SandboxLayout, fe: string): PasswordLeak[] {
  return readJsonLines<PasswordLeak>(layout.passwordLeaks(fe));
}

/** Every front-end's recorded leaks (or one front-end's), in time order. */
export function readPasswordLeaks(dir: string, frontend?: string): PasswordLeak[] {
  const layout = new SandboxLayout(dir);
  const reg = readRegistry(layout);
  if (!reg) throw new SandboxError(`no sandbox in ${layout.dir}`);
  const names = allFrontends(reg).map((f) => f.name);
  if (frontend !== undefined && !names.includes(frontend)) throw new SandboxError(`no front-end ${frontend} (have ${names.join(", ")})`);
  return byTime((frontend ? [frontend] : names).flatMap((fe) => readLeaks(layout, fe)));
}
