export * from "./federated-backup";
export * from "./federation-upgrade";
export * from "../invariants/graph-invariants";
export * from "../runner-invocation";
export * from "./step-resource";
export * from "./zone";
