/**
 * MySQL-configured zones: their front-ends' oned.conf names a MySQL (MariaDB) server, and onedb
 * authenticates against it. The storage underneath stays the front-end's SQLite file: this module
 * only holds what the stand-in server accepts. Dependency-free: the emulator loads it per run.
 */
import * as fs from "fs";
import { SandboxLayout } from "./layout";

/** What the stand-in MySQL server of a MySQL zone accepts (and what oned.conf names). */
export const MYSQL = {
  /** oned.conf SERVER; the only host that reaches the stand-in (through its socket, like localhost does). */
  server: "localhost",
  /** oned.conf PORT: 0 = the client's default. Ignored for localhost, as the MySQL client does. */
  port: 0,
  /** The only account. */
  user: "oneadmin",
  /** The only database. */
  dbName: "opennebula",
  /** oned.conf CONNECTIONS. */
  connections: 25,
  /** Where a client looks for the local server's socket (named in the "Can't connect" error). */
  socket: "/run/mysqld/mysqld.sock",
} as const;

/** oned.conf's DB section of a MySQL-configured front-end (the layout of the shipped oned.conf). */
export function mysqlDbSection(password: string): string {
  return [
    `DB = [ BACKEND = "mysql",`,
    `       SERVER  = "${MYSQL.server}",`,
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
