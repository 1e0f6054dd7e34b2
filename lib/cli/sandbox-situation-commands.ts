/**
 * `onefed sandbox auth|hang|endpoint|migrator`: the situations a real federation creates and the
 * default sandbox does not (docs/sandbox.md, Test controls): a wrong or missing CLI credential, an
 * oned that never answers, a zone ENDPOINT with another path, a missing migrator.
 */
import * as path from "path";
import { migratorsFor, sandboxStatus, setCliCredential, setMigratorMissing, setOnedHung, setZoneEndpointPath } from "../../sandbox";
import { ExitCode } from "../model/exit-codes";
import { defineCommand, usageError } from "./command";
import { sandboxDirOption } from "./common-options";
import { flag, oneOf, text, zoneId } from "./options";
import { frontendName, frontendOption } from "./sandbox-fault-commands";

export const auth = defineCommand(
  {
    name: "onefed sandbox auth",
    summary: "make a front-end's CLI credential (/var/lib/one/.one/one_auth) wrong, missing or valid",
    description: `Rewrites FE's oneadmin credential file. wrong: every onezone/onehost call fails with
"[one.zonepool.info] User couldn't be authenticated, aborting call." (255); missing: the CLIs, and
onedb restore/upgrade/fsck, stop with "ONE_AUTH file not present" (255); valid: as \`up\` wrote it.`,
    options: {
      dir: sandboxDirOption,
      frontend: frontendOption,
      credential: oneOf(["valid", "wrong", "missing"], { help: "what the file holds", required: true }),
    },
    exitCodes: [ExitCode.Failed],
  },
  async (a, out) => {
    const fe = frontendName(a.frontend);
    setCliCredential(path.resolve(a.dir), fe, a.credential);
    out(`${fe}: oneadmin credential ${a.credential === "missing" ? "removed" : a.credential}`);
    return ExitCode.Done;
  },
);

export const hang = defineCommand(
  {
    name: "onefed sandbox hang",
    summary: "make a front-end's oned accept connections and never answer (--off: answer again)",
    description: `FE's oned hangs: \`onezone list\` anywhere waits 5 s for its zone's FED_INDEX and prints "-", a CLI
talking to it waits for its client timeout (30 s, or ONE_XMLRPC_TIMEOUT) and fails with
"Net::ReadTimeout with #<TCPSocket:(closed)>", and the master's records do not reach it. --off lets
it answer again (it then catches up).`,
    options: { dir: sandboxDirOption, frontend: frontendOption, off: flag({ help: "answer again" }) },
    exitCodes: [ExitCode.Failed],
  },
  async (a, out) => {
    const fe = frontendName(a.frontend);
    setOnedHung(path.resolve(a.dir), fe, !a.off);
    out(a.off ? `${fe}: oned answers again` : `${fe}: oned accepts connections and never answers`);
    return ExitCode.Done;
  },
);

export const endpoint = defineCommand(
  {
    name: "onefed sandbox endpoint",
    summary: "set the path of a zone's ENDPOINT (oned serves only /RPC2)",
    description: `Changes zone ID's ENDPOINT in zone_pool to the same host and port with path P, on the master (one
federated record), replicated to the slaves. oned answers any path but /RPC2 with HTTP 404, so the
zone's FED_INDEX becomes "-". --path /RPC2 puts it back.`,
    options: {
      dir: sandboxDirOption,
      zone: zoneId({ value: "ID", help: "the zone", required: true }),
      path: text({ value: "P", help: "the new path, e.g. / or /RPC", required: true }),
    },
    exitCodes: [ExitCode.Failed],
  },
  async (a, out) => {
    const url = setZoneEndpointPath(path.resolve(a.dir), a.zone, a.path);
    out(`zone ${a.zone}: ENDPOINT ${url}`);
    return ExitCode.Done;
  },
);

export const migrator = defineCommand(
  {
    name: "onefed sandbox migrator",
    summary: "remove a onedb migrator from a front-end (--restore: put them all back)",
    description: `Removes migrator NAME (as "local/6.10.0_to_7.0.0.rb") from FE, as a missing migration package
leaves it: FE's \`onedb upgrade\` then reports "missing migration descriptors", restores its own
backup and exits 255. Without --remove and --restore, lists the migrators of the sandbox's upgrade.`,
    options: {
      dir: sandboxDirOption,
      frontend: frontendOption,
      remove: text({ value: "NAME", help: "the migrator to remove" }),
      restore: flag({ help: "put every migrator back" }),
    },
    exitCodes: [ExitCode.Failed],
  },
  async (a, out) => {
    const dir = path.resolve(a.dir);
    const fe = frontendName(a.frontend);
    if (a.remove !== undefined && a.restore) throw usageError("onefed sandbox migrator", "give --remove NAME or --restore, not both");
    if (a.remove !== undefined) {
      setMigratorMissing(dir, fe, a.remove);
      out(`${fe}: migrator ${a.remove} removed`);
    } else if (a.restore) {
      setMigratorMissing(dir, fe);
      out(`${fe}: every migrator is back`);
    } else {
      const st = await sandboxStatus(dir);
      out(migratorsFor(st.federation.fromVersion, st.federation.toVersion).join("\n"));
    }
    return ExitCode.Done;
  },
);
