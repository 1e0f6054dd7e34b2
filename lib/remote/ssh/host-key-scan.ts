/**
 * What `ssh-keyscan` does, over ssh2: the host key a server presents in the handshake, without
 * logging in. `onefed discover` shows it to the operator before it trusts it (SshSession then
 * connects with the key pinned, so a different key in between is still refused).
 */
import { Client, ServerHostKeyAlgorithm } from "ssh2";
import { SshTargetLabel } from "./errors";
import { fingerprint, keyTypeOf, knownHostsName } from "./known-hosts";

/** The key a server presented: its type, the SHA256 fingerprint operators compare, and the blob. */
export interface ScannedHostKey {
  readonly keyType: string;
  readonly fingerprint: string;
  readonly key: Buffer;
}

/** Where scanning failed: no TCP connection or no SSH handshake, with the reason as the network gave it. */
export type HostKeyScan = { readonly ok: true; readonly hostKey: ScannedHostKey } | { readonly ok: false; readonly cause: string };

/**
 * The key `target` presents; `algorithms` (HostKeyPolicy.serverHostKeyAlgorithms) makes a machine
 * with keys of several types present the pinned one, as the login that follows will.
 * @param algorithms the host-key algorithms to offer. @default ssh2's (ed25519 first)
 */
export function scanHostKey(target: SshTargetLabel, timeoutSeconds: number, algorithms?: ServerHostKeyAlgorithm[]): Promise<HostKeyScan> {
  return new Promise((resolve) => {
    const client = new Client();
    let presented: Buffer | undefined;
    const done = (result: HostKeyScan) => {
      clearTimeout(timer);
      client.removeAllListeners("ready");
      client.on("error", () => undefined);
      client.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => done({ ok: false, cause: `no SSH handshake within ${timeoutSeconds} s` }), timeoutSeconds * 1000);
    client.on("ready", () => done({ ok: false, cause: "the server accepted a login without a key" }));
    client.on("error", (err: Error & { code?: string }) =>
      presented
        ? done({ ok: true, hostKey: { keyType: keyTypeOf(presented), fingerprint: fingerprint(presented), key: presented } })
        : done({ ok: false, cause: err.code ?? err.message }),
    );
    client.connect({
      host: target.host,
      port: target.port,
      username: "onefed-keyscan",
      readyTimeout: timeoutSeconds * 1000,
      ...(algorithms ? { algorithms: { serverHostKey: algorithms } } : {}),
      // Refusing the key ends the handshake before any authentication is attempted.
      hostVerifier: (key: Buffer) => {
        presented = key;
        return false;
      },
    });
  });
}

/** One known_hosts line for a key: `host key-type base64` (`[host]:port …` off port 22). */
export function knownHostsLine(host: string, port: number, key: Pick<ScannedHostKey, "keyType" | "key">): string {
  return `${knownHostsName(host, port)} ${key.keyType} ${key.key.toString("base64")}`;
}
