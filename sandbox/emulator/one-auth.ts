/**
 * The credential of the OpenNebula CLIs (docs/sandbox.md "Credentials"). OpenNebula::Client reads it
 * before it connects anywhere: the file ONE_AUTH names, else ~/.one/one_auth, else
 * /var/lib/one/.one/one_auth; with none it raises "ONE_AUTH file not present" (the CLI prints it and
 * exits 255). Every oned then checks it on every call: a credential it does not accept fails the
 * call with RequestManager's AUTHENTICATION text.
 */
import * as fs from "fs";
import * as path from "path";
import { EmulatorContext } from "./context";
import { Connection, connect } from "./oned-link";
import { ONEADMIN_CREDENTIAL, ONE_FILES } from "../contract";

/** Client::NO_ONE_AUTH_ERROR. */
export const NO_ONE_AUTH = "ONE_AUTH file not present";

/** What oned answers a call whose credential it does not accept (RequestManager, AUTHENTICATION). */
export function authenticationFailure(method: string): string {
  return `[${method}] User couldn't be authenticated, aborting call.`;
}

/** The credential the CLI sends (right-stripped, like client.rb), undefined when no file is there. */
export function cliCredential(ctx: EmulatorContext): string | undefined {
  const candidates: string[] = [];
  if (ctx.env.ONE_AUTH) candidates.push(ctx.userPath(ctx.env.ONE_AUTH));
  // Outside the namespace (tests) HOME is the host's: only the front-end's own file counts there.
  if (ctx.env.HOME && !ctx.testRoot) candidates.push(path.join(ctx.env.HOME, ".one", "one_auth"));
  candidates.push(ctx.ownPath(ONE_FILES.oneAuth));
  for (const file of candidates) {
    try {
      if (fs.statSync(file).isFile()) return fs.readFileSync(file, "utf8").trimEnd();
    } catch {
      /* absent or unreadable: the next place */
    }
  }
  return undefined;
}

/** Whether the oned serving a call accepts a credential (oneadmin's `user:password` of the federated user_pool). */
export function credentialAccepted(credential: string): boolean {
  return credential === ONEADMIN_CREDENTIAL;
}

/**
 * The CLI's first call to the oned at its endpoint, in the real order: the credential file (before
 * any connection), the connection, then oned's authentication of `method` (e.g. one.zonepool.info).
 */
export function cliConnect(ctx: EmulatorContext, endpoint: string, method: string): Connection {
  const credential = cliCredential(ctx);
  if (credential === undefined) return { error: NO_ONE_AUTH };
  const conn = connect(ctx, endpoint);
  if ("error" in conn) return conn;
  return credentialAccepted(credential) ? conn : { error: authenticationFailure(method) };
}
