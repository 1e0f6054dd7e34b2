/**
 * The process-list audit while onedb waits in `system()` for mysqldump or mysql: the real onedb's
 * `sh -c "mysqldump … -p'<password>' …"` shows the password for as long as the dump runs, and the
 * emulated onedb is blocked in spawnSync meanwhile, so a worker thread scans /proc every few
 * milliseconds and appends what it sees to the front-end's password-leaks.log itself.
 */
import { Worker } from "worker_threads";

/** What the worker needs: the password, where to write, who scans, and the onedb process (to tell its children). */
export interface WatchSpec {
  readonly password: string;
  readonly file: string;
  readonly frontend: string;
  readonly onedbPid: number;
}

/** Runs in the worker (plain JavaScript: `eval`). flag[0]: 0 starting, 1 watching, 2 stop asked, 3 stopped. */
const WATCHER = `
const fs = require("fs");
const { workerData } = require("worker_threads");
const { password, file, frontend, onedbPid, shared } = workerData;
const flag = new Int32Array(shared);
const seen = new Set();
const parentOf = (pid) => { try { return Number(fs.readFileSync("/proc/" + pid + "/stat", "utf8").replace(/^.*\\) \\S+ /, "").split(" ")[0]); } catch { return 0; } };
const isOnedb = (pid) => { try { return fs.readFileSync("/proc/" + pid + "/cmdline").includes("main.js\0onedb\0"); } catch { return false; } };
const childOfOnedb = (pid) => { for (let p = parentOf(pid), n = 0; p > 1 && n < 64; p = parentOf(p), n++) if (p === onedbPid || isOnedb(p)) return true; return false; };
const scan = () => {
  let pids = [];
  try { pids = fs.readdirSync("/proc").filter((e) => /^\\d+$/.test(e)); } catch { return; }
  const lines = [];
  for (const pid of pids) {
    let raw;
    try { raw = fs.readFileSync("/proc/" + pid + "/cmdline"); } catch { continue; }
    if (raw.indexOf(password) < 0) continue;
    const command = raw.toString("utf8").replace(/\\0+$/, "").split("\\0").join(" ").split(password).join("***");
    if (seen.has(pid + " " + command)) continue;
    seen.add(pid + " " + command);
    const gone = () => !fs.existsSync("/proc/" + pid);
    const origin = childOfOnedb(Number(pid)) || (/^(sh -c )?mysql(dump)? -u \\S+ -p'?\\*\\*\\*'? /.test(command) && gone()) ? "onedb" : "caller";
    lines.push(JSON.stringify({ ts: new Date().toISOString(), frontend, when: "during", pid: Number(pid), command, origin }) + "\\n");
  }
  if (lines.length > 0) try { fs.appendFileSync(file, lines.join("")); } catch {}
};
Atomics.store(flag, 0, 1);
Atomics.notify(flag, 0);
while (Atomics.load(flag, 0) === 1) { scan(); Atomics.wait(flag, 0, 1, 3); }
scan();
Atomics.store(flag, 0, 3);
Atomics.notify(flag, 0);
`;

/** Runs `fn` (which blocks this thread) while a worker watches the process list. */
export function watchDuring<T>(spec: WatchSpec, fn: () => T): T {
  const shared = new SharedArrayBuffer(4);
  const flag = new Int32Array(shared);
  const worker = new Worker(WATCHER, { eval: true, workerData: { ...spec, shared } });
  worker.unref();
  Atomics.wait(flag, 0, 0, 5000); // until it watches (a slow start must not hang onedb)
  try {
    return fn();
  } finally {
    Atomics.store(flag, 0, 2);
    Atomics.notify(flag, 0);
    Atomics.wait(flag, 0, 2, 5000);
    void worker.terminate();
  }
}
