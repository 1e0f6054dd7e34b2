/** A federation of `zones` zones (the seed's master and `zones - 1` slaves), for tests and benches of the graph at scale. */
import { FederationBuilder, seedFederation } from "./federation-builder";

export function largeFederation(zones: number): FederationBuilder {
  return seedFederation()
    .with({ hosts: { manage: true } })
    .withZones((seed) => [
      seed[0],
      ...Array.from({ length: zones - 1 }, (_, i) => {
        const host = `10.1.${Math.floor(i / 200)}.${(i % 200) + 10}`;
        return { id: 100 + i, name: `S-${100 + i}`, role: "slave" as const, endpoint: `http://${host}:2633/RPC2`, frontends: [{ host }] };
      }),
    ]);
}
