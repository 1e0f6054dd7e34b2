/** The restore proof's digest is the same computed locally and by the front-end's own tools. */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { dumpDigest, dumpDigestCommand } from "../../lib/remote/opennebula/dump-digest";
import { renderCommand } from "../../lib/remote/opennebula/remote-command";
import { parseSha256 } from "../../lib/remote/opennebula/parsers";

const remote = (text: string) => {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "onefed-digest-")), "dump.sql");
  fs.writeFileSync(file, text);
  return parseSha256(execFileSync("/bin/sh", ["-c", renderCommand(dumpDigestCommand(file))], { encoding: "utf8" }));
};

describe("dumpDigest", () => {
  const sqlite =
    '-- FEDERATED\nDROP TABLE IF EXISTS "user_pool";\nPRAGMA foreign_keys=OFF;\nBEGIN TRANSACTION;\nCREATE TABLE user_pool (oid INTEGER PRIMARY KEY);\nINSERT INTO user_pool VALUES(0);\n\nCOMMIT;\n';
  const mysql =
    "-- MySQL dump 10.13\n/*!40101 SET NAMES utf8 */;\nDROP TABLE IF EXISTS `logdb`;\nINSERT INTO `logdb` VALUES (1,1,'x',0,1,1),(2,1,'y',0,2,1);\n-- Dump completed on 2026-11-30 10:00:00\n";

  it.each([
    ["a SQLite federated dump", sqlite],
    ["a mysqldump", mysql],
    ["a file without a final newline", "INSERT INTO t VALUES(1);\nINSERT INTO t VALUES(2);"],
    ["an empty file", ""],
  ])("matches the front-end's grep | sha256sum for %s", (_what, text) => {
    expect(dumpDigest(text)).toBe(remote(text));
  });

  it("ignores the stamps a dump tool writes, and nothing else", () => {
    expect(dumpDigest(mysql)).toBe(dumpDigest(mysql.replace("2026-11-30 10:00:00", "2026-12-01 09:00:00").replace("10.13", "10.19")));
    expect(dumpDigest(sqlite)).not.toBe(dumpDigest(sqlite.replace("INSERT INTO user_pool VALUES(0);\n", "")));
    expect(dumpDigest(mysql)).not.toBe(dumpDigest(mysql.replace(",(2,1,'y',0,2,1)", "")));
  });
});
