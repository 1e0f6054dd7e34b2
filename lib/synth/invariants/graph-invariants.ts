/**
 * The safety rules of an upgrade, proven on the synthesized graph at synth time: a wiring mistake
 * fails `cdktf synth` instead of reaching a zone. The rules themselves are one per file, in the pack.
 */
import { IConstruct } from "constructs";
import { IValidation } from "../cdk";
import { checkGraph, GraphRule } from "./graph-rule";
import { StepGraph } from "./step-graph";
import { UPGRADE_GRAPH_PACK } from "./upgrade-graph-pack";

export class GraphInvariants implements IValidation {
  /**
   * @param scope the stack whose StepResources form the graph
   * @param pack the rules to prove @default UPGRADE_GRAPH_PACK
   */
  constructor(
    private readonly scope: IConstruct,
    private readonly pack: readonly GraphRule[] = UPGRADE_GRAPH_PACK,
  ) {}

  /** Every violation of every applicable rule at once, so one synth names every wiring mistake. */
  public validate(): string[] {
    return checkGraph(StepGraph.of(this.scope), this.pack).map((v) => v.message);
  }
}
