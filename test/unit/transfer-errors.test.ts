/**
 * Copies between the automation host and a front-end, and the files written on the automation
 * host, fail with one paragraph: the zone, the front-end, the file, what happened and on which side
 * ("no space left on the front-end's file system", "no space left on the automation host"), what
 * was left, and what to do. Never a raw ssh2 stack or a bare ENOSPC, and "nothing was changed" only
 * where it is true. A full local disk is the real one: /dev/full answers every write with ENOSPC.
 */
import { EventEmitter } from "events";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { FederationConfig } from "../../lib/model/federation";
import { artifactPaths } from "../../lib/model/paths";
import { OpenNebulaFrontend } from "../../lib/remote/opennebula/frontend";
import { Deadline } from "../../lib/remote/ssh/deadline";
import { SshSessionError, SshTargetLabel, TransferError } from "../../lib/remote/ssh/errors";
import { SshSession } from "../../lib/remote/ssh/ssh-session";
import { describeSftpFailure } from "../../lib/remote/ssh/sftp-failure";
import { writeChecksum } from "../../lib/run/artifact";
import { LocalFileError } from "../../lib/run/local-file-error";
import { disabledHostsRecord } from "../../lib/run/records/disabled-hosts-record";
import { RecordError } from "../../lib/run/records/record-store";
import { STEPS } from "../../lib/run/steps/catalog";
import { fetchVerified, pushVerified } from "../../lib/run/transfer";
import { dbVersionText, FakeTransport, fakeStepContext, Reply } from "../support/fake-frontend";
import { seedFederation } from "../support/federation-builder";

const fsModule = require("fs") as typeof fs;

const root = fs.mkdtempSync(path.join(os.tmpdir(), "onefed-transfer-"));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
afterEach(() => jest.restoreAllMocks());

const REMOTE_DIR = "/var/lib/one/backups/onefed";
const REMOTE = `${REMOTE_DIR}/seed-zone0-federated-6.10.0-to-7.0.0.sql`;
const DIGEST = "a".repeat(64);

/** An error as ssh2's SFTP client reports a status from the server. */
const sftpStatus = (code: number, message: string) => Object.assign(new Error(message), { code });

/** Writes to /dev/full: a real ENOSPC from the local file system. */
function writeToFullDisk(): void {
  const fd = fs.openSync("/dev/full", "w");
  try {
    fs.writeSync(fd, "-- a federated backup\n");
  } finally {
    fs.closeSync(fd);
  }
}

function config(): FederationConfig {
  return seedFederation()
    .with({ backup: { localDirectory: fs.mkdtempSync(path.join(root, "artifacts-")) } })
    .parse();
}

/** A front-end over a scripted transport whose copies do what the test says. */
function frontend(copies: { upload?: () => void; download?: (local: string) => void }, rules: Array<[RegExp, Reply]> = []) {
  const t = new FakeTransport([[/^sha256sum /, { stdout: `${DIGEST}  ${REMOTE}\n` }], [/^(mkdir|chmod) /, {}], ...rules]);
  if (copies.upload) jest.spyOn(t, "upload").mockImplementation(async () => copies.upload!());
  if (copies.download) jest.spyOn(t, "download").mockImplementation(async (_remote, local) => copies.download!(local));
  return { t, fe: new OpenNebulaFrontend(t, { host: "192.168.150.2", port: 22, zone: "zone 100 (S-EU-GE)" }, "apt") };
}

/** The thrown value of a promise that must reject. */
const failure = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error("expected a failure");
    },
    (e: unknown) => e as Error,
  );

/** Every paragraph here: no stack, no raw code alone, and no false "nothing was changed". */
function expectOneParagraph(err: Error): void {
  expect(err.message).not.toMatch(/\n\s+at /);
  expect(err.message).not.toMatch(/nothing was changed on it/i);
  expect(err.message).not.toMatch(/^ENOSPC|: ENOSPC:/);
}

