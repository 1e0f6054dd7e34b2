/**
 * What `onefed rehearse` needs of the sandbox, as an interface: lib/terraform may not import
 * sandbox/ (docs/architecture.md), so the CLI implements it with the sandbox API and hands it in.
 */
import type { TwinShape } from "./twin-shape";

/** The twin once up. */
export interface TwinMachines {
  /** The federation file the sandbox wrote (its machines, login, known_hosts, DB settings). */
  readonly federationFile: string;
  /** Variables the twin's runs need (the stand-in MySQL password under the name its file names); never printed. */
  readonly env: Readonly<Record<string, string>>;
  /** Every sshd the twin started (front-ends and nodes), for the report and the tests. */
  readonly sshdPids: readonly number[];
  /** How many machines (sshd) the twin has. */
  readonly machines: number;
}

/** A failure to inject into the twin before its apply (test option `--inject`). */
export interface TwinInjection {
  /** Zone whose front-ends get it (every server of an HA zone: the command may run on any). */
  readonly zone: number;
  /** The next command containing this text fails (exit 255). */
  readonly match: string;
  /** What the failed command prints on stderr. */
  readonly stderr: string;
}

/** The sandbox as the rehearsal uses it. */
export interface TwinSandbox {
  /** Builds and starts the twin in `dir` (an empty directory), on loopback addresses from `addressBase`. */
  up(shape: TwinShape, dir: string, addressBase: string): Promise<TwinMachines>;
  /** Arms a failure on the twin (after up, before the apply). */
  inject(dir: string, injection: TwinInjection): Promise<void>;
  /** Stops every sshd of the twin and removes `dir`. */
  down(dir: string): Promise<void>;
}
