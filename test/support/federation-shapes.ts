/** Federation shapes that tests of the whole step graph run on: coordinated and zone by zone, HA, hosts and nodes, each freeze. */
import { FederationConfig } from "../../lib/model/federation";
import { seedFederation } from "./federation-builder";

export const FEDERATION_SHAPES: ReadonlyArray<readonly [string, () => FederationConfig]> = [
  ["type B, 1+2", () => seedFederation().parse()],
  [
    "type B, HA master and slave, hosts and nodes",
    () =>
      seedFederation()
        .withHa(0, ["192.168.150.1", "192.168.150.11"])
        .withHa(101, ["192.168.150.3", "192.168.150.31"])
        .withNodes(100, [{ name: "kvm-1", host: "192.168.150.21" }])
        .with({ hosts: { manage: true } })
        .parse(),
  ],
  [
    "type B, firewall freeze",
    () =>
      seedFederation()
        .with({ federation: { fromVersion: "6.0.0", toVersion: "6.2.0" } })
        .withFreeze("firewall", { allowFrom: ["10.0.0.5"] })
        .parse(),
  ],
  ["type B, no freeze", () => seedFederation().withFreeze("none", { acknowledgeNoFreeze: true }).parse()],
  [
    "type A, HA slave, hosts and nodes",
    () =>
      seedFederation()
        .with({ federation: { toVersion: "6.10.5" } })
        .withHa(100, ["192.168.150.2", "192.168.150.21"])
        .withNodes(101, [{ name: "kvm-2", host: "192.168.150.22" }])
        .with({ hosts: { manage: true } })
        .parse(),
  ],
];
