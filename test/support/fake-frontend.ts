/**
 * A scripted front-end for step unit tests: answers command lines by the first matching rule and
 * records every line, so a test can assert what ran and, above all, what did not.
 */
import * as fs from "fs";
import { OpenNebulaFrontend, Transport } from "../../lib/remote/opennebula/frontend";
import { FederationConfig, freezesZone, NodeConfig, ZoneConfig } from "../../lib/model/federation";
import { EMPTY_LEDGER, LedgerSnapshot } from "../../lib/model/ledger";
import { HypervisorNode } from "../../lib/remote/opennebula/hypervisor-node";
import { CommandResult } from "../../lib/remote/ssh/command-result";
import { commandGuard } from "../../lib/remote/opennebula/commands";
import { renderCommand } from "../../lib/remote/opennebula/remote-command";
import { PROBE_BATCH_HEADER } from "../../lib/remote/opennebula/probe-batch";
import { StepName } from "../../lib/model/steps";
import { StepContext } from "../../lib/run/step";
import { buildStepContext } from "../../lib/run/step-context";

export interface Reply {
  readonly exitCode?: number;
  readonly stdout?: string;
  readonly stderr?: string;
}

/** One scripted answer: the first rule whose pattern matches the command line replies. */
export type Rule = [RegExp, Reply | ((line: string) => Reply)];

/** What FakeTransport.download writes, unless the test gives other content. */
export const FAKE_DOWNLOAD = "-- fake federated backup\n";

const GUARD_PREFIX = renderCommand(commandGuard.wrap("", "")).replace(/ '' ''$/, " ");

