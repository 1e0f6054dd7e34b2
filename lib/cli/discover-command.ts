/**
 * `onefed discover`: drafts federation.yaml (and a known_hosts) from a running federation, read-only.
 * Arguments and local files are checked before any connection, so bad input touches nothing.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ExitCode } from "../model/exit-codes";
import { defineCommand, usageError } from "./command";
import { flag, text } from "./options";

const NAME = "onefed discover";
const SUMMARY = "read a running federation and write its federation.yaml and known_hosts (read-only)";

/** `HOST`, `HOST:PORT` or `[IPv6]:PORT` → host and port (22 when not given). */
export function parseMasterAddress(given: string): { host: string; port: number } {
  const m = /^\[([0-9A-Fa-f:.]+)\](?::(\d+))?$/.exec(given) ?? /^([A-Za-z0-9][A-Za-z0-9.-]*)(?::(\d+))?$/.exec(given);
  const port = m?.[2] === undefined ? 22 : Number(m[2]);
  if (!m || port < 1 || port > 65535)
    throw usageError(NAME, `--master must be HOST or HOST:PORT (port 1 to 65535), like 10.0.0.1 or one-master:2222 (got ${JSON.stringify(given)})`);
  return { host: m[1], port };
}

/** How a path is written into federation.yaml: relative (`./x`) when it is inside the file's directory, else absolute. */
export function pathFromFile(fileDir: string, target: string): string {
  const rel = path.relative(fileDir, target);
  return rel && !rel.startsWith("..") && !path.isAbsolute(rel) ? `./${rel}` : target;
}

function refuseExisting(option: string, file: string, force: boolean): void {
  if (!fs.existsSync(path.dirname(file))) throw usageError(NAME, `${option} ${file}: its directory does not exist`);
  if (fs.existsSync(file) && !force) throw usageError(NAME, `${option} ${file} exists; pass --force to replace it (nothing was read or written)`);
}

function readLocal(option: string, file: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (err) {
    throw usageError(NAME, `${option} ${file} cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
}

const VERSION = /^\d+\.\d+\.\d+(\.\d+)?$/;
const FEDERATION_NAME = /^[a-z0-9][a-z0-9-]{0,39}$/;

export const discoverCommand = defineCommand(
  {
    name: NAME,
    summary: SUMMARY,
    description: `Reads a running federation and writes its federation file. From the front-end --master names
(one of the master zone's), it reads the zones (onezone list --csv, onezone show <id> -j: ids,
names, endpoints, HA server pools), then logs in to every front-end it finds (solo zones at their
ENDPOINT's host, HA zones at each server's endpoint host, all on --master's SSH port) and reads
the installed OpenNebula version, the package manager (apt, dnf, yum), oned.conf's DB backend and
connection settings (never the password: only BACKEND, SERVER, PORT, USER and DB_NAME leave the
machine) and FEDERATION section, the installed units and the registered hosts. Every command is a
read; nothing on any machine changes.

Host keys: each front-end's key is shown as a SHA256 fingerprint and trusted only when the file
given with --known-hosts pins it, or with --accept-new-host-key (a key that differs from a pinned
one is refused either way). --known-hosts-out gets every key discover connected with.

It writes --out only from a complete picture (every front-end read), then prints what it could not
determine: federation.toVersion is a placeholder \`onefed check\` refuses (exit 2) until you write
the target (or pass --to); MySQL zones get passwordEnv ONEFED_DB_PASSWORD, to export before check and
deploy. Registered hosts are listed as comments, not managed. See docs/discover.md.

Exit 1 when a front-end could not be reached, logged in to or read, or its host key is not
trusted; 2 for bad input, an --out or --known-hosts-out that exists (without --force) or a
--master that is a slave's front-end. Either way no file is written.`,
    options: {
      master: text({ value: "HOST[:PORT]", help: "a front-end of the master zone, over SSH", required: true }),
      user: text({ value: "USER", help: "SSH login user on every front-end (ssh.user)", default: "root" }),
      key: text({ value: "FILE", help: "SSH private key (ssh.privateKeyPath)", defaultNote: "~/.ssh/id_ed25519" }),
      "known-hosts": text({ value: "FILE", help: "known_hosts whose entries are trusted", defaultNote: "none: every key needs --accept-new-host-key" }),
      "accept-new-host-key": flag({ help: "trust host keys no entry pins yet (each fingerprint is printed)" }),
      out: text({ value: "FILE", help: "the federation file to write", required: true }),
      "known-hosts-out": text({ value: "FILE", help: "the known_hosts to write (ssh.knownHostsPath)", defaultNote: "known_hosts next to --out" }),
      force: flag({ help: "replace --out and --known-hosts-out when they exist" }),
      name: text({ value: "NAME", help: "federation.name", defaultNote: "the master zone's name, lower-cased" }),
      to: text({ value: "VERSION", help: "federation.toVersion", defaultNote: "a placeholder to fill in" }),
    },
    exitCodes: [ExitCode.Failed],
  },
  async (args, out) => {
    const master = parseMasterAddress(args.master);
    if (args.to !== undefined && !VERSION.test(args.to)) throw usageError(NAME, `--to must be a version like 7.0.0 (got ${JSON.stringify(args.to)})`);
    if (args.name !== undefined && !FEDERATION_NAME.test(args.name))
      throw usageError(NAME, `--name must be lower-case letters, digits and dashes, up to 40 (got ${JSON.stringify(args.name)})`);
    const outFile = path.resolve(args.out);
    const knownHostsOut = path.resolve(args["known-hosts-out"] ?? path.join(path.dirname(outFile), "known_hosts"));
    if (knownHostsOut === outFile) throw usageError(NAME, "--out and --known-hosts-out name the same file");
    refuseExisting("--out", outFile, args.force);
    refuseExisting("--known-hosts-out", knownHostsOut, args.force);
    const keyPath = path.resolve(args.key ?? path.join(os.homedir(), ".ssh", "id_ed25519"));
    const privateKey = readLocal("--key", keyPath);
    const knownHostsIn = args["known-hosts"] === undefined ? undefined : path.resolve(args["known-hosts"]);
    const knownText = knownHostsIn === undefined ? "" : readLocal("--known-hosts", knownHostsIn).toString("utf8");

    // Loaded here: SSH only once the arguments and the local files are good.
    const { runDiscover } = await import("../discover/run-discover");
    const result = await runDiscover({
      master,
      user: args.user,
      privateKey,
      privateKeyPath: keyPath,
      knownHostsText: knownText,
      knownHostsPath: knownHostsIn,
      acceptNewHostKeys: args["accept-new-host-key"],
      log: out,
      draft: {
        name: args.name,
        toVersion: args.to,
        user: args.user,
        privateKeyPath: pathFromFile(path.dirname(outFile), keyPath),
        knownHostsPath: pathFromFile(path.dirname(outFile), knownHostsOut),
      },
    });
    fs.writeFileSync(knownHostsOut, result.knownHosts, { mode: 0o644 });
    fs.writeFileSync(outFile, result.draft.text, { mode: 0o644 });
    out(`wrote ${outFile} (${result.zones} zones, ${result.frontends} front-ends) and ${knownHostsOut} (${result.pinned} host keys)`);
    if (result.draft.toFill.length > 0) out(["fill in before `onefed check` accepts the file:", ...result.draft.toFill.map((t) => `  - ${t}`)].join("\n"));
    if (result.draft.notes.length > 0) out(["check these:", ...result.draft.notes.map((t) => `  - ${t}`)].join("\n"));
    return ExitCode.Done;
  },
);
