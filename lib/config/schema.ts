/**
 * The federation file's one definition: TypeBox builds both the JSON Schema (written to
 * docs/federation.schema.json) and the static types the code uses, so the two cannot drift.
 */
import { Static, Type } from "@sinclair/typebox";
import { WEEKDAYS } from "../model/federation";

const VERSION = "^\\d+\\.\\d+\\.\\d+(\\.\\d+)?$";
/** Names end up in file names, terraform addresses and remote arguments: keep them boring. */
const ZONE_NAME = "^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$";
const FEDERATION_NAME = "^[a-z0-9][a-z0-9-]{0,39}$";
const HOST = "^[A-Za-z0-9]([A-Za-z0-9.:-]{0,252})$";
const ENDPOINT = "^https?://[A-Za-z0-9.:\\[\\]-]+(:\\d+)?/RPC2$";
const ABS_PATH = "^/[A-Za-z0-9._/-]*$";
const SSH_USER = "^[a-z_][a-z0-9_-]{0,31}$";
/** Names of the variables that hold a DB password or a key passphrase (the secret itself is never in the file). */
/** "HH:MM", 24-hour. */
const HH_MM = "^([01][0-9]|2[0-3]):[0-5][0-9]$";
const SECRET_ENV_NAME = "^[A-Z_][A-Z0-9_]{0,63}$";

export const FrontendSchema = Type.Object(
  {
    host: Type.String({ pattern: HOST, description: "Address or DNS name the runner connects to over SSH." }),
    port: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535, description: "SSH port. @default ssh.port" })),
  },
  { additionalProperties: false },
);

export const PackagesSchema = Type.Object(
  {
    manager: Type.Optional(
      Type.Union([Type.Literal("apt"), Type.Literal("dnf"), Type.Literal("yum")], { description: "Package manager on the front-ends. @default apt" }),
    ),
    repositoryLine: Type.Optional(
      Type.String({
        minLength: 1,
        description:
          "Content of the repository file written before the upgrade (apt: /etc/apt/sources.list.d/opennebula.list, dnf/yum: /etc/yum.repos.d/opennebula.repo); `{series}` becomes the target major.minor. @default downloads.opennebula.io for Debian 12 (apt) or RHEL (dnf/yum)",
      }),
    ),
    repositoryCommand: Type.Optional(
      Type.Array(Type.String({ minLength: 1 }), {
        minItems: 1,
        description:
          'Instead of writing the file: a command (argv, each argument shell-quoted) that switches the repository, e.g. ["/usr/local/sbin/one-repo", "{series}"]. @default none (the file is written)',
      }),
    ),
  },
  { additionalProperties: false },
);

export const DatabaseSchema = Type.Object(
  {
    backend: Type.Optional(Type.Union([Type.Literal("sqlite"), Type.Literal("mysql")], { description: "DB backend of the front-ends. @default sqlite" })),
    passwordEnv: Type.Optional(
      Type.String({
        pattern: SECRET_ENV_NAME,
        description:
          "Name of an environment variable on the automation host holding the MySQL password; it reaches onedb on stdin as ONE_DB_PASSWORD, never in argv, files, triggers or state. @default none (oned.conf's PASSWD)",
      }),
    ),
    server: Type.Optional(Type.String({ pattern: HOST, description: "MySQL: onedb -S. @default read from oned.conf (with port, user and name: all or none)" })),
    port: Type.Optional(Type.Integer({ minimum: 0, maximum: 65535, description: "MySQL: onedb -P (0 = the default port). @default read from oned.conf" })),
    user: Type.Optional(Type.String({ pattern: "^[A-Za-z0-9_][A-Za-z0-9_.-]{0,79}$", description: "MySQL: onedb -u. @default read from oned.conf" })),
    name: Type.Optional(
      Type.String({
        pattern: "^[A-Za-z0-9_]{1,64}$",
        description: "MySQL: onedb -d, the same on every HA server (full dumps carry CREATE DATABASE). @default read from oned.conf",
      }),
    ),
  },
  { additionalProperties: false },
);

