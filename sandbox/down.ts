/** `sandboxDown`: stops every sshd, front-ends' and nodes' (and their open sessions), and removes the directory unless kept. */
import * as fs from "fs";
import { SANDBOX_DIR } from "./contract";
import { SandboxError } from "./errors";
import { SandboxLayout } from "./layout";
import { allMachines, readRegistry } from "./registry";
import { stopSshd } from "./sshd";
import { stopJumpHost } from "./jump-host";

/** Stops the sandbox in dir; removes dir unless keep. A missing directory is already down. */
export async function sandboxDown(dir: string, opts: { readonly keep?: boolean } = {}): Promise<void> {
  const layout = new SandboxLayout(dir);
  const reg = readRegistry(layout);
  if (!reg) {
    if (!fs.existsSync(layout.dir)) return;
    // Never delete a directory that is not a sandbox.
    throw new SandboxError(`${layout.dir} holds no sandbox (no ${SANDBOX_DIR.registry}); not touching it`);
  }
  await Promise.all([...allMachines(reg).map((fe) => stopSshd(layout, fe.name)), stopJumpHost(layout)]);
  if (!opts.keep) fs.rmSync(layout.dir, { recursive: true, force: true });
}
