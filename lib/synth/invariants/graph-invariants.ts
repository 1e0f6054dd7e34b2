/**
 * The safety rules of a type B upgrade, proven on the synthesized graph at synth time: a wiring
 * mistake fails `cdktf synth` instead of reaching a zone.
 */
import { IConstruct } from "constructs";
import { IValidation } from "../cdk";
import { StepResource } from "../constructs/step-resource";

export class GraphInvariants implements IValidation {
  constructor(private readonly scope: IConstruct) {}

  public validate(): string[] {
    const steps = this.scope.node.findAll().filter((c): c is StepResource => c instanceof StepResource);
    const ancestors = new Map<StepResource, Set<StepResource>>();
    const closure = (s: StepResource, seen = new Set<StepResource>()): Set<StepResource> => {
      const cached = ancestors.get(s);
      if (cached) return cached;
      if (seen.has(s)) return new Set(); // a cycle; terraform reports it
      seen.add(s);
      const all = new Set<StepResource>();
      for (const p of s.after) {
        all.add(p);
        for (const a of closure(p, seen)) all.add(a);
      }
      ancestors.set(s, all);
      return all;
    };
    const of = (name: string) => steps.filter((s) => s.step === name);
    const label = (s: StepResource) => `${s.step} of zone ${s.zone.id} (${s.zone.name})`;
    const errors: string[] = [];
    const mustFollow = (later: StepResource, earlier: StepResource, why: string) => {
      if (!closure(later).has(earlier)) errors.push(`${label(later)} does not wait for ${label(earlier)}: ${why}`);
    };

    for (const change of [...of("upgrade"), ...of("restore")]) {
      const own = of("safety-backup").find((b) => b.zone.id === change.zone.id);
      if (!own) errors.push(`${label(change)} has no safety-backup step: nothing is changed without a full backup first`);
      else mustFollow(change, own, "nothing is changed before the zone's full safety backup");
    }
    // HA zones: the followers get the upgraded leader's DB before any server starts (docs/opennebula.md §3.2).
    for (const start of of("start").filter((s) => s.zone.frontends.length > 1)) {
      const own = of("replicate").find((r) => r.zone.id === start.zone.id);
      if (!own) errors.push(`${label(start)} has no replicate step: an HA zone's followers never start on their own old DB`);
      else mustFollow(start, own, "an HA zone starts only once every follower holds the leader's upgraded DB");
    }
    for (const r of of("replicate")) {
      const own = of("upgrade").find((u) => u.zone.id === r.zone.id);
      if (own) mustFollow(r, own, "the followers get the leader's DB once it is upgraded");
    }
    // Node packages first, then onehost sync (in hosts-enable): never new drivers over old node packages.
    for (const n of of("nodes")) {
      const start = of("start").find((s) => s.zone.id === n.zone.id);
      if (start) mustFollow(n, start, "node packages follow the front-end's upgrade");
      const enable = of("hosts-enable").find((e) => e.zone.id === n.zone.id);
      if (!enable) errors.push(`${label(n)} has no hosts-enable step after it: the hosts would never get onehost sync`);
      else mustFollow(enable, n, "onehost sync pushes the new drivers only once the node packages are upgraded");
    }
    if (steps.some((s) => s.upgradeType === "A")) {
      // Type A: every zone on its own; its preflight first; never a federated backup or restore.
      for (const s of steps) {
        if (s.step === "backup" || s.step === "restore") errors.push(`${label(s)} exists in a zone-by-zone (type A) upgrade`);
        for (const a of closure(s)) if (a.zone.id !== s.zone.id) errors.push(`${label(s)} waits for ${label(a)}: type A zones must not wait for each other`);
      }
      for (const stop of of("stop")) {
        const own = of("preflight").find((p) => p.zone.id === stop.zone.id);
        if (own) mustFollow(stop, own, "nothing stops before the zone's preflight passed");
        else errors.push(`${label(stop)} has no preflight`);
      }
      return errors;
    }
    for (const stop of of("stop")) for (const p of of("preflight")) mustFollow(stop, p, "nothing stops before every preflight passed");
    for (const stop of of("stop")) for (const s of of("sync")) mustFollow(stop, s, "zones stop only once the federation is in sync");
    for (const s of of("sync")) for (const f of of("freeze")) mustFollow(s, f, "FED_INDEX means something only once writes are frozen");
    for (const restore of of("restore")) {
      if (restore.zone.role === "master") errors.push(`${label(restore)} exists: the master is never restored`);
      for (const b of of("backup")) mustFollow(restore, b, "a slave restores only the upgraded master's backup");
    }
    for (const up of of("upgrade").filter((u) => u.zone.role === "slave")) {
      const own = of("restore").find((r) => r.zone.id === up.zone.id);
      if (!own) errors.push(`${label(up)} has no restore step: a slave is never upgraded without its federated restore`);
      else mustFollow(up, own, "a slave is never upgraded before its own restore");
    }
    for (const b of of("backup")) {
      if (b.zone.role !== "master") errors.push(`${label(b)} is not on the master`);
      for (const up of of("upgrade").filter((u) => u.zone.role === "master")) mustFollow(b, up, "the backup exports the upgraded master");
    }
    for (const up of of("upgrade").filter((u) => u.zone.role === "master")) for (const stop of of("stop")) mustFollow(up, stop, "every zone is stopped before the master upgrades");
    const masterFreeze = of("freeze").find((f) => f.zone.role === "master");
    const masterUnfreeze = of("unfreeze").find((f) => f.zone.role === "master");
    for (const f of of("freeze").filter((f) => f.zone.role === "slave")) if (masterFreeze) mustFollow(masterFreeze, f, "slaves are disabled before the master");
    for (const u of of("unfreeze").filter((f) => f.zone.role === "slave")) if (masterUnfreeze) mustFollow(u, masterUnfreeze, "the master is enabled before the slaves");
    for (const u of of("unfreeze")) for (const s of of("start")) mustFollow(u, s, "the freeze is lifted only once every zone runs the new version");
    for (const e of of("hosts-enable")) {
      const own = of("unfreeze").find((u) => u.zone.id === e.zone.id);
      if (own) mustFollow(e, own, "hosts are enabled only after their zone is enabled again");
    }
    for (const f of of("freeze")) {
      const own = of("hosts-disable").find((h) => h.zone.id === f.zone.id);
      if (own) mustFollow(f, own, "a disabled zone refuses onehost disable");
    }
    return errors;
  }
}
