import { nodeCpuByKind } from "../../bench/deploy-bench";

describe("bench: each kind of node process's CPU", () => {
  test("onefed's subcommands by name, other scripts by file name, the largest first", () => {
    const p = (args: string[], cpu_ms: number) => ({ pid: 1, ppid: 0, args, cpu_ms });
    expect(
      nodeCpuByKind({
        nodeProcesses: [
          p(["/opt/onefed/dist/lib/cli/onefed.js", "deploy", "--config"], 1200),
          p(["/opt/onefed/dist/lib/terraform/synth-in-child.js", "{}"], 900),
          p(["/opt/onefed/dist/lib/cli/onefed.js", "runner", "--fifo"], 3950),
          p(["/opt/onefed/dist/lib/cli/onefed.js", "step", "upgrade"], 100),
          p(["/opt/onefed/dist/lib/cli/onefed.js", "step", "start"], 150),
        ],
      }),
    ).toBe("onefed runner 3.950, onefed deploy 1.200, synth-in-child 0.900, onefed step 0.250 (CPU-s)");
  });
});
