import { breakdown } from "../../bench/probe-breakdown";

describe("bench probe breakdown", () => {
  it("counts each probe by class and step kind, actions apart, and the share of probes", () => {
    const start = (step: string, command: string) => ({ event: "command-start", step, command });
    const out = breakdown([
      { event: "run-start", step: null },
      start("stop", "systemctl is-active opennebula"),
      start("stop", "systemctl stop opennebula"),
      start("stop", "systemctl is-active opennebula"),
      start("stop", "test -e /var/lock/one/one"),
      start("upgrade", "env DEBIAN_FRONTEND=noninteractive apt-get install --print-uris -qq opennebula"),
      start("upgrade", `sh -c '[ -d "$1" ] || exit 0; d=$1; set -- "$d"/*.json; :' sh /var/lib/one/backups/onefed/ledger/x`),
      start("upgrade", "dpkg-query -W '-f=${Version}' opennebula"),
      { event: "command-end", step: "stop", command: "systemctl is-active opennebula" },
    ]);
    const lines = out.split("\n");
    expect(lines[0]).toMatch(/^class\s+stop\s+upgrade\s+total$/);
    expect(lines).toContainEqual(expect.stringMatching(/^systemctl is-active\s+2\s+2$/));
    expect(lines).toContainEqual(expect.stringMatching(/^test -e \(lock file\)\s+1\s+1$/));
    expect(lines).toContainEqual(expect.stringMatching(/^pending downloads\s+1\s+1$/));
    expect(lines).toContainEqual(expect.stringMatching(/^ledger read\s+1\s+1$/));
    expect(lines).toContainEqual(expect.stringMatching(/^package version\s+1\s+1$/));
    expect(lines).toContainEqual(expect.stringMatching(/^\(actions, ledger writes\)\s+1\s+1$/));
    expect(lines[lines.length - 1]).toBe("probes 6 of 7 commands (85.7 %)");
  });
});
