/**
 * What the map draws without tiles, all packaged: country outlines from Natural Earth
 * (world-atlas; 1:110m at once, 1:50m once the map is zoomed in to a region, where the coarse
 * coastline would put pins in the sea) and the names of large cities from the offline gazetteer
 * (`city-labels.json`, built by `npm run build:city-labels`). Each is a fingerprinted JSON file
 * fetched beside the map chunk, not inlined into it: JSON parses several times faster than the
 * same data as JavaScript, and it stays out of the scripts a phone must compile.
 */
import type { FeatureCollection } from "geojson";
import { useEffect, useState } from "react";
import { feature } from "topojson-client";
import type { GeometryCollection, Topology } from "topojson-specification";
import {
  CITY_LABELS_URL as cityLabelsUrl,
  COARSE_OUTLINES_URL as coarseUrl,
  DETAILED_OUTLINES_URL as detailedUrl,
} from "./outline-urls";

/** From this zoom on (a region or closer) the 1:50m outlines replace the 1:110m ones. */
export const DETAILED_ZOOM = 4;

/** [name, lat, lng, population], most populous first. */
export type CityLabel = [string, number, number, number];

const cache = new Map<string, Promise<unknown>>();

function fetchJson<T>(url: string): Promise<T> {
  let pending = cache.get(url) as Promise<T> | undefined;
  if (!pending) {
    pending = fetch(url).then((response) => {
      if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
      return response.json() as Promise<T>;
    });
    pending.catch(() => cache.delete(url)); // a later map may try again
    cache.set(url, pending);
  }
  return pending;
}

const outlinesCache = new Map<string, Promise<FeatureCollection>>();
function loadOutlines(url: string): Promise<FeatureCollection> {
  let pending = outlinesCache.get(url);
  if (!pending) {
    pending = fetchJson<Topology<{ countries: GeometryCollection }>>(url).then(
      (topology) => feature(topology, topology.objects.countries) as FeatureCollection,
    );
    pending.catch(() => outlinesCache.delete(url));
    outlinesCache.set(url, pending);
  }
  return pending;
}

export function loadCountryOutlines(): Promise<FeatureCollection> {
  return loadOutlines(coarseUrl);
}

/**
 * The outlines once loaded: the detailed ones when asked for and loaded, the coarse ones until
 * then (undefined while nothing has loaded, or when they cannot be fetched).
 */
export function useCountryOutlines(detailed = false): FeatureCollection | undefined {
  const [coarse, setCoarse] = useState<FeatureCollection>();
  const [fine, setFine] = useState<FeatureCollection>();
  useEffect(() => {
    let current = true;
    loadOutlines(coarseUrl).then(
      (data) => current && setCoarse(data),
      () => undefined,
    );
    return () => {
      current = false;
    };
  }, []);
  useEffect(() => {
    if (!detailed) return;
    let current = true;
    loadOutlines(detailedUrl).then(
      (data) => current && setFine(data),
      () => undefined,
    );
    return () => {
      current = false;
    };
  }, [detailed]);
  return (detailed && fine) || coarse;
}

/** The city labels, once wanted (undefined until loaded). */
export function useCityLabels(wanted: boolean): CityLabel[] | undefined {
  const [labels, setLabels] = useState<CityLabel[]>();
  useEffect(() => {
    if (!wanted) return;
    let current = true;
    fetchJson<CityLabel[]>(cityLabelsUrl).then(
      (data) => current && setLabels(data),
      () => undefined,
    );
    return () => {
      current = false;
    };
  }, [wanted]);
  return labels;
}

/** The smallest city population labelled at a zoom level: only the largest at world scale. */
export function minPopulationAt(zoom: number): number {
  if (zoom <= 3) return 5_000_000;
  if (zoom === 4) return 2_000_000;
  if (zoom === 5) return 1_000_000;
  if (zoom === 6) return 500_000;
  return 300_000;
}

/** The labels to draw in a view: inside the bounds, big enough for the zoom, at most `max`. */
export function labelsInView(
  labels: CityLabel[],
  bounds: { south: number; west: number; north: number; east: number },
  zoom: number,
  max = 60,
): CityLabel[] {
  const min = minPopulationAt(zoom);
  const out: CityLabel[] = [];
  const wraps = bounds.east - bounds.west >= 360;
  for (const label of labels) {
    if (label[3] < min) break; // most populous first
    const [, lat, lng] = label;
    if (lat < bounds.south || lat > bounds.north) continue;
    if (!wraps && !lngInside(lng, bounds.west, bounds.east)) continue;
    out.push(label);
    if (out.length >= max) break;
  }
  return out;
}

function lngInside(lng: number, west: number, east: number): boolean {
  for (const shift of [-360, 0, 360]) if (lng + shift >= west && lng + shift <= east) return true;
  return false;
}
