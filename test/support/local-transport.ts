/**
 * A Transport that runs command lines with the local /bin/sh: for adapters whose remote scripts
 * (mktemp, ln, sync, mv) must be exercised for real without an SSH server.
 */
import { spawn } from "child_process";
import * as fs from "fs";
import { Transport } from "../../lib/remote/opennebula/remote-machine";
import { CommandResult } from "../../lib/remote/ssh/command-result";

export class LocalTransport implements Transport {
  public readonly lines: string[] = [];

  exec(line: string, stdin?: string): Promise<CommandResult> {
    this.lines.push(line);
    const started = Date.now();
    return new Promise((resolve, reject) => {
      const child = spawn("/bin/sh", ["-c", line], { stdio: ["pipe", "pipe", "pipe"] });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d) => (stdout += d));
      child.stderr.on("data", (d) => (stderr += d));
      child.on("error", reject);
      child.on("close", (code, signal) =>
        resolve({ host: "local:0", command: line, exitCode: code, signal, stdout, stderr, durationMs: Date.now() - started }),
      );
      // A command that exits without reading its stdin closes the pipe: that is no failure of ours.
      child.stdin.on("error", () => undefined);
      child.stdin.end(stdin ?? "");
    });
  }

  async upload(localPath: string, remotePath: string): Promise<void> {
    fs.copyFileSync(localPath, remotePath);
  }

  async download(remotePath: string, localPath: string): Promise<void> {
    fs.copyFileSync(remotePath, localPath);
  }
}
