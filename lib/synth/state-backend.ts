/**
 * The stack's `terraform.backend` block from the federation file's backend. Credentials never
 * reach it: the engine reads them from its environment (PG_CONN_STR, AWS_*, TF_HTTP_*), which
 * lib/terraform/backend-env.ts fills from the variables the file names.
 */
import { HttpBackend, LocalBackend, PgBackend, PgBackendConfig, S3Backend, TerraformStack } from "./cdk";
import type { StateBackend } from "../model/state-backend";

export function addStateBackend(stack: TerraformStack, backend: StateBackend): void {
  switch (backend.kind) {
    case "local":
      // Without a path cdktf writes its own default (terraform.<stack>.tfstate in the working directory).
      if (backend.path) new LocalBackend(stack, { path: backend.path });
      return;
    case "pg": {
      // cdktf types conn_str as required; left out, terraform reads PG_CONN_STR, so the JSON never holds it.
      const config = { schemaName: backend.schemaName, ...(backend.skipSchemaCreation ? { skipSchemaCreation: true } : {}) };
      new PgBackend(stack, config as PgBackendConfig);
      return;
    }
    case "s3": {
      const compatible = backend.endpoint !== undefined;
      new S3Backend(stack, {
        bucket: backend.bucket,
        key: backend.key,
        ...(backend.region ? { region: backend.region } : {}),
        ...(compatible
          ? { endpoints: { s3: backend.endpoint }, skipCredentialsValidation: true, skipRequestingAccountId: true, skipMetadataApiCheck: true }
          : {}),
        ...(backend.usePathStyle ? { usePathStyle: true } : {}),
        ...(backend.dynamodbTable ? { dynamodbTable: backend.dynamodbTable } : {}),
      });
      // Without a lock table, a lock object next to the state (terraform ≥ 1.10, OpenTofu ≥ 1.10): never an unlocked S3 state.
      if (!backend.dynamodbTable) stack.addOverride("terraform.backend.s3.use_lockfile", true);
      return;
    }
    case "http":
      new HttpBackend(stack, {
        address: backend.address,
        lockAddress: backend.lockAddress,
        unlockAddress: backend.unlockAddress,
        ...(backend.lockMethod ? { lockMethod: backend.lockMethod } : {}),
        ...(backend.unlockMethod ? { unlockMethod: backend.unlockMethod } : {}),
      });
      return;
  }
}
