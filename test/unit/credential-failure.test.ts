/**
 * A command that failed on the CLI's credential (docs/opennebula.md §5.6) gets a hint about the
 * credential file instead of "fix the cause and run again"; any other failure keeps its own.
 */
import { credentialHint } from "../../lib/remote/opennebula/credential-failure";
import { RemoteMachine, Transport } from "../../lib/remote/opennebula/remote-machine";
import { RemoteCommandError } from "../../lib/remote/opennebula/remote-command-error";

describe("credentialHint", () => {
  it.each([
    ["no credential file (onezone, onehost)", { stderr: "ONE_AUTH file not present\n", stdout: "" }, /found no credential file/],
    ["no credential file (onedb restore)", { stderr: "ONE_AUTH file not present\n", stdout: "" }, /~\/\.one\/one_auth/],
    [
      "a credential oned refuses",
      { stderr: "[one.zonepool.info] User couldn't be authenticated, aborting call.\n", stdout: "" },
      /refused the OpenNebula CLI's credential/,
    ],
    ["the same on a host call", { stderr: "[one.host.status] User couldn't be authenticated, aborting call.\n", stdout: "" }, /oneadmin:<password>/],
  ])("names the credential for %s", (_case, output, hint) => {
    expect(credentialHint(output)).toMatch(hint);
  });

  it.each([
    ["connection refused", "Failed to open TCP connection to 127.0.0.1:2633 (Connection refused - connect(2) for 127.0.0.1:2633)\n"],
    ["a disabled zone", "[one.zone.enable] Cannot process request, zone disabled\n"],
    ["a lock file", "First stop OpenNebula. Lock file found: /var/lock/one/one\n"],
    ["nothing", ""],
  ])("leaves %s alone", (_case, stderr) => {
    expect(credentialHint({ stderr, stdout: "" })).toBeUndefined();
  });

  it("is the hint of the error a front-end's command raises", async () => {
    const transport: Transport = {
      exec: async (command) => ({
        host: "192.168.150.1",
        command,
        exitCode: 255,
        signal: null,
        stdout: "",
        stderr: "ONE_AUTH file not present\n",
        durationMs: 5,
      }),
      upload: async () => undefined,
      download: async () => undefined,
    };
    const machine = new RemoteMachine(transport, { host: "192.168.150.1", port: 22, zone: "M-EU-FR" }, "apt");
    const failed = machine.run({ argv: ["onezone", "list", "--csv"] });
    await expect(failed).rejects.toBeInstanceOf(RemoteCommandError);
    await expect(failed).rejects.toThrow(
      /exited with 255:\n    ONE_AUTH file not present\n.*no credential file on this front-end: the SSH user's ~\/\.one\/one_auth/s,
    );
  });
});
