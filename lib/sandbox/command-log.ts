/** Reading the front-ends' commands.log files (JSON lines written by the front-end shell). */
import * as fs from "fs";
import { SandboxLayout } from "./layout";
import { allMachines, readRegistry } from "./registry";
import { SandboxError } from "./errors";
import { CommandLogEntry } from "./types";

function readOne(layout: SandboxLayout, fe: string): CommandLogEntry[] {
  let text = "";
  try {
    text = fs.readFileSync(layout.commandLog(fe), "utf8");
  } catch {
    return [];
  }
  const entries: CommandLogEntry[] = [];
  for (const line of text.split("\n")) {
    if (!line.trim()) continue;
    try {
      entries.push(JSON.parse(line) as CommandLogEntry);
    } catch {
      /* a line cut by a crash: skip it */
    }
  }
  return entries;
}

/** One machine's commands (front-end or node), or every machine's merged in time order. */
export function readCommandLog(dir: string, frontend?: string): CommandLogEntry[] {
  const layout = new SandboxLayout(dir);
  const reg = readRegistry(layout);
  if (!reg) throw new SandboxError(`no sandbox in ${layout.dir}`);
  const names = allMachines(reg).map((f) => f.name);
  if (frontend !== undefined && !names.includes(frontend)) throw new SandboxError(`no front-end or node ${frontend} (have ${names.join(", ")})`);
  const all = (frontend ? [frontend] : names).flatMap((fe) => readOne(layout, fe));
  // Timestamps share one fixed-width format, so string order is time order; sort is stable.
  return all.sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0));
}
