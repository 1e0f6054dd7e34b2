/**
 * What every machine onefed manages over SSH shares, front-end or hypervisor: running a command
 * with its exit codes checked, files, and the package manager. Subclasses add their own facts.
 *
 * `run` is the one point every command result passes: what it logs, returns and throws is redacted
 * of every secret the machine knows (its own and the process's, lib/model/secrets.ts).
 */
import { PackageManager, PackagesConfig } from "../../model/federation";
import { PROCESS_SECRETS, Secrets } from "../../model/secrets";
import { CommandResult, OutputLineListener } from "../ssh/command-result";
import { CommandObserver, CommandWatch } from "./command-observer";
import { batchable } from "./probe-batch";
import { ProbeBatcher } from "./probe-batcher";
import { SshTargetLabel } from "../ssh/errors";
import { MachineFacts } from "../ssh/fact-cache";
import { automationUser } from "../../model/automation-user";
import * as os from "os";
import { CommandStillRunningError } from "./command-still-running-error";
import { commandGuard, files } from "./commands";
import {
  downgradeCommand,
  downloadCommand,
  installedVersionCommand,
  parsePendingDownloads,
  pendingDownloadsCommand,
  refreshCommand,
  repositorySwitchCommand,
  upgradeCommand,
} from "./packages";
import { parsePackageVersion, parseSha256 } from "./parsers";
import { RemoteCommand, renderCommand } from "./remote-command";
import { RemoteCommandError } from "./remote-command-error";
import { credentialHint } from "./credential-failure";

/** How commands and files reach the machine (an SSH session, or a fake in unit tests). */
export interface Transport {
  /** `onLine`, when given, receives each complete output line as it arrives. */
  exec(commandLine: string, stdin?: string, onLine?: OutputLineListener): Promise<CommandResult>;
  upload(localPath: string, remotePath: string): Promise<void>;
  download(remotePath: string, localPath: string): Promise<void>;
  /**
   * The machine's fact cache, when the transport outlives the step (the warm runner's pool): reads
   * marked `fact` may be answered from it, and every action invalidates it. @default none: every read is live
   */
  readonly facts?: MachineFacts;
}

/** `user@host` (just the host for a uid without a name: the host and pid still say where). */
function guardAuthor(): string {
  const user = automationUser();
  return `${user === undefined ? "" : `${user}@`}${os.hostname()}`;
}

export class RemoteMachine {
  /** What this machine's results, errors and log lines are redacted of: the process's secrets and its own (a DB password). */
  public readonly secrets = new Secrets(PROCESS_SECRETS);

  constructor(
    protected readonly transport: Transport,
    public readonly target: SshTargetLabel,
    protected readonly packageManager: PackageManager,
    protected readonly log: (line: string) => void = () => undefined,
    /** Follows every command as it runs (console, run logs, events); without one, `log` gets a line per command. @default none */
    protected readonly observer?: CommandObserver,
  ) {}

  /** Probes issued together go out as one batch (probe-batcher.ts); everything else goes alone. */
  private readonly batcher = new ProbeBatcher((line) => this.transport.exec(line));

  /**
   * Runs a command; throws RemoteCommandError unless its exit code is accepted. Result, log line and
   * error are redacted. With a fact cache (the warm runner), a `fact` read may be answered from it
   * (no remote command, no event: docs/events.md) and every action invalidates it.
   */
  async run(cmd: RemoteCommand, hint = "See the output above; fix the cause and run the deploy again to resume here."): Promise<CommandResult> {
    const facts = this.transport.facts;
    if (!facts) return this.send(cmd, hint);
    if (cmd.readOnly)
      return cmd.fact && cmd.stdin === undefined ? facts.read(renderCommand(cmd), () => this.send(cmd, hint), cmd.fact).result : this.send(cmd, hint);
    return facts.action(() => this.send(cmd, hint), cmd.changes);
  }

