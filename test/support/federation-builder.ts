/**
 * The seed federation of test/fixtures/federation.yaml as a typed object, with small edits that
 * each return a new builder: tests say what they change instead of editing YAML text, and the
 * compiler checks the change against the federation file's own schema type.
 *
 *   seedFederation().withHa(101, ["192.168.150.3", "192.168.150.31"]).with({ hosts: { manage: true } }).parse()
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { stringify } from "yaml";
import { loadConfig, parseConfig } from "../../lib/config/load-config";
import type { FederationFile, ZoneEntry } from "../../lib/config/schema";
import type { FederationConfig } from "../../lib/model/federation";

export const FIXTURES_DIR = path.resolve(__dirname, "../fixtures");
/** The YAML twin of SEED_FEDERATION; parse() anchors relative paths (the SSH key, known_hosts) here. */
export const SEED_FEDERATION_FILE = path.join(FIXTURES_DIR, "federation.yaml");
/** What the seed's relative SSH paths name; write() puts copies beside the file it writes. */
const SSH_FIXTURES = ["id_ed25519_fixture", "id_ed25519_fixture.pub", "known_hosts"] as const;

/** test/fixtures/federation.yaml field for field (federation-builder.test.ts keeps the two equal). */
export const SEED_FEDERATION: FederationFile = {
  federation: { name: "seed", fromVersion: "6.10.0", toVersion: "7.0.0" },
  ssh: { user: "root", privateKeyPath: "./id_ed25519_fixture", knownHostsPath: "./known_hosts" },
  zones: [
    { id: 0, name: "M-EU-FR", role: "master", endpoint: "http://192.168.150.1:2633/RPC2", frontends: [{ host: "192.168.150.1", port: 22 }] },
    { id: 100, name: "S-EU-GE", role: "slave", endpoint: "http://192.168.150.2:2633/RPC2", frontends: [{ host: "192.168.150.2" }] },
    { id: 101, name: "S-US-CA", role: "slave", endpoint: "http://192.168.150.3:2633/RPC2", frontends: [{ host: "192.168.150.3" }] },
  ],
};

type Sections = Exclude<keyof FederationFile, "zones">;
/** Sections merged field by field into the current ones (added when absent); `zones` replaced whole. */
export type FederationPatch = { readonly [K in Sections]?: Partial<NonNullable<FederationFile[K]>> } & { readonly zones?: FederationFile["zones"] };
export type ZoneInput = ZoneEntry;
export type NodeInput = NonNullable<ZoneEntry["nodes"]>[number];
export type FreezeInput = NonNullable<FederationFile["freeze"]>;

export class FederationBuilder {
  /** The seed: master 0 (M-EU-FR) and slaves 100 (S-EU-GE) and 101 (S-US-CA), one front-end each. */
  public static seed(): FederationBuilder {
    return new FederationBuilder(SEED_FEDERATION);
  }

  private constructor(private readonly doc: FederationFile) {}

  /** Merges each section of `patch` into the file, e.g. `{ federation: { toVersion: "7.2.0" }, hosts: { manage: true } }`. */
  public with(patch: FederationPatch): FederationBuilder {
    const next: Record<string, unknown> = { ...this.doc };
    for (const [key, value] of Object.entries(patch)) {
      next[key] = key === "zones" || value === undefined ? value : { ...(next[key] as object | undefined), ...(value as object) };
    }
    return new FederationBuilder(next as FederationFile);
  }

  /** Replaces the zone list, or maps it: `withZones((zs) => zs.slice(0, 2))`. */
  public withZones(zones: readonly ZoneInput[] | ((current: readonly ZoneInput[]) => readonly ZoneInput[])): FederationBuilder {
    return this.with({ zones: [...(typeof zones === "function" ? zones(this.doc.zones) : zones)] });
  }

  /** Merges `patch` into zone `zoneId` (its `id` included: a patch may renumber it). */
  public withZone(zoneId: number, patch: Partial<ZoneInput>): FederationBuilder {
    if (!this.doc.zones.some((z) => z.id === zoneId)) throw new Error(`federation builder: no zone ${zoneId} in ${this.doc.zones.map((z) => z.id).join(", ")}`);
    return this.withZones((zones) => zones.map((z) => (z.id === zoneId ? { ...z, ...patch } : z)));
  }

  /** Makes zone `zoneId` an HA (Raft) zone whose front-ends are `servers` (the zone's SSH port each). */
  public withHa(zoneId: number, servers: readonly string[]): FederationBuilder {
    return this.withZone(zoneId, { frontends: servers.map((host) => ({ host })) });
  }

  /** Lists hypervisor hosts for zone `zoneId` (onefed upgrades them only with hosts.manage). */
  public withNodes(zoneId: number, nodes: readonly NodeInput[]): FederationBuilder {
    return this.withZone(zoneId, { nodes: [...nodes] });
  }

  /** Sets freeze.method, and any other freeze field (`acknowledgeNoFreeze`, `allowFrom`). */
  public withFreeze(method: NonNullable<FreezeInput["method"]>, options: Omit<FreezeInput, "method"> = {}): FederationBuilder {
    return this.with({ freeze: { method, ...options } });
  }

  /**
   * Sets one value by dotted path ("zones.1.colour"), for documents the schema type forbids: an
   * unknown key or a wrong type, to see the federation file refuse it.
   */
  public set(dottedPath: string, value: unknown): FederationBuilder {
    const next = this.toObject() as unknown as Record<string, unknown>;
    const keys = dottedPath.split(".");
    let node: Record<string, unknown> = next;
    for (const key of keys.slice(0, -1)) {
      if (typeof node[key] !== "object" || node[key] === null) node[key] = {};
      node = node[key] as Record<string, unknown>;
    }
    node[keys[keys.length - 1]] = value;
    return new FederationBuilder(next as unknown as FederationFile);
  }

  /** A deep copy of the document. */
  public toObject(): FederationFile {
    return structuredClone(this.doc);
  }

  public toYaml(): string {
    return stringify(this.doc);
  }

  /** The FederationConfig, loaded as from a file at `at` (relative paths resolve beside it). @default at the seed's YAML twin */
  public parse(at: string = SEED_FEDERATION_FILE): FederationConfig {
    return parseConfig(this.toYaml(), at);
  }

  /**
   * Writes `federation.yaml` into `dir`, with copies of the SSH fixtures beside it so its relative
   * paths hold there, and returns the file's path. @default a fresh directory under the OS temp dir
   */
  public write(dir: string = fs.mkdtempSync(path.join(os.tmpdir(), "onefed-federation-"))): string {
    for (const f of SSH_FIXTURES) if (!fs.existsSync(path.join(dir, f))) fs.copyFileSync(path.join(FIXTURES_DIR, f), path.join(dir, f));
    const file = path.join(dir, "federation.yaml");
    fs.writeFileSync(file, this.toYaml());
    return file;
  }

  /** write(), then loadConfig() on the written file, as the CLI loads it. */
  public load(dir?: string): FederationConfig {
    return loadConfig(this.write(dir));
  }
}

/** The seed federation's builder. */
export function seedFederation(): FederationBuilder {
  return FederationBuilder.seed();
}
