/**
 * The emulated iptables (INPUT chain, `-S` like iptables-nft/legacy) and the effect of a freeze
 * via firewall on the federation (docs/opennebula.md §4.6): inbound 2633 to the master from other
 * front-ends fails, the master's local CLI and its outbound FED_INDEX queries keep working.
 */
import { sandboxStatus } from "../../sandbox";
import { formatRule, parseRuleSpec, verdictFor } from "../../sandbox/firewall";
import { EmulatorSandbox, MASTER, SLAVE_CA, SLAVE_GE } from "../sandbox/emulator-harness";

const BAD_RULE = "iptables: Bad rule (does a matching rule exist in that chain?).\n";

describe("firewall rule specs", () => {
  it.each([
    ["-p tcp --dport 2633 -j DROP", "-p tcp -m tcp --dport 2633 -j DROP"],
    ["-j DROP --dport 2633 -p tcp", "-p tcp -m tcp --dport 2633 -j DROP"],
    ["-s 127.0.0.1 -p tcp --dport 2633 -j ACCEPT", "-s 127.0.0.1/32 -p tcp -m tcp --dport 2633 -j ACCEPT"],
    ["-s 10.1.2.3/24 -p tcp -m tcp --dport 2634 -j REJECT", "-s 10.1.2.0/24 -p tcp -m tcp --dport 2634 -j REJECT"],
    ["-m comment --comment onefed-freeze-x -p tcp --dport 2633 -j DROP", "-p tcp -m tcp --dport 2633 -m comment --comment onefed-freeze-x -j DROP"],
    ["-p tcp --dport 2633 -m comment --comment a_b -s 127.0.0.1/32 -j ACCEPT", "-s 127.0.0.1/32 -p tcp -m tcp --dport 2633 -m comment --comment a_b -j ACCEPT"],
  ])("%s prints as %s", (spec, printed) => {
    const parsed = parseRuleSpec(spec.split(" "));
    expect("rule" in parsed && formatRule(parsed.rule)).toBe(printed);
  });

  it("quotes a comment with spaces", () => {
    const parsed = parseRuleSpec(["-p", "tcp", "--dport", "2633", "-m", "comment", "--comment", "onefed freeze", "-j", "DROP"]);
    expect("rule" in parsed && formatRule(parsed.rule)).toBe('-p tcp -m tcp --dport 2633 -m comment --comment "onefed freeze" -j DROP');
  });

  it.each([
    [["-p", "udp", "-j", "DROP"]],
    [["--dport", "2633", "-j", "DROP"]],
    [["--comment", "x", "-j", "DROP"]],
    [["-p", "tcp", "--sport", "1", "-j", "DROP"]],
    [["-s", "999.0.0.1", "-j", "DROP"]],
    [["-j", "LOG"]],
    [["-p", "tcp"]],
  ])("rejects %j with exit 2", (args) => {
    const parsed = parseRuleSpec(args);
    expect("error" in parsed && parsed.exitCode).toBe(2);
  });

  it.each([
    ["127.0.0.1", 2633, "ACCEPT"],
    ["127.0.50.2", 2633, "DROP"],
    ["127.0.50.2", 22, "ACCEPT"],
    ["10.0.0.7", 2633, "ACCEPT"],
  ])("from %s to port %d: %s", (source, port, verdict) => {
    const rules = ["-s 127.0.0.1 -p tcp --dport 2633 -j ACCEPT", "-s 10.0.0.0/8 -p tcp --dport 2633 -j ACCEPT", "-p tcp --dport 2633 -j DROP"].map((s) => {
      const p = parseRuleSpec(s.split(" "));
      if (!("rule" in p)) throw new Error(p.error);
      return p.rule;
    });
    expect(verdictFor(rules, source, port)).toBe(verdict);
  });
});

