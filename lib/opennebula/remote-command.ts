import { shellJoin, shellQuote } from "../ssh/shell-quote";

/** One command to run on a front-end, as data: rendered to a quoted line only at the edge. */
export interface RemoteCommand {
  /** Program and arguments; each is shell-quoted when rendered. */
  readonly argv: readonly string[];
  /** Variables set for this one command (`env K=V …`), never exported to the session. */
  readonly env?: Readonly<Record<string, string>>;
  /** Exit codes that are not failures for the caller. @default [0] */
  readonly okExitCodes?: readonly number[];
}

/** The exact line sent to the remote shell. */
export function renderCommand(cmd: RemoteCommand): string {
  const env = Object.entries(cmd.env ?? {});
  const prefix = env.length > 0 ? `env ${env.map(([k, v]) => `${k}=${shellQuote(v)}`).join(" ")} ` : "";
  return prefix + shellJoin(cmd.argv);
}
