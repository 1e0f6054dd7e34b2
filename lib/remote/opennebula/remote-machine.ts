/**
 * What every machine onefed manages over SSH shares, front-end or hypervisor: running a command
 * with its exit codes checked, files, and the package manager. Subclasses add their own facts.
 */
import { PackageManager, PackagesConfig } from "../../model/federation";
import { CommandResult } from "../ssh/command-result";
import { SshTargetLabel } from "../ssh/errors";
import { files } from "./commands";
import { installedVersionCommand, refreshCommand, repositorySwitchCommand, upgradeCommand } from "./packages";
import { parsePackageVersion, parseSha256 } from "./parsers";
import { RemoteCommand, renderCommand } from "./remote-command";
import { RemoteCommandError } from "./remote-command-error";

/** How commands and files reach the machine (an SSH session, or a fake in unit tests). */
export interface Transport {
  exec(commandLine: string, stdin?: string): Promise<CommandResult>;
  upload(localPath: string, remotePath: string): Promise<void>;
  download(remotePath: string, localPath: string): Promise<void>;
}

export class RemoteMachine {
  constructor(
    protected readonly transport: Transport,
    public readonly target: SshTargetLabel,
    protected readonly packageManager: PackageManager,
    protected readonly log: (line: string) => void = () => undefined,
  ) {}

  /** Runs a command; throws RemoteCommandError unless its exit code is accepted. */
  async run(cmd: RemoteCommand, hint = "See the output above; fix the cause and run the deploy again to resume here."): Promise<CommandResult> {
    const line = renderCommand(cmd);
    const result = await this.transport.exec(line, cmd.stdin);
    this.log(`  $ ${line}  → ${result.exitCode ?? result.signal} (${result.durationMs} ms)`);
    const ok = cmd.okExitCodes ?? [0];
    if (result.exitCode === null || !ok.includes(result.exitCode)) throw new RemoteCommandError(this.target, result, hint);
    return result;
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

  /** Refreshes the package lists, then upgrades only the given, installed packages. */
  async upgradePackages(packages: readonly string[]): Promise<void> {
    await this.run(refreshCommand(this.packageManager));
    await this.run(upgradeCommand(this.packageManager, packages));
  }
}
