/**
 * `onefed demo` (npm start): the main job end to end on the built-in sandbox federation — bring it
 * up if needed, prepare the engine, synthesize, apply for real, show the zones before and after.
 */
import * as path from "path";
import { sandboxStatus, sandboxUp } from "../../sandbox";
import { deploy } from "../terraform/deploy";
import { flag, parseArgs } from "./args";
import { integer, statusTable, zoneList } from "./sandbox-command";

export const DEMO_HELP = `Usage: onefed demo [--dir DIR] [--via engine|cdktf] [--ha ZONE,...] [--servers N] [--nodes N] [--dnf ZONE,...] [--address-base A]

Upgrades the built-in sandbox federation (master 0 M-EU-FR, slaves 100 S-EU-GE and 101 S-US-CA,
6.10.0 → 7.0.0) end to end with a real apply: sandbox up (if not running), engine, synth, deploy.
The sandbox stays up afterwards; take it down with \`onefed sandbox down --dir DIR\`.

Options:
  --dir DIR       sandbox directory (default: ./.sandbox)
  --via MODE      engine (terraform init/apply, default) or cdktf (cdktf deploy)
  --ha ZONES      make these zones HA (Raft) zones, e.g. 0,101 (default: none)
  --servers N     servers per HA zone (default: 3)
  --nodes N       KVM hosts per zone whose node packages are upgraded too (default: 0)
  --dnf ZONES     zones whose machines are RHEL-like, driven with rpm/dnf (default: none)
  --address-base A  first loopback address (default: 127.0.50.1)
A sandbox keeps the shape it was created with: use another --dir (and addresses) for another, e.g.
  npm start -- --dir .sandbox-ha --address-base 127.0.60.1 --ha 0,101 --nodes 1
`;

export async function runDemoCommand(argv: string[], out: (s: string) => void): Promise<number> {
  if (argv.includes("--help")) {
    out(DEMO_HELP);
    return 0;
  }
  const args = parseArgs(argv, { values: ["dir", "via", "ha", "servers", "nodes", "dnf", "address-base"], booleans: [] }, "onefed demo");
  const dir = path.resolve(flag(args, "dir") ?? ".sandbox");
  const via = flag(args, "via") === "cdktf" ? "cdktf" : "engine";
  await sandboxUp({ dir, log: out, ha: zoneList(args, "ha"), servers: integer(args, "servers", 2, 7), nodes: integer(args, "nodes", 0, 8), dnfZones: zoneList(args, "dnf"), addressBase: flag(args, "address-base") });
  out("\nBefore:");
  out(statusTable(await sandboxStatus(dir)));
  await deploy({ configPath: path.join(dir, "federation.yaml"), via, outdir: path.join(dir, "cdktf.out"), log: out });
  out("\nAfter:");
  out(statusTable(await sandboxStatus(dir)));
  out(`\nThe sandbox is still up: look at it with \`npm run onefed -- sandbox status --dir ${dir}\`, the command log per front-end in ${dir}/frontends/*/commands.log.`);
  out(`Run \`npm start\` again to see that nothing runs twice on any zone; take it down with \`npm run onefed -- sandbox down --dir ${dir}\`.`);
  return 0;
}
