/**
 * A minimal ssh2 client for sandbox tests: key auth with the sandbox key, host key pinned from
 * the sandbox's known_hosts, exec with exit status, sftp put/get.
 */
import * as fs from "fs";
import * as path from "path";
import { Client, SFTPWrapper } from "ssh2";

/** One exec's outcome. */
export interface ExecResult {
  readonly stdout: string;
  readonly stderr: string;
  readonly code: number | null;
}

/** The key known_hosts pins for host:port (base64 blob), if any. */
export function pinnedKey(dir: string, host: string, port: number): string | undefined {
  const name = port === 22 ? host : `[${host}]:${port}`;
  const line = fs
    .readFileSync(path.join(dir, "known_hosts"), "utf8")
    .split("\n")
    .find((l) => l.split(" ")[0] === name);
  return line?.split(" ")[2];
}

/** Connects as the sandbox user; rejects when the presented host key is not the pinned one. */
export function connect(dir: string, host: string, port = 22): Promise<Client> {
  const pinned = pinnedKey(dir, host, port);
  return new Promise((resolve, reject) => {
    const c = new Client();
    c.once("ready", () => resolve(c));
    c.once("error", reject);
    c.connect({
      host,
      port,
      username: "onefed",
      privateKey: fs.readFileSync(path.join(dir, "keys", "id_ed25519")),
      hostVerifier: (key: Buffer) => key.toString("base64") === pinned,
      readyTimeout: 10000,
    });
  });
}

/** Runs a command and collects its output and exit status; `stdin`, when given, is written and closed. */
export function exec(c: Client, command: string, stdin?: string): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    c.exec(command, (err, ch) => {
      if (err) return reject(err);
      if (stdin !== undefined) ch.end(stdin);
      let stdout = "";
      let stderr = "";
      let code: number | null = null;
      ch.on("data", (d: Buffer) => (stdout += d.toString()));
      ch.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
      ch.on("exit", (c2: number | null) => (code = c2));
      ch.on("close", () => resolve({ stdout, stderr, code }));
    });
  });
}

/** Opens the sftp subsystem. */
export function sftp(c: Client): Promise<SFTPWrapper> {
  return new Promise((resolve, reject) => c.sftp((err, s) => (err ? reject(err) : resolve(s))));
}

/** sftp fastPut / fastGet as promises. */
export function transfer(s: SFTPWrapper, op: "fastPut" | "fastGet", from: string, to: string): Promise<void> {
  return new Promise((resolve, reject) => s[op](from, to, (err?: Error | null) => (err ? reject(err) : resolve())));
}