export const NodeSchema = Type.Object(
  {
    name: Type.String({ pattern: "^[A-Za-z0-9][A-Za-z0-9._-]{0,252}$", description: "The host's NAME in `onehost list`." }),
    host: Type.String({ pattern: HOST, description: "Address the runner connects to over SSH (same user, key and known_hosts as the front-ends)." }),
    port: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535, description: "SSH port. @default ssh.port" })),
    hypervisor: Type.Optional(
      Type.Union([Type.Literal("kvm"), Type.Literal("lxc")], { description: "Node package opennebula-node-<hypervisor>. @default kvm" }),
    ),
  },
  { additionalProperties: false },
);

const PASSPHRASE_ENV = Type.String({
  pattern: SECRET_ENV_NAME,
  description:
    "Name of an environment variable on the automation host holding the passphrase of this level's private key; the passphrase never appears in the file, plans, state or logs. @default none (the key is not encrypted)",
});

/** One ProxyJump hop: host key pinned in ssh.knownHostsPath, verified like a front-end's. */
export const JumpHostSchema = Type.Object(
  {
    host: Type.String({ pattern: HOST, description: "Address or DNS name of the jump host (bastion), as it is pinned in known_hosts." }),
    port: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535, description: "SSH port of the jump host. @default 22" })),
    user: Type.Optional(Type.String({ pattern: SSH_USER, description: "Login user on the jump host. @default the zone's ssh.user" })),
    privateKeyPath: Type.Optional(Type.String({ minLength: 1, description: "Private key for the jump host. @default the zone's key (and its passphraseEnv)" })),
    passphraseEnv: Type.Optional(PASSPHRASE_ENV),
  },
  { additionalProperties: false },
);

const JUMP = Type.Array(JumpHostSchema, {
  description:
    "Jump hosts (bastions) the connections go through, first hop first, each over the previous one's TCP forwarding (like ssh -J). @default [] (direct connections)",
});

/** What a zone may change of the federation's ssh block. */
export const ZoneSshSchema = Type.Object(
  {
    user: Type.Optional(Type.String({ pattern: SSH_USER, description: "Login user on this zone's front-ends and hosts. @default ssh.user" })),
    port: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535, description: "Default SSH port of this zone's machines. @default ssh.port" })),
    privateKeyPath: Type.Optional(
      Type.String({ minLength: 1, description: "Private key for this zone (its passphraseEnv goes with it). @default ssh.privateKeyPath" }),
    ),
    passphraseEnv: Type.Optional(PASSPHRASE_ENV),
    agent: Type.Optional(Type.Boolean({ description: "Per-zone ssh.agent. @default ssh.agent" })),
    jump: Type.Optional(
      Type.Array(JumpHostSchema, { description: "Jump hosts of this zone, replacing ssh.jump ([] for direct connections). @default ssh.jump" }),
    ),
  },
  { additionalProperties: false, description: "Per-zone override of ssh: another user, port, key or jump host. @default the federation's ssh" },
);

export const ZoneSchema = Type.Object(
  {
    id: Type.Integer({ minimum: 0, description: "OpenNebula zone id (0 is usually the master)." }),
    name: Type.String({ pattern: ZONE_NAME, description: "Zone name as `onezone list` shows it." }),
    role: Type.Union([Type.Literal("master"), Type.Literal("slave")], { description: "Federation role (oned.conf FEDERATION/MODE)." }),
    endpoint: Type.String({ pattern: ENDPOINT, description: "The zone's XML-RPC ENDPOINT, e.g. http://10.0.0.1:2633/RPC2." }),
    frontends: Type.Array(FrontendSchema, { minItems: 1, description: "Front-ends of the zone (one for a single front-end zone)." }),
    stepTimeoutSeconds: Type.Optional(Type.Integer({ minimum: 10, maximum: 86400, description: "Per-zone override of timeouts.stepSeconds." })),
    database: Type.Optional(
      Type.Object(DatabaseSchema.properties, {
        additionalProperties: false,
        description: "Per-zone override of database: another backend, server or password variable. @default the federation's database",
      }),
    ),
    packages: Type.Optional(
      Type.Object(PackagesSchema.properties, {
        additionalProperties: false,
        description: "Per-zone override of packages: a zone on another distribution or mirror. @default the federation's packages",
      }),
    ),
    ssh: Type.Optional(ZoneSshSchema),
    nodes: Type.Optional(
      Type.Array(NodeSchema, {
        description:
          "Hypervisor hosts whose node packages onefed upgrades after the zone runs the new version, before onehost sync (needs hosts.manage). @default [] (node packages are left to the operator)",
      }),
    ),
  },
  { additionalProperties: false },
);