describe("emulated iptables", () => {
  let sb: EmulatorSandbox;
  beforeAll(() => (sb = EmulatorSandbox.create()));
  afterAll(() => sb.remove());

  it("starts with an empty INPUT chain", () => {
    expect(sb.run(MASTER, "iptables -S INPUT")).toEqual({ stdout: "-P INPUT ACCEPT\n", stderr: "", code: 0 });
  });

  it.each<[string, number, string]>([
    ["iptables -A INPUT -p tcp --dport 2633 -m comment --comment 'onefed freeze' -j DROP", 0, ""],
    ["iptables -I INPUT -s 127.0.0.1 -p tcp --dport 2633 -m comment --comment 'onefed freeze' -j ACCEPT", 0, ""],
    ["iptables -I INPUT 2 -s 10.0.0.9 -p tcp --dport 2633 -j ACCEPT", 0, ""],
    ["iptables -C INPUT -s 127.0.0.1/32 -p tcp -m tcp --dport 2633 -m comment --comment 'onefed freeze' -j ACCEPT", 0, ""],
    ["iptables -C INPUT -s 127.0.0.2 -p tcp --dport 2633 -j ACCEPT", 1, BAD_RULE],
    ["iptables -D INPUT -s 127.0.0.2 -p tcp --dport 2633 -j ACCEPT", 1, BAD_RULE],
    ["iptables -I INPUT 9 -p tcp --dport 2634 -j DROP", 1, "iptables: Index of insertion too big.\n"],
    ["iptables -S FOO", 1, "iptables: No chain/target/match by that name.\n"],
  ])("%s → exit %d", (cmd, code, stderr) => {
    expect(sb.run(MASTER, cmd)).toEqual({ stdout: "", stderr, code });
  });

  it("prints -S in chain order with iptables' normalization, and keeps it between commands", () => {
    expect(sb.run(MASTER, "iptables -S INPUT").stdout).toBe(
      [
        "-P INPUT ACCEPT",
        '-A INPUT -s 127.0.0.1/32 -p tcp -m tcp --dport 2633 -m comment --comment "onefed freeze" -j ACCEPT',
        "-A INPUT -s 10.0.0.9/32 -p tcp -m tcp --dport 2633 -j ACCEPT",
        '-A INPUT -p tcp -m tcp --dport 2633 -m comment --comment "onefed freeze" -j DROP',
        "",
      ].join("\n"),
    );
    expect(sb.run(SLAVE_GE, "iptables -S INPUT").stdout).toBe("-P INPUT ACCEPT\n");
  });

  it("shows the rules in sandboxStatus", async () => {
    const st = await sandboxStatus(sb.dir);
    expect(st.zones[0].frontends[0].firewall).toHaveLength(3);
    expect(st.zones[1].frontends[0].firewall).toEqual([]);
  });

  it("deletes by the printed spec (first match) and by number", () => {
    expect(sb.run(MASTER, "iptables -D INPUT -s 10.0.0.9/32 -p tcp -m tcp --dport 2633 -j ACCEPT").code).toBe(0);
    expect(sb.run(MASTER, "iptables -D INPUT 1").code).toBe(0);
    expect(sb.run(MASTER, "iptables -S INPUT").stdout).toBe(
      '-P INPUT ACCEPT\n-A INPUT -p tcp -m tcp --dport 2633 -m comment --comment "onefed freeze" -j DROP\n',
    );
    expect(sb.run(MASTER, "iptables -D INPUT -p tcp --dport 2633 -m comment --comment 'onefed freeze' -j DROP").code).toBe(0);
    expect(sb.run(MASTER, "iptables -S INPUT").stdout).toBe("-P INPUT ACCEPT\n");
  });

  it.each([["iptables -L INPUT"], ["iptables -A INPUT -p tcp --dport 2633 -j DROP --foo"]])("%s → usage error, exit 2", (cmd) => {
    const r = sb.run(MASTER, cmd);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown option .*\nTry `iptables -h' or 'iptables --help' for more information.\n$/);
  });
});

describe("freeze via firewall on the master", () => {
  let sb: EmulatorSandbox;
  beforeAll(() => {
    sb = EmulatorSandbox.create();
    for (const cmd of [
      "iptables -I INPUT 1 -s 127.0.0.1 -p tcp --dport 2633 -m comment --comment onefed-freeze-sandbox -j ACCEPT",
      "iptables -I INPUT 2 -p tcp --dport 2633 -m comment --comment onefed-freeze-sandbox -j DROP",
    ]) {
      expect(sb.run(MASTER, cmd).code).toBe(0);
    }
  });
  afterAll(() => sb.remove());

  it("keeps the master's own CLI and its outbound FED_INDEX queries working", () => {
    const r = sb.run(MASTER, "onezone list --csv");
    expect(r.code).toBe(0);
    expect(
      r.stdout
        .split("\n")
        .slice(1, 4)
        .map((l) => l.split(",")[4]),
    ).toEqual(["715438", "715438", "715438"]);
  });

  it("times out a slave's enable/disable, which goes through the master", () => {
    expect(sb.run(SLAVE_GE, "onezone disable 100")).toEqual({
      stdout: "",
      stderr: "[one.zone.enable] Error updating zone in federation master: Failed to open TCP connection to 127.0.50.1:2633 (execution expired)\n",
      code: 255,
    });
  });

  it("times out a slave's CLI call to the master's endpoint and shows the master's FED_INDEX as -", () => {
    const r = sb.run(SLAVE_CA, "onezone list --endpoint http://127.0.50.1:2633/RPC2");
    expect(r).toEqual({ stdout: "", stderr: "Failed to open TCP connection to 127.0.50.1:2633 (execution expired)\n", code: 255 });
    const csv = sb.run(SLAVE_CA, "onezone list --csv").stdout.split("\n");
    expect(csv.find((l) => l.includes(",0,"))?.split(",")[4]).toBe("-");
  });

  it("lets the traffic through again once the DROP is gone", () => {
    expect(sb.run(MASTER, "iptables -D INPUT -p tcp -m tcp --dport 2633 -m comment --comment onefed-freeze-sandbox -j DROP").code).toBe(0);
    expect(sb.run(SLAVE_GE, "onezone disable 100").code).toBe(0);
    expect(sb.run(SLAVE_GE, "onezone enable 100").code).toBe(0);
  });
});
