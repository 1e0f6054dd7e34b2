/**
 * Preflight, once for the whole federation: first the automation host's artifact directory (every
 * later step writes there), then connect to every front-end (host keys checked during the
 * handshake, before any command runs anywhere), then gather the facts and judge them with the
 * same checks as `onefed check`. Any finding stops the run before anything changes.
 */
import { gatherFacts } from "../gather-facts";
import { PREFLIGHT_PACK, runPack } from "../../checks/packs";
import { prepareLocalDirectory } from "../../config/local-directory";
import { OnefedError } from "../../model/errors";
import { printable } from "../../model/printable";
import { serverIds } from "../raft";
import { StepRefusal } from "../step-refusal";
import { StepRun } from "../step";
import { isHaZone } from "../../model/federation";

/** The preflight found drift: every finding, one paragraph each. */
export class PreflightError extends OnefedError {}

export const preflight: StepRun = {
  name: "preflight",
  async run(ctx) {
    const { config } = ctx;
    const zones = config.upgradeType === "A" ? [ctx.zone] : config.zones;
    const localProblem = prepareLocalDirectory(config.backup.localDirectory);
    if (localProblem) {
      throw new StepRefusal("preflight", {
        zone: ctx.zone,
        expected: `backup.localDirectory ${config.backup.localDirectory} to be a directory this user can write on the automation host (the federated backup and the records a run resumes from are kept there)`,
        found: `it ${localProblem}`,
        next: "Nothing was changed. Make it writable for this user (or point backup.localDirectory elsewhere and synthesize again), then run the deploy again.",
      });
    }
    // Every handshake first: an unknown or changed host key anywhere stops the run before any command.
    const connected = await Promise.allSettled(zones.flatMap((z) => z.frontends.map((_, i) => ctx.serverOf(z, i))));
    const failed = connected.find((c): c is PromiseRejectedResult => c.status === "rejected");
    if (failed) throw failed.reason;
    // Listed hypervisor hosts are checked now too: the nodes step comes last, after every zone changed.
    const facts = await gatherFacts(config, { frontend: ctx.serverOf, node: (z, n) => ctx.node(n, z) }, zones);
    const unreadable = facts.frontends.filter((f) => f.error);
    // (An unreachable hypervisor host is a nodes-ready finding below, with the same paragraph shape.)
    if (unreadable.length > 0) {
      const paragraphs = unreadable.map((f) => `zone ${f.zoneId}, front-end ${f.frontend}: ${printable(f.error ?? "", { multiline: true })}`);
      throw new PreflightError(paragraphs.join("\n\n"));
    }
    const findings = runPack(PREFLIGHT_PACK, facts, config).filter((r) => r.status === "finding");
    if (findings.length > 0) {
      throw new PreflightError(
        `preflight refused: the federation is not as federation.yaml says or not ready (${findings.length} finding${findings.length === 1 ? "" : "s"}); no zone has been changed.\n` +
          findings.map((f) => `  - [${f.check}] ${f.summary}`).join("\n"),
      );
    }
    // HA zones: each front-end's SERVER_ID is recorded now, before anything changes (raft.ts serverIds).
    for (const z of zones.filter(isHaZone)) await serverIds(config, z, await ctx.serversOf(z), "preflight");
    for (const f of facts.frontends) ctx.log(`zone ${f.zoneId} ${f.frontend}: ${f.installedVersion}, DB ${f.db?.shared}/${f.db?.local}`);
    return { status: "done", summary: `${zones.length} zone${zones.length === 1 ? "" : "s"} reachable with pinned keys, at ${config.fromVersion}, ready` };
  },
};
