/** Reading the front-ends' commands.log files (JSON lines written by the front-end shell). */
import { byTime, readJsonLines } from "./json-lines";
import { SandboxLayout } from "./layout";
import { allMachines, readRegistry } from "./registry";
import { SandboxError } from "./errors";
import { CommandLogEntry } from "./types";

/** One machine's commands (front-end or node), or every machine's merged in time order. */
export function readCommandLog(dir: string, frontend?: string): CommandLogEntry[] {
  const layout = new SandboxLayout(dir);
  const reg = readRegistry(layout);
  if (!reg) throw new SandboxError(`no sandbox in ${layout.dir}`);
  const names = allMachines(reg).map((f) => f.name);
  if (frontend !== undefined && !names.includes(frontend)) throw new SandboxError(`no front-end or node ${frontend} (have ${names.join(", ")})`);
  return byTime((frontend ? [frontend] : names).flatMap((fe) => readJsonLines<CommandLogEntry>(layout.commandLog(fe))));
}
