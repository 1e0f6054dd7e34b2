/**
 * `onefed sandbox hold|held|release|diskfull`: faults at an exact point, for tests of what a run
 * survives (docs/sandbox.md, Test controls). A test holds a command, waits until it is held, kills
 * the run, then releases the command or kills it with its SSH session; or fills a machine's disk.
 */
import * as path from "path";
import { heldCommands, holdCommand, releaseCommand, setDiskFull, waitUntilHeld } from "../../sandbox";
import { ExitCode } from "../model/exit-codes";
import { defineCommand } from "./command";
import { sandboxDirOption } from "./common-options";
import { flag, integer, text } from "./options";

/** `--frontend FE`: a front-end or node name, or a zone id standing for the zone's first front-end. */
export const frontendOption = text({ value: "FE", help: "front-end or node name (zone100-node0), or a zone id for its first front-end", required: true });
export const frontendName = (fe: string): string => (/^\d+$/.test(fe) ? `zone${fe}-server0` : fe);

export const hold = defineCommand(
  {
    name: "onefed sandbox hold",
    summary: "make the next matching command on a front-end wait until released",
    description: `The next command on FE whose command line contains TEXT waits before it runs (it is logged
first) until \`onefed sandbox release\` lets it run or kills it, or until the timeout passes (it
then runs). \`onefed sandbox held --wait\` waits until it is held.`,
    options: {
      dir: sandboxDirOption,
      frontend: frontendOption,
      match: text({ value: "TEXT", help: "text the command line contains", required: true }),
      timeout: integer({ value: "S", min: 1, max: 86_400, help: "seconds a held command waits at most", default: 300 }),
    },
    exitCodes: [ExitCode.Failed],
  },
  async (a, out) => {
    const fe = frontendName(a.frontend);
    const id = holdCommand(path.resolve(a.dir), { frontend: fe, match: a.match, timeoutSeconds: a.timeout });
    out(`${id}: the next command on ${fe} containing ${JSON.stringify(a.match)} will wait until released (at most ${a.timeout} s)`);
    return ExitCode.Done;
  },
);

export const held = defineCommand(
  {
    name: "onefed sandbox held",
    summary: "list the commands held on a front-end (--wait: until one is)",
    description: "Prints each held command as `<hold id> <pid> <command>`; exits 1 when none is held (after --wait S seconds).",
    options: {
      dir: sandboxDirOption,
      frontend: frontendOption,
      match: text({ value: "TEXT", help: "only the hold armed with this text", defaultNote: "any" }),
      wait: integer({ value: "S", min: 0, max: 86_400, help: "wait up to S seconds for a held command", default: 0 }),
    },
    exitCodes: [ExitCode.Failed],
  },
  async (a, out) => {
    const dir = path.resolve(a.dir);
    const fe = frontendName(a.frontend);
    if (a.wait > 0) await waitUntilHeld(dir, fe, { match: a.match, timeoutMs: a.wait * 1000 });
    const list = heldCommands(dir, fe).filter((h) => a.match === undefined || h.match === a.match);
    if (list.length === 0) {
      out(`no command held on ${fe}`);
      return ExitCode.Failed;
    }
    out(list.map((h) => `${h.id} ${h.pid} ${h.command}`).join("\n"));
    return ExitCode.Done;
  },
);

export const release = defineCommand(
  {
    name: "onefed sandbox release",
    summary: "let a held command run, or kill it with its SSH session (--kill)",
    description: `Lets FE's held command run (or disarms a hold that holds nothing yet). --kill kills it before it
runs, with its SSH session (the front-end shell, its children and the sshd processes of that
connection), so the client sees its connection drop. Needs root for --kill.`,
    options: {
      dir: sandboxDirOption,
      frontend: frontendOption,
      match: text({ value: "TEXT", help: "the hold armed with this text", defaultNote: "the held one, else the first" }),
      kill: flag({ help: "kill the command and its SSH session instead of letting it run" }),
    },
    exitCodes: [ExitCode.Failed],
  },
  async (a, out) => {
    const fe = frontendName(a.frontend);
    const was = await releaseCommand(path.resolve(a.dir), fe, { match: a.match, kill: a.kill });
    out(was ? `${a.kill ? "killed" : "released"} on ${fe}: ${was.command}` : `hold on ${fe} disarmed (it held nothing yet)`);
    return ExitCode.Done;
  },
);

export const diskfull = defineCommand(
  {
    name: "onefed sandbox diskfull",
    summary: "make a front-end's disk full for real at a directory (--off: free it)",
    description: `Mounts a tmpfs of SIZE over P inside FE's mount namespace, holding what P held, so that writes
there beyond SIZE fail with ENOSPC. --off copies what it holds back and unmounts it. Needs root and
FE's sshd running; a restarted sshd starts without it.`,
    options: {
      dir: sandboxDirOption,
      frontend: frontendOption,
      path: text({ value: "P", help: "directory of FE, under its OpenNebula paths", default: "/var/lib/one/backups/onefed" }),
      size: text({ value: "SIZE", help: "tmpfs size: bytes, or with k, m or g", default: "4k" }),
      off: flag({ help: "free the disk again" }),
    },
    exitCodes: [ExitCode.Failed],
  },
  async (a, out) => {
    const fe = frontendName(a.frontend);
    const mount = setDiskFull(path.resolve(a.dir), fe, !a.off, { path: a.path, size: a.size });
    out(mount ? `${fe}: ${mount.path} is a full disk of ${mount.sizeBytes} bytes` : `${fe}: ${a.path} has its disk back`);
    return ExitCode.Done;
  },
);
