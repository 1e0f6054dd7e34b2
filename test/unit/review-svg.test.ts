/// <reference lib="dom" />
/** graph.svg: valid XML for a strict parser, one box per step and one arrow per edge, text escaped. */
import { DOMParser } from "@xmldom/xmldom";
import { buildStepGraph } from "../../lib/terraform/review/step-graph";
import { renderSvg, xmlText } from "../../lib/terraform/review/svg";
import { seedConfig, synthJson } from "../fixtures/review/seed-inputs";

/** Parses strictly: any warning or error of the parser fails the test. */
function parseStrict(text: string): Document {
  const problems: string[] = [];
  const doc = new DOMParser({ onError: (level: string, msg: string) => void problems.push(`${level}: ${msg}`) }).parseFromString(text, "image/svg+xml");
  expect(problems).toEqual([]);
  return doc as unknown as Document;
}

describe("renderSvg", () => {
  const graph = buildStepGraph(synthJson());
  const kinds = new Map(graph.nodes.map((n) => [n.id, n.step === "restore" ? ("replace" as const) : ("create" as const)]));
  const svg = renderSvg(graph, "seed: 6.10.0 → 7.0.0", kinds);

  it("is well-formed XML with an svg root in the SVG namespace", () => {
    const doc = parseStrict(svg);
    expect(doc.documentElement.nodeName).toBe("svg");
    expect(doc.documentElement.getAttribute("xmlns")).toBe("http://www.w3.org/2000/svg");
    expect(Number(doc.documentElement.getAttribute("width"))).toBeGreaterThan(0);
  });

  it("draws one box per step, one arrow per reduced edge and one header per zone", () => {
    const doc = parseStrict(svg);
    const rects = Array.from(doc.getElementsByTagName("rect")).filter((r) => r.getAttribute("rx") === "6");
    expect(rects).toHaveLength(graph.nodes.length);
    const arrows = Array.from(doc.getElementsByTagName("path")).filter((p) => p.getAttribute("marker-end"));
    expect(arrows).toHaveLength(graph.edges.length);
    const texts = Array.from(doc.getElementsByTagName("text")).map((t) => t.textContent);
    for (const z of graph.zones) expect(texts).toContain(`zone ${z.id} ${z.name}`);
    for (let i = 1; i <= graph.stages.length; i++) expect(texts).toContain(`Stage ${i}`);
    expect(texts).toContain("replace");
  });

  it("places parallel steps side by side: same stage band, different zone columns", () => {
    const doc = parseStrict(svg);
    const boxOf = (id: string) => {
      const node = graph.nodes.find((n) => n.id === id)!;
      const title = node.id === node.resource ? node.address : `${node.address} step ${node.step}`;
      const g = Array.from(doc.getElementsByTagName("g")).find((x) =>
        x.getElementsByTagName("title")[0]?.textContent?.match(new RegExp(`^${title.replace(/[.]/g, "\\.")}[ :]`)),
      );
      const r = g!.getElementsByTagName("rect")[0];
      return { x: Number(r.getAttribute("x")), y: Number(r.getAttribute("y")) };
    };
    expect(boxOf("zone_100_restore").y).toBe(boxOf("zone_101_restore").y);
    expect(boxOf("zone_100_restore").x).toBeLessThan(boxOf("zone_101_restore").x);
    expect(boxOf("zone_0_upgrade").y).toBeLessThan(boxOf("zone_0_backup").y);
    expect(boxOf("zone_0_backup").y).toBeLessThan(boxOf("zone_100_restore").y);
  });

  it("routes arrows that skip stages through the gutters, never across a box", () => {
    // y0 → x2 skips stage 2, where x1 and y1 sit right in its way.
    const t = (step: string, zone: number) => ({ step, zone_id: String(zone), zone_name: `Z${zone}`, role: zone === 0 ? "master" : "slave", does: step });
    const json = {
      resource: {
        null_resource: {
          x0: { triggers: t("stop", 0) },
          y0: { triggers: t("stop", 1) },
          x1: { triggers: t("upgrade", 0), depends_on: ["null_resource.x0"] },
          y1: { triggers: t("upgrade", 1), depends_on: ["null_resource.y0"] },
          x2: { triggers: t("start", 0), depends_on: ["null_resource.x1", "null_resource.y0"] },
          y2: { triggers: t("start", 1), depends_on: ["null_resource.y1", "null_resource.x0"] },
        },
      },
    };
    const doc = parseStrict(renderSvg(buildStepGraph(json), "detours"));
    const boxes = Array.from(doc.getElementsByTagName("rect"))
      .filter((r) => r.getAttribute("rx") === "6")
      .map((r) => ({
        x: Number(r.getAttribute("x")),
        y: Number(r.getAttribute("y")),
        w: Number(r.getAttribute("width")),
        h: Number(r.getAttribute("height")),
      }));
    const runs = Array.from(doc.getElementsByTagName("path"))
      .map((p) => /C [\d.]+ [\d.]+ [\d.]+ [\d.]+ ([\d.]+) ([\d.]+) L ([\d.]+) ([\d.]+)/.exec(p.getAttribute("d") ?? ""))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => ({ x: Number(m[1]), y1: Number(m[2]), y2: Number(m[4]) }));
    expect(runs).toHaveLength(2);
    for (const run of runs) {
      const crossed = boxes.filter((b) => run.x > b.x && run.x < b.x + b.w && run.y2 > b.y && run.y1 < b.y + b.h);
      expect(crossed).toEqual([]);
    }
  });

  it("escapes hostile names and stays valid", () => {
    const config = seedConfig();
    const evil = `S"<b>&amp;'</svg>`;
    const json = synthJson({
      ...config,
      zones: config.zones.map((z) => (z.id === 100 ? { ...z, name: evil } : z)),
      slaves: config.slaves.map((z) => (z.id === 100 ? { ...z, name: evil } : z)),
    });
    const text = renderSvg(buildStepGraph(json), `title ${evil}`);
    const doc = parseStrict(text);
    expect(doc.getElementsByTagName("title")[0].textContent).toBe(`title ${evil}`);
    expect(text).not.toContain("<b>");
  });

  it("uses a parser strict enough to fail on broken XML", () => {
    const problems: string[] = [];
    const parse = (t: string) =>
      new DOMParser({ onError: (level: string, msg: string) => void problems.push(`${level}: ${msg}`) }).parseFromString(t, "image/svg+xml");
    for (const bad of ["<svg><g></svg>", '<svg a="1" a="2"/>', "<svg>&nope;</svg>", "<svg>a < b</svg>"]) {
      problems.length = 0;
      try {
        parse(bad);
      } catch {
        problems.push("threw");
      }
      expect(`${bad}: ${problems.length > 0}`).toBe(`${bad}: true`);
    }
  });

  it("escapes every XML special character", () => {
    expect(xmlText(`a&b<c>d"e'f`)).toBe("a&amp;b&lt;c&gt;d&quot;e&apos;f");
  });
});
