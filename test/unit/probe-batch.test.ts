/**
 * Probe batches (docs/round-trips.md): the script run by the local sh as a front-end would run it,
 * the parser of its sections, the batcher that gathers one turn's probes, and the machine's results.
 */
import { parseProbeBatch, probeBatchCommand, PROBE_BATCH_HEADER, batchable } from "../../lib/remote/opennebula/probe-batch";
import { ProbeBatcher } from "../../lib/remote/opennebula/probe-batcher";
import { renderCommand } from "../../lib/remote/opennebula/remote-command";
import { RemoteMachine } from "../../lib/remote/opennebula/remote-machine";
import { RemoteCommandError } from "../../lib/remote/opennebula/remote-command-error";
import { files, onedb, systemctl } from "../../lib/remote/opennebula/commands";
import { PROBE_BATCH_PREFIX } from "../../sandbox/contract";
import { LocalTransport } from "../support/local-transport";
import { FakeTransport, unwrapBatch } from "../support/fake-frontend";
import { CommandResult } from "../../lib/remote/ssh/command-result";

const MARKER = "onefed-0123456789abcdef0123456789abcdef";

async function runBatch(lines: string[]) {
  const raw = await new LocalTransport().exec(renderCommand(probeBatchCommand(lines, MARKER)));
  return { raw, sections: parseProbeBatch(raw.stdout, MARKER, lines.length) };
}

describe("probe batch script and parser", () => {
  it("gives each command its own exit code, stdout and stderr, in order", async () => {
    const { raw, sections } = await runBatch(["echo one; echo two", "echo oops >&2; exit 3", "printf 'no newline'", "true"]);
    expect(raw.exitCode).toBe(0);
    expect(sections).toEqual([
      { exitCode: 0, stdout: "one\ntwo\n", stderr: "" },
      { exitCode: 3, stdout: "", stderr: "oops\n" },
      { exitCode: 0, stdout: "no newline", stderr: "" },
      { exitCode: 0, stdout: "", stderr: "" },
    ]);
  });

  it("keeps output that looks like a section line inside its section (the marker is random)", async () => {
    const forged = `\\nonefed-ffffffffffffffffffffffffffffffff 2 exit 0\\n${"\\n"}onefed-batch 1 err`;
    const { sections } = await runBatch([`printf '${forged}'`, "echo after"]);
    expect(sections[0].exitCode).toBe(0);
    expect(sections[0].stdout).toBe("\nonefed-ffffffffffffffffffffffffffffffff 2 exit 0\n\nonefed-batch 1 err");
    expect(sections[1]).toEqual({ exitCode: 0, stdout: "after\n", stderr: "" });
  });

  it("passes command lines as arguments: quotes, $ and newlines reach sh -c as they are", async () => {
    const line = renderCommand({ argv: ["printf", "%s|", "it's", "$HOME", "a b", "two\nlines"] });
    const { sections } = await runBatch([line]);
    expect(sections[0]).toEqual({ exitCode: 0, stdout: "it's|$HOME|a b|two\nlines|", stderr: "" });
  });

  it("runs every command with stdin closed: none can eat the next one's input", async () => {
    const { sections } = await runBatch(["cat; echo read-done", "echo second"]);
    expect(sections.map((s) => s.stdout)).toEqual(["read-done\n", "second\n"]);
  });

  it("gives null exit codes to the sections a cut batch did not complete", () => {
    const cut = `\n${MARKER} 1 out\nfine\n\n${MARKER} 1 err\n\n${MARKER} 1 exit 0\n\n${MARKER} 2 out\npartial`;
    expect(parseProbeBatch(cut, MARKER, 3)).toEqual([
      { exitCode: 0, stdout: "fine\n", stderr: "" },
      { exitCode: null, stdout: "partial", stderr: "" },
      { exitCode: null, stdout: "", stderr: "" },
    ]);
  });

  it("starts as the sandbox's front-end shell expects, and the test fake splits it back", () => {
    const sent = renderCommand(probeBatchCommand(["onedb version", "test -e '/a b'"], MARKER));
    expect(sent.startsWith(PROBE_BATCH_PREFIX)).toBe(true);
    expect(sent.startsWith(`sh -c '${PROBE_BATCH_HEADER}`)).toBe(true);
    expect(unwrapBatch(sent)).toEqual({ marker: MARKER, lines: ["onedb version", "test -e '/a b'"] });
  });

  it("refuses a marker that could break the framing", () => {
    expect(() => probeBatchCommand(["true"], "a b")).toThrow(RangeError);
  });

  it("batches only read-only commands without stdin, guard or progress output", () => {
    expect(batchable(onedb.version())).toBe(true);
    expect(batchable(files.exists("/x"))).toBe(true);
    expect(batchable(systemctl.stop(["opennebula"]))).toBe(false);
    expect(batchable(onedb.upgrade("/b"))).toBe(false);
    expect(batchable({ ...onedb.version(), stdin: "secret\n" })).toBe(false);
  });
});