/** The name of an environment variable (never its value: secrets stay out of the file). */
const ENV_NAME = "^[A-Za-z_][A-Za-z0-9_]{0,127}$";
const envName = (description: string) => Type.String({ pattern: ENV_NAME, description });
/** http(s) URL without credentials in it (they come from the environment). */
const STATE_URL = "^https?://[^/@\\s]+(/[^\\s]*)?$";

/** terraform's own backend block: exactly one of local, pg, s3, http (rules.ts says so when two are given). */
export const BackendSchema = Type.Object(
  {
    local: Type.Optional(
      Type.Object(
        { path: Type.Optional(Type.String({ minLength: 1, description: "State file. @default terraform.<stack>.tfstate in the working directory" })) },
        { additionalProperties: false, description: "A state file on the automation host (one host, one runner at a time)." },
      ),
    ),
    pg: Type.Optional(
      Type.Object(
        {
          connEnv: envName("Environment variable holding the connection string (postgres://user:password@host/db); handed to the engine as PG_CONN_STR."),
          schemaName: Type.Optional(
            Type.String({ pattern: "^[a-z_][a-z0-9_]{0,62}$", description: "Schema holding the state. @default onefed_<federation name>" }),
          ),
          skipSchemaCreation: Type.Optional(Type.Boolean({ description: "The schema exists already (created by a DBA). @default false" })),
        },
        { additionalProperties: false, description: "PostgreSQL, locked with an advisory lock." },
      ),
    ),
    s3: Type.Optional(
      Type.Object(
        {
          bucket: Type.String({ minLength: 3, maxLength: 63, pattern: "^[a-z0-9][a-z0-9.-]+$", description: "Bucket holding the state." }),
          key: Type.Optional(Type.String({ minLength: 1, description: "Object key. @default onefed/<federation name>.tfstate" })),
          region: Type.Optional(Type.String({ pattern: "^[a-z0-9-]{1,32}$", description: "@default AWS_REGION / AWS_DEFAULT_REGION" })),
          endpoint: Type.Optional(Type.String({ pattern: STATE_URL, description: "S3-compatible endpoint (MinIO, Ceph RGW). @default AWS" })),
          usePathStyle: Type.Optional(Type.Boolean({ description: "Path-style addressing. @default true with an endpoint, else false" })),
          dynamodbTable: Type.Optional(
            Type.String({
              pattern: "^[A-Za-z0-9_.-]{3,255}$",
              description: "Lock with this DynamoDB table. @default a lock object next to the state (use_lockfile)",
            }),
          ),
        },
        {
          additionalProperties: false,
          description: "S3 or S3-compatible; credentials only from the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_PROFILE, …).",
        },
      ),
    ),
    http: Type.Optional(
      Type.Object(
        {
          address: Type.String({ pattern: STATE_URL, description: "State URL (GET/POST)." }),
          lockAddress: Type.Optional(Type.String({ pattern: STATE_URL, description: "@default address (without one terraform would not lock)" })),
          unlockAddress: Type.Optional(Type.String({ pattern: STATE_URL, description: "@default lockAddress" })),
          lockMethod: Type.Optional(Type.String({ pattern: "^[A-Z]{1,16}$", description: "@default LOCK" })),
          unlockMethod: Type.Optional(Type.String({ pattern: "^[A-Z]{1,16}$", description: "@default UNLOCK" })),
          usernameEnv: Type.Optional(envName("Environment variable holding the user name (TF_HTTP_USERNAME). @default TF_HTTP_USERNAME as set")),
          passwordEnv: Type.Optional(envName("Environment variable holding the password or token (TF_HTTP_PASSWORD). @default TF_HTTP_PASSWORD as set")),
        },
        { additionalProperties: false, description: "terraform's REST backend (GitLab managed state, a state server)." },
      ),
    ),
  },
  { additionalProperties: false, description: "Where the state lives: exactly one of local, pg, s3, http. @default local" },
);

/** HTTP header names (RFC 9110 tokens) a webhook's headers may use. */
const HEADER_NAME = "^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,64}$";

