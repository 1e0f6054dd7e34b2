/**
 * The runner's side of lib/run/orphan-watch.ts: a launcher (bin/onefed-step) that is gone, or
 * whose parent (terraform, or the shell terraform started) is gone, reads no more output and
 * records nothing; its step must stop as a killed step process stops. The launcher is a shell that
 * cannot watch cheaply, so the runner watches it: one /proc read (or kill 0) per client a second.
 */
import * as fs from "fs";
import { parentOf } from "../orphan-watch";

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

const HAS_PROC = fs.existsSync("/proc/self/stat");

/**
 * Calls `onGone` (once) when the client `pid` or its parent (or, where /proc tells, its
 * grandparent) is gone. `reportedParent` is the parent the client saw (its $PPID): used where
 * there is no /proc. Returns a function that stops watching.
 */
export function watchClient(pid: number, reportedParent: number, onGone: (why: string) => void, intervalMs = 1000): () => void {
  const parent = HAS_PROC ? parentOf(pid) : reportedParent;
  const grandparent = HAS_PROC && parent !== undefined && parent > 1 ? parentOf(parent) : undefined;
  const check = (): string | undefined => {
    if (HAS_PROC ? parentOf(pid) === undefined : !alive(pid)) return `its launcher (pid ${pid}) went away: terraform stopped or was killed`;
    if (parent === undefined || parent <= 1) return undefined;
    if (HAS_PROC ? parentOf(pid) !== parent : !alive(parent))
      return `the process that started its launcher (pid ${parent}) is gone: terraform stopped or was killed`;
    if (grandparent !== undefined && grandparent > 1 && parentOf(parent) !== grandparent)
      return `the process that started its launcher's shell (pid ${grandparent}, terraform) is gone`;
    return undefined;
  };
  const first = check();
  if (first !== undefined) {
    onGone(first);
    return () => undefined;
  }
  const timer = setInterval(() => {
    const why = check();
    if (why === undefined) return;
    clearInterval(timer);
    onGone(why);
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
