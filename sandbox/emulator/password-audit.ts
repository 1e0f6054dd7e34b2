/**
 * The process-list audit of MySQL zones: while onedb runs there, every process on the machine
 * (not only the sandbox's: `ps` shows them all to everyone) is checked for the sandbox's MySQL
 * password in its command line, once at the start and once before the exit. Hits are appended to
 * the front-end's password-leaks.log with the password masked.
 */
import * as fs from "fs";
import { EmulatorContext } from "./context";
import { chownLikeParent } from "../frontend-state";
import { readMysqlPassword } from "../mysql";
import type { PasswordLeak } from "../password-leaks";
import { watchDuring } from "./password-watch";

/** Its parent pid (0 when gone). */
function parentOf(pid: number): number {
  try {
    return Number(
      fs
        .readFileSync(`/proc/${pid}/stat`, "utf8")
        .replace(/^.*\) \S+ /, "")
        .split(" ")[0],
    );
  } catch {
    return 0;
  }
}

/** The command lines of BackEndMySQL's system() children (the shell, and its client before it masks its argv). */
const ONEDB_CHILD = /^(sh -c )?mysql(dump)? -u \S+ -p'?\*\*\*'? /;

/**
 * Whether a process that showed the password is the real onedb's own exposure: a descendant of an
 * emulated onedb, or (when it has exited meanwhile, so its parents cannot be read) one of the
 * command lines BackEndMySQL runs.
 */
export function originOf(pid: number, command: string): "onedb" | "caller" {
  return isOnedbChild(pid) || (ONEDB_CHILD.test(command) && !fs.existsSync(`/proc/${pid}`)) ? "onedb" : "caller";
}

/** A descendant of an emulated onedb (its system() children: what the real onedb itself exposes). */
export function isOnedbChild(pid: number): boolean {
  for (let p = parentOf(pid), n = 0; p > 1 && n < 64; p = parentOf(p), n++) {
    try {
      if (fs.readFileSync(`/proc/${p}/cmdline`).includes("main.js\0onedb\0")) return true;
    } catch {
      return false;
    }
  }
  return false;
}

/** Every process whose /proc/<pid>/cmdline holds the password: pid and the masked command line. */
export function processesShowing(password: string): Array<{ pid: number; command: string; origin: "onedb" | "caller" }> {
  let pids: string[];
  try {
    pids = fs.readdirSync("/proc").filter((e) => /^\d+$/.test(e));
  } catch {
    return [];
  }
  const hits: Array<{ pid: number; command: string; origin: "onedb" | "caller" }> = [];
  for (const pid of pids) {
    let raw: Buffer;
    try {
      raw = fs.readFileSync(`/proc/${pid}/cmdline`);
    } catch {
      continue; // gone meanwhile
    }
    if (raw.indexOf(password) < 0) continue;
    const command = raw.toString("utf8").replace(/\0+$/, "").split("\0").join(" ").split(password).join("***");
    hits.push({ pid: Number(pid), command, origin: originOf(Number(pid), command) });
  }
  return hits;
}

/** One onedb run's audit: each process is recorded once even when both scans see it. */
export class PasswordAudit {
  /** The running onedb's audit (MySQL zones), for its system() calls. */
  static current: PasswordAudit | undefined;
  private readonly seen = new Set<string>();

  private constructor(
    private readonly ctx: EmulatorContext,
    private readonly password: string,
  ) {}

  /** Starts the audit on a MySQL zone (undefined elsewhere, or when the password cannot be read). */
  static start(ctx: EmulatorContext): PasswordAudit | undefined {
    if (ctx.zone.dbBackend !== "mysql") return undefined;
    let password: string;
    try {
      password = readMysqlPassword(ctx.layout);
    } catch {
      return undefined;
    }
    if (password === "") return undefined;
    const audit = new PasswordAudit(ctx, password);
    audit.scan("start");
    PasswordAudit.current = audit;
    return audit;
  }

  /** Runs `fn` (a blocking system() child) while a worker thread scans the process list (password-watch.ts). */
  during<T>(fn: () => T): T {
    const file = this.ctx.layout.passwordLeaks(this.ctx.self.name);
    try {
      return watchDuring({ password: this.password, file, frontend: this.ctx.self.name, onedbPid: process.pid }, fn);
    } finally {
      try {
        if (fs.existsSync(file)) chownLikeParent(file);
      } catch {
        /* the audit never fails a command */
      }
    }
  }

  /** Scans the process list and records what is new. */
  scan(when: PasswordLeak["when"]): void {
    const fresh = processesShowing(this.password).filter((h) => !this.seen.has(`${h.pid} ${h.command}`));
    if (fresh.length === 0) return;
    const file = this.ctx.layout.passwordLeaks(this.ctx.self.name);
    const ts = new Date().toISOString();
    const lines = fresh.map((h) => {
      this.seen.add(`${h.pid} ${h.command}`);
      const leak: PasswordLeak = { ts, frontend: this.ctx.self.name, when, pid: h.pid, command: h.command, origin: h.origin };
      return `${JSON.stringify(leak)}\n`;
    });
    try {
      fs.appendFileSync(file, lines.join(""));
      chownLikeParent(file);
    } catch {
      /* the audit never fails a command */
    }
  }
}
