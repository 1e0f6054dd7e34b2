/**
 * Probes folded into one (docs/round-trips.md, "Fewer probes"): each gives the answer the
 * questions it replaces gave, from the same source, so every check and refusal judges the same fact.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { execFileSync } from "child_process";
import { nearestExistingCommand, parseNearestExisting } from "../../lib/remote/opennebula/nearest-existing";
import { parseZonePoolJson } from "../../lib/remote/opennebula/zone-pool";
import { ParseError, parseZoneShowJson } from "../../lib/remote/opennebula/parsers";
import { onezone } from "../../lib/remote/opennebula/commands";
import { renderCommand } from "../../lib/remote/opennebula/remote-command";

const SAMPLES = path.resolve(__dirname, "../fixtures/opennebula/onezone");
const sample = (rel: string) => fs.readFileSync(path.join(SAMPLES, rel), "utf8");

describe("onezone list -j (every zone's STATE in one call)", () => {
  it("is read-only and renders as the captures were taken", () => {
    expect(renderCommand(onezone.listJson())).toBe("onezone list -j");
    expect(onezone.listJson().readOnly).toBe(true);
  });

  it.each(["a-in-sync", "b-lagging", "c-unreachable", "e-ha-zone"])("reads the real capture of %s", (scenario) => {
    expect(parseZonePoolJson(sample(`${scenario}/list_-j.out`))).toEqual([
      { id: 0, name: "M-EU-FR", enabled: true },
      { id: 100, name: "S-EU-GE", enabled: true },
      { id: 101, name: "S-US-CA", enabled: true },
    ]);
  });

  // The pool and `show` read the same /ZONE/STATE of the same zone_pool: same parse, same answer.
  it.each(
    fs.readdirSync(SAMPLES).flatMap((s) =>
      fs
        .readdirSync(path.join(SAMPLES, s))
        .filter((f) => /^show_\d+_-j\.out$/.test(f) && fs.readFileSync(path.join(SAMPLES, s, f.replace(/out$/, "rc")), "utf8").trim() === "0")
        .map((f) => `${s}/${f}`),
    ),
  )("gives what `onezone show` gives for %s", (capture) => {
    const show = parseZoneShowJson(sample(capture));
    const pool = parseZonePoolJson(sample(`${capture.split("/")[0]}/list_-j.out`));
    expect(pool.find((z) => z.id === show.id)).toEqual({ id: show.id, name: show.name, enabled: show.enabled });
  });

  it("reads STATE 1 as disabled, a missing STATE (before 6.2) as enabled, as show does", () => {
    const text = JSON.stringify({
      ZONE_POOL: {
        ZONE: [
          { ID: "0", NAME: "M", STATE: "1" },
          { ID: "100", NAME: "S" },
        ],
      },
    });
    expect(parseZonePoolJson(text)).toEqual([
      { id: 0, name: "M", enabled: false },
      { id: 100, name: "S", enabled: true },
    ]);
    expect(parseZoneShowJson(JSON.stringify({ ZONE: { ID: "0", NAME: "M", STATE: "1" } })).enabled).toBe(false);
  });

  it("reads a pool of one zone not wrapped in an array (no XSD) and an empty pool", () => {
    expect(parseZonePoolJson('{"ZONE_POOL":{"ZONE":{"ID":"0","NAME":"M","STATE":"0"}}}')).toEqual([{ id: 0, name: "M", enabled: true }]);
    expect(parseZonePoolJson('{"ZONE_POOL":{}}')).toEqual([]);
  });

  it.each([
    ["not JSON", "Failed to open TCP connection"],
    ["no pool", '{"ZONE":{"ID":"0","NAME":"M"}}'],
    ["a zone without an id", '{"ZONE_POOL":{"ZONE":[{"NAME":"M"}]}}'],
  ])("refuses %s", (_case, text) => {
    expect(() => parseZonePoolJson(text)).toThrow(ParseError);
  });
});

describe("the nearest existing directory (free space of a directory not made yet)", () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "onefed-nearest-"));
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
  /** Runs the probe's argv as the remote shell would (it is a fixed `sh -c` script with the path as its argument). */
  const walk = (p: string) => {
    const [cmd, ...args] = nearestExistingCommand(p).argv;
    return parseNearestExisting(p, execFileSync(cmd, args, { encoding: "utf8" }));
  };

  it("is the path itself when it exists", () => {
    fs.mkdirSync(path.join(root, "a/b"), { recursive: true });
    expect(walk(path.join(root, "a/b"))).toBe(path.join(root, "a/b"));
  });

  it("is the deepest existing ancestor otherwise, as the per-ancestor `test -e` walk was", () => {
    expect(walk(path.join(root, "a/b/c/d"))).toBe(path.join(root, "a/b"));
    expect(walk(path.join(root, "a/b/c/d/"))).toBe(path.join(root, "a/b"));
    expect(walk("/onefed-surely-absent-dir/x")).toBe("/");
  });

  it("is read-only and takes the path as an argument, never spliced into the script", () => {
    const cmd = nearestExistingCommand("/var/lib/one/backups/$(reboot)");
    expect(cmd.readOnly).toBe(true);
    expect(cmd.argv.slice(-1)).toEqual(["/var/lib/one/backups/$(reboot)"]);
    expect(cmd.argv[2]).not.toContain("reboot");
  });

  it.each([
    ["no output", ""],
    ["a path that is no ancestor", "/etc\n"],
    ["a prefix that is no ancestor", "/var/li\n"],
    ["two lines", "/var\n/\n"],
  ])("refuses %s", (_case, out) => {
    expect(() => parseNearestExisting("/var/lib/one/backups", out)).toThrow(ParseError);
  });
});
