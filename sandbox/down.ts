/** `sandboxDown`: stops every sshd, front-ends' and nodes' (and their open sessions), the MySQL zones' MariaDB servers, and removes the directory unless kept. */
import * as fs from "fs";
import { SANDBOX_DIR } from "./contract";
import { SandboxError } from "./errors";
import { SandboxLayout } from "./layout";
import { allMachines, readRegistry } from "./registry";
import { stopSshd } from "./sshd";
import { stopJumpHost } from "./jump-host";
import { stopMariaDb } from "./mariadb";

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
  // MySQL zones' servers (by the PID in their pid files), after the sessions that used them.
  await Promise.all(reg.zones.filter((z) => z.dbBackend === "mysql").flatMap((z) => z.frontends.map((fe) => stopMariaDb(layout, fe.name))));
  if (!opts.keep) fs.rmSync(layout.dir, { recursive: true, force: true });
}
