/**
 * XML-RPC reachability between the CLI and the oned daemons of the sandbox: which endpoint a CLI
 * talks to, and which front-end (if any) answers there.
 */
import * as fs from "fs";
import { EmulatorContext } from "./context";
import { ONE_FILES } from "../contract";
import { FrontendEntry } from "../registry";
import { FirewallTarget, verdictFor } from "../firewall";

/** The Ruby client's default endpoint. */
const DEFAULT_ENDPOINT = "http://localhost:2633/RPC2";

/** The endpoint a CLI uses: --endpoint, ONE_XMLRPC, one_endpoint file, default (like client.rb). */
export function clientEndpoint(ctx: EmulatorContext, explicit?: string): string {
  if (explicit) return explicit.trim();
  if (ctx.env.ONE_XMLRPC) return ctx.env.ONE_XMLRPC.trim();
  try {
    const text = fs.readFileSync(ctx.ownPath(ONE_FILES.endpoint), "utf8").trim();
    if (text) return text;
  } catch {
    /* no file: default */
  }
  return DEFAULT_ENDPOINT;
}

/** Host and port of an endpoint URL (default port 2633). */
export function hostPort(endpoint: string): { host: string; port: number } {
  const m = /^[a-z]+:\/\/\[?([^\]/:]+)\]?(?::(\d+))?/i.exec(endpoint.trim());
  return { host: m?.[1] ?? endpoint, port: m?.[2] ? parseInt(m[2], 10) : 2633 };
}

/**
 * The front-end whose oned listens at an endpoint (answering or not). An HA zone's endpoint is its
 * floating IP, held by the Raft leader: undefined (nothing listens) while the zone has none.
 */
export function frontendAt(ctx: EmulatorContext, endpoint: string): FrontendEntry | undefined {
  const e = endpoint.trim();
  const zone = ctx.registry.zones.find((z) => z.endpoint.trim() === e);
  if (zone) return ctx.leaderOf(zone.id);
  const { host, port } = hostPort(e);
  if (port !== 2633) return undefined;
  if (host === "localhost" || host === "127.0.0.1") return ctx.self;
  const vipZone = ctx.registry.zones.find((z) => z.vip === host);
  if (vipZone) return ctx.leaderOf(vipZone.id);
  return ctx.registry.zones.flatMap((z) => z.frontends).find((f) => f.host === host);
}

/** Result of opening an XML-RPC connection. */
export type Connection = { readonly fe: FrontendEntry } | { readonly error: string };

/**
 * How long the CLI's own client waits for an answer: ONE_XMLRPC_TIMEOUT, else the XML-RPC client's
 * default of 30 s. The FED_INDEX and raftstatus clients of `onezone list|show` use 5 s instead.
 */
export function clientTimeoutSeconds(ctx: EmulatorContext): number {
  const t = Number(ctx.env.ONE_XMLRPC_TIMEOUT);
  return Number.isFinite(t) && t > 0 ? t : 30;
}

/** The timeout of the per-zone clients `onezone list` (FED_INDEX) and `onezone show` (raftstatus) open. */
export const ZONE_PROBE_TIMEOUT_SECONDS = 5;

/** oned's XML-RPC server answers only this path; any other gets HTTP 404. */
export const RPC_PATH = "/RPC2";

/** The path the XML-RPC client posts to: the endpoint URL's, or /RPC2 when it has none (XMLRPC::Client.new2). */
export function pathOf(endpoint: string): string {
  return /^[a-z]+:\/\/[^/]*(\/[^?#]*)?/i.exec(endpoint.trim())?.[1] ?? RPC_PATH;
}

/**
 * Source address of a connection from one front-end to another's oned: the loopback for its own
 * oned (the local CLI), else the caller's address.
 */
export function sourceAddress(from: FrontendEntry, to: FrontendEntry): string {
  return from.name === to.name ? "127.0.0.1" : from.host;
}

/** The verdict of the target's INPUT chain for a connection from `from` to its oned port. */
export function firewallVerdict(ctx: EmulatorContext, from: FrontendEntry, to: FrontendEntry, port = 2633): FirewallTarget {
  return verdictFor(ctx.state(to.name).firewall ?? [], sourceAddress(from, to), port);
}

const sleepCell = new Int32Array(new SharedArrayBuffer(4));

/**
 * Connects like the Ruby client: refused unless the front-end's oned runs and is reachable; a
 * DROP in its INPUT chain times out (`execution expired`, at once), a REJECT is refused; a hung
 * oned accepts and never answers, so the caller waits `timeoutSeconds` for real; a path other than
 * /RPC2 gets oned's 404. `from` is the caller (default: this front-end; a slave's oned when it
 * forwards to the master).
 */
export function connect(ctx: EmulatorContext, endpoint: string, from: FrontendEntry = ctx.self, timeoutSeconds = clientTimeoutSeconds(ctx)): Connection {
  const fe = frontendAt(ctx, endpoint);
  const { host, port } = hostPort(endpoint);
  if (fe) {
    const st = ctx.state(fe.name);
    const verdict = verdictFor(st.firewall ?? [], sourceAddress(from, fe), port);
    if (verdict === "DROP") return { error: `Failed to open TCP connection to ${host}:${port} (execution expired)` };
    if (verdict === "ACCEPT" && st.reachable && st.services["opennebula.service"] === "active") {
      if (st.hung) {
        Atomics.wait(sleepCell, 0, 0, timeoutSeconds * 1000);
        return { error: "Net::ReadTimeout with #<TCPSocket:(closed)>" };
      }
      if (pathOf(endpoint) !== RPC_PATH) return { error: "HTTP-Error: 404 Not Found" };
      return { fe };
    }
  }
  // Ruby 3's Socket error text (Ruby 2 wrote `connect(2) for "<host>" port <port>`).
  return { error: `Failed to open TCP connection to ${host}:${port} (Connection refused - connect(2) for ${host}:${port})` };
}

/**
 * The front-end whose database answers a read sent to `served`. An HA follower serves reads from
 * its Raft-replicated copy. The sandbox applies local writes to the servers alive at the time but
 * models no log catch-up, so a follower reads the leader's database while the zone has one (its
 * own otherwise, as during an election).
 */
export function readerOf(ctx: EmulatorContext, served: FrontendEntry): FrontendEntry {
  return ctx.isHaFollower(served) ? (ctx.leaderOf(served.zoneId) ?? served) : served;
}

/**
 * Where a write sent to `served` runs: itself, or its HA zone's leader (followers forward writes);
 * while the zone has no leader, the error oned returns (`method` e.g. "one.zone.enable").
 */
export function writerOf(ctx: EmulatorContext, served: FrontendEntry, method: string): { readonly fe: FrontendEntry } | { readonly error: string } {
  if (!ctx.isHaFollower(served)) return { fe: served };
  const leader = ctx.leaderOf(served.zoneId);
  return leader ? { fe: leader } : { error: `[${method}] Cannot process request, oned cluster in election mode` };
}
