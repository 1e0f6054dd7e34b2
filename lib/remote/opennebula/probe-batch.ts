/**
 * Read-only commands sent to one machine in ONE round trip (docs/round-trips.md): a fixed script
 * runs each command line in turn with `sh -c`, its stdin closed, and prints delimited sections that
 * `parseProbeBatch` splits back into one result per command, each with its own exit code, stdout
 * and stderr. The command lines travel as arguments of the script, never spliced into it.
 *
 * Each section is framed by lines that start with a fresh random marker, so no output can forge
 * or end a section (a command cannot print a marker it cannot know):
 *
 *     \n<marker> <i> out\n<stdout>\n<marker> <i> err\n<stderr>\n<marker> <i> exit <code>\n
 */
import { randomBytes } from "crypto";
import { CommandResult } from "../ssh/command-result";
import { RemoteCommand } from "./remote-command";

/** The script's first line: how a batch is told apart in logs and in the sandbox's front-end shell. */
export const PROBE_BATCH_HEADER = "# onefed probe batch";

const SCRIPT =
  `${PROBE_BATCH_HEADER}\n` +
  "m=$1; shift; i=0; e=$(mktemp) || exit 1; trap 'rm -f \"$e\"' EXIT\n" +
  'for c; do i=$((i+1)); printf "\\n%s %d out\\n" "$m" "$i"; sh -c "$c" 2>"$e" </dev/null; r=$?; ' +
  'printf "\\n%s %d err\\n" "$m" "$i"; cat "$e"; printf "\\n%s %d exit %d\\n" "$m" "$i" "$r"; done';

/** A fresh section marker: 128 random bits, so no command output contains it. */
export function newBatchMarker(): string {
  return `onefed-${randomBytes(16).toString("hex")}`;
}

/** The one command that runs `lines` (rendered command lines) in order and frames their output. */
export function probeBatchCommand(lines: readonly string[], marker: string = newBatchMarker()): RemoteCommand {
  if (!/^[A-Za-z0-9-]+$/.test(marker)) throw new RangeError(`batch marker ${marker} is not [A-Za-z0-9-]+`);
  return { argv: ["sh", "-c", SCRIPT, "sh", marker, ...lines] };
}

/** One command's share of a batch: exit code null when the batch ended before the command did. */
export type SectionResult = Pick<CommandResult, "exitCode" | "stdout" | "stderr">;

/**
 * Splits a batch's stdout into `count` sections. A section the output does not complete (the
 * batch was cut: link lost, deadline) has exit code null and what arrived of its output.
 */
export function parseProbeBatch(stdout: string, marker: string, count: number): SectionResult[] {
  const sections: SectionResult[] = [];
  let at = 0;
  for (let i = 1; i <= count; i++) {
    const outHead = `\n${marker} ${i} out\n`;
    const errHead = `\n${marker} ${i} err\n`;
    const exitHead = new RegExp(`\\n${marker} ${i} exit (\\d+)\\n`, "g");
    const o = stdout.indexOf(outHead, at);
    if (o < 0) {
      sections.push({ exitCode: null, stdout: "", stderr: "" });
      continue;
    }
    const outStart = o + outHead.length;
    const e = stdout.indexOf(errHead, outStart);
    if (e < 0) {
      sections.push({ exitCode: null, stdout: stdout.slice(outStart), stderr: "" });
      at = stdout.length;
      continue;
    }
    const errStart = e + errHead.length;
    exitHead.lastIndex = errStart;
    const x = exitHead.exec(stdout);
    if (!x) {
      sections.push({ exitCode: null, stdout: stdout.slice(outStart, e), stderr: stdout.slice(errStart) });
      at = stdout.length;
      continue;
    }
    sections.push({ exitCode: Number(x[1]), stdout: stdout.slice(outStart, e), stderr: stdout.slice(errStart, x.index) });
    at = x.index + x[0].length - 1;
  }
  return sections;
}

/** Whether a command may share a round trip: it changes nothing, reads no stdin and prints no progress. */
export function batchable(cmd: RemoteCommand): boolean {
  return cmd.readOnly === true && cmd.stdin === undefined && cmd.exclusive !== true && cmd.echo !== true;
}
