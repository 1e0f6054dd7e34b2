/** The typed fixture builder: the seed is the YAML fixture, and each edit changes what it says and nothing else. */
import * as fs from "fs";
import * as path from "path";
import { parse as parseYaml } from "yaml";
import { parseConfig } from "../../lib/config/load-config";
import { SEED_FEDERATION, SEED_FEDERATION_FILE, seedFederation } from "../support/federation-builder";

describe("the federation builder", () => {
  it("starts from test/fixtures/federation.yaml, field for field", () => {
    expect(seedFederation().toObject()).toEqual(parseYaml(fs.readFileSync(SEED_FEDERATION_FILE, "utf8")));
    expect(seedFederation().parse()).toEqual(parseConfig(fs.readFileSync(SEED_FEDERATION_FILE, "utf8"), SEED_FEDERATION_FILE));
  });

  it("merges sections, adds missing ones and leaves the seed alone", () => {
    const b = seedFederation().with({ federation: { toVersion: "7.2.0" }, hosts: { manage: true } });
    expect(b.toObject().federation).toEqual({ name: "seed", fromVersion: "6.10.0", toVersion: "7.2.0" });
    expect(b.toObject().hosts).toEqual({ manage: true });
    expect(seedFederation().toObject()).toEqual(SEED_FEDERATION);
    expect(SEED_FEDERATION.federation.toVersion).toBe("7.0.0");
  });

  it("edits one zone: HA servers, nodes, any field", () => {
    const b = seedFederation()
      .withHa(101, ["192.168.150.3", "192.168.150.31"])
      .withNodes(100, [{ name: "kvm-ge-1", host: "192.168.150.21" }])
      .withZone(0, { name: "M-EU-PA" });
    const [master, ge, ca] = b.toObject().zones;
    expect(ca.frontends).toEqual([{ host: "192.168.150.3" }, { host: "192.168.150.31" }]);
    expect(ge.nodes).toEqual([{ name: "kvm-ge-1", host: "192.168.150.21" }]);
    expect(master).toEqual({ ...SEED_FEDERATION.zones[0], name: "M-EU-PA" });
    expect(() => seedFederation().withZone(7, {})).toThrow(/no zone 7 in 0, 100, 101/);
  });

  it("sets the freeze, and values the schema type forbids", () => {
    expect(seedFederation().withFreeze("none", { acknowledgeNoFreeze: true }).parse().freeze).toMatchObject({ method: "none", acknowledgeNoFreeze: true });
    expect(seedFederation().set("zones.1.colour", "red").toObject().zones[1]).toMatchObject({ name: "S-EU-GE", colour: "red" });
  });

  it("writes a file that loads where it is written", () => {
    const file = seedFederation()
      .with({ terraform: { stateFile: "./terraform.tfstate" } })
      .write();
    const config = seedFederation()
      .with({ terraform: { stateFile: "./terraform.tfstate" } })
      .load(path.dirname(file));
    expect(config.sourcePath).toBe(file);
    expect(config.terraform.backend).toEqual({ kind: "local", path: path.join(path.dirname(file), "terraform.tfstate") });
    expect(config.ssh.privateKeyPath).toBe(path.join(path.dirname(file), "id_ed25519_fixture"));
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
  });
});
