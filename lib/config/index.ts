export * from "./federation-config";
export * from "./load-config";
export * from "./version";
export { FederationFileSchema } from "./schema";
