/**
 * The only module that imports cdktf and the null provider. cdktf is archived upstream; moving to
 * its community continuation (cdktn, @cdktn/provider-null) changes these lines and nothing else.
 */
export { App, Aspects, HttpBackend, Lazy, LocalBackend, PgBackend, S3Backend, TerraformOutput, TerraformStack, Testing } from "cdktf";
export type { PgBackendConfig } from "cdktf";
export type { IValidation } from "constructs";
export { NullProvider } from "@cdktf/provider-null/lib/provider";
export { Resource as NullResource } from "@cdktf/provider-null/lib/resource";
