import { criticalPath } from "../../bench/critical-path";

describe("bench: critical path", () => {
  test("the longest weighted chain wins, not the one with most steps", () => {
    // a(1) → b(1) → c(1) is 3; a(1) → d(5) is 6.
    const r = criticalPath([
      { id: "a", ms: 1, after: [] },
      { id: "b", ms: 1, after: ["a"] },
      { id: "c", ms: 1, after: ["b"] },
      { id: "d", ms: 5, after: ["a"] },
    ]);
    expect(r).toEqual({ ms: 6, chain: ["a", "d"] });
  });

  test("a join waits for its slowest predecessor", () => {
    const r = criticalPath([
      { id: "stop-0", ms: 2, after: [] },
      { id: "stop-100", ms: 7, after: [] },
      { id: "upgrade-0", ms: 3, after: ["stop-0", "stop-100"] },
    ]);
    expect(r).toEqual({ ms: 10, chain: ["stop-100", "upgrade-0"] });
  });

  test("a predecessor that is not in the graph (already applied) counts as done", () => {
    expect(criticalPath([{ id: "b", ms: 4, after: ["gone"] }])).toEqual({ ms: 4, chain: ["b"] });
  });

  test("an empty graph has an empty path; a cycle is refused", () => {
    expect(criticalPath([])).toEqual({ ms: 0, chain: [] });
    expect(() =>
      criticalPath([
        { id: "a", ms: 1, after: ["b"] },
        { id: "b", ms: 1, after: ["a"] },
      ]),
    ).toThrow(/cycle/);
  });
});
