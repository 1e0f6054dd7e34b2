import { OnefedError } from "../../model/errors";

/** Where a connection was going, for messages: "zone 100 (S-EU-GE), front-end 10.0.0.2:22". */
export interface SshTargetLabel {
  readonly host: string;
  readonly port: number;
  /** The zone the front-end belongs to, when known. */
  readonly zone?: string;
  /** What the machine is to the run ("jump host 1 of 2"). @default "front-end" */
  readonly role?: string;
}

export function describeTarget(t: SshTargetLabel): string {
  return `${t.zone ? `${t.zone}, ` : ""}${t.role ?? "front-end"} ${t.host}:${t.port}`;
}

/** The front-end did not answer, refused, or the handshake timed out. */
export class SshConnectError extends OnefedError {
  constructor(target: SshTargetLabel, cause: string) {
    super(
      `${describeTarget(target)} is unreachable over SSH: ${cause}. Expected an SSH server answering there. ` +
        `Check that the front-end is up and the address and port in the federation file are right, then run the deploy again; nothing was changed on it.`,
    );
  }
}

/**
 * The connection failed after the login: a channel or the SFTP subsystem could not be opened, or
 * the link dropped. Unlike SshConnectError this cannot promise that nothing changed: what the step
 * ran there before took effect.
 */
export class SshSessionError extends OnefedError {
  constructor(target: SshTargetLabel, cause: string, commandsRun: number) {
    const before =
      commandsRun === 0
        ? "This step had not run anything there yet."
        : `The ${commandsRun} command${commandsRun === 1 ? "" : "s"} this step ran there before took effect (the step checks what is in place when it runs again).`;
    super(
      `${describeTarget(target)}: the SSH connection failed after the login: ${cause}. ${before} ` +
        `Check that the front-end is up and reachable, then run the deploy again to resume at this step.`,
    );
  }
}

/**
 * A file copy between the automation host and a front-end failed (SFTP, or the local file system
 * under it). Says what was being copied, what happened and on which side, what was left behind,
 * and what to do.
 */
export class TransferError extends OnefedError {
  constructor(
    target: SshTargetLabel,
    facts: {
      /** "copying /var/lib/one/backups/x.sql from the front-end to /srv/artifacts/x.sql.partial" */
      readonly action: string;
      /** What happened, naming the side: "no space left on the front-end's file system". */
      readonly what: string;
      /** What the failure left behind, truthfully. */
      readonly left: string;
      readonly next: string;
    },
  ) {
    super(`${describeTarget(target)}: ${facts.action} failed: ${facts.what}. ${facts.left} ${facts.next}`);
  }
}

/** Our keys were refused. */
export class SshAuthError extends OnefedError {
  constructor(
    target: SshTargetLabel,
    user: string,
    cause: string,
    /** What was offered: "the ssh-agent's keys, then the key /keys/id_ed25519". @default "the configured private key" */
    offered = "the configured private key",
  ) {
    super(
      `${describeTarget(target)} refused the login of user ${user} with ${offered} (${cause}). ` +
        `Install the public key in that user's authorized_keys or fix ssh.user / ssh.privateKeyPath / ssh.agent (or the zone's ssh override); nothing was changed on it.`,
    );
  }
}

/** The host key is not pinned, or differs from the pinned one: possibly a different machine. */
export class HostKeyError extends OnefedError {
  constructor(target: SshTargetLabel, reason: "unknown" | "changed" | "revoked", keyType: string, fingerprint: string, knownHostsPath: string) {
    const found = `it presented ${keyType} key ${fingerprint}`;
    const what =
      reason === "unknown"
        ? `has no pinned host key in ${knownHostsPath}; ${found}. Verify this fingerprint on the front-end's console (ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub) and add its key to ${knownHostsPath}`
        : reason === "revoked"
          ? `presented a host key that ${knownHostsPath} marks @revoked (${keyType} ${fingerprint}). Do not connect; find out why the front-end uses a revoked key`
          : `presented a host key that differs from the one pinned in ${knownHostsPath}; ${found}. This can be a re-installed front-end or a machine in the middle: verify the new fingerprint on the front-end's console before replacing the pinned key`;
    super(`${describeTarget(target)} ${what}. No command was run.`);
  }
}

/** The step's deadline passed while a command was running. */
export class DeadlineError extends OnefedError {
  constructor(target: SshTargetLabel, command: string, seconds: number) {
    super(
      `${describeTarget(target)}: the step's deadline of ${seconds} s passed while running \`${command}\`; the connection was closed. ` +
        `Look at the front-end to see whether the command is still running, then run the deploy again to resume at this step (or raise timeouts.stepSeconds).`,
    );
  }
}
