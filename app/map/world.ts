/** Country outlines from Natural Earth (world-atlas, 1:110m), drawn under the markers offline. */
import type { FeatureCollection } from "geojson";
import { feature } from "topojson-client";
import type { GeometryCollection, Topology } from "topojson-specification";
import countries from "world-atlas/countries-110m.json";

let cached: FeatureCollection | undefined;

export function countryOutlines(): FeatureCollection {
  const topology = countries as unknown as Topology<{ countries: GeometryCollection }>;
  cached ??= feature(topology, topology.objects.countries) as FeatureCollection;
  return cached;
}
