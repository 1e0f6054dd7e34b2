/** `onefed schema`: print the federation file's JSON Schema (the same definition the loader validates with). */
import { FederationFileSchema } from "../config/schema";

export function federationJsonSchema(): string {
  return JSON.stringify({ $schema: "http://json-schema.org/draft-07/schema#", ...FederationFileSchema }, null, 2) + "\n";
}

export async function runSchemaCommand(argv: string[], out: (s: string) => void): Promise<number> {
  if (argv.includes("--help")) {
    out("Usage: onefed schema\n\nPrints the JSON Schema of federation.yaml (docs/federation.schema.json is this output).\n");
    return 0;
  }
  out(federationJsonSchema());
  return 0;
}
