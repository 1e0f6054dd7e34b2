import { FactKind } from "../ssh/fact-cache";
import { shellJoin, shellQuote } from "../ssh/shell-quote";

/** One command to run on a front-end, as data: rendered to a quoted line only at the edge. */
export interface RemoteCommand {
  /** Program and arguments; each is shell-quoted when rendered. */
  readonly argv: readonly string[];
  /** Variables set for this one command (`env K=V …`), never exported to the session. */
  readonly env?: Readonly<Record<string, string>>;
  /** Exit codes that are not failures for the caller. @default [0] */
  readonly okExitCodes?: readonly number[];
  /** Written to the command's stdin (secrets travel here, never in argv); not part of the rendered line. @default none */
  readonly stdin?: string;
  /**
   * A long, state-changing command (onedb, package upgrades) that must never run twice at once on one
   * machine. Without a terminal, a command whose SSH session is cut (a killed runner) keeps running;
   * RemoteMachine.run sends such a command inside `commandGuard` (commands.ts), so a later run's copy
   * refuses to start while the earlier one still runs. The rendered line (logs, plans) stays the
   * command itself. @default false
   */
  readonly exclusive?: boolean;
  /**
   * Its output is progress the operator follows (a package install, onedb): each line reaches the
   * console as it arrives. Not part of the rendered line (plans do not change with it).
   * @default false: the output is data onefed reads (XML, CSV, JSON); it goes to the step's log only
   */
  readonly echo?: boolean;
  /**
   * It changes nothing on the machine (a probe): commands like it issued together share one round
   * trip (probe-batch.ts, docs/round-trips.md). Not part of the rendered line. @default false
   */
  readonly readOnly?: boolean;
  /**
   * A read-only command whose answer only onefed's own actions change during a run (installed
   * packages, unit files, oned.conf; docs/round-trips.md, "Facts kept between steps"), and what it
   * is about: the warm runner may answer it from the machine's fact cache until the run's next
   * action there that can change that kind. Never for what others or the machine itself change
   * (zone state, services, the ledger, digests, disk). @default none: always read live
   */
  readonly fact?: FactKind;
  /**
   * Which kinds of facts this action can change on its machine (docs/round-trips.md, "Which actions
   * forget which facts"): the fact cache forgets those, and keeps the others. Declared only where it
   * is provable from what the command writes (e.g. `[]` for the ledger's own records, a service
   * stop, a database command, a file under the backup directory).
   * @default every kind: the action forgets every fact of its machine
   */
  readonly changes?: readonly FactKind[];
}

/**
 * Gives a command ONE_DB_PASSWORD in its own environment, read from stdin by a fixed script, so
 * the password is in no argv (ps), no command log and no rendered line (docs/opennebula.md §6 row 15).
 */
export function withDbPassword(cmd: RemoteCommand, password: string | undefined): RemoteCommand {
  if (password === undefined) return cmd;
  return {
    ...cmd,
    argv: ["sh", "-c", 'IFS= read -r ONE_DB_PASSWORD && export ONE_DB_PASSWORD && exec "$@"', "sh", ...cmd.argv],
    stdin: `${password}\n`,
  };
}

/** The exact line sent to the remote shell. */
export function renderCommand(cmd: RemoteCommand): string {
  const env = Object.entries(cmd.env ?? {});
  const prefix = env.length > 0 ? `env ${env.map(([k, v]) => `${k}=${shellQuote(v)}`).join(" ")} ` : "";
  return prefix + shellJoin(cmd.argv);
}
