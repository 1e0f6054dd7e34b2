export * from "../model/federation";
export * from "./load-config";
export * from "../model/version";
export { FederationFileSchema } from "./schema";
