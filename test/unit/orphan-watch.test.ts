/**
 * The step process stops when the apply that started it is gone: terraform killed (its shell is
 * orphaned) or terraform killing the shell it started (the runner is orphaned).
 */
import { ChildProcess, spawn } from "child_process";
import * as path from "path";
import { watchForOrphaning } from "../../lib/run/orphan-watch";

const WATCH = path.resolve(__dirname, "../../dist/lib/run/orphan-watch.js");
/** A stand-in runner: watches, says why it was orphaned, exits 1; else would sleep a minute. */
const RUNNER = `require(${JSON.stringify(WATCH)}).watchForOrphaning((why) => { process.stdout.write("orphaned: " + why + "\\n"); process.exit(1); }, 50); process.stdout.write("watching\\n"); setTimeout(() => {}, 60000);`;

/** terraform (a shell) → `/bin/sh -c` → the runner, as a local-exec runs it; resolves with what the runner said once every process of the chain is gone. */
function chain(): { terraform: ChildProcess; shellPid: Promise<number>; watching: Promise<void>; said: Promise<string> } {
  // The middle shell runs the runner in the background and waits, so that it stays the runner's parent.
  const inner = `${JSON.stringify(process.execPath)} -e '${RUNNER}' & wait`;
  const terraform = spawn("sh", ["-c", `sh -c ${JSON.stringify(inner)} & echo shell $!; wait`], { stdio: ["ignore", "pipe", "ignore"] });
  let out = "";
  let resolveShell: (pid: number) => void;
  let resolveWatching: () => void;
  const shellPid = new Promise<number>((r) => (resolveShell = r));
  const watching = new Promise<void>((r) => (resolveWatching = r));
  terraform.stdout!.on("data", (d) => {
    out += d;
    const m = /shell (\d+)\n/.exec(out);
    if (m) resolveShell(Number(m[1]));
    if (out.includes("watching\n")) resolveWatching();
  });
  // The pipe is shared down the chain: it ends when the runner is gone too.
  const said = new Promise<string>((resolve) => terraform.stdout!.on("end", () => resolve(out)));
  return { terraform, shellPid, watching, said };
}

describe("watchForOrphaning", () => {
  it("stops the runner when terraform dies (its shell is orphaned)", async () => {
    const { terraform, watching, said } = chain();
    await watching;
    terraform.kill("SIGKILL");
    expect(await said).toMatch(/orphaned: the process that started its shell \(pid \d+, terraform\) is gone\n/);
  });

  it("stops the runner when terraform kills the shell it started", async () => {
    const { terraform, shellPid, watching, said } = chain();
    await watching;
    process.kill(await shellPid, "SIGKILL");
    expect(await said).toMatch(/orphaned: the process that started it \(pid \d+\) is gone\n/);
    terraform.kill("SIGKILL");
  });

  it("does nothing while both are there, and stops watching when told", () => {
    const seen: string[] = [];
    const stop = watchForOrphaning((why) => seen.push(why), 10);
    stop();
    expect(seen).toEqual([]);
  });
});
