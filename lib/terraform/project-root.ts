import * as fs from "fs";
import * as path from "path";

/** The directory holding our package.json, whether this runs from dist/ or from source (tests). */
export function projectRoot(from: string = __dirname): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, "package.json")) && fs.existsSync(path.join(dir, "cdktf.json"))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no project root (package.json + cdktf.json) above ${from}`);
  }
}
