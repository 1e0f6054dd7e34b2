import { OnefedError } from "../../model/errors";
import { explainHostKeyRefusal, HostKeyRefusal } from "./host-key-refusal";

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
  constructor(
    target: SshTargetLabel,
    cause: string,
    /** No answer within the connect timeout (no TCP connection, or no handshake): worth another try on a loaded host. @default false */
    public readonly timedOut = false,
  ) {
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

/** The host key is not pinned, differs from the pinned one or its type, is revoked, or is pinned only in a way ssh2 cannot check. */
export class HostKeyError extends OnefedError {
  constructor(
    target: SshTargetLabel,
    readonly refusal: HostKeyRefusal,
  ) {
    super(`${describeTarget(target)} ${explainHostKeyRefusal(refusal)} No command was run there; nothing was changed.`);
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
