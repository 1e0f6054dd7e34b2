/**
 * `onefed demo` (npm start): the main job end to end on the built-in sandbox federation — bring it
 * up if needed, prepare the engine, synthesize, apply for real, show the zones before and after.
 */
import * as path from "path";
import { ExitCode } from "../model/exit-codes";
import { defineCommand } from "./command";
import { engineOption, sandboxDirOption } from "./common-options";
import { integer, oneOf, text, zoneIds } from "./options";
import { sandboxTiming, timingOptions } from "./timing-options";

export const demoCommand = defineCommand(
  {
    name: "onefed demo",
    summary: "the main job: sandbox up, engine, deploy, before/after table",
    description: `Upgrades the built-in sandbox federation (master 0 M-EU-FR, slaves 100 S-EU-GE and 101 S-US-CA,
6.10.0 → 7.0.0) end to end with a real apply: sandbox up (if not running), engine, synth, deploy.
The sandbox stays up afterwards; take it down with \`onefed sandbox down --dir DIR\`.
A sandbox keeps the shape it was created with: use another --dir (and addresses) for another, e.g.
  npm start -- --dir .sandbox-ha --address-base 127.0.60.1 --ha 0,101 --nodes 1
To watch a run that takes a real upgrade's time (a tenth of it by default, about 5 minutes):
  npm start -- --timing realistic`,
    options: {
      dir: sandboxDirOption,
      via: oneOf(["engine", "cdktf"], { help: "engine: terraform init/apply; cdktf: cdktf deploy", default: "engine" }),
      engine: engineOption,
      ha: zoneIds({ value: "ZONES", help: "make these zones HA (Raft) zones, e.g. 0,101" }),
      servers: integer({ value: "N", min: 2, max: 7, help: "servers per HA zone", defaultNote: "3" }),
      nodes: integer({ value: "N", min: 0, max: 8, help: "KVM hosts per zone whose node packages are upgraded too", defaultNote: "0" }),
      dnf: zoneIds({ value: "ZONES", help: "zones whose machines are RHEL-like, driven with rpm/dnf" }),
      "address-base": text({ value: "A", help: "first loopback address", defaultNote: "127.0.50.1" }),
      ...timingOptions,
    },
    exitCodes: [ExitCode.Failed, ExitCode.Locked, ExitCode.EngineUnavailable],
  },
  async (a, out) => {
    // Loaded here, not at the top: --help and usage errors stay fast (no sandbox, no cdktf).
    const { sandboxStatus, sandboxUp } = await import("../../sandbox");
    const { deploy } = await import("../terraform/deploy");
    const { statusTable } = await import("./sandbox-status-table");
    const timing = sandboxTiming("onefed demo", a);
    const dir = path.resolve(a.dir);
    await sandboxUp({ dir, log: out, ha: a.ha, servers: a.servers, nodes: a.nodes, dnfZones: a.dnf, addressBase: a["address-base"], ...timing });
    out("\nBefore:");
    out(statusTable(await sandboxStatus(dir)));
    await deploy({ configPath: path.join(dir, "federation.yaml"), via: a.via, engine: a.engine, outdir: path.join(dir, "cdktf.out"), log: out });
    out("\nAfter:");
    out(statusTable(await sandboxStatus(dir)));
    out(
      `\nThe sandbox is still up: look at it with \`npm run onefed -- sandbox status --dir ${dir}\`, the command log per front-end in ${dir}/frontends/*/commands.log.`,
    );
    out(`Run \`npm start\` again to see that nothing runs twice on any zone; take it down with \`npm run onefed -- sandbox down --dir ${dir}\`.`);
    return ExitCode.Done;
  },
);
