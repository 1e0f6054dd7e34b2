/** `onefed schema`: print the federation file's JSON Schema (the same definition the loader validates with). */
import { FederationFileSchema } from "../config/schema";
import { ExitCode } from "../model/exit-codes";
import { defineCommand } from "./command";

export function federationJsonSchema(): string {
  return JSON.stringify({ $schema: "http://json-schema.org/draft-07/schema#", ...FederationFileSchema }, null, 2) + "\n";
}

export const schemaCommand = defineCommand(
  {
    name: "onefed schema",
    summary: "print the JSON Schema of the federation file",
    description: "Prints the JSON Schema of federation.yaml (docs/federation.schema.json is this output).",
    options: {},
  },
  async (_args, out) => {
    out(federationJsonSchema());
    return ExitCode.Done;
  },
);
