/** Reading the password-leaks.log files the onedb process-list audit of MySQL zones writes. */
import * as fs from "fs";
import { SandboxError } from "./errors";
import { SandboxLayout } from "./layout";
import { allFrontends, readRegistry } from "./registry";

/** A process that showed the sandbox's MySQL password in its command line while onedb ran. */
export interface PasswordLeak {
  /** When the scan saw it (UTC ISO). */
  readonly ts: string;
  /** The front-end whose onedb run scanned. */
  readonly frontend: string;
  /** Which of the run's two scans: at its start, or before its exit. */
  readonly when: "start" | "exit";
  /** The process. */
  readonly pid: number;
  /** Its command line, arguments joined by spaces, the password replaced by `***`. */
  readonly command: string;
}

/** The leaks one front-end recorded (none when the file is absent). */
export function readLeaks(layout: SandboxLayout, fe: string): PasswordLeak[] {
  let text: string;
  try {
    text = fs.readFileSync(layout.passwordLeaks(fe), "utf8");
  } catch {
    return [];
  }
  const leaks: PasswordLeak[] = [];
  for (const line of text.split("\n")) {
    if (!line.trim()) continue;
    try {
      leaks.push(JSON.parse(line) as PasswordLeak);
    } catch {
      /* a line cut by a crash: skip it */
    }
  }
  return leaks;
}

/** Every front-end's recorded leaks (or one front-end's), in time order. */
export function readPasswordLeaks(dir: string, frontend?: string): PasswordLeak[] {
  const layout = new SandboxLayout(dir);
  const reg = readRegistry(layout);
  if (!reg) throw new SandboxError(`no sandbox in ${layout.dir}`);
  const names = allFrontends(reg).map((f) => f.name);
  if (frontend !== undefined && !names.includes(frontend)) throw new SandboxError(`no front-end ${frontend} (have ${names.join(", ")})`);
  return (frontend ? [frontend] : names).flatMap((fe) => readLeaks(layout, fe)).sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0));
}
