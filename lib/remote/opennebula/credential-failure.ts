/**
 * The OpenNebula CLIs' credential failures (docs/opennebula.md §5.6): a command that fails with one
 * of them needs its front-end's credential file fixed, not a retry, so the error says so.
 */
import { CommandResult } from "../ssh/command-result";

/** What the Ruby client raises when no credential file exists (onezone, onehost; onedb restore/upgrade/fsck). */
const NO_CREDENTIAL = "ONE_AUTH file not present";
/** What oned answers a call whose credential it does not accept. */
const NOT_AUTHENTICATED = /\[one\.[\w.]+\] User couldn't be authenticated, aborting call\./;

/** The hint for a failed command whose output shows a credential failure; undefined for any other failure. */
export function credentialHint(result: Pick<CommandResult, "stdout" | "stderr">): string | undefined {
  const output = `${result.stderr}\n${result.stdout}`;
  const missing = output.includes(NO_CREDENTIAL);
  if (!missing && !NOT_AUTHENTICATED.test(output)) return undefined;
  return (
    `${missing ? "The OpenNebula CLI found no credential file" : "oned refused the OpenNebula CLI's credential"} on this front-end: ` +
    "the SSH user's ~/.one/one_auth (or the file ONE_AUTH names) must hold oneadmin's `oneadmin:<password>` line, " +
    "as /var/lib/one/.one/one_auth does for oneadmin (docs/opennebula.md §5.6). Fix it there, then run the deploy again to resume here."
  );
}
