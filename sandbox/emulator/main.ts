/**
 * Entry point of every emulated command: `node main.js <tool> [args…]`, exec'd by the shims in
 * D/bin/emulated. Also the two modes of contract.ts: the injection check (run by the front-end shell
 * before any command while an injection is pending) and the self-test (run by `sandbox up` as the
 * login user). Imports only node built-ins and sandbox modules: it starts once per remote command.
 */
import * as fs from "fs";
import { EmulatorContext } from "./context";
import { err, out } from "./io";
import { EMULATOR_INJECTION_CHECK, EMULATOR_SELF_TEST, ENV_DEBUG, ENV_FRONTEND, ENV_INJECTIONS_CHECKED, ENV_PARTIAL, ENV_SANDBOX_DIR } from "../contract";
import { consumeInjection } from "../injections";
import { holdIfArmed } from "../holds";
import { lingerIfSlow } from "../slow-commands";
import { SandboxLayout } from "../layout";
import { commandNotFound, toolsOf } from "../machine-profile";

type Tool = (ctx: EmulatorContext, argv: string[]) => number;
/** Loaded on demand: each process runs one tool, so it loads only that tool's modules. */
/* eslint-disable @typescript-eslint/no-require-imports -- on demand, see above */
const TOOLS: Record<string, () => Tool> = {
  onezone: () => require("./onezone").onezone,
  onehost: () => require("./onehost").onehost,
  onedb: () => require("./onedb").onedb,
  onecfg: () => require("./onecfg").onecfg,
  systemctl: () => require("./systemctl").systemctl,
  "apt-get": () => require("./apt-get").aptGet,
  "dpkg-query": () => require("./dpkg-query").dpkgQuery,
  rpm: () => require("./rpm").rpm,
  dnf: () => require("./dnf").dnf,
  yum: () => require("./dnf").yum,
  iptables: () => require("./iptables").iptables,
};
/* eslint-enable @typescript-eslint/no-require-imports */

/** The front-end shell's check before a command: a hold waits here; a failure or a partial run is reported to the shell. */
function injectionCheck(env: NodeJS.ProcessEnv, shellPid: number): number {
  const layout = new SandboxLayout(env[ENV_SANDBOX_DIR] ?? "");
  const fe = env[ENV_FRONTEND] ?? "";
  const commandLine = env.SSH_ORIGINAL_COMMAND ?? "";
  holdIfArmed(layout, fe, commandLine, shellPid);
  const hit = consumeInjection(layout, fe, commandLine);
  if (!hit) return 0;
  if (hit.partial !== undefined) {
    out(`partial=${hit.partial}\n`);
    return 0;
  }
  err(hit.stderr.endsWith("\n") || hit.stderr === "" ? hit.stderr : `${hit.stderr}\n`);
  out(String(hit.exitCode));
  return 1;
}

/** Proves the login user can read the registry and write every machine's state and every front-end's database, the Raft records, and read the MySQL password. */
function selfTest(env: NodeJS.ProcessEnv): number {
  const ctx = new EmulatorContext(env);
  if (ctx.registry.zones.some((z) => z.dbBackend === "mysql")) fs.accessSync(ctx.layout.mysqlPassword, fs.constants.R_OK);
  if (ctx.registry.zones.some((z) => z.ha)) {
    const probe = `${ctx.layout.raftDir}/.self-test`;
    fs.writeFileSync(probe, "ok");
    fs.rmSync(probe);
  }
  for (const zone of ctx.registry.zones) {
    for (const fe of zone.frontends) {
      const probe = `${ctx.layout.frontendDir(fe.name)}/.self-test`;
      fs.writeFileSync(probe, "ok");
      fs.rmSync(probe);
      if (zone.dbBackend !== "mysql") fs.accessSync(ctx.layout.db(fe.name), fs.constants.R_OK | fs.constants.W_OK);
    }
    for (const node of zone.nodes ?? []) {
      const probe = `${ctx.layout.frontendDir(node.name)}/.self-test`;
      fs.writeFileSync(probe, "ok");
      fs.rmSync(probe);
    }
  }
  out("ok\n");
  return 0;
}

function run(argv: string[], env: NodeJS.ProcessEnv): number {
  const [tool, ...args] = argv;
  if (tool === EMULATOR_INJECTION_CHECK) return injectionCheck(env, parseInt(args[0] ?? "", 10) || process.ppid);
  if (tool === EMULATOR_SELF_TEST) return selfTest(env);
  const load = TOOLS[tool];
  if (!load) {
    err(`emulator: unknown tool ${tool ?? "(none)"}\n`);
    return 127;
  }
  const ctx = new EmulatorContext(env);
  if (!toolsOf(ctx.isNode ? "node" : "frontend", ctx.packageManager).includes(tool)) {
    // Reached only when called directly: the machine's PATH has no shim for it.
    err(commandNotFound(ctx.packageManager, tool));
    return 127;
  }
  if (!env[ENV_INJECTIONS_CHECKED]) {
    // Called without the front-end shell (tests): check against this command line.
    const commandLine = env.SSH_ORIGINAL_COMMAND ?? [tool, ...args].join(" ");
    holdIfArmed(ctx.layout, ctx.self.name, commandLine, process.pid);
    const hit = consumeInjection(ctx.layout, ctx.self.name, commandLine);
    if (hit?.partial !== undefined) env[ENV_PARTIAL] = String(hit.partial);
    else if (hit) {
      err(hit.stderr.endsWith("\n") || hit.stderr === "" ? hit.stderr : `${hit.stderr}\n`);
      return hit.exitCode;
    }
  }
  const code = load()(ctx, args);
  lingerIfSlow(ctx.layout, ctx.self.name, env.SSH_ORIGINAL_COMMAND ?? [tool, ...args].join(" "));
  return code;
}

let code: number;
try {
  code = run(process.argv.slice(2), process.env);
} catch (e) {
  err(`${process.argv[2] ?? "emulator"}: ${process.env[ENV_DEBUG] ? (e as Error).stack : (e as Error).message}\n`);
  code = 255;
}
process.exit(code);
