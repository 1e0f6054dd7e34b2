/**
 * `onefed discover`: from one front-end of the master zone, read the zones the master knows
 * (`onezone list --csv`, `onezone show <id> -j`), reach every front-end they name, and read each
 * one (probe-frontend.ts) and each zone's registered hosts. Every command is a read; the
 * front-ends' command logs prove it in test/integration/discover.test.ts.
 */
import { ZoneShow } from "../remote/opennebula/parsers";
import { OpenNebulaFrontend } from "../remote/opennebula/frontend";
import { ExitCode } from "../model/exit-codes";
import { OnefedError } from "../model/errors";
import { DiscoverError, DiscoverFailures } from "./discover-error";
import { Discovery, ZoneFindings } from "./findings";
import { FrontendSessions } from "./frontend-sessions";
import { probeFrontend } from "./probe-frontend";

export interface DiscoverTarget {
  readonly host: string;
  readonly port: number;
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** The host part of an ENDPOINT (`http://10.0.0.1:2633/RPC2` → `10.0.0.1`; IPv6 without brackets). */
export function endpointHost(endpoint: string): string {
  try {
    return new URL(endpoint).hostname.replace(/^\[(.*)\]$/, "$1");
  } catch {
    throw new OnefedError(`the master lists a zone ENDPOINT that is not a URL: ${JSON.stringify(endpoint)}`);
  }
}

/** Where a zone's front-ends are: each SERVER_POOL server's endpoint host (HA), else the zone ENDPOINT's host. */
export function frontendAddresses(show: ZoneShow, isMasterZone: boolean, master: DiscoverTarget): Array<{ host: string; port: number; serverId?: number }> {
  if (show.servers.length > 0)
    return [...show.servers].sort((a, b) => a.id - b.id).map((s) => ({ host: endpointHost(s.endpoint), port: master.port, serverId: s.id }));
  const host = endpointHost(show.endpoint);
  // A master whose ENDPOINT is the loopback answers at the address the operator gave.
  if (isMasterZone && (host === "localhost" || host === "127.0.0.1" || host === "::1")) return [{ host: master.host, port: master.port }];
  return [{ host, port: master.port }];
}

/** Reads the federation; throws DiscoverError / DiscoverFailures (nothing written) when any front-end could not be read. */
export async function discoverFederation(master: DiscoverTarget, sessions: FrontendSessions): Promise<Discovery> {
  const masterFe = await sessions.frontend(master, "the master");
  const masterConf = await readOrFail("the master", master, () => masterFe.federationSettings());
  if (masterConf.mode === "SLAVE") {
    throw new DiscoverError(
      `discover: --master ${master.host}:${master.port} is a front-end of zone ${masterConf.zoneId}, a slave (oned.conf FEDERATION/MODE = SLAVE). Pass a front-end of the master zone.`,
      ExitCode.Usage,
    );
  }
  const list = await readOrFail("the master", master, () => masterFe.zoneList());
  const shows = await readOrFail("the master", master, () => Promise.all(list.map((z) => masterFe.zoneShow(z.id))));

  const addresses = list.map((row, i) => frontendAddresses(shows[i], row.id === masterConf.zoneId, master));
  const failures: string[] = [];
  const zones = await Promise.all(
    list.map(async (row, i): Promise<ZoneFindings | undefined> => {
      const label = `zone ${row.id} (${row.name}) front-end`;
      const reached = await Promise.all(
        addresses[i].map(async (a) => {
          try {
            const fe = await sessions.frontend(a, label);
            return { fe, findings: await probeFrontend(fe) };
          } catch (err) {
            failures.push(`${label} ${a.host}:${a.port}: ${message(err)}`);
            return undefined;
          }
        }),
      );
      if (!reached.every((r) => r !== undefined)) return undefined;
      return {
        id: row.id,
        name: row.name,
        endpoint: row.endpoint || shows[i].endpoint,
        serverIds: addresses[i].flatMap((a) => (a.serverId === undefined ? [] : [a.serverId])),
        frontends: reached.map((r) => r.findings),
        ...(await readHosts(reached.map((r) => r.fe))),
      };
    }),
  );
  if (failures.length > 0) throw new DiscoverFailures(failures, addresses.flat().length);
  return { master, masterZoneId: masterConf.zoneId, zones: zones as ZoneFindings[] };
}

/** The zone's registered hosts, from the first front-end whose oned answers; a stopped zone says why instead. */
async function readHosts(frontends: readonly OpenNebulaFrontend[]): Promise<Pick<ZoneFindings, "hosts" | "hostsError">> {
  let last = "";
  for (const fe of frontends) {
    try {
      return { hosts: await fe.hosts() };
    } catch (err) {
      last = message(err);
    }
  }
  return { hostsError: last };
}

async function readOrFail<T>(label: string, at: DiscoverTarget, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (err) {
    if (err instanceof DiscoverError) throw err;
    throw new DiscoverError(
      `discover: ${label} ${at.host}:${at.port} could not be read: ${message(err)} discover needs oned running there (it reads the zones with onezone).`,
    );
  }
}
