import { isReadOnlyCommand, probeRoundTripShare, probeShare } from "../../bench/probe-classes";
import { nearestExistingCommand } from "../../lib/remote/opennebula/nearest-existing";
import { renderCommand } from "../../lib/remote/opennebula/remote-command";
import { ledgerFiles } from "../../lib/remote/opennebula/ledger-files";

describe("bench: which remote commands are read-only probes", () => {
  test.each([
    "systemctl is-active opennebula opennebula-scheduler",
    "systemctl list-unit-files --no-legend --no-pager opennebula*",
    "onezone show 100 -j",
    "onezone list --csv",
    "onezone list -j",
    renderCommand(nearestExistingCommand("/var/lib/one/backups/onefed")),
    "onehost list --csv",
    "onedb version",
    "dpkg-query -W -f=${Version} opennebula",
    "rpm -q --qf %{VERSION} opennebula",
    "test -e /var/lock/one/one",
    "stat -c %s /var/lib/one/backups/onefed/x.sql",
    "df -P -B1 /var/lib/one",
    "sha256sum /var/lib/one/backups/onefed/x.sql",
    "iptables -S INPUT",
    "sed -n /^[[:space:]]*FEDERATION[[:space:]]*=/,/]/p /etc/one/oned.conf",
    "env DEBIAN_FRONTEND=noninteractive apt-get install --print-uris -qq --only-upgrade opennebula",
    `sh -c '[ -d "$1" ] || exit 0; d=$1; set -- "$d"/*.json; grep -h -e "" -- "$@"' sh /var/lib/one/backups/onefed/ledger/x`,
    `sh -c 'for t in dpkg-query dnf yum; do command -v "$t" >/dev/null 2>&1 && echo "$t"; done; exit 0'`,
    `sh -c 'grep -v -e '\\''^--'\\'' -e '\\''^/\\*!'\\'' "$1" | sha256sum' sh /var/lib/one/backups/onefed/x.sql`,
  ])("probe: %s", (command) => expect(isReadOnlyCommand(command)).toBe(true));

  test.each([
    "systemctl stop opennebula",
    "systemctl daemon-reload",
    "onezone disable 100 --endpoint http://127.0.0.1:2633/RPC2 -v",
    "onedb upgrade -v -b /var/lib/one/backups/onefed/x.sql",
    "onedb fsck -b /var/lib/one/backups/onefed/x.sql",
    "onedb backup -v -f /var/lib/one/backups/onefed/x.sql",
    "apt-get update -q",
    "env DEBIAN_FRONTEND=noninteractive apt-get install --download-only -y -q --only-upgrade opennebula",
    "mkdir -p -m 0700 /var/lib/one/backups/onefed",
    "chmod 0600 /var/lib/one/backups/onefed/x.sql",
    "cp -a /etc/one /etc/one.onefed-6.10.0",
    "rm -f /tmp/x",
    "iptables -I INPUT 1 -p tcp --dport 2633 -j DROP",
    `sh -c 'umask 077; mkdir -p "$1" && t=$(mktemp "$1/.tmp.XXXXXX") || exit 1' sh /var/lib/one/backups/onefed/ledger/x lock.json`,
    `sh -c 'exec 9>>"$1" || exit 1; flock -n 9 || exit 75' sh /var/lib/one/.onefed-command.lock n note 'onedb version'`,
    "/usr/lib/openssh/sftp-server",
    // A step's begin: the compare-and-swap reads the ledger, but it writes the lock and the heartbeat.
    renderCommand(
      ledgerFiles.transaction(
        "/var/lib/one/backups/onefed/ledger/x",
        [
          { op: "absent", name: "stop.zone-100.json" },
          { op: "present", name: "sync.zone-0.json" },
          { op: "lock", name: "lock.json", create: "{}\n" },
          { op: "write", name: "runner-1.json", content: "{}\n" },
        ],
        true,
      ),
    ),
  ])("change (or transfer): %s", (command) => expect(isReadOnlyCommand(command)).toBe(false));

  test("share of probes", () => {
    expect(probeShare(["onedb version", "systemctl stop opennebula", "test -e /x", "onezone enable 0 --endpoint e -v"])).toEqual({ probes: 2, total: 4 });
  });

  test("share of probe round trips: a batch on one machine is one round trip", () => {
    const lines = [
      { frontend: "zone0-server0", command: "onedb version" },
      { frontend: "zone0-server0", command: "test -e /var/lock/one/one", batch: "a1" },
      { frontend: "zone0-server0", command: "systemctl is-active opennebula", batch: "a1" },
      { frontend: "zone0-server0", command: "systemctl stop opennebula" },
      // The same batch id on another machine is another session.
      { frontend: "zone100-server0", command: "test -e /x", batch: "a1" },
      { frontend: "zone100-server0", command: "onezone enable 100 --endpoint e -v" },
    ];
    expect(probeRoundTripShare(lines)).toEqual({ probes: 3, total: 5 });
    expect(probeShare(lines.map((l) => l.command))).toEqual({ probes: 4, total: 6 });
  });
});
