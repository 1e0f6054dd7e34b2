import { UsageError } from "../../model/errors";

/**
 * The automation host cannot provide a login's credentials: a passphrase variable is missing, the
 * passphrase is wrong, the key is encrypted without one, or a required agent is absent. Found
 * before any connection, so nothing was touched (exit 2, like a wrong federation file).
 */
export class SshCredentialError extends UsageError {}
