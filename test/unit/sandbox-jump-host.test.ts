/**
 * The sandbox's jump host as `up` writes it (no root, no sshd): its address after every machine and
 * floating IP, an sshd_config that forwards to exactly the machines and runs nothing, its host key
 * pinned beside the machines', a federation file that routes through it, and the forwarded
 * channels read back from its log.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseConfig } from "../../lib/config/load-config";
import { renderFederationFile } from "../../sandbox/federation-file";
import { readJumpForwards, renderJumpHostConfig } from "../../sandbox/jump-host";
import { writeKnownHosts } from "../../sandbox/keys";
import { SandboxLayout } from "../../sandbox/layout";
import { planSandbox, prepareSandbox } from "../../sandbox/prepare";

describe("the sandbox's jump host", () => {
  it("takes the address after every front-end, floating IP and node; none without the option", () => {
    expect(planSandbox({ dir: "/tmp/onefed-plan", jumpHost: true }, "n", "e").jumpHost).toEqual({ host: "127.0.50.4", port: 22 });
    // 0: 1 + 100: 3 servers + its floating IP + 101: 1, then one node per zone = 9 addresses.
    const ha = planSandbox({ dir: "/tmp/onefed-plan", jumpHost: true, ha: [100], nodes: 1, addressBase: "127.0.145.250", port: 2222 }, "n", "e");
    expect(ha.jumpHost).toEqual({ host: "127.0.146.3", port: 2222 });
    expect(planSandbox({ dir: "/tmp/onefed-plan" }, "n", "e")).not.toHaveProperty("jumpHost");
  });

  it("forwards TCP to exactly the machines, runs no session and logs each forwarded channel", () => {
    const reg = planSandbox({ dir: "/tmp/onefed-plan", slaves: 1, nodes: 1, jumpHost: true }, "n", "e");
    const config = renderJumpHostConfig(new SandboxLayout(reg.dir), reg);
    expect(config).toContain("ListenAddress 127.0.50.5:22\n");
    expect(config).toContain("PermitOpen 127.0.50.1:22 127.0.50.2:22 127.0.50.3:22 127.0.50.4:22\n");
    expect(config).toContain("AllowTcpForwarding local\n");
    expect(config).toContain("ForceCommand /bin/false\n");
    expect(config).toContain("PermitTTY no\n");
    expect(config).toContain("LogLevel DEBUG1\n");
  });

  it("is pinned in known_hosts and routes the federation file through it", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "onefed-jump-"));
    try {
      const reg = prepareSandbox({ dir: path.join(dir, "s"), slaves: 1, jumpHost: true, addressBase: "127.0.147.1" }, process.execPath, __filename);
      const layout = new SandboxLayout(reg.dir);
      writeKnownHosts(layout, reg);
      const pinned = fs.readFileSync(layout.knownHosts, "utf8").trim().split("\n");
      expect(pinned.map((l) => l.split(" ")[0])).toEqual(["127.0.147.1", "127.0.147.2", "127.0.147.3"]);
      expect(pinned[2].split(" ").slice(1).join(" ")).toBe(
        fs
          .readFileSync(`${layout.jumpHostFile("hostKey")}.pub`, "utf8")
          .trim()
          .split(" ")
          .slice(0, 2)
          .join(" "),
      );
      // Its own authorized_keys: the client key without `restrict`, which would forbid forwarding.
      expect(fs.readFileSync(layout.jumpHostAuthorizedKeys, "utf8")).toMatch(/^no-pty,no-agent-forwarding,no-X11-forwarding,no-user-rc ssh-ed25519 /);

      const config = parseConfig(renderFederationFile(reg), layout.federationFile);
      for (const z of config.zones)
        expect(z.ssh.jump).toEqual([{ host: "127.0.147.3", port: 22, user: "onefed", privateKeyPath: layout.privateKey, agent: "auto" }]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("reads the forwarded channels from its sshd's log", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "onefed-jump-log-"));
    try {
      const layout = new SandboxLayout(dir);
      fs.mkdirSync(layout.jumpHostDir);
      fs.writeFileSync(
        layout.jumpHostFile("sshdLog"),
        [
          "debug1: server_input_channel_open: ctype direct-tcpip rchan 0 win 2097152 max 32768",
          "debug1: server_request_direct_tcpip: originator 127.0.0.1 port 0, target 127.0.50.1 port 22",
          "Accepted publickey for onefed from 127.0.0.1 port 40022 ssh2: ED25519 SHA256:x",
          "debug1: server_request_direct_tcpip: originator 127.0.0.1 port 0, target 127.0.50.2 port 2222",
        ].join("\n"),
      );
      expect(readJumpForwards(dir)).toEqual([
        { host: "127.0.50.1", port: 22 },
        { host: "127.0.50.2", port: 2222 },
      ]);
      expect(readJumpForwards(path.join(dir, "none"))).toEqual([]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