export const NotifySchema = Type.Object(
  {
    url: Type.Optional(
      Type.String({
        pattern: "^https?://[^\\s]+$",
        description:
          "Where each event is POSTed as JSON (one event object of docs/events.md). Printed only as its origin (scheme, host, port); pass tokens with headersFromEnv, not in the URL, or give the whole URL with urlEnv. Exactly one of url and urlEnv.",
      }),
    ),
    urlEnv: Type.Optional(
      Type.String({
        pattern: SECRET_ENV_NAME,
        description:
          "Name of the automation host's environment variable holding the URL, for webhooks whose URL is the secret (Slack, Teams, Discord: a token in the path). Read when the run starts; never written anywhere. Exactly one of url and urlEnv.",
      }),
    ),
    events: Type.Optional(
      Type.Array(Type.Union([Type.Literal("run-start"), Type.Literal("step-fail"), Type.Literal("run-end")]), {
        minItems: 1,
        uniqueItems: true,
        description: "The events posted. @default [run-start, step-fail, run-end]",
      }),
    ),
    timeoutSeconds: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 60, description: "Deadline of one POST; a late or failed one is a warning line, never a failed run. @default 5" }),
    ),
    headersFromEnv: Type.Optional(
      Type.Record(Type.String({ pattern: HEADER_NAME }), Type.String({ pattern: SECRET_ENV_NAME }), {
        description:
          'Request headers whose values come from environment variables of the automation host, e.g. { Authorization: ONEFED_NOTIFY_AUTH } with ONEFED_NOTIFY_AUTH="Bearer …"; the values never appear in files, plans, state or logs. @default {}',
      }),
    ),
  },
  { additionalProperties: false, description: "A webhook told of the run's start, step failures and end (docs/notify.md). @default none" },
);

