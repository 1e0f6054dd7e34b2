/**
 * The coordinated (type B) federation upgrade as a stack: one Zone per zone, the FederatedBackup,
 * and the edges between them. Terraform derives the order, and the parallelism, from these edges.
 */
import { Construct } from "constructs";
import { Aspects, Lazy, NullProvider, TerraformOutput, TerraformStack } from "../cdk";
import type { DriftReport } from "../../checks/drift-report";
import { FederationConfig } from "../../model/federation";
import { Barrier } from "./barrier";
import { FederatedBackup } from "./federated-backup";
import { GraphInvariants } from "../invariants/graph-invariants";
import { MaintenanceZone } from "./maintenance-zone";
import { RunnerInvocation } from "../runner-invocation";
import { foldSteps, StepChain } from "./step-chain";
import { StepResource } from "./step-resource";
import { addStateBackend } from "../state-backend";
import { Zone } from "./zone";

export interface FederationUpgradeProps {
  /** The loaded federation file: its upgrade type decides the stack's shape; required. */
  readonly config: FederationConfig;
  /** How every step's local-exec calls the runner; required. */
  readonly runner: RunnerInvocation;
  /** Exact null provider version to require, for an offline mirror that holds another build (docs/engine.md). @default the provider binding's version (3.2.4) */
  readonly nullProviderVersion?: string;
  /** A live drift-check result, published as the `drift_check` output: it shows in `terraform plan` without replacing any step. @default no drift_check output */
  readonly drift?: DriftReport;
}

export class FederationUpgrade extends TerraformStack {
  /** Every zone's steps: coordinated Zones (type B) or independent MaintenanceZones (type A). */
  public readonly zones: readonly (Zone | MaintenanceZone)[];
  /** Type B only: the master's coordinated steps. */
  public readonly master?: Zone;
  /** Type B only: the slaves' coordinated steps, in file order; empty for type A. */
  public readonly slaves: readonly Zone[] = [];
  /** Type B only: the federated backup taken on the upgraded master. */
  public readonly backup?: FederatedBackup;
  /** Type B only: the federation-wide preflight, before any freeze or stop. */
  public readonly preflightStep?: StepResource;
  /** Type B only: passed once every zone downloaded its packages; the first write of the upgrade (hosts-disable, freeze, or the sync) waits for it. */
  public readonly downloaded?: Barrier;
  /** Type B only: passed once every zone is back (started, unfrozen, hosts enabled); every verify waits for it. */
  public readonly back?: Barrier;
  /** Type B only: the FED_INDEX comparison once writes are frozen, before any zone stops. */
  public readonly syncStep?: StepResource;
  private folded?: readonly StepChain[];