describe("describeSftpFailure", () => {
  it.each([
    [
      "a write the front-end's server failed (SSH_FX_FAILURE)",
      sftpStatus(4, "Failure"),
      "upload",
      /most likely no space left on the front-end's file system/,
      /^Free space in \/var\/lib\/one\/backups\/onefed on the front-end \(df -h/,
    ],
    ["a read the front-end's server failed", sftpStatus(4, "Failure"), "download", /could not read it \(SSH_FX_FAILURE: Failure\)/, /^Check \/var\/lib/],
    [
      "a full automation host",
      Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" }),
      "download",
      /^no space left on the automation host \(ENOSPC\)$/,
      /^Free space in \/srv\/artifacts on the automation host/,
    ],
    ["a missing remote file", sftpStatus(2, "No such file"), "download", /^no such file or directory on the front-end/, /^Check/],
    ["a refused remote write", sftpStatus(3, "Permission denied"), "upload", /^permission denied on the front-end$/, /writable and readable for the SSH user/],
    [
      "a link that dropped",
      new Error("No response from server"),
      "download",
      /^the connection to the front-end was lost mid-copy \(No response from server\)$/,
      /^Check that the front-end is up/,
    ],
    ["a connection-lost status", sftpStatus(7, "Connection lost"), "upload", /connection to the front-end was lost/, /^Check that the front-end is up/],
  ] as const)("says what %s means, and what to do", (_what, err, direction, what, next) => {
    const d = describeSftpFailure(err, direction, "/srv/artifacts/x.sql.partial", REMOTE);
    expect(d.what).toMatch(what);
    expect(d.next).toMatch(next);
  });
});

describe("a copy between the automation host and a front-end", () => {
  it("upload onto a full front-end: one paragraph naming the zone, front-end, files and what to free", async () => {
    const { fe } = frontend({
      upload: () => {
        throw sftpStatus(4, "Failure");
      },
    });
    const err = await failure(fe.upload("/srv/artifacts/x.sql", REMOTE));
    expect(err).toBeInstanceOf(TransferError);
    expect(err.message).toBe(
      `zone 100 (S-EU-GE), front-end 192.168.150.2:22: copying /srv/artifacts/x.sql on the automation host to ${REMOTE} on the front-end failed: ` +
        "the front-end's SFTP server could not write it (SSH_FX_FAILURE, which OpenSSH answers when the disk is full): most likely no space left on the front-end's file system. " +
        `A partial ${REMOTE} may be left on the front-end; the next run uploads it anew and proves it by sha256 before using it. ` +
        `Free space in ${REMOTE_DIR} on the front-end (df -h ${REMOTE_DIR}), then run the deploy again to resume at this step.`,
    );
    expectOneParagraph(err);
  });

  it("download onto a full automation host (/dev/full): 'no space left on the automation host', the front-end's file untouched", async () => {
    const { fe } = frontend({ download: () => writeToFullDisk() });
    const err = await failure(fe.download(REMOTE, "/srv/artifacts/x.sql.partial"));
    expect(err).toBeInstanceOf(TransferError);
    expect(err.message).toMatch(
      /: copying .* from the front-end to \/srv\/artifacts\/x\.sql\.partial on the automation host failed: no space left on the automation host \(ENOSPC\)\. /,
    );
    expect(err.message).toContain(`The copy changed nothing on the front-end, where ${REMOTE} stays`);
    expect(err.message).toMatch(
      /Free space in \/srv\/artifacts on the automation host \(df -h \/srv\/artifacts\) or point backup\.localDirectory elsewhere, then run the deploy again/,
    );
    expectOneParagraph(err);
  });

  it("fetchVerified removes the partial copy and leaves no file behind when the local disk is full", async () => {
    const c = config();
    const local = artifactPaths(c).localPath;
    const { fe } = frontend({ download: () => writeToFullDisk() });
    const err = await failure(fetchVerified(fe, REMOTE, local, "backup", c.master));
    expect(err.message).toMatch(/no space left on the automation host \(ENOSPC\)/);
    expect(fs.readdirSync(path.dirname(local))).toEqual([]);
  });

  it("fetchVerified says which local file could not be created, and that the front-end's file stays", async () => {
    const c = config();
    const blocker = path.join(c.backup.localDirectory, "sub");
    fs.writeFileSync(blocker, "a file where a directory should be");
    const { fe, t } = frontend({});
    const err = await failure(fetchVerified(fe, REMOTE, path.join(blocker, "x.sql"), "backup", c.master));
    expect(err).toBeInstanceOf(LocalFileError);
    expect(err.message).toMatch(
      new RegExp(
        `^zone 0 \\(M-EU-FR\\): creating the local copy ${blocker}/x\\.sql\\.\\d+-[0-9a-f]{8}\\.partial failed: a file that is not a directory is in the way on the automation host \\(EEXIST\\)\\. The front-end's ${REMOTE} was not touched by the copy`,
      ),
    );
    expect(t.lines.filter((l) => !l.startsWith("sha256sum"))).toEqual([]);
    expectOneParagraph(err);
  });

  it("pushVerified onto a full front-end names the directory to free, and runs nothing after the failed copy", async () => {
    const c = config();
    const local = path.join(c.backup.localDirectory, "x.sql");
    fs.writeFileSync(local, "-- artifact\n");
    const { fe, t } = frontend({
      upload: () => {
        throw sftpStatus(4, "Failure");
      },
    });
    const err = await failure(pushVerified(fe, local, REMOTE, DIGEST, "restore", c.slaves[0], REMOTE_DIR));
    expect(err.message).toMatch(/no space left on the front-end's file system\. .*Free space in \/var\/lib\/one\/backups\/onefed on the front-end/);
    expect(t.lines).toEqual([`mkdir -p -m 0700 ${REMOTE_DIR}`]);
  });

  it("a link dropped after the master's federated backup was written never claims nothing was changed", async () => {
    const c = config();
    const t = new FakeTransport([
      [/onedb version/, { stdout: dbVersionText("7.0.0", "7.0.0") }],
      [/^systemctl list-unit-files/, { stdout: "opennebula.service enabled enabled\n" }],
      [/^systemctl is-active/, { exitCode: 3, stdout: "inactive\n" }],
      [/^test -e \/var\/lock\/one\/one/, { exitCode: 1 }],
      [/^(mkdir|chmod) /, {}],
      [/onedb backup/, { stdout: "" }],
      [/^sha256sum /, { stdout: `${DIGEST}  x\n` }],
    ]);
    jest.spyOn(t, "download").mockRejectedValue(new Error("No response from server"));
    const ctx = fakeStepContext(c, c.master, "backup", () => t);
    const err = await failure(STEPS.backup.run(ctx));
    expect(t.lines.some((l) => l.includes("onedb backup"))).toBe(true);
    expect(err).toBeInstanceOf(TransferError);
    expect(err.message).toMatch(
      /^M-EU-FR, front-end 192\.168\.150\.1:22: copying \/var\/lib\/one\/backups\/onefed\/.* from the front-end to .* on the automation host failed: the connection to the front-end was lost mid-copy \(No response from server\)\. /,
    );
    expect(err.message).toContain("The copy changed nothing on the front-end, where");
    expect(err.message).not.toMatch(/nothing was changed/i);
    expectOneParagraph(err);
  });
});

describe("files written on the automation host", () => {
  it("the artifact's checksum onto a full disk (/dev/full): 'no space left on the automation host'", () => {
    const c = config();
    const paths = { ...artifactPaths(c), localChecksumPath: "/dev/full" };
    let err: Error | undefined;
    try {
      writeChecksum(paths, DIGEST, c.master);
    } catch (e) {
      err = e as Error;
    }
    expect(err).toBeInstanceOf(LocalFileError);
    expect(err!.message).toMatch(
      /^zone 0 \(M-EU-FR\): writing the federated backup's checksum \/dev\/full failed: no space left on the automation host \(ENOSPC\)\. The verified artifact .* stays, .* Free space in \/dev \(df -h \/dev\) or point backup\.localDirectory elsewhere, then run the deploy again to resume at this step\.$/,
    );
    expect(fs.statSync("/dev/full").isCharacterDevice()).toBe(true);
  });

  it("a record onto a full disk: what happened, the old record kept, what to free", () => {
    const c = config();
    const hosts = disabledHostsRecord(c, c.zones[1]);
    // The record is written through a temporary file: its write gets the full disk's ENOSPC.
    jest.spyOn(fsModule, "writeFileSync").mockImplementation(() => writeToFullDisk());
    let err: Error | undefined;
    try {
      hosts.write({ zone_id: 100, host_ids: [1], disabled_at: "2026-01-02T03:04:05.000Z" });
    } catch (e) {
      err = e as Error;
    }
    expect(err).toBeInstanceOf(RecordError);
    expect(err!.message).toMatch(
      /: no space left on the automation host \(ENOSPC\)\. The previous record, if there was one, is unchanged\. Free space in .* \(df -h .*\) or point backup\.localDirectory elsewhere/,
    );
  });
});

describe("an SSH session that fails after the login", () => {
  const target = { host: "192.168.150.1", port: 22, zone: "zone 0 (M-EU-FR)" };

  it("says nothing ran yet only when nothing did", () => {
    expect(new SshSessionError(target, "the SFTP subsystem could not be opened (x)", 0).message).toContain("This step had not run anything there yet.");
    const after = new SshSessionError(target, "could not open a channel (Not connected)", 3).message;
    expect(after).toContain("The 3 commands this step ran there before took effect");
    expect(after).not.toMatch(/nothing was changed/i);
  });

  it("an SshSession whose link is gone says so, counting what it ran, for a command and for a copy", async () => {
    // An ssh2 Client as it behaves once the link dropped: a late "error", then "Not connected" thrown at once.
    const client = Object.assign(new EventEmitter(), {
      exec: jest.fn((_line: string, cb: (err: undefined, ch: EventEmitter) => void) => {
        const channel = Object.assign(new EventEmitter(), { stderr: new EventEmitter(), end: () => (channel.emit("exit", 0), channel.emit("close")) });
        cb(undefined, channel);
      }),
      sftp: () => {
        throw new Error("Not connected");
      },
      destroy: () => undefined,
    });
    const Session = SshSession as unknown as new (client: unknown, target: SshTargetLabel, deadline: Deadline) => SshSession;
    const session = new Session(client, target, new Deadline(60));
    await expect(session.exec("onedb backup -v --federated -f x")).resolves.toMatchObject({ exitCode: 0 });
    client.emit("error", new Error("read ECONNRESET"));
    client.exec.mockImplementation(() => {
      throw new Error("Not connected");
    });
    const err = await failure(session.exec("sha256sum x"));
    expect(err).toBeInstanceOf(SshSessionError);
    expect(err.message).toBe(
      "zone 0 (M-EU-FR), front-end 192.168.150.1:22: the SSH connection failed after the login: could not open a channel (Not connected); the connection had failed: read ECONNRESET. " +
        "The 1 command this step ran there before took effect (the step checks what is in place when it runs again). Check that the front-end is up and reachable, then run the deploy again to resume at this step.",
    );
    const fe = new OpenNebulaFrontend(session, target, "apt");
    const copy = await failure(fe.download(REMOTE, "/srv/artifacts/x.sql.partial"));
    expect(copy).toBeInstanceOf(SshSessionError);
    expect(copy.message).toContain("the SFTP subsystem could not be opened (Not connected)");
  });
});
