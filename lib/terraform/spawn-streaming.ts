/** Runs a local program, streaming its output line by line, and resolves with its exit code. */
import { spawn } from "child_process";

export interface SpawnResult {
  readonly exitCode: number;
  readonly output: string;
}

export function spawnStreaming(
  program: string,
  args: readonly string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv; onLine?: (line: string) => void },
): Promise<SpawnResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { cwd: opts.cwd, env: opts.env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    let pending = "";
    const take = (chunk: Buffer) => {
      const text = chunk.toString("utf8");
      output += text;
      pending += text;
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      for (const l of lines) opts.onLine?.(l);
    };
    child.stdout.on("data", take);
    child.stderr.on("data", take);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      if (pending) opts.onLine?.(pending);
      resolve({ exitCode: code ?? (signal ? 128 : 1), output });
    });
  });
}