  constructor(scope: Construct, id: string, props: FederationUpgradeProps) {
    super(scope, id);
    const { config, runner } = props;
    new NullProvider(this, "null");
    if (props.nullProviderVersion) this.addOverride("terraform.required_providers.null.version", props.nullProviderVersion);
    addStateBackend(this, config.terraform.backend);

    if (config.upgradeType === "A") {
      // Zone by zone: no freeze, no federated backup, no edge between zones.
      this.zones = config.zones.map((z) => new MaintenanceZone(this, `zone-${z.id}`, { zone: z, config, runner }));
    } else {
      const master = new Zone(this, `zone-${config.master.id}`, { zone: config.master, config, runner });
      const slaves = config.slaves.map((z) => new Zone(this, `zone-${z.id}`, { zone: z, config, runner }));
      this.master = master;
      this.slaves = slaves;
      this.zones = [master, ...slaves];
      const all = [master, ...slaves];
      this.preflightStep = new StepResource(this, "federation-preflight", {
        step: "preflight",
        zone: config.master,
        config,
        runner,
        resourceName: "federation_preflight",
      });

      // Downloads before the first write, so the window of frozen or stopped zones holds none: every
      // zone's first write waits for one barrier after every download (N + N edges, not N × N).
      for (const z of all) z.downloadStep.addAfter(this.preflightStep);
      const downloaded = new Barrier(this, "every-zone-downloaded", {
        resourceName: "stage_every_zone_downloaded",
        description: "every zone holds the target's packages in its cache: the freeze window may open",
        after: all.map((z) => z.downloadStep),
      });
      this.downloaded = downloaded;
      // Freeze: slaves first, the master last (a slave's disable goes through the master, docs/opennebula.md §4.5).
      for (const z of all) z.hostsDisableStep?.addAfter(downloaded);
      const slaveFreezes = slaves.flatMap((s) => (s.freezeStep ? [s.freezeStep] : []));
      for (const f of slaveFreezes) f.addAfter(downloaded);
      master.freezeStep?.addAfter(downloaded, ...slaveFreezes);
      const freezes = all.flatMap((z) => (z.freezeStep ? [z.freezeStep] : []));
      this.syncStep = new StepResource(this, "federation-sync", {
        step: "sync",
        zone: config.master,
        config,
        runner,
        // Host calls are writes: every zone's hosts are disabled before FED_INDEX is compared.
        after: [...(freezes.length > 0 ? freezes : [downloaded]), ...all.flatMap((z) => (z.hostsDisableStep ? [z.hostsDisableStep] : []))],
        resourceName: "federation_sync",
      });
      for (const z of all) z.stopStep.addAfter(this.syncStep);

      master.upgradeStep.addAfter(...all.map((z) => z.stopStep));
      this.backup = new FederatedBackup(this, "federated-backup", { master, config, runner });
      // The master starts after its export: a SQLite federated backup needs oned stopped.
      master.startStep.addAfter(this.backup.backupStep);
      for (const s of slaves) s.restoreStep?.addAfter(this.backup.backupStep);

      // Lift the freeze once every zone runs the new version: master first, then the slaves.
      master.unfreezeStep?.addAfter(...all.map((z) => z.startStep));
      for (const s of slaves) if (master.unfreezeStep) s.unfreezeStep?.addAfter(master.unfreezeStep);
      // Verify once the freeze is lifted everywhere (or, without one, once every zone runs again).
      // One barrier between the N steps that bring zones back and the N verifies: N + N edges, not N × N.
      this.back = new Barrier(this, "every-zone-back", {
        resourceName: "stage_every_zone_back",
        description: "every zone runs the new version with its freeze lifted and its hosts enabled: the verification may start",
        after: all.map((x) => x.hostsEnableStep ?? x.unfreezeStep ?? x.startStep),
      });
      for (const z of all) z.verifyStep.addAfter(this.back);

      new TerraformOutput(this, "federated_backup_artifact", {
        value: this.backup.artifactPath,
        description: "Federated backup on the automation host (mode 0600)",
      });
      new TerraformOutput(this, "federated_backup_checksum_file", { value: this.backup.checksumPath });
    }
    for (const z of this.zones) {
      // The resource id is unknown until the step ran, which defers reading the record to the apply
      // (a plan-time file() would freeze "no record yet"); null until the backup exists.
      const record = JSON.stringify(z.safetyBackupRecordPath);
      // The address is the chain's that runs the safety backup, known once the steps are folded.
      const output = new TerraformOutput(this, `safety_backup_zone_${z.zone.id}`, {
        value: Lazy.stringValue({
          produce: () => `\${${this.addressOf(z.safetyBackupStep)}.id != "" && fileexists(${record}) ? jsondecode(file(${record})) : null}`,
        }),
        description: `Full onedb backup of ${z.zone.name} before the upgrade (path on the front-end, size, sha256); see README "Rolling a zone back"`,
      });
      output.addOverride("depends_on", Lazy.listValue({ produce: () => [this.addressOf(z.safetyBackupStep)] }));
    }
    if (props.drift) {
      new TerraformOutput(this, "drift_check", { value: driftOutput(props.drift), description: "onefed check at synth time ($ONEFED_OBSERVE=1)" });
    }
    // At synth (an App's prepares the stack first, Testing's only visits the aspects), before the
    // validation and before any resource is rendered: an edge drawn after construction (a user's
    // addAfter in main.ts) counts like the constructs' own.
    Aspects.of(this).add({ visit: (node) => void (node === this && this.chains) });
    this.node.addValidation(new GraphInvariants(this));
  }

  /**
   * The resources that run the steps: each zone's back-to-back steps folded into one
   * (lib/synth/step-chains.ts), with every depends_on drawn. Folded on first use (at the latest at
   * synth); no edge can be added after that.
   */
  public get chains(): readonly StepChain[] {
    return (this.folded ??= foldSteps(this));
  }

  /** cdktf's App prepares every stack (resolving each resource once) before it visits the aspects: the steps are folded first. */
  public override prepareStack(): void {
    void this.chains;
    super.prepareStack();
  }

  /** The address of the resource that runs `step`, folding the steps first if they are not yet. */
  private addressOf(step: StepResource): string {
    void this.chains;
    return step.address;
  }
}

/** The drift report reduced to what a reviewer compares between plans: verdict, findings, observed versions. */
function driftOutput(report: DriftReport): Record<string, unknown> {
  return {
    verdict: report.couldNotCheck ? "could-not-check" : report.ready ? "ready" : "drift",
    findings: report.results.filter((r) => r.status === "finding").map((r) => `[${r.check}] ${r.summary}`),
    observed: report.facts.frontends.map(
      (f) =>
        `zone ${f.zoneId} ${f.frontend}: ${f.error ? "unreachable" : `${f.installedVersion} db ${f.db?.shared}/${f.db?.local} oned ${f.services?.["opennebula"]}`}`,
    ),
  };
}

/** Stack name for a federation: the directory under cdktf.out/stacks and the default state file name. */
export function stackName(config: FederationConfig): string {
  return `federation-${config.name}`;
}
