/**
 * The warm runner's request, from the launcher's files to a StepRequest: the announce line, the
 * NUL-separated arguments and variables, and the file-system guard (the request directory must be
 * the run directory's, this user's, 0700; its files regular and private; its outputs FIFOs).
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { FORWARDED_ENV, parseAnnounce, parseRequestFiles, WARM_PROTOCOL_VERSION } from "../../lib/run/warm/protocol";
import { checkRequest, CheckedRequest, RequestRefusal } from "../../lib/run/warm/request-dir";
import { LAUNCHER } from "../support/step-launcher";

const announce = { version: WARM_PROTOCOL_VERSION, pid: 10, parentPid: 9, dir: "/run/x/step.abc" };
const nul = (...values: string[]) => Buffer.from(values.map((v) => `${v}\0`).join(""));

describe("parsing", () => {
  it("reads an announce line, a directory with spaces included, and refuses anything else", () => {
    expect(parseAnnounce("onefed-step 1 42 41 /tmp/run dir/step.x")).toEqual({ version: 1, pid: 42, parentPid: 41, dir: "/tmp/run dir/step.x" });
    expect(parseAnnounce("onefed-step 1 42 41 relative/step.x")).toMatch(/not a request line/);
    expect(parseAnnounce('{"v":1,"kind":"step"}')).toMatch(/not a request line/);
  });

  it("reads NUL-separated arguments and forwarded variables; an argument may hold spaces, newlines or be empty", () => {
    const r = parseRequestFiles(nul("upgrade", "--zone", "100", "--config", "/x/a b\nc.yaml", ""), nul("ONEFED_RUN_ID=r=1", "ONEFED_EVENTS="), announce);
    expect(r).toEqual({
      argv: ["upgrade", "--zone", "100", "--config", "/x/a b\nc.yaml", ""],
      env: { ONEFED_RUN_ID: "r=1", ONEFED_EVENTS: "" },
      pid: 10,
      parentPid: 9,
    });
    expect(parseRequestFiles(Buffer.alloc(0), Buffer.alloc(0), announce)).toMatchObject({ argv: [], env: {} });
  });

  it("refuses another version, a cut file, and any variable the protocol does not forward", () => {
    expect(parseRequestFiles(nul("upgrade"), nul(), { ...announce, version: 0 })).toBe(
      "protocol version 0, this runner speaks 1 (a launcher from another onefed build)",
    );
    expect(parseRequestFiles(Buffer.from("upgrade"), nul(), announce)).toMatch(/argv is not NUL-terminated/);
    expect(parseRequestFiles(nul("upgrade"), nul("ONEFED_SANDBOX_DB_PASSWORD=x"), announce)).toMatch(/env holds variables the protocol does not forward/);
    expect(parseRequestFiles(nul("upgrade"), nul("PATH=/bin"), announce)).toMatch(/env holds variables/);
    expect(parseRequestFiles(nul("upgrade"), nul("=x"), announce)).toMatch(/env holds variables/);
  });

  it("the launcher forwards exactly the protocol's variables", () => {
    const listed = /for v in ([A-Z_ ]+); do/.exec(fs.readFileSync(LAUNCHER, "utf8"))![1].trim().split(" ");
    expect(listed).toEqual([...FORWARDED_ENV]);
  });
});

describe("the request directory", () => {
  let runDir: string;
  let req: string;
  beforeEach(() => {
    runDir = fs.mkdtempSync(path.join(os.tmpdir(), "onefed-run-"));
    req = fs.mkdtempSync(path.join(runDir, "step."));
    fs.writeFileSync(path.join(req, "argv"), nul("upgrade", "--zone", "0"), { mode: 0o600 });
    fs.writeFileSync(path.join(req, "env"), nul("ONEFED_RUN_ID=r1"), { mode: 0o600 });
    expect(spawnSync("mkfifo", [path.join(req, "out"), path.join(req, "err")]).status).toBe(0);
  });
  afterEach(() => fs.rmSync(runDir, { recursive: true, force: true }));
  const line = (dir = req, version = 1) => `onefed-step ${version} 10 9 ${dir}`;
  const refusal = (l: string) => checkRequest(runDir, l) as RequestRefusal;

  it("accepts a private directory of the run directory", () => {
    const r = checkRequest(runDir, line()) as CheckedRequest;
    expect(r.request).toEqual({ argv: ["upgrade", "--zone", "0"], env: { ONEFED_RUN_ID: "r1" }, pid: 10, parentPid: 9 });
    expect(r.outPath).toBe(path.join(req, "out"));
  });

  it("refuses a directory outside the run directory, or below one of its directories", () => {
    const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), "onefed-elsewhere-"));
    try {
      expect(refusal(line(elsewhere))).toEqual({ reason: `${elsewhere} is not a directory of the run directory ${runDir}` });
      expect(refusal(line(`${runDir}/../${path.basename(elsewhere)}`)).reason).toMatch(/is not a directory of the run directory/);
      fs.mkdirSync(path.join(req, "deeper"), { mode: 0o700 });
      expect(refusal(line(path.join(req, "deeper"))).reason).toMatch(/is not a directory of the run directory/);
    } finally {
      fs.rmSync(elsewhere, { recursive: true, force: true });
    }
  });

  it("refuses a directory open to others, a symbolic link, a missing one", () => {
    fs.chmodSync(req, 0o755);
    expect(refusal(line()).reason).toMatch(/has mode 0755, not 0700/);
    fs.chmodSync(req, 0o700);
    fs.symlinkSync(req, path.join(runDir, "step.link"));
    expect(refusal(line(path.join(runDir, "step.link"))).reason).toMatch(/is not a directory$/);
    expect(refusal(line(path.join(runDir, "step.gone"))).reason).toMatch(/ENOENT/);
  });

  it("refuses files open to others, a link in place of a file, outputs that are not FIFOs; answers in the directory when only its content is wrong", () => {
    fs.chmodSync(path.join(req, "env"), 0o644);
    const open = refusal(line());
    expect(open.reason).toMatch(/env is open to group or others \(mode 0644\)/);
    expect("answerable" in open && open.answerable?.dir).toBe(req);
    fs.rmSync(path.join(req, "env"));
    fs.symlinkSync("/etc/passwd", path.join(req, "env"));
    expect(refusal(line()).reason).toMatch(/env is not a regular file/);
    fs.rmSync(path.join(req, "out"));
    fs.writeFileSync(path.join(req, "out"), "");
    const notFifo = refusal(line());
    expect(notFifo.reason).toMatch(/out is not a FIFO/);
    expect("answerable" in notFifo && notFifo.answerable).toBeFalsy();
  });

  it("refuses another version in a directory it may answer in", () => {
    const r = refusal(line(req, 2));
    expect(r.reason).toMatch(/protocol version 2/);
    expect("answerable" in r && r.answerable?.dir).toBe(req);
  });

  (process.getuid?.() === 0 ? it : it.skip)("refuses a directory or a file of another user", () => {
    fs.chownSync(path.join(req, "argv"), 65534, 65534);
    expect(refusal(line()).reason).toMatch(/argv belongs to uid 65534, not to this user \(uid 0\)/);
    fs.chownSync(req, 65534, 65534);
    expect(refusal(line()).reason).toMatch(/belongs to uid 65534/);
  });
});
