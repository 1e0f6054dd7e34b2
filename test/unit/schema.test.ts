import * as fs from "fs";
import * as path from "path";
import { federationJsonSchema } from "../../lib/cli/schema-command";

it("docs/federation.schema.json is generated from the definition the loader uses", () => {
  const committed = fs.readFileSync(path.resolve(__dirname, "../../docs/federation.schema.json"), "utf8");
  expect(committed).toBe(federationJsonSchema());
});

it("the runner's compiled check is generated from the same definition (npm run generate)", () => {
  const { federationCheckSource, GENERATED_CHECK_PATH } = require("../../lib/config/check-source");
  expect(fs.readFileSync(path.resolve(__dirname, "../..", GENERATED_CHECK_PATH), "utf8")).toBe(federationCheckSource());
});
