/** The federated backup artifact: taken on the upgraded master, restored on every slave. */
import { Construct } from "constructs";
import { FederationConfig } from "../../model/federation";
import { RunnerInvocation } from "../runner-invocation";
import { StepResource } from "./step-resource";
import { Zone } from "./zone";
import { artifactPaths } from "../../model/paths";

export interface FederatedBackupProps {
  /** The master's Zone: the backup runs on its front-end, after its upgrade; required. */
  readonly master: Zone;
  /** The loaded federation file (name, versions, backup directories name the artifact); required. */
  readonly config: FederationConfig;
  /** How the step's local-exec calls the runner; required. */
  readonly runner: RunnerInvocation;
}

export class FederatedBackup extends Construct {
  /** The export on the upgraded master; every slave's restore waits for it. */
  public readonly backupStep: StepResource;
  /** Where the artifact lands on the automation host (mode 0600). */
  public readonly artifactPath: string;
  /** Its sha256, in sha256sum format; restores refuse an artifact that does not match it. */
  public readonly checksumPath: string;

  constructor(scope: Construct, id: string, props: FederatedBackupProps) {
    super(scope, id);
    const paths = artifactPaths(props.config);
    this.artifactPath = paths.localPath;
    this.checksumPath = paths.localChecksumPath;
    this.backupStep = new StepResource(this, "backup", {
      step: "backup",
      zone: props.master.zone,
      config: props.config,
      runner: props.runner,
      after: [props.master.upgradeStep],
      resourceName: "federated_backup",
    });
  }
}
