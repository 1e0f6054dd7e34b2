/**
 * MySQL-configured zones: each of their front-ends has its own real MariaDB server (mariadb.ts
 * starts it), on the front-end's own loopback address, holding the database its oned.conf names.
 * This module holds what oned.conf says and where a front-end's tables live. Dependency-free: the
 * emulator loads it per run.
 */
import * as fs from "fs";
import { SandboxLayout } from "./layout";
import { mariadbLocator } from "./db-store";
import { MariaDbTarget } from "./mariadb-client";
import { SandboxRegistry, zoneOf } from "./registry";

/** What every MySQL front-end's oned.conf names (its SERVER is the front-end's own address). */
export const MYSQL = {
  /** oned.conf PORT: the port each front-end's server listens on, at the front-end's address. */
  port: 3306,
  /** The account onedb and oned use. */
  user: "oneadmin",
  /** The database (the same on every front-end, as on every HA server of a real zone). */
  dbName: "opennebula",
  /** oned.conf CONNECTIONS. */
  connections: 25,
  /** Where a client looks for a local server's socket (named in the error of a SQLite zone, which has none). */
  socket: "/run/mysqld/mysqld.sock",
} as const;

/** oned.conf's DB section of a MySQL-configured front-end (the layout of the shipped oned.conf). */
export function mysqlDbSection(password: string, server: string): string {
  return [
    `DB = [ BACKEND = "mysql",`,
    `       SERVER  = "${server}",`,
    `       PORT    = ${MYSQL.port},`,
    `       USER    = "${MYSQL.user}",`,
    `       PASSWD  = "${password}",`,
    `       DB_NAME = "${MYSQL.dbName}",`,
    `       CONNECTIONS = ${MYSQL.connections} ]`,
  ].join("\n");
}

/** The sandbox's MySQL password (D/mysql-password, one line). */
export function readMysqlPassword(layout: SandboxLayout): string {
  return fs.readFileSync(layout.mysqlPassword, "utf8").trim();
}

/** The MariaDB database of a MySQL front-end (undefined for a SQLite zone's front-end). */
export function mariadbTargetOfFrontend(layout: SandboxLayout, reg: SandboxRegistry, fe: string): MariaDbTarget | undefined {
  const zone = zoneOf(reg, fe);
  const entry = zone?.frontends.find((f) => f.name === fe);
  if (!zone || !entry || zone.dbBackend !== "mysql") return undefined;
  return { host: entry.host, port: MYSQL.port, user: MYSQL.user, database: MYSQL.dbName, passwordFile: layout.mysqlPassword };
}

/** Where a front-end's tables live (db-store.ts): its SQLite file, or its MariaDB database. */
export function frontendStore(layout: SandboxLayout, reg: SandboxRegistry, fe: string): string {
  const target = mariadbTargetOfFrontend(layout, reg, fe);
  return target ? mariadbLocator(target) : layout.db(fe);
}
