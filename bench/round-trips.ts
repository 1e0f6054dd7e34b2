/**
 * `node dist/bench/round-trips.js <slaves> <addressBase>` (root: real sshd front-ends): a full
 * deploy of a 1+N sandbox at default settings, then how many remote commands (SSH round trips) each
 * step sent, by class, from the run's own command events (docs/round-trips.md):
 *
 *   probe    read-only (versions, unit states, zone lists, files' presence, digests), batched or not
 *   ledger   the upgrade ledger's reads (read-only too) and writes on the master (docs/ledger.md)
 *   action   everything that changes a machine
 *
 * Prints the wall time, the totals, the probe share and one row per step; `BENCH_KEEP=1` keeps the
 * sandbox directory (its command logs) for a closer look.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { deploy } from "../lib/terraform/deploy";
import { sandboxDown, sandboxUp } from "../sandbox";
import { isLedgerTransaction, isReadOnlyCommand, LEDGER_READ } from "./probe-classes";
import { PROBE_BATCH_PREFIX } from "../sandbox/contract";

type CommandClass = "probe" | "ledger-read" | "ledger-write" | "action";

/** Read-only commands onefed sends (lib/remote/opennebula/commands.ts, packages.ts, dump-digest.ts), by their start. */
const PROBE_STARTS = [
  "onedb version",
  "onezone list",
  "onezone show",
  "onehost list",
  "systemctl is-active",
  "systemctl list-unit-files",
  "test -e",
  "sha256sum",
  "stat -c",
  "df -P",
  "dpkg-query",
  "rpm -q",
  "iptables -S",
  "sed -n",
  "cat ",
  "awk ",
  "apt-get install --print-uris",
  "apt-get -s",
];

/** The command line's class; `sh -c` scripts are told apart by what they do. */
export function classify(command: string): CommandClass {
  if (command.includes("/onefed/ledger")) return LEDGER_READ.test(command) ? "ledger-read" : "ledger-write";
  if (isLedgerTransaction(command)) return "ledger-write";
  if (command.includes("--print-uris")) return "probe";
  if (command.startsWith(PROBE_BATCH_PREFIX)) return "probe";
  if (PROBE_STARTS.some((p) => command.startsWith(p))) return "probe";
  if (/^env [A-Z_]+=\S+ (onedb version|onezone list|onezone show)/.test(command)) return "probe";
  if (command.startsWith("sh -c 'for t in dpkg-query") || command.startsWith("sh -c 'p=$1; while [ ")) return "probe";
  if (/^sh -c .*sha256sum/.test(command) && !command.includes("mv ")) return "probe";
  if (command.startsWith("sh -c 'IFS= read -r ONE_DB_PASSWORD") && /onedb' 'version'/.test(command)) return "probe";
  return "action";
}

interface CommandEvent {
  readonly event: string;
  readonly step: string | null;
  readonly zone: number | null;
  readonly command?: string;
  readonly host?: string;
  readonly batch?: string;
}

async function main(): Promise<void> {
  const slaves = Number(process.argv[2] ?? 2);
  const addressBase = process.argv[3] ?? "127.0.215.1";
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "onefed-bench-trips-"));
  fs.chmodSync(dir, 0o755);
  await sandboxUp({ dir, addressBase, slaves });
  let eventsFile = "";
  const t0 = Date.now();
  let failure: unknown;
  const lines: string[] = [];
  try {
    await deploy({
      configPath: path.join(dir, "federation.yaml"),
      outdir: path.join(dir, "cdktf.out"),
      log: (l) => lines.push(l),
      onRun: (p) => (eventsFile = p.eventsFile),
    });
  } catch (err) {
    failure = err;
  }
  const wall = (Date.now() - t0) / 1000;
  const events = fs
    .readFileSync(eventsFile, "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l) as CommandEvent);
  const perStep = new Map<string, Record<CommandClass, number>>();
  const total: Record<CommandClass, number> = { probe: 0, "ledger-read": 0, "ledger-write": 0, action: 0 };
  const kinds = new Map<string, number>();
  // A probe batch is one round trip: its commands (the same batch id on one host) count once.
  const batches = new Set<string>();
  let logical = 0;
  for (const e of events.filter((x) => x.event === "command-end")) {
    logical++;
    if (e.batch !== undefined) {
      if (batches.has(`${e.host}/${e.batch}`)) continue;
      batches.add(`${e.host}/${e.batch}`);
    }
    const c = e.batch !== undefined ? "probe" : classify(e.command ?? "");
    total[c]++;
    const row = perStep.get(e.step ?? "-") ?? { probe: 0, "ledger-read": 0, "ledger-write": 0, action: 0 };
    row[c]++;
    perStep.set(e.step ?? "-", row);
    const kind =
      e.batch !== undefined
        ? "probe batch"
        : `${c} ${(e.command ?? "")
            .split(" ")
            .slice(0, c.startsWith("ledger") ? 0 : 2)
            .join(" ")}`;
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
  }
  const all = total.probe + total["ledger-read"] + total["ledger-write"] + total.action;
  const reads = total.probe + total["ledger-read"];
  const pct = (n: number) => `${((100 * n) / Math.max(all, 1)).toFixed(0)} %`;
  const out = [
    `1+${slaves} deploy ${failure ? "FAILED" : "done"} in ${wall.toFixed(0)} s; ${all} remote commands (round trips; ${logical} logical commands, ${batches.size} probe batches): read-only ${reads} (${pct(reads)}: probes ${total.probe}, ledger reads ${total["ledger-read"]}), ledger writes ${total["ledger-write"]} (${pct(total["ledger-write"])}), actions ${total.action} (${pct(total.action)})`,
    `${"step".padEnd(20)} ${"probe".padStart(6)} ${"l-read".padStart(6)} ${"l-write".padStart(7)} ${"action".padStart(6)}`,
    ...[...perStep].map(
      ([s, r]) =>
        `${s.padEnd(20)} ${String(r.probe).padStart(6)} ${String(r["ledger-read"]).padStart(6)} ${String(r["ledger-write"]).padStart(7)} ${String(r.action).padStart(6)}`,
    ),
    "by kind:",
    ...[...kinds].sort((a, b) => b[1] - a[1]).map(([k, n]) => `  ${String(n).padStart(5)}  ${k}`),
  ];
  out.push(commandLogShare(dir));
  if (failure)
    out.push(...lines.filter((l) => /Error|refused/.test(l)).slice(0, 20), String(failure instanceof Error ? failure.message.slice(0, 3000) : failure));
  process.stdout.write(out.join("\n") + "\n");
  if (process.env.BENCH_KEEP === "1") process.stdout.write(`sandbox kept in ${dir}\n`);
  else await sandboxDown(dir);
}

/**
 * What the front-ends themselves logged (`<sandbox>/frontends/<machine>/commands.log`, each probe of
 * a batch on its own line): every command that reached a machine, and the probes among them.
 */
function commandLogShare(dir: string): string {
  const root = path.join(dir, "frontends");
  const commands = fs
    .readdirSync(root)
    .map((m) => path.join(root, m, "commands.log"))
    .filter((f) => fs.existsSync(f))
    .flatMap((f) =>
      fs
        .readFileSync(f, "utf8")
        .split("\n")
        .filter((l) => l.trim() !== ""),
    )
    .map((l) => (JSON.parse(l) as { command: string }).command);
  const probes = commands.filter(isReadOnlyCommand).length;
  return `front-ends' command logs: ${commands.length} commands, ${probes} probes (${((100 * probes) / Math.max(commands.length, 1)).toFixed(0)} %)`;
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
