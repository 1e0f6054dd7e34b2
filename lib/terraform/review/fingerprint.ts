/**
 * File hashes that identify what a plan was made from (federation file, synthesized stack, plan
 * file). The state's fingerprint is read through the engine: ../state-fingerprint.ts.
 */
import * as crypto from "crypto";
import * as fs from "fs";

export function sha256Of(data: string | Buffer): string {
  return crypto.createHash("sha256").update(data).digest("hex");
}

export function sha256File(file: string): string {
  return sha256Of(fs.readFileSync(file));
}
