/**
 * Where terraform keeps the upgrade's state, as the federation file's `terraform` block resolves.
 * Secrets are never here: a remote backend names the environment variables that hold its
 * credentials, and lib/terraform/backend-env.ts hands them to the engine at run time.
 */

/** The backends a federation file can choose (terraform's own names). */
export const STATE_BACKEND_KINDS = ["local", "pg", "s3", "http"] as const;
export type StateBackendKind = (typeof STATE_BACKEND_KINDS)[number];

/** A state file on the automation host: one runner at a time, and only from that host. */
export interface LocalStateBackend {
  readonly kind: "local";
  /** Absolute path of the state file; undefined for cdktf's default, terraform.<stack>.tfstate in the working directory. */
  readonly path?: string;
}

/** PostgreSQL: one row per workspace in `<schemaName>.states`, locked with an advisory lock. */
export interface PgStateBackend {
  readonly kind: "pg";
  /** Name of the variable holding the connection string (becomes the engine's PG_CONN_STR). */
  readonly connEnv: string;
  /** Schema holding this federation's state. @default onefed_<federation name> */
  readonly schemaName: string;
  /** The schema exists already (the runner's role may not create schemas). @default false */
  readonly skipSchemaCreation: boolean;
}

/** S3 or an S3-compatible store, locked with a lock object next to the state (or a DynamoDB table). */
export interface S3StateBackend {
  readonly kind: "s3";
  readonly bucket: string;
  /** Object key of the state. @default onefed/<federation name>.tfstate */
  readonly key: string;
  /** @default none: AWS_REGION / AWS_DEFAULT_REGION of the environment */
  readonly region?: string;
  /** An S3-compatible endpoint (MinIO, Ceph RGW). @default AWS */
  readonly endpoint?: string;
  /** Path-style addressing, which most S3-compatible stores need. @default true with an endpoint, else false */
  readonly usePathStyle: boolean;
  /** Lock with a DynamoDB table instead of a lock object. @default none (lock object, use_lockfile) */
  readonly dynamodbTable?: string;
}

/** terraform's REST backend (GitLab's managed state, a state server of one's own). */
export interface HttpStateBackend {
  readonly kind: "http";
  readonly address: string;
  /** @default address: without a lock address terraform would not lock at all */
  readonly lockAddress: string;
  /** @default lockAddress */
  readonly unlockAddress: string;
  /** @default LOCK (terraform's) */
  readonly lockMethod?: string;
  /** @default UNLOCK (terraform's) */
  readonly unlockMethod?: string;
  /** Variable holding the user name (becomes TF_HTTP_USERNAME). @default none: TF_HTTP_USERNAME as set */
  readonly usernameEnv?: string;
  /** Variable holding the password or token (becomes TF_HTTP_PASSWORD). @default none: TF_HTTP_PASSWORD as set */
  readonly passwordEnv?: string;
}

export type StateBackend = LocalStateBackend | PgStateBackend | S3StateBackend | HttpStateBackend;

/** The federation file's `terraform` block, resolved. */
export interface TerraformSettings {
  readonly backend: StateBackend;
  /** How long plan and apply wait for the state lock another run holds (-lock-timeout). @default 0: refuse at once */
  readonly lockTimeoutSeconds: number;
}

/** The default pg schema: one per federation, so that two federations never share the "default" workspace's row. */
export function defaultPgSchema(federationName: string): string {
  return `onefed_${federationName.replace(/-/g, "_")}`;
}

/** The default S3 key: one object per federation. */
export function defaultS3Key(federationName: string): string {
  return `onefed/${federationName}.tfstate`;
}
