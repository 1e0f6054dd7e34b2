/**
 * `onecfg status` / `onecfg upgrade` (docs/opennebula.md §2.4): the configuration version follows the
 * installed release only when `onecfg upgrade` runs.
 */
import * as fs from "fs";
import { EmulatorContext } from "./context";
import { err, puts } from "./io";
import { compareVersions } from "../catalog";

/** Emulated `onecfg`. */
export function onecfg(ctx: EmulatorContext, argv: string[]): number {
  const [verb] = argv.filter((a) => !a.startsWith("-"));
  const installed = ctx.installedVersion();
  if (!installed) {
    err("ERROR: OpenNebula is not installed\n");
    return 255;
  }
  const config = ctx.state().configVersion;
  switch (verb) {
    case "status": {
      puts("--- Versions ------------------------------", `OpenNebula:  ${installed}`, `Config:      ${config || "unknown"}`, "");
      if (!config) {
        err("ERROR: Unknown config version\n");
        return 255;
      }
      if (compareVersions(config, installed) > 0) {
        err(`ERROR: Unsupported config version ${config}\n`);
        return 255;
      }
      puts("--- Available Configuration Updates -------");
      if (compareVersions(config, installed) === 0) {
        puts("No updates available.");
        return 0;
      }
      puts(`New config: ${installed}`, `- from ${config} to ${installed} (YAML,Ruby)`);
      return 1;
    }
    case "upgrade": {
      if (compareVersions(config, installed) >= 0) {
        puts("ANY   : No updates available.");
        return 0;
      }
      const d = new Date();
      const stamp = `${d.getFullYear()}-${d.getMonth() + 1}-${d.getDate()}_${d.getHours()}:${d.getMinutes()}:${d.getSeconds()}`;
      const backup = `/var/lib/one/backups/config/${stamp}`;
      try {
        fs.mkdirSync(ctx.ownPath(backup), { recursive: true });
        fs.cpSync(ctx.ownPath("/etc/one"), ctx.ownPath(`${backup}/etc/one`), { recursive: true });
      } catch (e) {
        puts(`FATAL : FAILED - ${(e as Error).message}`);
        return 255;
      }
      ctx.update((st) => {
        st.configVersion = installed;
      });
      puts(`ANY   : Backup stored in '${backup}'`, `ANY   : Configuration updated to ${installed}`);
      return 0;
    }
    case "init":
      ctx.update((st) => {
        st.configVersion = installed;
      });
      return 0;
    case "validate":
    case "diff":
      return 0;
    default:
      err(verb ? `ERROR: Unknown command ${verb}\n` : "ERROR: Missing command\n");
      return 255;
  }
}
