import * as fs from "fs";
import * as path from "path";
import { federationJsonSchema } from "../../lib/cli/schema-command";

it("docs/federation.schema.json is generated from the definition the loader uses", () => {
  const committed = fs.readFileSync(path.resolve(__dirname, "../../docs/federation.schema.json"), "utf8");
  expect(committed).toBe(federationJsonSchema());
});
