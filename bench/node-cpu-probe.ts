/**
 * Loaded into every node process of a benched deploy (`NODE_OPTIONS=--require …`): on exit, appends
 * one JSON line with the process's own CPU time and what it ran to $BENCH_NODE_CPU_FILE. Nothing
 * else changes (no signal handler: a process killed by a signal writes nothing).
 */
import * as fs from "fs";

const file = process.env.BENCH_NODE_CPU_FILE;
if (file) {
  process.on("exit", () => {
    const cpu = process.cpuUsage();
    const line = JSON.stringify({ pid: process.pid, ppid: process.ppid, args: process.argv.slice(1, 4), cpu_ms: (cpu.user + cpu.system) / 1000 });
    try {
      fs.appendFileSync(file, line + "\n");
    } catch {
      /* a lost sample never fails the process */
    }
  });
}
