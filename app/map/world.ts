/**
 * Country outlines from Natural Earth (world-atlas, 1:110m), drawn under the markers offline.
 * Shipped as a fingerprinted JSON file fetched beside the map chunk, not inlined into it: JSON
 * parses several times faster than the same data as JavaScript, and it keeps ~30 KB (gzipped)
 * out of the scripts a phone must compile before the map is interactive.
 */
import type { FeatureCollection } from "geojson";
import { useEffect, useState } from "react";
import { feature } from "topojson-client";
import type { GeometryCollection, Topology } from "topojson-specification";
import countriesUrl from "world-atlas/countries-110m.json?url";

let outlines: Promise<FeatureCollection> | undefined;

export function loadCountryOutlines(): Promise<FeatureCollection> {
  outlines ??= fetch(countriesUrl)
    .then((response) => {
      if (!response.ok) throw new Error(`Country outlines: HTTP ${response.status}`);
      return response.json() as Promise<Topology<{ countries: GeometryCollection }>>;
    })
    .then((topology) => feature(topology, topology.objects.countries) as FeatureCollection);
  outlines.catch(() => (outlines = undefined)); // a later map may try again
  return outlines;
}

/** The outlines once loaded (undefined until then, or when they cannot be fetched). */
export function useCountryOutlines(): FeatureCollection | undefined {
  const [loaded, setLoaded] = useState<FeatureCollection>();
  useEffect(() => {
    let current = true;
    loadCountryOutlines().then(
      (collection) => current && setLoaded(collection),
      () => undefined,
    );
    return () => {
      current = false;
    };
  }, []);
  return loaded;
}
