/**
 * The rehearsal's twin, built with the sandbox API (only lib/cli may import sandbox/): an explicit
 * zone layout (ids, names, servers, nodes, package manager, DB backend) on loopback addresses.
 */
import * as fs from "fs";
import { SANDBOX_DB_PASSWORD_ENV, injectFailure, sandboxDown, sandboxStatus, sandboxUp } from "../../sandbox";
import { isExpectedFailure } from "../model/errors";
import { TwinUnavailableError } from "../terraform/rehearse/errors";
import type { TwinInjection, TwinMachines, TwinSandbox } from "../terraform/rehearse/twin-sandbox";
import type { TwinShape } from "../terraform/rehearse/twin-shape";

/** The sandbox's own refusals (address taken, not root, a tool missing) say what to do; they become the rehearsal's. */
function asTwinError(err: unknown): unknown {
  return isExpectedFailure(err) ? new TwinUnavailableError(err.message) : err;
}

export const sandboxTwin: TwinSandbox = {
  async up(shape: TwinShape, dir: string, addressBase: string): Promise<TwinMachines> {
    try {
      const info = await sandboxUp({
        dir,
        addressBase,
        federationName: shape.federationName,
        from: shape.fromVersion,
        to: shape.toVersion,
        zones: shape.zones.map((z) => ({ ...z, nodes: [...z.nodes] })),
      });
      const machines = info.zones.flatMap((z) => [...z.frontends, ...z.nodes]);
      const password = info.mysqlPasswordFile ? fs.readFileSync(info.mysqlPasswordFile, "utf8").trim() : undefined;
      return {
        federationFile: info.federationFile,
        env: password !== undefined ? { [SANDBOX_DB_PASSWORD_ENV]: password } : {},
        sshdPids: machines.map((m) => m.sshdPid),
        machines: machines.length,
      };
    } catch (err) {
      throw asTwinError(err);
    }
  },
  async inject(dir: string, injection: TwinInjection): Promise<void> {
    const zone = (await sandboxStatus(dir)).zones.find((z) => z.id === injection.zone);
    for (const fe of zone?.frontends ?? []) injectFailure(dir, { frontend: fe.name, match: injection.match, stderr: injection.stderr });
  },
  async down(dir: string): Promise<void> {
    // A twin refused before anything was written is an empty directory: nothing runs there.
    if (fs.existsSync(dir) && fs.readdirSync(dir).length === 0) fs.rmdirSync(dir);
    else await sandboxDown(dir);
  },
};
