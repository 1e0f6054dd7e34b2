/**
 * The part of `terraform show -json <planfile>` the review reads (format 1.x): which resource
 * changes how, and why. Everything else in the document is ignored on purpose.
 */
import { ReviewInputError } from "./errors";

/** How one resource changes, from terraform's `actions` list. */
export type ChangeKind = "create" | "replace" | "update" | "delete" | "no-op" | "read";

/** Order in which kinds are listed in summaries: what does most first. */
export const CHANGE_KINDS: readonly ChangeKind[] = ["create", "replace", "update", "delete", "read", "no-op"];

export interface PlannedChange {
  /** Resource address, e.g. "null_resource.zone_100_restore". */
  readonly address: string;
  /** Resource name within its type, e.g. "zone_100_restore". */
  readonly name: string;
  readonly type: string;
  readonly kind: ChangeKind;
  /** terraform's action_reason, e.g. "replace_because_tainted". */
  readonly reason?: string;
  /** Trigger keys whose value differs between state and plan (why a replace happens). */
  readonly changedTriggers: readonly string[];
}

export interface PlanModel {
  /** The JSON format version, e.g. "1.2". */
  readonly formatVersion: string;
  /** terraform/OpenTofu version that made the plan. */
  readonly terraformVersion: string;
  /** Managed resources only, in address order. */
  readonly changes: readonly PlannedChange[];
  /** terraform stopped planning on an error; the plan file cannot be applied. @default false */
  readonly errored: boolean;
}

interface RawChange {
  address?: unknown;
  mode?: unknown;
  type?: unknown;
  name?: unknown;
  action_reason?: unknown;
  change?: { actions?: unknown; before?: { triggers?: Record<string, unknown> } | null; after?: { triggers?: Record<string, unknown> } | null };
}

/** terraform's actions list → one kind; a delete+create pair in either order is a replace. */
export function changeKindOf(actions: readonly string[]): ChangeKind {
  const key = [...actions].sort().join(",");
  switch (key) {
    case "create":
    case "update":
    case "delete":
    case "read":
    case "no-op":
      return key;
    case "create,delete":
      return "replace";
    default:
      throw new ReviewInputError(`plan JSON has an action list this review does not know: [${actions.join(", ")}]`);
  }
}

function changedTriggers(before: Record<string, unknown> | undefined, after: Record<string, unknown> | undefined): string[] {
  if (!before || !after) return [];
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys].filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k])).sort();
}

/** Parses the text of `terraform show -json <planfile>`; throws ReviewInputError on anything else. */
export function parsePlanJson(text: string): PlanModel {
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(text) as Record<string, unknown>;
  } catch (err) {
    throw new ReviewInputError(`the plan JSON does not parse (${(err as Error).message}); it must be the output of \`terraform show -json <planfile>\``);
  }
  const format = typeof doc?.format_version === "string" ? doc.format_version : "";
  if (!/^1\./.test(format)) {
    throw new ReviewInputError(
      `the plan JSON has format_version ${JSON.stringify(doc?.format_version)}; this review reads format 1.x from \`terraform show -json <planfile>\``,
    );
  }
  const raw = Array.isArray(doc.resource_changes) ? (doc.resource_changes as RawChange[]) : [];
  const changes = raw
    .filter((c) => c.mode === "managed")
    .map((c): PlannedChange => {
      const actions = Array.isArray(c.change?.actions) ? (c.change.actions as string[]) : [];
      return {
        address: String(c.address),
        name: String(c.name),
        type: String(c.type),
        kind: changeKindOf(actions),
        reason: typeof c.action_reason === "string" ? c.action_reason : undefined,
        changedTriggers: changedTriggers(c.change?.before?.triggers, c.change?.after?.triggers),
      };
    })
    .sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
  return {
    formatVersion: format,
    terraformVersion: typeof doc.terraform_version === "string" ? doc.terraform_version : "unknown",
    changes,
    // Not `applyable`: terraform sets it false for a plan without changes, which is fine to apply.
    errored: doc.errored === true,
  };
}

/** How many resources change in each way; every kind present, zero when absent. */
export function countChanges(plan: PlanModel): Record<ChangeKind, number> {
  const counts = Object.fromEntries(CHANGE_KINDS.map((k) => [k, 0])) as Record<ChangeKind, number>;
  for (const c of plan.changes) counts[c.kind]++;
  return counts;
}
