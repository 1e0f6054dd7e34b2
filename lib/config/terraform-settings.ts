/**
 * The federation file's `terraform` block: the rule a schema cannot express (one backend) and its
 * resolution with defaults. `stateFile` stays as the short form of `backend: { local: { path } }`.
 */
import * as path from "path";
import { defaultPgSchema, defaultS3Key, STATE_BACKEND_KINDS, StateBackend, TerraformSettings } from "../model/state-backend";
import type { FederationFile } from "./schema";

type TerraformBlock = NonNullable<FederationFile["terraform"]>;

/** The backends the block names, in terraform's order. */
function namedBackends(t: TerraformBlock | undefined): string[] {
  return STATE_BACKEND_KINDS.filter((k) => t?.backend?.[k] !== undefined);
}

/** One backend at most, and stateFile only without another (checked on the file as written). */
export function backendFits(doc: FederationFile): string[] {
  const named = namedBackends(doc.terraform);
  const problems: string[] = [];
  if (doc.terraform?.backend && named.length === 0)
    problems.push(`terraform.backend: name one of ${STATE_BACKEND_KINDS.join(", ")}, or leave it out for local`);
  if (named.length > 1) problems.push(`terraform.backend: names ${named.join(" and ")}; the state lives in exactly one backend, keep one`);
  if (doc.terraform?.stateFile !== undefined && named.length > 0) {
    problems.push(
      `terraform.stateFile: set together with terraform.backend (${named.join(", ")}); stateFile is short for backend: { local: { path } }, keep one`,
    );
  }
  return problems;
}

/** The block with its defaults applied; relative paths are relative to the federation file. */
export function resolveTerraform(doc: FederationFile, baseDir: string): TerraformSettings {
  return { backend: resolveBackend(doc, baseDir), lockTimeoutSeconds: doc.terraform?.lockTimeoutSeconds ?? 0 };
}

function resolveBackend(doc: FederationFile, baseDir: string): StateBackend {
  const b = doc.terraform?.backend;
  const name = doc.federation.name;
  if (b?.pg)
    return { kind: "pg", connEnv: b.pg.connEnv, schemaName: b.pg.schemaName ?? defaultPgSchema(name), skipSchemaCreation: b.pg.skipSchemaCreation ?? false };
  if (b?.s3) {
    const { bucket, region, endpoint, dynamodbTable } = b.s3;
    return {
      kind: "s3",
      bucket,
      key: b.s3.key ?? defaultS3Key(name),
      usePathStyle: b.s3.usePathStyle ?? endpoint !== undefined,
      ...(region ? { region } : {}),
      ...(endpoint ? { endpoint } : {}),
      ...(dynamodbTable ? { dynamodbTable } : {}),
    };
  }
  if (b?.http) {
    const lockAddress = b.http.lockAddress ?? b.http.address;
    const { address, lockMethod, unlockMethod, usernameEnv, passwordEnv } = b.http;
    return {
      kind: "http",
      address,
      lockAddress,
      unlockAddress: b.http.unlockAddress ?? lockAddress,
      ...(lockMethod ? { lockMethod } : {}),
      ...(unlockMethod ? { unlockMethod } : {}),
      ...(usernameEnv ? { usernameEnv } : {}),
      ...(passwordEnv ? { passwordEnv } : {}),
    };
  }
  const file = b?.local?.path ?? doc.terraform?.stateFile;
  return file ? { kind: "local", path: path.resolve(baseDir, file) } : { kind: "local" };
}
