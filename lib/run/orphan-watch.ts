/**
 * A step runner whose apply is gone stops at once. Terraform starts each runner through
 * `/bin/sh -c`; when terraform dies (SIGKILL, OOM) the shell and the runner are orphaned, and when
 * terraform stops gracefully (SIGINT) it kills the shell it started but not the runner under it.
 * Either way nobody reads the runner's output or records its outcome any more, yet it would go on
 * changing the federation, and race the next deploy, which takes the federation lock over (same
 * state lineage). So the step process watches the two processes above it and exits as soon as one
 * of them is gone: what it had not done yet, the ledger does not record, and the next deploy redoes.
 */
import * as fs from "fs";

/** The parent pid of a process from /proc (Node's process.ppid is read once at start), undefined when it is gone. */
export function parentOf(pid: number | "self"): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return fields[0] === "Z" ? undefined : parseInt(fields[1], 10);
  } catch {
    return undefined;
  }
}

/**
 * Calls `onOrphaned` (once) when this process's parent or grandparent is gone: it was reparented,
 * or its parent was. Links to init (pid 1) at the start are not watched; nor is anything where
 * /proc is missing. Returns a function that stops watching.
 */
export function watchForOrphaning(onOrphaned: (why: string) => void, intervalMs = 200): () => void {
  const parent = parentOf("self");
  const grandparent = parent !== undefined && parent > 1 ? parentOf(parent) : undefined;
  if (parent === undefined || parent <= 1) return () => undefined;
  const timer = setInterval(() => {
    const why =
      parentOf("self") !== parent
        ? `the process that started it (pid ${parent}) is gone`
        : grandparent !== undefined && grandparent > 1 && parentOf(parent) !== grandparent
          ? `the process that started its shell (pid ${grandparent}, terraform) is gone`
          : undefined;
    if (why === undefined) return;
    clearInterval(timer);
    onOrphaned(why);
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
