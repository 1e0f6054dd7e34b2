/**
 * The bench's ideal replay re-sends each ledger transaction with the records the deploy sent
 * (docs/bench.md, "The ideal replay"): while D/record-stdin exists, the front-end shell keeps a
 * transaction's stdin under its command log line's ts, and runs the transaction on it unchanged.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { readCommandLog } from "../../sandbox";
import { ENV_FRONTEND_ROOT, LEDGER_TRANSACTION_PREFIX, MACHINE_DIR, SANDBOX_DIR } from "../../sandbox/contract";
import { SandboxLayout } from "../../sandbox/layout";
import { ledgerFiles } from "../../lib/remote/opennebula/ledger-files";
import { renderCommand } from "../../lib/remote/opennebula/remote-command";
import { EmulatorSandbox, MASTER } from "../sandbox/emulator-harness";

describe("the front-end shell keeps a ledger transaction's stdin for the replay", () => {
  let sb: EmulatorSandbox;
  beforeEach(() => (sb = EmulatorSandbox.create()));
  afterEach(() => sb.remove());

  /** One SSH session's command through D/bin/frontend-shell, with `input` on its stdin. */
  const session = (command: string, input: string) => {
    const layout = new SandboxLayout(sb.dir);
    return spawnSync("sh", [layout.frontendShell, MASTER], {
      cwd: sb.work,
      input,
      encoding: "utf8",
      env: { ...process.env, TZ: "UTC", SSH_ORIGINAL_COMMAND: command, [ENV_FRONTEND_ROOT]: layout.frontendRoot(MASTER) },
    });
  };
  const ledgerDir = () => path.join(fs.mkdtempSync(path.join(os.tmpdir(), "onefed-record-stdin-")), "ledger");
  const stdinDir = () => path.join(new SandboxLayout(sb.dir).dir, SANDBOX_DIR.frontends, MASTER, MACHINE_DIR.stdin);

  it("is what onefed's ledger sends: its transactions begin with the prefix the shell looks for", () => {
    const line = renderCommand(ledgerFiles.transaction("/var/lib/one/backups/onefed/ledger/x", [{ op: "write", name: "a.json", content: "{}\n" }], false));
    expect(line.startsWith(LEDGER_TRANSACTION_PREFIX)).toBe(true);
  });

  it("keeps nothing unless asked", () => {
    const dir = ledgerDir();
    const tx = ledgerFiles.transaction(dir, [{ op: "write", name: "a.json", content: '{"a":1}\n' }], false);
    expect(session(renderCommand(tx), tx.stdin!).status).toBe(0);
    expect(fs.readFileSync(path.join(dir, "a.json"), "utf8")).toBe('{"a":1}\n');
    expect(fs.existsSync(stdinDir())).toBe(false);
  });

  it("keeps the records under the log line's ts while D/record-stdin exists; the transaction runs on them as before", () => {
    fs.writeFileSync(path.join(sb.dir, SANDBOX_DIR.recordStdin), "");
    const dir = ledgerDir();
    const tx = ledgerFiles.transaction(dir, [{ op: "write", name: "a.json", content: '{"a":1}\n' }], false);
    const r = session(renderCommand(tx), tx.stdin!);
    expect(r.status).toBe(0);
    expect(fs.readFileSync(path.join(dir, "a.json"), "utf8")).toBe('{"a":1}\n');
    const [line] = readCommandLog(sb.dir, MASTER);
    const kept = fs.readdirSync(stdinDir());
    expect(kept).toEqual([expect.stringMatching(new RegExp(`^${line.ts.replace(/[.]/g, "\\.")}-\\d+$`))]);
    expect(fs.readFileSync(path.join(stdinDir(), kept[0]), "utf8")).toBe(tx.stdin);
    // Other commands are not read: their stdin stays theirs.
    expect(session("cat", "typed").stdout).toBe("typed");
    expect(fs.readdirSync(stdinDir())).toHaveLength(1);
  });
});
