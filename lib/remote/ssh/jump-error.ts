import { OnefedError } from "../../model/errors";
import { describeTarget, SshTargetLabel } from "./errors";

/**
 * A jump host accepted our login but would not open the TCP channel to the next machine: its
 * sshd forbids forwarding (AllowTcpForwarding, PermitOpen) or cannot reach that address.
 */
export class SshJumpError extends OnefedError {
  constructor(hop: SshTargetLabel, next: SshTargetLabel, cause: string) {
    super(
      `${describeTarget(hop)} could not open a TCP channel to ${describeTarget({ ...next, zone: undefined })}: ${cause}. ` +
        `Expected the jump host to forward to it (sshd AllowTcpForwarding, PermitOpen) and to reach that address; check ssh.jump in the federation file. Nothing was run on ${next.host}.`,
    );
  }
}
