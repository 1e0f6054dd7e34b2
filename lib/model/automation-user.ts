/** Who runs onefed on the automation host, for the notes it leaves on machines and in the ledger. */
import * as os from "os";

let user: string | null | undefined;

/**
 * This process's user name, read once (os.userInfo reads the passwd database on every call, and
 * every exclusive command and lock check asks); undefined for a uid without a passwd entry (some CI
 * containers).
 */
export function automationUser(): string | undefined {
  if (user === undefined) {
    try {
      user = os.userInfo().username;
    } catch {
      user = null;
    }
  }
  return user ?? undefined;
}
