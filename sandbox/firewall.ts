/**
 * The INPUT chain of a front-end, as far as a freeze via firewall needs it (docs/opennebula.md §4.6):
 * rule specs parsed and normalized like iptables, printed like `iptables -S`, and evaluated for
 * inbound TCP connections to oned. Shared by the emulated `iptables`, the emulated XML-RPC link
 * and `sandboxStatus`, so it imports nothing.
 */

/** Targets the sandbox models. */
export type FirewallTarget = "ACCEPT" | "DROP" | "REJECT";

/** One normalized INPUT rule (the state.json form). */
export interface FirewallRule {
  /** Source network, always with a prefix length (`127.0.0.1/32`). */
  readonly source?: string;
  /** Protocol (`-p tcp`). */
  readonly protocol?: "tcp";
  /** Destination port (`--dport`, implies `-m tcp`). */
  readonly dport?: number;
  /** `-m comment --comment` text. */
  readonly comment?: string;
  /** Verdict. */
  readonly target: FirewallTarget;
}

/** Result of parsing a rule spec: the rule, or a message and the exit status iptables uses. */
export type ParsedRule = { readonly rule: FirewallRule } | { readonly error: string; readonly exitCode: number };

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

function ipToInt(ip: string): number | undefined {
  const m = IPV4.exec(ip);
  if (!m) return undefined;
  const parts = m.slice(1).map((p) => parseInt(p, 10));
  if (parts.some((p) => p > 255)) return undefined;
  return ((parts[0] << 24) | (parts[1] << 16) | (parts[2] << 8) | parts[3]) >>> 0;
}

function intToIp(n: number): string {
  return [24, 16, 8, 0].map((s) => (n >>> s) & 255).join(".");
}

function maskOf(bits: number): number {
  return bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
}

/** `ADDR[/N]` → `NET/N` as iptables prints it (host bits cleared, `/32` by default). */
export function normalizeSource(text: string): string | undefined {
  const [addr, bitsText] = text.split("/", 2);
  const ip = ipToInt(addr);
  const bits = bitsText === undefined ? 32 : /^\d{1,2}$/.test(bitsText) ? parseInt(bitsText, 10) : NaN;
  if (ip === undefined || !(bits >= 0 && bits <= 32)) return undefined;
  return `${intToIp((ip & maskOf(bits)) >>> 0)}/${bits}`;
}

const usage = (msg: string): ParsedRule => ({ error: `${msg}\nTry \`iptables -h' or 'iptables --help' for more information.`, exitCode: 2 });
const TARGETS: readonly FirewallTarget[] = ["ACCEPT", "DROP", "REJECT"];

/** Parses the options after the chain (`-p tcp -s 10.0.0.1 --dport 2633 -m comment --comment X -j DROP`, any order). */
export function parseRuleSpec(args: readonly string[]): ParsedRule {
  let source: string | undefined;
  let protocol: "tcp" | undefined;
  let dport: number | undefined;
  let comment: string | undefined;
  let target: FirewallTarget | undefined;
  const matches = new Set<string>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const value = (): string | undefined => args[++i];
    if (a === "-p" || a === "--protocol") {
      const p = value();
      if (p !== "tcp") return usage(`iptables v1.8.7 (nf_tables): unknown protocol "${p ?? ""}" specified`);
      protocol = "tcp";
    } else if (a === "-s" || a === "--source" || a === "--src") {
      const s = normalizeSource(value() ?? "");
      if (!s) return usage(`iptables v1.8.7 (nf_tables): host/network \`${args[i] ?? ""}' not found`);
      source = s;
    } else if (a === "-m" || a === "--match") {
      const m = value();
      if (m !== "tcp" && m !== "comment") return usage(`iptables v1.8.7 (nf_tables): Couldn't load match \`${m ?? ""}':No such file or directory`);
      matches.add(m);
    } else if (a === "--dport" || a === "--destination-port") {
      const p = value() ?? "";
      if (!/^\d{1,5}$/.test(p) || parseInt(p, 10) > 65535) return usage(`iptables v1.8.7 (nf_tables): invalid port/service \`${p}' specified`);
      dport = parseInt(p, 10);
    } else if (a === "--comment") {
      if (!matches.has("comment")) return usage(`iptables v1.8.7 (nf_tables): unknown option "${a}"`);
      comment = value() ?? "";
    } else if (a === "-j" || a === "--jump") {
      const t = value() as FirewallTarget;
      if (!TARGETS.includes(t)) return usage(`iptables v1.8.7 (nf_tables): Couldn't load target \`${t ?? ""}':No such file or directory`);
      target = t;
    } else return usage(`iptables v1.8.7 (nf_tables): unknown option "${a}"`);
  }
  // Real iptables wants -p tcp before --dport; the sandbox takes options in any order but not without it.
  if (dport !== undefined && protocol !== "tcp") return usage('iptables v1.8.7 (nf_tables): unknown option "--dport"');
  if (matches.has("tcp") && protocol !== "tcp") return usage("iptables v1.8.7 (nf_tables): -m tcp needs -p tcp");
  if (!target) return usage("iptables v1.8.7 (nf_tables): a rule needs -j ACCEPT|DROP|REJECT in the sandbox");
  return {
    rule: {
      ...(source ? { source } : {}),
      ...(protocol ? { protocol } : {}),
      ...(dport !== undefined ? { dport } : {}),
      ...(comment !== undefined ? { comment } : {}),
      target,
    },
  };
}

/** xtables_save_string: quoted when it holds anything but letters, digits and `-_.:/+@,`. */
function saveString(text: string): string {
  return /^[A-Za-z0-9_.:/+@,-]+$/.test(text) ? text : `"${text.replace(/(["\\])/g, "\\$1")}"`;
}

/** One rule as `iptables -S` prints it, without the `-A INPUT` prefix. */
export function formatRule(r: FirewallRule): string {
  const parts: string[] = [];
  if (r.source) parts.push(`-s ${r.source}`);
  if (r.protocol) parts.push(`-p ${r.protocol}`);
  if (r.dport !== undefined) parts.push(`-m tcp --dport ${r.dport}`);
  if (r.comment !== undefined) parts.push(`-m comment --comment ${saveString(r.comment)}`);
  parts.push(`-j ${r.target}`);
  return parts.join(" ");
}

/** The `-A INPUT …` lines of a chain. */
export function formatChain(rules: readonly FirewallRule[], chain = "INPUT"): string[] {
  return rules.map((r) => `-A ${chain} ${formatRule(r)}`);
}

/** Same normalized rule (what -D and -C compare). */
export function sameRule(a: FirewallRule, b: FirewallRule): boolean {
  return formatRule(a) === formatRule(b);
}

/** What happens to a new inbound TCP connection: the first matching rule's verdict, else the ACCEPT policy. */
export function verdictFor(rules: readonly FirewallRule[], sourceIp: string, port: number): FirewallTarget {
  const ip = ipToInt(sourceIp);
  for (const r of rules) {
    if (r.source) {
      const [net, bits] = r.source.split("/");
      const mask = maskOf(parseInt(bits, 10));
      if (ip === undefined || (ip & mask) >>> 0 !== (ipToInt(net)! & mask) >>> 0) continue;
    }
    if (r.dport !== undefined && r.dport !== port) continue;
    return r.target;
  }
  return "ACCEPT";
}
