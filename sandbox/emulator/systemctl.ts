/**
 * `systemctl` for the opennebula* units of the installed release (docs/opennebula.md §1.3), or a node's
 * libvirtd: is-active,
 * start/stop/restart (starting opennebula runs oned's start checks), status, daemon-reload,
 * list-unit-files and list-units, with systemd 252's messages and exit codes.
 */
import { EmulatorContext } from "./context";
import { err, out, puts } from "./io";
import { startOned, stopOned } from "./oned";
import { pace } from "./pacing";
import { wantedByOned } from "../catalog";
import { UnitState } from "../frontend-state";

const DESCRIPTIONS: Record<string, string> = {
  "opennebula.service": "OpenNebula Cloud Controller Daemon",
  "opennebula-scheduler.service": "OpenNebula Cloud Scheduler Daemon",
  "opennebula-sunstone.service": "OpenNebula Web UI Server",
  "opennebula-novnc.service": "OpenNebula noVNC Server",
  "opennebula-fireedge.service": "OpenNebula FireEdge Server",
  "opennebula-guacd.service": "OpenNebula Guacamole Server",
  "opennebula-flow.service": "OpenNebula Flow Service",
  "opennebula-gate.service": "OpenNebula Gateway Service",
  "opennebula-gate-proxy.service": "OpenNebula Gateway Proxy Service",
  "opennebula-hem.service": "OpenNebula Hook Execution Service",
  "opennebula-econe.service": "OpenNebula econe-server (EC2 interface)",
  "opennebula-form.service": "OpenNebula Form Service",
  "opennebula-ks.service": "OpenNebula Kubernetes Service",
  "opennebula-ssh-agent.service": "OpenNebula SSH agent",
  "opennebula-showback.timer": "OpenNebula's periodic showback calculation",
  "opennebula-ssh-socks-cleaner.timer": "OpenNebula SSH persistent connection cleaner",
  "libvirtd.service": "Virtualization daemon",
};

/** "opennebula" → "opennebula.service"; names with a unit suffix stay. */
function unitName(arg: string): string {
  return /\.(service|timer|socket|target|path|mount|slice|scope)$/.test(arg) ? arg : `${arg}.service`;
}

function glob(pattern: string): RegExp {
  return new RegExp(
    `^${pattern
      .replace(/[.+^${}()|\\]/g, "\\$&")
      .replace(/\*/g, ".*")
      .replace(/\?/g, ".")}$`,
  );
}

/** Sort like systemd's tables: by unit type, then name. */
function byTypeThenName(a: string, b: string): number {
  const ta = a.slice(a.lastIndexOf(".") + 1);
  const tb = b.slice(b.lastIndexOf(".") + 1);
  return ta !== tb ? (ta < tb ? -1 : 1) : a < b ? -1 : a > b ? 1 : 0;
}

/** Prints rows as systemd does: every column padded to its widest cell except the last. */
function table(rows: string[][]): void {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => r[i].length))) ?? [];
  puts(...rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join(" ")));
}

/** Emulated `systemctl`. */
export function systemctl(ctx: EmulatorContext, argv: string[]): number {
  const flags = argv.filter((a) => a.startsWith("-"));
  const [verb, ...names] = argv.filter((a) => !a.startsWith("-"));
  const quiet = flags.includes("-q") || flags.includes("--quiet");
  const legend = !flags.includes("--no-legend");
  const st = ctx.state();
  const known = new Set(ctx.knownUnits(st.packages));
  const units = names.map(unitName);
  const services = st.services;
  const stateOf = (u: string): UnitState => (known.has(u) ? (services[u] ?? "inactive") : "inactive");

  switch (verb) {
    case "is-active": {
      if (!quiet) puts(...units.map(stateOf));
      return units.length > 0 && units.every((u) => stateOf(u) === "active") ? 0 : 3;
    }
    case "is-failed": {
      if (!quiet) puts(...units.map(stateOf));
      return units.some((u) => stateOf(u) === "failed") ? 0 : 1;
    }
    case "is-enabled": {
      let rc = 0;
      for (const u of units) {
        if (known.has(u)) {
          if (!quiet) puts("enabled");
        } else {
          err(`Failed to get unit file state for ${u}: No such file or directory\n`);
          rc = 1;
        }
      }
      return rc;
    }
    case "start":
    case "stop":
    case "restart":
    case "try-restart":
    case "reload-or-restart":
      return changeUnits(ctx, verb, units, known);
    case "daemon-reload":
    case "reset-failed":
      return 0;
    case "status":
      return status(units, known, stateOf);
    case "list-unit-files": {
      const files = [...known].flatMap((u) => (u.endsWith(".timer") ? [u, u.replace(/\.timer$/, ".service")] : [u]));
      const shown = files.filter((u) => names.length === 0 || names.some((p) => glob(p).test(u))).sort(byTypeThenName);
      const rows = shown.map((u) => (known.has(u) ? [u, "enabled", "enabled"] : [u, "static", "-"]));
      if (legend) rows.unshift(["UNIT FILE", "STATE", "PRESET"]);
      if (rows.length > 0) table(rows);
      if (legend) puts("", `${shown.length} unit files listed.`);
      return 0;
    }
    case "list-units": {
      const all = flags.includes("--all") || flags.includes("-a");
      const shown = [...known]
        .filter((u) => names.length === 0 || names.some((p) => glob(p).test(u)))
        .filter((u) => all || stateOf(u) !== "inactive")
        .sort(byTypeThenName);
      const sub = (u: string): string => ({ active: u.endsWith(".timer") ? "waiting" : "running", inactive: "dead", failed: "failed" })[stateOf(u)];
      const rows = shown.map((u) => [stateOf(u) === "failed" ? "●" : " ", u, "loaded", stateOf(u), sub(u), DESCRIPTIONS[u] ?? u]);
      if (legend) rows.unshift([" ", "UNIT", "LOAD", "ACTIVE", "SUB", "DESCRIPTION"]);
      if (rows.length > 0) table(rows);
      if (legend) puts("", `${shown.length} loaded units listed.`);
      return 0;
    }
    default:
      err(verb ? `Unknown command verb ${verb}.\n` : "Too few arguments.\n");
      return 1;
  }
}

