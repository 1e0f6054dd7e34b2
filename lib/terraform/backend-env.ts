/**
 * The state backend's credentials, from the variables the federation file names into the variables
 * the engine reads (PG_CONN_STR, TF_HTTP_USERNAME, TF_HTTP_PASSWORD). They live only in the
 * engine's environment: never in the file, the synthesized JSON, argv or a message. Each value is
 * registered as a process secret, so any line that quotes it anyway is redacted.
 */
import { UsageError } from "../model/errors";
import { PROCESS_SECRETS } from "../model/secrets";
import type { StateBackend } from "../model/state-backend";

/** A variable the backend needs is not set: nothing was touched (exit 2). */
export class BackendEnvironmentError extends UsageError {
  constructor(field: string, variable: string, holds: string) {
    super(
      `${field} names the environment variable ${variable}, which is not set (or empty) here; set it to ${holds} before deploy, plan or apply ` +
        "(it reaches the engine only through its environment, never the federation file, plans or logs). Nothing was touched.",
    );
  }
}

/** AWS variables whose values are secrets (the s3 backend reads them itself). */
const AWS_SECRETS = ["AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"] as const;

/** The password of a postgres:// URL, which redaction must know apart from the whole string. */
function urlPassword(conn: string): string | undefined {
  try {
    const url = new URL(conn);
    return url.password ? decodeURIComponent(url.password) : undefined;
  } catch {
    return undefined; // key=value form: its password=… is redacted by shape
  }
}

/** The variables to add to every engine run for this backend; throws when one it needs is unset. */
export function backendEnv(backend: StateBackend, env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const read = (field: string, variable: string, holds: string): string => {
    const value = env[variable];
    if (!value) throw new BackendEnvironmentError(field, variable, holds);
    PROCESS_SECRETS.add(value);
    return value;
  };
  switch (backend.kind) {
    case "local":
      return {};
    case "pg": {
      const conn = read("terraform.backend.pg.connEnv", backend.connEnv, "the PostgreSQL connection string (postgres://user:password@host:5432/db)");
      PROCESS_SECRETS.add(urlPassword(conn));
      return { PG_CONN_STR: conn };
    }
    case "s3":
      for (const v of AWS_SECRETS) PROCESS_SECRETS.add(env[v]);
      return {};
    case "http":
      return {
        ...(backend.usernameEnv ? { TF_HTTP_USERNAME: read("terraform.backend.http.usernameEnv", backend.usernameEnv, "the state server's user name") } : {}),
        ...(backend.passwordEnv
          ? { TF_HTTP_PASSWORD: read("terraform.backend.http.passwordEnv", backend.passwordEnv, "the state server's password or token") }
          : {}),
      };
  }
}
