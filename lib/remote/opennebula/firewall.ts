/**
 * The firewall freeze (docs/opennebula.md §4.6): on the master, drop inbound TCP to oned's API (2633, and
 * 2634 gRPC from 7.2) except from localhost and the automation host. Every rule carries our comment,
 * so unfreeze removes exactly ours and nothing an operator added.
 */
import { compareVersions } from "../../model/version";
import { ParseError } from "./parsers";
import { RemoteCommand } from "./remote-command";

export interface FirewallRule {
  readonly source?: string;
  readonly port: number;
  readonly target: "ACCEPT" | "DROP";
}

/** The comment that marks our rules; names are validated, so it has no spaces. */
export function freezeComment(federation: string): string {
  return `onefed-freeze-${federation}`;
}

export function apiPorts(version: string): number[] {
  return compareVersions(version, "7.2.0") >= 0 ? [2633, 2634] : [2633];
}

/** ACCEPTs first (localhost, then allowFrom), the DROP last, per port. */
export function freezeRules(version: string, allowFrom: readonly string[]): FirewallRule[] {
  return apiPorts(version).flatMap((port) => [
    ...["127.0.0.1", ...allowFrom].map((source) => ({ source, port, target: "ACCEPT" as const })),
    { port, target: "DROP" as const },
  ]);
}

function spec(rule: FirewallRule, comment: string): string[] {
  return [...(rule.source ? ["-s", rule.source] : []), "-p", "tcp", "--dport", String(rule.port), "-m", "comment", "--comment", comment, "-j", rule.target];
}

export const iptables = {
  list: (): RemoteCommand => ({ argv: ["iptables", "-S", "INPUT"], readOnly: true }),
  /** Appended after any existing rule would let earlier ACCEPTs win: insert at the given position. */
  insert: (position: number, rule: FirewallRule, comment: string): RemoteCommand => ({
    argv: ["iptables", "-I", "INPUT", String(position), ...spec(rule, comment)],
  }),
  /** Deletes by the exact spec `iptables -S` printed (after `-A INPUT`). */
  deleteSpec: (printedSpec: readonly string[]): RemoteCommand => ({ argv: ["iptables", "-D", "INPUT", ...printedSpec] }),
};

/** Our rules as `iptables -S INPUT` prints them: the words after `-A INPUT`, in order. */
export function parseOurRules(stdout: string, comment: string): string[][] {
  const lines = stdout.split("\n").filter((l) => l.trim() !== "");
  if (lines.length === 0 || !lines[0].startsWith("-P INPUT")) throw new ParseError("iptables -S INPUT", "no policy line", stdout);
  return lines.filter((l) => l.startsWith("-A INPUT ") && tokens(l).includes(comment)).map((l) => tokens(l).slice(2));
}

/** Splits an `iptables -S` line, honouring the double quotes around comments with spaces. */
function tokens(line: string): string[] {
  return [...line.matchAll(/"((?:[^"\\]|\\.)*)"|(\S+)/g)].map((m) => (m[1] !== undefined ? m[1] : m[2]));
}
