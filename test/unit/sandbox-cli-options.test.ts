/** The Ruby-CLI option reading that the emulated onezone and onehost share. */
import { COMMON_OPTIONS, commonOptions, parseCliOptions } from "../../sandbox/emulator/cli-options";

const spec = { flags: { ...COMMON_OPTIONS.flags, "-f": "force" }, values: COMMON_OPTIONS.values };

describe("parseCliOptions", () => {
  it("separates arguments, flags and values, spaced or inline", () => {
    const p = parseCliOptions(["disable", "100", "--endpoint=http://10.0.0.1:2633/RPC2", "-v", "-l", "ID,NAME", "--no-header", "-f"], spec);
    if ("invalid" in p) throw new Error(p.invalid);
    expect(p.args).toEqual(["disable", "100"]);
    expect([...p.flags].sort()).toEqual(["force", "no-header", "verbose"]);
    expect(p.values.get("list")).toBe("ID,NAME");
    expect(commonOptions(p)).toEqual({ csv: false, xml: false, json: false, header: false, verbose: true, endpoint: "http://10.0.0.1:2633/RPC2" });
  });

  it("keeps the last value, an empty one when it is missing, and a lone dash as an argument", () => {
    const p = parseCliOptions(["show", "-", "--endpoint", "a", "--endpoint", "b", "--list"], spec);
    if ("invalid" in p) throw new Error(p.invalid);
    expect(p.args).toEqual(["show", "-"]);
    expect(p.values.get("endpoint")).toBe("b");
    expect(p.values.get("list")).toBe("");
  });

  it("stops at the first unknown option, naming it as typed", () => {
    expect(parseCliOptions(["list", "--colour=red", "--bogus"], spec)).toEqual({ invalid: "--colour=red" });
  });
});
