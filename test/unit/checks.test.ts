/** Each check, table-driven: compliant and non-compliant facts, and the message an operator reads. */
import { FederationFacts, FrontendFacts } from "../../lib/checks/facts";
import { PREFLIGHT_PACK, READINESS_PACK, runPack } from "../../lib/checks/packs";
import { renderDriftTable } from "../../lib/checks/report-table";
import { ZoneListRow } from "../../lib/remote/opennebula/parsers";
import { driftReportJson } from "../../lib/checks/drift-report";
import { fedIndexOf } from "../../lib/remote/opennebula/fed-index";
import { seedFederation } from "../support/federation-builder";

const config = seedFederation().parse();

function healthy(): FederationFacts {
  const frontends: FrontendFacts[] = config.zones.map((z) => ({
    zoneId: z.id,
    frontend: `${z.frontends[0].host}:22`,
    installedVersion: "6.10.0",
    db: { status: "up-to-date", shared: "6.10.0", local: "6.10.0" },
    services: { opennebula: "active" },
    freeBytes: 50 * 1024 ** 3,
    zoneEnabled: true,
    dbBackend: "sqlite",
  }));
  const masterZoneList: ZoneListRow[] = config.zones.map((z) => ({
    current: z.id === 0,
    id: z.id,
    name: z.name,
    endpoint: z.endpoint,
    fedIndex: fedIndexOf(715438),
    enabled: true,
  }));
  return { gatheredAt: "2026-11-25T00:00:00Z", frontends, masterZoneList };
}

type Mutation = (f: { frontends: FrontendFacts[]; masterZoneList: ZoneListRow[] }) => void;
const at =
  (zoneId: number, patch: Partial<FrontendFacts>): Mutation =>
  (f) => {
    const i = f.frontends.findIndex((x) => x.zoneId === zoneId);
    f.frontends[i] = { ...f.frontends[i], ...patch };
  };

const findingsOf = (mutate?: Mutation) => {
  const facts = healthy() as unknown as { frontends: FrontendFacts[]; masterZoneList: ZoneListRow[] };
  mutate?.(facts);
  return runPack(READINESS_PACK, facts as unknown as FederationFacts, config).filter((r) => r.status === "finding");
};

