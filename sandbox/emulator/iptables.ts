/**
 * `iptables -S|-I|-A|-D|-C` on the INPUT chain, enough to freeze the master's API (docs/opennebula.md §4.6).
 * Rules live in state.json (`firewall`), so they persist between commands; the XML-RPC link
 * (oned-link.ts) applies them to connections from other front-ends.
 */
import { EmulatorContext } from "./context";
import { err, puts } from "./io";
import { FirewallRule, formatChain, parseRuleSpec, sameRule } from "../firewall";

const BAD_RULE = "iptables: Bad rule (does a matching rule exist in that chain?).\n";
const NO_CHAIN = "iptables: No chain/target/match by that name.\n";
const MODELLED_CHAINS = ["INPUT", "FORWARD", "OUTPUT"];

function usageError(msg: string): number {
  err(`${msg}\nTry \`iptables -h' or 'iptables --help' for more information.\n`);
  return 2;
}

/** Emulated `iptables` (filter table only; rules only in INPUT). */
export function iptables(ctx: EmulatorContext, argv: string[]): number {
  // -w/--wait [secs] and -t filter are harmless in front of the command.
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "-w" || a === "--wait") {
      if (/^\d+$/.test(argv[i + 1] ?? "")) i++;
    } else if (a === "-t" || a === "--table") {
      const t = argv[++i];
      if (t !== "filter") return usageError(`iptables v1.8.7 (nf_tables): table '${t ?? ""}' is not modelled by the sandbox`);
    } else args.push(a);
  }
  const [command, chain, ...spec] = args;
  const rules = (): FirewallRule[] => ctx.state().firewall ?? [];
  if (command === "-S" || command === "--list-rules") {
    if (chain !== undefined && !MODELLED_CHAINS.includes(chain)) return (err(NO_CHAIN), 1);
    const chains = chain ? [chain] : MODELLED_CHAINS;
    const lines = chains.map((c) => `-P ${c} ACCEPT`);
    for (const c of chains) if (c === "INPUT") lines.push(...formatChain(rules()));
    puts(...lines);
    return 0;
  }
  if (!["-I", "--insert", "-A", "--append", "-D", "--delete", "-C", "--check"].includes(command ?? "")) {
    return usageError(command ? `iptables v1.8.7 (nf_tables): unknown option "${command}"` : "iptables v1.8.7 (nf_tables): no command specified");
  }
  if (!chain) return usageError(`iptables v1.8.7 (nf_tables): option "${command}" requires an argument`);
  if (chain !== "INPUT") return (err(NO_CHAIN), 1);
  let position = 1;
  let rest = spec;
  if ((command === "-I" || command === "--insert") && /^\d+$/.test(spec[0] ?? "")) {
    position = parseInt(spec[0], 10);
    rest = spec.slice(1);
  }
  if ((command === "-D" || command === "--delete") && /^\d+$/.test(spec[0] ?? "") && spec.length === 1) {
    const n = parseInt(spec[0], 10);
    return ctx.update((s) => {
      const list = s.firewall ?? [];
      if (n < 1 || n > list.length) return (err("iptables: Index of deletion too big.\n"), 1);
      list.splice(n - 1, 1);
      s.firewall = list;
      return 0;
    });
  }
  const parsed = parseRuleSpec(rest);
  if ("error" in parsed) return (err(`${parsed.error}\n`), parsed.exitCode);
  const rule = parsed.rule;
  switch (command) {
    case "-C":
    case "--check":
      return rules().some((r) => sameRule(r, rule)) ? 0 : (err(BAD_RULE), 1);
    case "-D":
    case "--delete":
      return ctx.update((s) => {
        const list = s.firewall ?? [];
        const i = list.findIndex((r) => sameRule(r, rule));
        if (i < 0) return (err(BAD_RULE), 1);
        list.splice(i, 1);
        s.firewall = list;
        return 0;
      });
    default:
      return ctx.update((s) => {
        const list = s.firewall ?? [];
        if (command === "-A" || command === "--append") list.push(rule);
        else {
          if (position < 1 || position > list.length + 1) return (err("iptables: Index of insertion too big.\n"), 1);
          list.splice(position - 1, 0, rule);
        }
        s.firewall = list;
        return 0;
      });
  }
}