export const FederationFileSchema = Type.Object(
  {
    federation: Type.Object(
      {
        name: Type.String({ pattern: FEDERATION_NAME, description: "Short name: used in the stack name and artifact file names." }),
        fromVersion: Type.String({ pattern: VERSION, description: "OpenNebula version installed everywhere now." }),
        toVersion: Type.String({ pattern: VERSION, description: "OpenNebula version to upgrade to." }),
        upgradeType: Type.Optional(
          Type.Union([Type.Literal("auto"), Type.Literal("A"), Type.Literal("B")], {
            description: "A: zone by zone (maintenance inside one series); B: coordinated (the shared DB version changes). @default auto (from the versions)",
          }),
        ),
      },
      { additionalProperties: false },
    ),
    ssh: Type.Object(
      {
        user: Type.String({ pattern: SSH_USER, description: "Login user on every front-end (root, or a user with sudo-less rights)." }),
        privateKeyPath: Type.Optional(
          Type.String({
            minLength: 1,
            description: "Private key file; read by the runner only, never copied into plans or state. @default none: then ssh.agent must be true",
          }),
        ),
        passphraseEnv: Type.Optional(PASSPHRASE_ENV),
        agent: Type.Optional(
          Type.Boolean({
            description:
              "true: log in with the ssh-agent at $SSH_AUTH_SOCK (required to be set); false: never use an agent. Agent keys are tried before privateKeyPath, as OpenSSH does. @default the agent when SSH_AUTH_SOCK is set",
          }),
        ),
        jump: Type.Optional(JUMP),
        knownHostsPath: Type.String({ minLength: 1, description: "known_hosts file pinning every front-end's (and jump host's) host key." }),
        port: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535, description: "Default SSH port. @default 22" })),
        connectTimeoutSeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 300, description: "TCP + handshake timeout. @default 10" })),
        keepaliveIntervalSeconds: Type.Optional(
          Type.Integer({ minimum: 1, maximum: 300, description: "SSH keepalive interval; 3 missed answers drop the link. @default 5" }),
        ),
      },
      { additionalProperties: false },
    ),
    freeze: Type.Optional(
      Type.Object(
        {
          method: Type.Optional(
            Type.Union([Type.Literal("auto"), Type.Literal("onezone-disable"), Type.Literal("firewall"), Type.Literal("none")], {
              description: "How federated writes are frozen before the sync check. @default auto: onezone-disable from 6.2, firewall before",
            }),
          ),
          allowFrom: Type.Optional(
            Type.Array(Type.String({ pattern: "^[0-9]{1,3}(\\.[0-9]{1,3}){3}$" }), {
              description: "firewall: addresses still let through to the master's API besides 127.0.0.1 (the automation host). @default []",
            }),
          ),
          acknowledgeNoFreeze: Type.Optional(
            Type.Boolean({ description: "Required with method none: writes stay possible during the upgrade. @default false" }),
          ),
        },
        { additionalProperties: false },
      ),
    ),
    hosts: Type.Optional(
      Type.Object(
        {
          manage: Type.Optional(
            Type.Boolean({
              description:
                "Disable each zone's enabled hypervisor hosts before the freeze and enable exactly those again (then onehost sync) once the zone is enabled. @default false",
            }),
          ),
        },
        { additionalProperties: false },
      ),
    ),
    database: Type.Optional(DatabaseSchema),
    packages: Type.Optional(PackagesSchema),
    backup: Type.Optional(
      Type.Object(
        {
          localDirectory: Type.Optional(
            Type.String({ minLength: 1, description: "Where the federated backup artifact is kept on the automation host (mode 0600). @default ./artifacts" }),
          ),
          remoteDirectory: Type.Optional(
            Type.String({ pattern: ABS_PATH, description: "Directory for backups on the front-ends. @default /var/lib/one/backups/onefed" }),
          ),
        },
        { additionalProperties: false },
      ),
    ),
    timeouts: Type.Optional(
      Type.Object(
        {
          stepSeconds: Type.Optional(Type.Integer({ minimum: 10, maximum: 86400, description: "Deadline of one step on one zone. @default 900" })),
          syncWaitSeconds: Type.Optional(
            Type.Integer({ minimum: 0, maximum: 3600, description: "How long to wait for FED_INDEX to converge after the freeze. @default 60" }),
          ),
        },
        { additionalProperties: false },
      ),
    ),
    engine: Type.Optional(
      Type.Union([Type.Literal("terraform"), Type.Literal("tofu")], {
        description:
          "The engine that plans and applies: terraform or tofu (OpenTofu; from PATH, else built by onefed). --engine and ONEFED_ENGINE override it. @default terraform from PATH, else tofu from PATH, else OpenTofu built by onefed",
      }),
    ),
    terraform: Type.Optional(
      Type.Object(
        {
          stateFile: Type.Optional(
            Type.String({
              minLength: 1,
              description: "Local state file (short for backend: { local: { path } }). @default terraform.<stack>.tfstate in the working directory",
            }),
          ),
          backend: Type.Optional(BackendSchema),
          lockTimeoutSeconds: Type.Optional(
            Type.Integer({
              minimum: 0,
              maximum: 86400,
              description: "How long plan and apply wait for a state lock another run holds (terraform -lock-timeout). @default 0: refuse at once (exit 5)",
            }),
          ),
        },
        { additionalProperties: false },
      ),
    ),
    notify: Type.Optional(NotifySchema),
    window: Type.Optional(
      Type.Object(
        {
          days: Type.Array(Type.Union(WEEKDAYS.map((d) => Type.Literal(d))), {
            minItems: 1,
            description: "The days the window opens on (an overnight window belongs to the day it opens), e.g. [sat, sun].",
          }),
          start: Type.String({ pattern: HH_MM, description: "When it opens, HH:MM (24-hour) in the window's time zone." }),
          end: Type.String({ pattern: HH_MM, description: "When it closes, HH:MM; not after start: the next day (overnight)." }),
          timezone: Type.String({ minLength: 1, description: "IANA time zone of start and end, e.g. Europe/Paris or UTC." }),
        },
        {
          additionalProperties: false,
          description:
            "Maintenance window: deploy and apply refuse to start (exit 7) outside it, or when the estimated end (from the duration history) falls after it closes; --ignore-window overrides. @default none: any time",
        },
      ),
    ),
    zones: Type.Array(ZoneSchema, { minItems: 1 }),
  },
  { additionalProperties: false, $id: "federation.schema.json", title: "onefed federation file" },
);

/** The file as written by the operator (optional fields still optional). */
export type FederationFile = Static<typeof FederationFileSchema>;
export type ZoneEntry = Static<typeof ZoneSchema>;