describe("ProbeBatcher", () => {
  const ok = (command: string, stdout = ""): CommandResult => ({ host: "h:22", command, exitCode: 0, signal: null, stdout, stderr: "", durationMs: 1 });

  it("sends one turn's probes as one batch and a lone probe as itself", async () => {
    const t = new LocalTransport();
    const batcher = new ProbeBatcher((line) => t.exec(line));
    const seen: Array<string | undefined> = [];
    const [a, b] = await Promise.all([batcher.exec("echo a", (id) => seen.push(id)), batcher.exec("echo b; exit 1", (id) => seen.push(id))]);
    expect(t.lines).toHaveLength(1);
    expect([a.command, a.stdout, a.exitCode, b.command, b.stdout, b.exitCode]).toEqual(["echo a", "a\n", 0, "echo b; exit 1", "b\n", 1]);
    expect(seen[0]).toMatch(/^[0-9a-f]{8}$/);
    expect(seen[1]).toBe(seen[0]);
    const alone = await batcher.exec("echo c", (id) => seen.push(id));
    expect(t.lines[1]).toBe("echo c");
    expect(alone.stdout).toBe("c\n");
    expect(seen[2]).toBeUndefined();
  });

  it("falls back to one command at a time when the batch script cannot run at all", async () => {
    const sent: string[] = [];
    const batcher = new ProbeBatcher(async (line) => {
      sent.push(line);
      return line.startsWith("sh -c") ? { ...ok(line), exitCode: 1, stderr: "mktemp: No space left on device\n" } : ok(line, `${line}!`);
    });
    const r = await Promise.all([batcher.exec("a", () => undefined), batcher.exec("b", () => undefined)]);
    expect(sent.slice(1)).toEqual(["a", "b"]);
    expect(r.map((x) => x.stdout)).toEqual(["a!", "b!"]);
  });

  it("fails every probe of a batch whose session failed", async () => {
    const batcher = new ProbeBatcher(async () => {
      throw new Error("link lost");
    });
    const r = await Promise.allSettled([batcher.exec("a", () => undefined), batcher.exec("b", () => undefined)]);
    expect(r.map((x) => x.status)).toEqual(["rejected", "rejected"]);
  });
});

describe("RemoteMachine with batched probes", () => {
  it("checks each probe's own exit codes and fails with the first failing command, as in sequence", async () => {
    const t = new FakeTransport([
      [/^onedb version$/, { exitCode: 2, stdout: "Shared: 6.10.0\n" }],
      [/^test -e \/gone$/, { exitCode: 1 }],
      [/^sha256sum \/gone$/, { exitCode: 1, stderr: "sha256sum: /gone: No such file or directory\n" }],
      [/^sha256sum \/b$/, { exitCode: 1, stderr: "sha256sum: /b: Permission denied\n" }],
    ]);
    const m = new RemoteMachine(t, { host: "fe", port: 22, zone: "zone 0" }, "apt");
    const [db, exists, sha] = await Promise.allSettled([m.run(onedb.version()), m.exists("/gone"), m.sha256("/gone")]);
    expect(t.batches).toEqual([["onedb version", "test -e /gone", "sha256sum /gone"]]);
    expect(db).toMatchObject({ status: "fulfilled", value: { exitCode: 2, command: "onedb version" } });
    expect(exists).toEqual({ status: "fulfilled", value: false });
    expect(sha.status).toBe("rejected");
    const err = (sha as PromiseRejectedResult).reason as RemoteCommandError;
    expect(err).toBeInstanceOf(RemoteCommandError);
    expect(err.message).toContain("sha256sum /gone");
    expect(err.message).toContain("No such file or directory");
    await expect(Promise.all([m.sha256("/b"), m.sha256("/gone")])).rejects.toThrow(/sha256sum \/b/);
  });
});
