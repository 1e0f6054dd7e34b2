/**
 * The runner's run-time requirements (lib/model/step-requirements.ts) and the synthesized graph
 * say the same thing: every (step, zone) a step requires exists and is one of its ancestors. So the
 * order is enforced twice, by the graph at synth and by each step against the ledger at run time.
 */
import { Testing } from "cdktf";
import { FederationConfig } from "../../lib/model/federation";
import { finalSteps, requirementsOf } from "../../lib/model/step-requirements";
import { Barrier, Predecessor } from "../../lib/synth/constructs/barrier";
import { StepResource } from "../../lib/synth/constructs/step-resource";
import { FederationUpgrade } from "../../lib/synth/constructs/federation-upgrade";
import { FEDERATION_SHAPES } from "../support/federation-shapes";

const runner = { command: ["/usr/bin/node", "/opt/onefed/dist/lib/cli/onefed.js"], configPath: "/etc/onefed/federation.yaml" };

function stepsOf(config: FederationConfig): StepResource[] {
  const stack = new FederationUpgrade(Testing.app(), "s", { config, runner });
  return stack.node.findAll().filter((c): c is StepResource => c instanceof StepResource);
}

/** Through stage barriers too: a step after a barrier waits for everything before it. */
function ancestors(s: Predecessor, seen = new Set<Predecessor>()): Set<Predecessor> {
  for (const p of s.after) if (!seen.has(p)) ancestors(p, seen.add(p));
  return seen;
}

describe.each(FEDERATION_SHAPES)("requirements on %s", (_shape, build) => {
  const config = build();
  const steps = stepsOf(config);

  it("name only steps the graph has, each an ancestor of the step that requires it", () => {
    const problems: string[] = [];
    for (const s of steps) {
      const before = ancestors(s);
      for (const r of requirementsOf(s.step, s.zone, config)) {
        const required = steps.find((x) => x.step === r.step && x.zone.id === r.zoneId);
        if (!required) problems.push(`${s.step}@${s.zone.id} requires ${r.step}@${r.zoneId}, which the graph lacks`);
        else if (!before.has(required)) problems.push(`${s.step}@${s.zone.id} requires ${r.step}@${r.zoneId}, which it does not wait for`);
      }
    }
    expect(problems).toEqual([]);
  });

  it("ask every step but the first to prove something", () => {
    const unproven = steps.filter((s) => s.step !== "preflight" && requirementsOf(s.step, s.zone, config).length === 0).map((s) => `${s.step}@${s.zone.id}`);
    expect(unproven).toEqual([]);
  });

  it("end with steps that nothing comes after", () => {
    const stack = new FederationUpgrade(Testing.app(), "s", { config, runner });
    const everything = stack.node.findAll().filter((c): c is StepResource | Barrier => c instanceof StepResource || c instanceof Barrier);
    const last = everything.filter((s): s is StepResource => s instanceof StepResource && !everything.some((x) => x.after.includes(s)));
    expect(
      finalSteps(config)
        .map((r) => `${r.step}@${r.zoneId}`)
        .sort(),
    ).toEqual(last.map((s) => `${s.step}@${s.zone.id}`).sort());
  });
});