/**
 * The time stopping or starting OpenNebula takes under the timing profile, outside the state lock
 * (other sessions on the machine go on meanwhile); a unit already in the wanted state takes none.
 */
function paceOpenNebula(ctx: EmulatorContext, verb: string, units: string[]): void {
  if (!units.includes("opennebula.service")) return;
  const active = ctx.state().services["opennebula.service"] === "active";
  const restart = verb === "restart" || verb === "reload-or-restart" || (verb === "try-restart" && active);
  if ((verb === "stop" || restart) && active) pace(ctx, "systemctl stop opennebula");
  if (verb === "start" ? !active : restart) pace(ctx, "systemctl start opennebula");
}

/** start/stop/restart under the state lock, so parallel sessions see one consistent unit table. */
function changeUnits(ctx: EmulatorContext, verb: string, units: string[], known: Set<string>): number {
  let rc = 0;
  const failedJobs: string[] = [];
  paceOpenNebula(ctx, verb, units);
  ctx.update((st) => {
    const version = ctx.installedVersion()!;
    const doStop = (u: string): void => {
      if (u === "opennebula.service" && st.services[u] === "active") stopOned(ctx);
      st.services[u] = "inactive";
    };
    const doStart = (u: string): void => {
      if (st.services[u] === "active") return;
      if (u === "opennebula.service") {
        for (const w of wantedByOned(version)) if (st.services[w] !== "active") st.services[w] = "active";
        if (!startOned(ctx)) {
          st.services[u] = "failed";
          failedJobs.push(u);
          return;
        }
      }
      st.services[u] = "active";
    };
    for (const u of units) {
      if (!known.has(u)) {
        err(
          verb === "stop" ? `Failed to stop ${u}: Unit ${u} not loaded.\n` : `Failed to ${verb === "start" ? "start" : "restart"} ${u}: Unit ${u} not found.\n`,
        );
        rc = 5;
        continue;
      }
      if (verb === "stop") doStop(u);
      else if (verb === "start") doStart(u);
      else if (verb === "try-restart" && st.services[u] !== "active") continue;
      else {
        doStop(u);
        doStart(u);
      }
    }
  });
  // Raft notices at once when a server's oned comes or goes (an election, or a lost quorum).
  if (units.includes("opennebula.service")) ctx.raft(ctx.self.zoneId);
  for (const u of failedJobs) {
    err(`Job for ${u} failed because the control process exited with error code.\n` + `See "systemctl status ${u}" and "journalctl -xeu ${u}" for details.\n`);
    if (rc === 0) rc = 1;
  }
  return rc;
}

function status(units: string[], known: Set<string>, stateOf: (u: string) => UnitState): number {
  let rc = 0;
  for (const u of units) {
    if (!known.has(u)) {
      err(`Unit ${u} could not be found.\n`);
      rc = 4;
      continue;
    }
    const s = stateOf(u);
    const active = s === "active" ? "active (running)" : s === "failed" ? "failed (Result: exit-code)" : "inactive (dead)";
    out(
      `${s === "failed" ? "×" : s === "active" ? "●" : "○"} ${u} - ${DESCRIPTIONS[u] ?? u}\n` +
        `     Loaded: loaded (/lib/systemd/system/${u}; enabled; preset: enabled)\n` +
        `     Active: ${active}\n\n`,
    );
    if (s !== "active" && rc === 0) rc = 3;
  }
  return rc;
}
