/**
 * Emulator side of the timing profile (sandbox/timing-profile.ts): a paced command sleeps through
 * its schedule and prints its progress lines on the way, each written at once (io.ts is
 * synchronous), so a client sees them arrive while the command runs. The fast profile returns at once.
 */
import * as fs from "fs";
import { EmulatorContext } from "./context";
import { puts } from "./io";
import { PacedCommand, paceSchedule } from "../timing-profile";

const sleepCell = new Int32Array(new SharedArrayBuffer(4));

function sleep(ms: number): void {
  if (ms > 0) Atomics.wait(sleepCell, 0, 0, ms);
}

/** Takes the time `command` takes under the sandbox's profile; `dbFile` sizes onedb's work. */
export function pace(ctx: EmulatorContext, command: PacedCommand, dbFile?: string): void {
  const schedule = paceSchedule(ctx.registry.timing, command, dbFile ? sizeOf(dbFile) : 0);
  if (!schedule) return;
  const start = Date.now();
  for (const line of schedule.lines) {
    sleep(line.atMs - (Date.now() - start));
    puts(line.text);
  }
  sleep(schedule.durationMs - (Date.now() - start));
}

function sizeOf(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
}
