import { ENGINE_HELP, runEngineCommand } from "../../lib/cli/engine-command";
import { UsageError } from "../../lib/model/errors";

describe("onefed engine", () => {
  it("explains what it does and which variables our runs set", async () => {
    const lines: string[] = [];
    await expect(runEngineCommand(["--help"], (s) => lines.push(s))).resolves.toBe(0);
    expect(lines).toEqual([ENGINE_HELP]);
    for (const name of [
      "TF_CLI_CONFIG_FILE",
      "TERRAFORM_BINARY_NAME",
      "CHECKPOINT_DISABLE=1",
      "DISABLE_VERSION_CHECK=1",
      "CDKTF_DISABLE_PLUGIN_CACHE_ENV=1",
      "TF_IN_AUTOMATION=1",
      "$ONEFED_CACHE_DIR",
      "ONEFED_NULL_PROVIDER_GO_REF",
      "OpenTofu v1.12.6",
      "hashicorp/null 2.2.0-dev.20191204185112",
    ]) {
      expect(ENGINE_HELP).toContain(name);
    }
  });

  it.each([[["--nope"]], [["--cache-dir"]]])("rejects %j as a usage error before building anything", async (argv) => {
    await expect(runEngineCommand(argv, () => undefined)).rejects.toBeInstanceOf(UsageError);
  });
});
