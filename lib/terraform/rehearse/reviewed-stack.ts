/**
 * The reviewed plan's step graph, proven to be the one reviewed: the stack directory's
 * cdk.tf.json when it still has the sha256 bundle.json recorded, else the federation file
 * synthesized again (into a temporary directory), which must give that sha256.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { synthesizeInChild } from "../synth-in-child";
import { NULL_PROVIDER_VERSION_ENV } from "../../model/environment";
import type { Engine } from "../engine/engine";
import { StalePlanError } from "../errors";
import type { ReviewBundle } from "../review/bundle";
import { sha256File, sha256Of } from "../review/fingerprint";

const short = (sha: string): string => sha.slice(0, 12);

/** The reviewed cdk.tf.json, parsed; StalePlanError when neither source gives the reviewed sha256. */
export function reviewedStackJson(bundle: ReviewBundle, planDir: string, configPath: string, engine: Engine): unknown {
  const inStackDir = path.join(bundle.stack.dir, "cdk.tf.json");
  if (fs.existsSync(inStackDir) && sha256File(inStackDir) === bundle.stack.cdkTfJsonSha256) return JSON.parse(fs.readFileSync(inStackDir, "utf8"));
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "onefed-rehearse-"));
  try {
    const { stack, outdir } = synthesizeInChild({ configPath, outdir: tmp, nullProviderVersion: engine.env[NULL_PROVIDER_VERSION_ENV] });
    const text = fs.readFileSync(path.join(outdir, "stacks", stack, "cdk.tf.json"), "utf8");
    const sha = sha256Of(text);
    if (sha !== bundle.stack.cdkTfJsonSha256) {
      throw new StalePlanError(planDir, [
        `${configPath} now synthesizes another stack (cdk.tf.json sha256 ${short(bundle.stack.cdkTfJsonSha256)}… at plan time, now ${short(sha)}…), so the reviewed step graph cannot be proven`,
      ]);
    }
    return JSON.parse(text) as unknown;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
