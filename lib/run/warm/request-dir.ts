/**
 * The file-system guard of a warm runner request (docs/warm-runner.md, Security): the request
 * directory must be a direct child of the run directory, this user's, mode 0700, its files regular
 * and this user's alone, its output FIFOs this user's. Node cannot read the uid of whoever wrote
 * the announce line, so the owner-only run directory and these checks are what keeps another local
 * user from having steps run (or from reading a step's output).
 */
import * as fs from "fs";
import * as path from "path";
import { Announce, parseAnnounce, parseRequestFiles, StepRequest } from "./protocol";

/** The largest argv or env file read: a request is a few hundred bytes. */
const MAX_REQUEST_FILE = 64 * 1024;

/** The request's files, by name. */
export const REQUEST_FILES = { argv: "argv", env: "env", out: "out", err: "err", open: "open", code: "code" } as const;

/** A request whose directory passed the checks, with what it asks. */
export interface CheckedRequest {
  readonly dir: string;
  readonly request: StepRequest;
  readonly outPath: string;
  readonly errPath: string;
}

/** Why a request is refused, and whether its directory may be answered in (it passed the checks, its content did not). */
export interface RequestRefusal {
  readonly reason: string;
  /** Set when the directory is ours to answer in: the launcher then prints the refusal and exits 2. */
  readonly answerable?: { readonly dir: string; readonly outPath: string; readonly errPath: string };
}

/** A file's permission bits as `ls` and chmod write them, e.g. "0755". */
export function modeText(st: fs.Stats): string {
  return (st.mode & 0o777).toString(8).padStart(4, "0");
}

function ownedProblem(st: fs.Stats, what: string): string | undefined {
  const uid = process.getuid?.();
  if (uid !== undefined && st.uid !== uid) return `${what} belongs to uid ${st.uid}, not to this user (uid ${uid})`;
  return undefined;
}

function privateFile(file: string): string | undefined {
  const st = fs.lstatSync(file);
  if (!st.isFile()) return `${path.basename(file)} is not a regular file`;
  if ((st.mode & 0o077) !== 0) return `${path.basename(file)} is open to group or others (mode ${modeText(st)})`;
  if (st.size > MAX_REQUEST_FILE) return `${path.basename(file)} is larger than ${MAX_REQUEST_FILE} bytes`;
  return ownedProblem(st, path.basename(file));
}

function fifo(file: string): string | undefined {
  const st = fs.lstatSync(file);
  if (!st.isFIFO()) return `${path.basename(file)} is not a FIFO`;
  return ownedProblem(st, path.basename(file));
}

/** Checks the request an announce line names, inside `runDir`; reads its arguments and variables. */
export function checkRequest(runDir: string, line: string): CheckedRequest | RequestRefusal {
  const announce: Announce | string = parseAnnounce(line);
  if (typeof announce === "string") return { reason: announce };
  const dir = path.resolve(announce.dir);
  if (path.dirname(dir) !== path.resolve(runDir)) return { reason: `${dir} is not a directory of the run directory ${runDir}` };
  try {
    const st = fs.lstatSync(dir);
    if (!st.isDirectory()) return { reason: `${dir} is not a directory` };
    const owner = ownedProblem(st, dir);
    if (owner) return { reason: owner };
    if ((st.mode & 0o777) !== 0o700) return { reason: `${dir} has mode ${modeText(st)}, not 0700` };
    const outPath = path.join(dir, REQUEST_FILES.out);
    const errPath = path.join(dir, REQUEST_FILES.err);
    const problem = fifo(outPath) ?? fifo(errPath);
    if (problem) return { reason: `${dir}: ${problem}` };
    const answerable = { dir, outPath, errPath };
    const argvPath = path.join(dir, REQUEST_FILES.argv);
    const envPath = path.join(dir, REQUEST_FILES.env);
    const fileProblem = privateFile(argvPath) ?? privateFile(envPath);
    if (fileProblem) return { reason: `${dir}: ${fileProblem}`, answerable };
    const request = parseRequestFiles(fs.readFileSync(argvPath), fs.readFileSync(envPath), announce);
    if (typeof request === "string") return { reason: request, answerable };
    return { dir, request, outPath, errPath };
  } catch (err) {
    return { reason: `${dir}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` };
  }
}