/** The command line inside a guarded one (its last, single-quoted or bare argument), else undefined. */
export function unwrapGuarded(sent: string): string | undefined {
  if (!sent.startsWith(GUARD_PREFIX)) return undefined;
  const m = /(?:^| )('(?:[^']|'\\'')*'|[^ ']+)$/.exec(sent.slice(GUARD_PREFIX.length));
  if (!m) return undefined;
  const last = m[1];
  return last.startsWith("'") ? last.slice(1, -1).replace(/'\\''/g, "'") : last;
}

/** The words of a line shellJoin rendered (bare or single-quoted words, one space apart). */
export function shellWords(line: string): string[] {
  const words: string[] = [];
  const re = /'((?:[^']|'\\'')*)'|([^ ']+)/g;
  for (let m = re.exec(line); m; m = re.exec(line)) words.push(m[1] !== undefined ? m[1].replace(/'\\''/g, "'") : m[2]);
  return words;
}

/** The marker and command lines of a probe batch (lib/remote/opennebula/probe-batch.ts), else undefined. */
export function unwrapBatch(sent: string): { marker: string; lines: string[] } | undefined {
  if (!sent.startsWith(`sh -c '${PROBE_BATCH_HEADER}`)) return undefined;
  const [, , , , marker, ...lines] = shellWords(sent);
  return { marker, lines };
}

export class FakeTransport implements Transport {
  public readonly lines: string[] = [];
  public readonly uploads: string[] = [];
  /** Remote paths fetched from this front-end, in order. */
  public readonly downloads: string[] = [];
  /** stdin per command line, when one was given. */
  public readonly stdins: Array<[string, string]> = [];

  constructor(
    private readonly rules: Rule[],
    /** What a download writes locally. @default FAKE_DOWNLOAD */
    private readonly downloadContent: string = FAKE_DOWNLOAD,
  ) {}

  /** Command lines that arrived inside the command guard (commands.ts commandGuard), unwrapped. */
  public readonly guarded: string[] = [];

  /** Probe batches that arrived (one round trip each), as their command lines. */
  public readonly batches: string[][] = [];

  async exec(sent: string, stdin?: string): Promise<CommandResult> {
    // A batch is answered command by command, as the remote script runs them, in sections.
    const batch = unwrapBatch(sent);
    if (batch) {
      this.batches.push(batch.lines);
      let stdout = "";
      batch.lines.forEach((line, i) => {
        // An unscripted probe inside a batch fails alone, as an unknown command would (127), not the whole batch.
        let r: Pick<CommandResult, "exitCode" | "stdout" | "stderr">;
        try {
          r = this.answer(line, undefined);
        } catch (err) {
          r = { exitCode: 127, stdout: "", stderr: `${(err as Error).message}\n` };
        }
        stdout += `\n${batch.marker} ${i + 1} out\n${r.stdout}\n${batch.marker} ${i + 1} err\n${r.stderr}\n${batch.marker} ${i + 1} exit ${r.exitCode}\n`;
      });
      return { host: "fake:22", command: sent, exitCode: 0, signal: null, stdout, stderr: "", durationMs: 0 };
    }
    return this.answer(sent, stdin);
  }

  private answer(sent: string, stdin: string | undefined): CommandResult {
    // A guarded command is answered as the command itself: the guard is the remote shell's business.
    const inner = unwrapGuarded(sent);
    if (inner !== undefined) this.guarded.push(inner);
    const line = inner ?? sent;
    this.lines.push(line);
    if (stdin !== undefined) this.stdins.push([line, stdin]);
    const rule = this.rules.find(([re]) => re.test(line));
    if (!rule) throw new Error(`unscripted command: ${line}`);
    const reply = typeof rule[1] === "function" ? rule[1](line) : rule[1];
    return {
      host: "fake:22",
      command: line,
      exitCode: reply.exitCode ?? 0,
      signal: null,
      stdout: reply.stdout ?? "",
      stderr: reply.stderr ?? "",
      durationMs: 0,
    };
  }

  async upload(local: string, remote: string): Promise<void> {
    this.uploads.push(remote);
    fs.readFileSync(local);
  }

  async download(remote: string, local: string): Promise<void> {
    this.downloads.push(remote);
    fs.writeFileSync(local, this.downloadContent);
  }
}

export function fakeFrontend(t: FakeTransport): OpenNebulaFrontend {
  return new OpenNebulaFrontend(t, { host: "fake", port: 22, zone: "zone test" }, "apt");
}

export const dbVersionText = (shared: string, local: string, required = "7.0.0") =>
  `Shared: ${shared}\nLocal:  ${local}\nRequired shared version: ${required}\nRequired local version:  ${required}\n`;

/** `onezone show <id> -j` as oned prints it for a zone without servers (STATE 0 enabled, 1 disabled). */
export const zoneShowJson = (zone: Pick<ZoneConfig, "id" | "name" | "endpoint">, enabled: boolean) =>
  JSON.stringify({ ZONE: { ID: String(zone.id), NAME: zone.name, STATE: enabled ? "0" : "1", TEMPLATE: { ENDPOINT: zone.endpoint }, SERVER_POOL: {} } });

/** `onezone list -j` (the zone pool) with each zone's STATE as `enabledOf` says. */
export const zonePoolJson = (zones: readonly Pick<ZoneConfig, "id" | "name" | "endpoint">[], enabledOf: (id: number) => boolean) =>
  JSON.stringify({
    ZONE_POOL: {
      ZONE: zones.map((z) => ({ ID: String(z.id), NAME: z.name, STATE: enabledOf(z.id) ? "0" : "1", TEMPLATE: { ENDPOINT: z.endpoint }, SERVER_POOL: {} })),
    },
  });

/**
 * A master front-end whose oned runs with the freeze in place: what `stop` and `sync` prove on it
 * (frozen.ts) before they act. `enabled` lists the zones an operator enabled again since.
 */
export function frozenMaster(config: FederationConfig, enabled: readonly number[] = []): Rule[] {
  return [
    [/^systemctl is-active opennebula$/, { stdout: "active\n" }],
    [
      /^onezone list -j$/,
      { stdout: zonePoolJson(config.zones, (id) => enabled.includes(id) || !config.zones.some((z) => z.id === id && freezesZone(z, config))) },
    ],
  ];
}

/**
 * A StepContext over scripted front-ends and hosts, built like the runner's (step-context.ts), so
 * the zone's speaking front-end is resolved by the real rule. `transportOf(zone, index)` gives each
 * front-end's script, `nodeTransportOf(node)` each hypervisor host's, `ledger` what the
 * federation's ledger recorded before the step (test/support/ledger-entries.ts builds one).
 */
export function fakeStepContext(
  config: FederationConfig,
  zone: ZoneConfig,
  step: StepName,
  transportOf: (zone: ZoneConfig, index: number) => FakeTransport,
  nodeTransportOf: (node: NodeConfig) => FakeTransport = (n) => {
    throw new Error(`no script for host ${n.name}`);
  },
  ledger: LedgerSnapshot = EMPTY_LEDGER,
): StepContext {
  return buildStepContext(
    config,
    zone,
    step,
    () => undefined,
    {
      frontend: async (z, index) =>
        new OpenNebulaFrontend(transportOf(z, index), { host: z.frontends[index].host, port: z.frontends[index].port, zone: z.name }, z.packages.manager),
      node: async (z, n) => new HypervisorNode(nodeTransportOf(n), { host: n.host, port: n.port, zone: `${z.name} host ${n.name}` }, z.packages.manager),
    },
    ledger,
  );
}
