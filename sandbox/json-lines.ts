/** The sandbox's append-only logs (commands.log, password-leaks.log): one JSON object a line. */
import * as fs from "fs";

/** Every whole entry of a JSON-lines file; none when the file is absent; a line cut by a crash is skipped. */
export function readJsonLines<T>(file: string): T[] {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch {
    return [];
  }
  const entries: T[] = [];
  for (const line of text.split("\n")) {
    if (!line.trim()) continue;
    try {
      entries.push(JSON.parse(line) as T);
    } catch {
      /* a line cut by a crash: skip it */
    }
  }
  return entries;
}

/** Entries stamped with `ts` (one fixed-width UTC format, so string order is time order), oldest first. */
export function byTime<T extends { readonly ts: string }>(entries: T[]): T[] {
  return entries.sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0));
}
