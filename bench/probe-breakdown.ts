/**
 * `node dist/bench/probe-breakdown.js <events.jsonl>`: the probes of one deploy by class and by
 * step kind, from the run's events (each probe of a batch has its own `command-start`), so that
 * what is left of issue 13's "probes / remote commands" can be read per question asked. The
 * totals differ from the front-ends' command logs only by the sftp sessions (no event) and the
 * deploy's own reads outside any step.
 */
import * as fs from "fs";
import { isReadOnlyCommand, LEDGER_READ } from "./probe-classes";

/** Probe classes, first match wins (the command line after leading `env NAME=value` words). */
const CLASSES: ReadonlyArray<readonly [string, RegExp]> = [
  ["ledger read", LEDGER_READ],
  ["systemctl is-active", /^systemctl is-active\b/],
  ["systemctl list-unit-files", /^systemctl list-unit-files\b/],
  ["onezone show", /^onezone show\b/],
  ["onezone list", /^onezone list\b/],
  ["onehost list/show", /^onehost (list|show)\b/],
  ["onedb version", /^onedb version\b|onedb' 'version'/],
  ["test -e (lock file)", /^test -e \/var\/lock\//],
  ["test -e", /^test /],
  ["package version", /^(dpkg-query|rpm -q)/],
  ["package tools", /^sh -c 'for t in dpkg-query/],
  ["pending downloads", /^apt-get install --print-uris/],
  ["sha256sum / digest", /^sha256sum |^sh -c 'grep -v -e /],
  ["stat / df / nearest dir", /^(stat|df) |^sh -c 'p=\$1; while \[ /],
  ["oned.conf / monitord.conf", /^(sed -n|awk|cat) /],
  ["iptables -S", /^iptables -S\b/],
];

function classOf(command: string): string {
  const c = command.replace(/^env( [A-Za-z_][A-Za-z0-9_]*=\S*)+ /, "");
  return CLASSES.find(([, re]) => re.test(c))?.[0] ?? `other: ${c.slice(0, 40)}`;
}

interface Ev {
  readonly event: string;
  readonly step: string | null;
  readonly command?: string;
}

export function breakdown(events: readonly Ev[]): string {
  const starts = events.filter((e) => e.event === "command-start" && e.command !== undefined);
  const steps = [...new Set(starts.map((e) => e.step ?? "-"))];
  const table = new Map<string, Map<string, number>>();
  let probes = 0;
  const actions = new Map<string, number>();
  for (const e of starts) {
    const step = e.step ?? "-";
    if (!isReadOnlyCommand(e.command!)) {
      actions.set(step, (actions.get(step) ?? 0) + 1);
      continue;
    }
    probes++;
    const row = table.get(classOf(e.command!)) ?? new Map<string, number>();
    row.set(step, (row.get(step) ?? 0) + 1);
    table.set(classOf(e.command!), row);
  }
  const abbrev = (s: string) => s.slice(0, 7);
  const head = `${"class".padEnd(26)}${steps.map((s) => abbrev(s).padStart(8)).join("")}${"total".padStart(8)}`;
  const rows = [...table]
    .map(([k, row]) => [k, row, [...row.values()].reduce((a, b) => a + b, 0)] as const)
    .sort((a, b) => b[2] - a[2])
    .map(([k, row, n]) => `${k.padEnd(26)}${steps.map((s) => String(row.get(s) ?? "").padStart(8)).join("")}${String(n).padStart(8)}`);
  const act = `${"(actions, ledger writes)".padEnd(26)}${steps.map((s) => String(actions.get(s) ?? "").padStart(8)).join("")}${String([...actions.values()].reduce((a, b) => a + b, 0)).padStart(8)}`;
  return [head, ...rows, act, `probes ${probes} of ${starts.length} commands (${((100 * probes) / Math.max(starts.length, 1)).toFixed(1)} %)`].join("\n");
}

if (require.main === module) {
  const file = process.argv[2];
  if (!file) throw new Error("usage: probe-breakdown <events.jsonl>");
  const events = fs
    .readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l) as Ev);
  process.stdout.write(`${breakdown(events)}\n`);
}
