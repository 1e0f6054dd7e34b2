/**
 * Whether a plan upgrades the federation as one (type B) or zone by zone (type A), read from the
 * steps the graph holds rather than from what we expect onefed to produce.
 */
import { seriesOf } from "../../model/version";
import type { StepGraph } from "./step-graph";

export type UpgradeKind = "coordinated" | "per-zone";

export interface UpgradeClassification {
  readonly kind: UpgradeKind;
  /** One or two sentences for the review: why this kind, what it means for the zones. */
  readonly explanation: string;
}

/** Series of both ends, or undefined when a version does not parse (the review still renders). */
function series(v: string): string | undefined {
  try {
    return seriesOf(v);
  } catch {
    return undefined;
  }
}

/**
 * What the stack says first (the `upgrade_type` trigger); without it, coordinated when the graph
 * carries the federated backup/restore pair, which is what makes the slaves wait for the upgraded
 * master. Without that pair every zone upgrades on its own.
 */
export function classifyUpgrade(graph: StepGraph, fromVersion: string, toVersion: string): UpgradeClassification {
  const steps = new Set(graph.nodes.map((n) => n.step));
  const declared = new Set(graph.nodes.map((n) => n.upgradeType?.trim().charAt(0)).filter((t) => t !== undefined));
  const from = series(fromVersion);
  const to = series(toVersion);
  const minorChange = from !== undefined && to !== undefined && from !== to;
  const coordinated = declared.size === 1 ? declared.has("B") : steps.has("backup") || steps.has("restore");
  if (coordinated) {
    return {
      kind: "coordinated",
      explanation:
        `**Coordinated upgrade (type B).** ${fromVersion} → ${toVersion} ` +
        (minorChange
          ? `crosses from the ${from} series to ${to}, which changes the federated tables (every minor-to-minor upgrade since 5.10)`
          : `is planned as a coordinated upgrade`) +
        `: every zone is frozen and stopped, the master is upgraded first, its federated backup is restored on each slave before that slave is upgraded, and the zones are unfrozen master first.`,
    };
  }
  return {
    kind: "per-zone",
    explanation:
      `**Per-zone upgrade (type A).** ${fromVersion} → ${toVersion} ` +
      (minorChange
        ? `crosses from ${from} to ${to}, yet this plan has no federated backup/restore: each zone is upgraded on its own. Check that the release notes allow this.`
        : `stays in the ${from ?? "same"} series: the federated tables do not change, so each zone is upgraded on its own, without freeze or federated backup/restore.`) +
      " Zones do not wait for each other: one zone's failure does not block the others.",
  };
}
