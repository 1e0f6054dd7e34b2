/**
 * Reads one front-end, read-only: its package manager and installed version, oned.conf's DB
 * connection settings (never the password) and FEDERATION section, and the installed units.
 */
import { onedConf, packageTools } from "../remote/opennebula/commands";
import { OpenNebulaFrontend } from "../remote/opennebula/frontend";
import { installedVersionCommand } from "../remote/opennebula/packages";
import { parseOnedDatabase, parsePackageTools, parsePackageVersion } from "../remote/opennebula/parsers";
import { FrontendFindings } from "./findings";

export async function probeFrontend(fe: OpenNebulaFrontend): Promise<FrontendFindings> {
  const packageManager = parsePackageTools((await fe.run(packageTools.probe())).stdout);
  const version = parsePackageVersion((await fe.run(installedVersionCommand(packageManager))).stdout);
  const database = parseOnedDatabase((await fe.run(onedConf.readDatabase())).stdout);
  const federation = await fe.federationSettings();
  const units = [...(await fe.installedUnits())].sort();
  return { host: fe.target.host, port: fe.target.port, packageManager, version, database, federation, units };
}