describe("readiness checks", () => {
  it("find nothing on a healthy federation", () => {
    expect(findingsOf()).toEqual([]);
  });

  const cases: Array<[string, Mutation, string, RegExp]> = [
    [
      "an unreachable front-end",
      at(100, { error: "front-end 192.168.150.2:22 is unreachable over SSH: ECONNREFUSED", installedVersion: undefined }),
      "frontend-reachable",
      /zone 100 \(S-EU-GE\), front-end 192\.168\.150\.2:22: expected an SSH session with the pinned host key, found .*ECONNREFUSED/,
    ],
    [
      "another version",
      at(101, { installedVersion: "6.8.1" }),
      "version-as-declared",
      /zone 101 \(S-US-CA\).*expected OpenNebula 6\.10\.0 \(federation\.fromVersion\), found 6\.8\.1/,
    ],
    ["a zone already upgraded", at(100, { installedVersion: "7.0.0" }), "version-as-declared", /found 7\.0\.0, the target: a half-done upgrade/],
    [
      "a DB needing upgrade",
      at(0, { db: { status: "upgrade-needed", shared: "6.8.0", local: "6.8.0" } }),
      "database-current",
      /zone 0 \(M-EU-FR\).*found upgrade-needed \(shared 6\.8\.0/,
    ],
    [
      "a front-end whose oned.conf names another DB backend than the file",
      at(100, { dbBackend: "mysql" }),
      "database-as-declared",
      /zone 100 \(S-EU-GE\), front-end 192\.168\.150\.2:22: expected DB BACKEND sqlite in \/etc\/one\/oned\.conf, as the federation file declares for the zone .*found BACKEND mysql\. Correct the federation file's database section/,
    ],
    ["oned stopped", at(101, { services: { opennebula: "inactive" }, zoneEnabled: undefined }), "oned-running", /expected opennebula active, found inactive/],
    ["a zone left disabled", at(100, { zoneEnabled: false }), "zone-enabled", /expected STATE ENABLED, found DISABLED/],
    ["little disk", at(0, { freeBytes: 200 * 1024 ** 2 }), "free-disk", /found 0\.2 GiB free/],
    [
      "a zone the file lacks",
      (f) => f.masterZoneList.push({ current: false, id: 102, name: "S-XX", endpoint: "http://x:2633/RPC2", fedIndex: fedIndexOf(715438), enabled: true }),
      "zones-match-master",
      /the master knows zone 102 \(S-XX\)/,
    ],
    [
      "a zone the master lacks",
      (f) => f.masterZoneList.splice(2, 1),
      "zones-match-master",
      /zone 101 \(S-US-CA\): expected zone 101 in the master's zone pool, found no such zone/,
    ],
    [
      "a changed endpoint",
      (f) => (f.masterZoneList[1] = { ...f.masterZoneList[1], endpoint: "http://10.9.9.9:2633/RPC2" }),
      "zones-match-master",
      /expected S-EU-GE at http:\/\/192\.168\.150\.2:2633\/RPC2, found S-EU-GE at http:\/\/10\.9\.9\.9:2633\/RPC2 on the master/,
    ],
    [
      "a lagging FED_INDEX",
      (f) => (f.masterZoneList[2] = { ...f.masterZoneList[2], fedIndex: fedIndexOf(715401) }),
      "federation-in-sync",
      /expected FED_INDEX 715438 like zone 0 \(M-EU-FR\), found FED_INDEX 715401 \(37 behind\)/,
    ],
    [
      "a zone the master cannot ask",
      (f) => (f.masterZoneList[1] = { ...f.masterZoneList[1], fedIndex: { kind: "unreachable" } }),
      "federation-in-sync",
      /found `-`: the master could not reach/,
    ],
  ];
  it.each(cases)("name %s", (_what, mutate, check, message) => {
    const findings = findingsOf(mutate);
    expect(findings.map((f) => f.check)).toContain(check);
    expect(findings.find((f) => f.check === check)!.summary).toMatch(message);
  });

  it("refuse an HA MySQL zone whose servers name different databases", () => {
    const mysql = seedFederation()
      .withHa(101, ["192.168.150.3", "192.168.150.31"])
      .with({ database: { backend: "mysql" } })
      .parse();
    const facts = healthy();
    const servers: FrontendFacts[] = [
      { ...facts.frontends[2], dbName: "opennebula" },
      { ...facts.frontends[2], frontend: "192.168.150.31:22", dbName: "one_old" },
    ];
    const results = runPack(READINESS_PACK, { ...facts, frontends: [...facts.frontends.slice(0, 2), ...servers] }, mysql).filter(
      (r) => r.check === "ha-same-db-name",
    );
    expect(results.map((r) => r.status)).toEqual(["finding"]);
    expect(results[0].summary).toMatch(
      /zone 101 \(S-US-CA\): expected DB_NAME "opennebula" on every server \(as on 192\.168\.150\.3:22\), found 192\.168\.150\.31:22 uses "one_old"/,
    );
    servers[1] = { ...servers[1], dbName: "opennebula" };
    expect(
      runPack(READINESS_PACK, { ...facts, frontends: [...facts.frontends.slice(0, 2), ...servers] }, mysql)
        .filter((r) => r.check === "ha-same-db-name")
        .map((r) => r.status),
    ).toEqual(["ok"]);
  });

  describe("listed hypervisor hosts", () => {
    const withNodes = (nodes: NonNullable<FederationFacts["nodes"]>) =>
      runPack(READINESS_PACK, { ...healthy(), nodes }, config).filter((r) => r.check === "nodes-ready");
    const node = { zoneId: 100, name: "kvm-ge-1", host: "192.168.150.21:22" };
    it("pass at the source release or already at the target", () => {
      expect(
        withNodes([
          { ...node, nodeVersion: "6.10.0" },
          { ...node, name: "kvm-ge-2", nodeVersion: "7.0.0" },
        ]).map((r) => r.status),
      ).toEqual(["ok", "ok"]);
    });
    it("refuse an unreachable host before anything changes, naming it", () => {
      const [r] = withNodes([{ ...node, error: "front-end 192.168.150.21:22 is unreachable over SSH: ETIMEDOUT" }]);
      expect(r.summary).toMatch(
        /zone 100 \(S-EU-GE\), front-end 192\.168\.150\.21:22 \(host kvm-ge-1\): expected an SSH session .*found .*ETIMEDOUT\. Fix the host's reachability/,
      );
    });
    it("refuse a host at another release", () => {
      expect(withNodes([{ ...node, nodeVersion: "6.8.1" }])[0].summary).toMatch(/expected its node package at 6\.10\.0 \(or already 7\.0\.0\), found 6\.8\.1/);
    });
  });

  it("leave the FED_INDEX comparison to the sync step in the preflight pack", () => {
    expect(PREFLIGHT_PACK.map((c) => c.id)).not.toContain("federation-in-sync");
    expect(READINESS_PACK.map((c) => c.id)).toContain("federation-in-sync");
  });

  it("render findings first with what to do", () => {
    const results = runPack(
      READINESS_PACK,
      { ...healthy(), frontends: healthy().frontends.map((f) => (f.zoneId === 101 ? { ...f, installedVersion: "6.8.1" } : f)) },
      config,
    );
    const text = renderDriftTable({
      federation: "seed",
      fromVersion: "6.10.0",
      toVersion: "7.0.0",
      facts: healthy(),
      results,
      couldNotCheck: false,
      ready: false,
      exitCode: 3,
    });
    const lines = text.split("\n");
    expect(lines[0]).toBe("Federation seed, 6.10.0 → 7.0.0: NOT READY (drift)");
    expect(lines[3]).toMatch(/^FINDING\s+version-as-declared\s+101 S-US-CA/);
    expect(text).toMatch(/What to do:\n  - zone 101 \(S-US-CA\)/);
  });
});

describe("no-upgrade-under-way", () => {
  const lock = {
    kind: "lock" as const,
    format: "onefed-ledger/1" as const,
    run_id: "run-9",
    lineage: "l-1",
    holder: "ci@runner-2",
    since: "2026-11-30T10:00:00Z",
    step: "restore",
    zone_id: 100,
    updated_at: "2026-11-30T10:05:00Z",
  };

  it("finds a held federation lock, naming the holder and how to release it", () => {
    const findings = runPack(READINESS_PACK, { ...healthy(), upgradeLock: lock }, config).filter((r) => r.status === "finding");
    expect(findings.map((f) => f.check)).toEqual(["no-upgrade-under-way"]);
    expect(findings[0].summary).toMatch(
      /^zone 0 \(M-EU-FR\): expected no upgrade holding the federation lock, found run run-9 by ci@runner-2 .* last at restore of zone 100 .*`onefed unlock --run-id run-9`/,
    );
  });

  it("is not part of the preflight, where the runner takes the lock (or takes a failed run's over)", () => {
    expect(runPack(PREFLIGHT_PACK, { ...healthy(), upgradeLock: lock }, config).filter((r) => r.status === "finding")).toEqual([]);
  });
});

describe("federation-in-sync: every FED_INDEX form", () => {
  const NO_RECORD = { kind: "no-record" } as const;
  /** federation-in-sync's results with each zone's FED_INDEX (in file order: 0, 100, 101). */
  const judge = (fed: ZoneListRow["fedIndex"][]) => {
    const facts = healthy();
    const masterZoneList = facts.masterZoneList!.map((r, i) => ({ ...r, fedIndex: fed[i] }));
    return runPack(READINESS_PACK, { ...facts, masterZoneList }, config).filter((r) => r.check === "federation-in-sync");
  };
  const statuses = (fed: ZoneListRow["fedIndex"][]) => judge(fed).map((r) => r.status);

  it.each<[string, ZoneListRow["fedIndex"][], string[]]>([
    ["equal real indexes", [fedIndexOf(715438), fedIndexOf(715438), fedIndexOf(715438)], ["ok", "ok", "ok"]],
    ["equal indexes beyond 2^53, compared exactly", [fedIndexOf(2n ** 60n + 1n), fedIndexOf(2n ** 60n + 1n), fedIndexOf(2n ** 60n)], ["ok", "ok", "finding"]],
    ["a slave that never received a federated record", [fedIndexOf(715438), NO_RECORD, fedIndexOf(715438)], ["ok", "finding", "ok"]],
    ["every zone without a federated record: never in sync", [NO_RECORD, NO_RECORD, NO_RECORD], ["finding", "finding", "finding"]],
    ["a standalone zone", [fedIndexOf(715438), fedIndexOf(715438), { kind: "standalone" }], ["ok", "ok", "finding"]],
    [
      "a master the CLI could not ask: the others cannot be compared",
      [{ kind: "unreachable" }, fedIndexOf(715438), fedIndexOf(715438)],
      ["finding", "not-applicable", "not-applicable"],
    ],
  ])("%s", (_what, fed, expected) => {
    expect(statuses(fed)).toEqual(expected);
  });

  it("says what a zone without a federated record means and what to do", () => {
    const [, r] = judge([fedIndexOf(715438), NO_RECORD, fedIndexOf(715438)]);
    expect(r.summary).toBe(
      "zone 100 (S-EU-GE): expected a federated index (the zone holds the master's federated records), found FED_INDEX 18446744073709551615 (no federated record yet). " +
        "A zone that never received a federated record (a freshly added slave, say) cannot be proven in sync: check that it is a member of the federation " +
        "(it is in the master's `onezone list`; its /etc/one/oned.conf has FEDERATION MODE SLAVE, its ZONE_ID and MASTER_ONED) and that the master replicates to it (the master's /var/log/one/oned.log).",
    );
  });

  it("names a slave ahead of the master as ahead, and a standalone zone as such", () => {
    expect(judge([fedIndexOf(715438), fedIndexOf(715440), fedIndexOf(715438)])[1].summary).toMatch(/found FED_INDEX 715440 \(2 ahead\)/);
    expect(judge([fedIndexOf(715438), fedIndexOf(715438), { kind: "standalone" }])[2].summary).toMatch(
      /zone 101 \(S-US-CA\): expected a federated index .*found FED_INDEX -1 \(oned runs standalone\)\. A zone at FED_INDEX -1 runs without federation/,
    );
  });

  it("keeps check --json valid JSON, FED_INDEX as exact decimal strings", () => {
    const facts = healthy();
    const masterZoneList = facts.masterZoneList!.map((r, i) => ({ ...r, fedIndex: i === 1 ? NO_RECORD : fedIndexOf(18446744073709551614n) }));
    const report = {
      federation: "seed",
      fromVersion: "6.10.0",
      toVersion: "7.0.0",
      facts: { ...facts, masterZoneList },
      results: [],
      couldNotCheck: false,
      ready: true,
      exitCode: 0 as const,
    };
    expect(() => JSON.stringify(report)).toThrow(/BigInt/);
    const doc = JSON.parse(driftReportJson(report));
    expect(doc.facts.masterZoneList.map((r: { fedIndex: unknown }) => r.fedIndex)).toEqual([
      { kind: "index", value: "18446744073709551614" },
      { kind: "no-record" },
      { kind: "index", value: "18446744073709551614" },
    ]);
  });
});