  /** Sends a command to the machine: its events, log line, guard and exit-code check. */
  private async send(cmd: RemoteCommand, hint: string): Promise<CommandResult> {
    const line = renderCommand(cmd);
    const sent = cmd.exclusive ? renderCommand(commandGuard.wrap(line, this.guardNote(line))) : line;
    const echo = cmd.echo === true;
    // Opened when the command really leaves: a probe waits for the rest of its batch.
    let watch: CommandWatch | undefined;
    const started = (batch?: string) => {
      watch = this.observer?.commandStarted(this.target, this.secrets.redact(line), echo, batch);
    };
    // Redacted line by line: the splitter gives whole lines, so a secret split across chunks is whole here.
    const onLine: OutputLineListener | undefined = this.observer && echo ? (stream, text) => watch?.output(stream, this.secrets.redact(text)) : undefined;
    let raw: CommandResult;
    try {
      if (batchable(cmd)) raw = await this.batcher.exec(sent, started);
      else {
        started();
        raw = await this.transport.exec(sent, cmd.stdin, onLine);
      }
    } catch (err) {
      const redacted = this.secrets.redactError(err);
      watch?.failed(redacted instanceof Error ? redacted.message : String(redacted));
      throw redacted;
    }
    // Logs and errors show the command itself; the guard around it is the same fixed script every time.
    const result = this.redacted({ ...raw, command: line });
    if (watch) watch.ended(result);
    else this.log(`  $ ${result.command}  → ${result.exitCode ?? result.signal} (${result.durationMs} ms)`);
    if (cmd.exclusive && result.exitCode === commandGuard.busyExitCode && result.stderr.startsWith(commandGuard.busyMarker)) {
      throw new CommandStillRunningError(this.target, result.command, result.stderr.slice(commandGuard.busyMarker.length));
    }
    const ok = cmd.okExitCodes ?? [0];
    if (result.exitCode === null || !ok.includes(result.exitCode)) throw new RemoteCommandError(this.target, result, credentialHint(result) ?? hint);
    return result;
  }

  /** What an exclusive command leaves on the machine while it runs, for a later run that finds it still running. */
  private guardNote(line: string): string {
    return this.secrets.redact(`${line} — started ${new Date().toISOString()} by onefed pid ${process.pid} on ${guardAuthor()}`);
  }

  /** The result as it may leave the runner: its line and output redacted (parsers read this too: nothing they need is secret). */
  private redacted(result: CommandResult): CommandResult {
    const s = this.secrets;
    return { ...result, command: s.redact(result.command), stdout: s.redact(result.stdout), stderr: s.redact(result.stderr) };
  }

  /** Installed version of a package, e.g. "6.10.0". */
  async packageVersion(pkg: string): Promise<string> {
    return parsePackageVersion((await this.run(installedVersionCommand(this.packageManager, pkg))).stdout);
  }

  async exists(path: string): Promise<boolean> {
    return (await this.run(files.exists(path))).exitCode === 0;
  }

  async sha256(path: string): Promise<string> {
    return parseSha256((await this.run(files.sha256(path))).stdout);
  }

  async pointRepositoryAt(packages: PackagesConfig, toVersion: string): Promise<void> {
    await this.run(repositorySwitchCommand(packages, toVersion));
  }

  /**
   * Upgrades only the given, installed packages, after refreshing the package lists unless told not
   * to (the download step refreshed them and filled the cache before the freeze).
   */
  async upgradePackages(packages: readonly string[], opts: { readonly refresh?: boolean } = {}): Promise<void> {
    if (opts.refresh ?? true) await this.run(refreshCommand(this.packageManager));
    await this.run(upgradeCommand(this.packageManager, packages));
  }

  /** Rollback: the given packages pinned to `version`, the package lists refreshed first (the repository already points at its series). */
  async downgradePackages(packages: readonly string[], version: string): Promise<void> {
    await this.run(refreshCommand(this.packageManager));
    await this.run(downgradeCommand(this.packageManager, packages, version));
  }

  /** Refreshes the package lists, then downloads the upgrade of the given, installed packages into the cache without installing it. */
  async downloadPackages(packages: readonly string[]): Promise<void> {
    await this.run(refreshCommand(this.packageManager));
    await this.run(downloadCommand(this.packageManager, packages));
  }

  /**
   * The archives an upgrade of `packages` would still download (apt: what its cache lacks). Always
   * empty with dnf/yum, whose --downloadonly exit code is the proof (README, "Downloads before the freeze").
   */
  async pendingDownloads(packages: readonly string[]): Promise<string[]> {
    if (this.packageManager !== "apt") return [];
    return parsePendingDownloads((await this.run(pendingDownloadsCommand(packages))).stdout);
  }
}
