/**
 * What the map draws without tiles, all packaged: country outlines from Natural Earth
 * (world-atlas; 1:110m at once, and from zoom DETAILED_ZOOM on the 1:50m outlines, simplified
 * and cut into cells at build time by `npm run build:outlines`, of which a map fetches only the
 * cells its view needs, once the page is idle) and the names of large cities from the offline
 * gazetteer (`city-labels.json`, built by `npm run build:city-labels`, also fetched when idle).
 * Each is a fingerprinted JSON file fetched beside the map chunk, not inlined into it: JSON
 * parses several times faster than the same data as JavaScript, and it stays out of the
 * scripts a phone must compile before the map shows.
 */
import type { FeatureCollection } from "geojson";
import { useEffect, useState } from "react";
import { feature } from "topojson-client";
import type { GeometryCollection, Topology } from "topojson-specification";
import {
  CITY_LABELS_URL as cityLabelsUrl,
  COARSE_OUTLINES_URL as coarseUrl,
  OUTLINE_CELLS_PATH,
  OUTLINE_CELLS_URL,
} from "./outline-urls";

/** From this zoom on (a region or closer) the detailed outlines replace the 1:110m ones. */
export const DETAILED_ZOOM = 4;

/** [name, lat, lng, population], most populous first. */
export type CityLabel = [string, number, number, number];

/** [file, west, south, east, north] (scripts/map/outlines.ts). */
export type OutlineCell = [string, number, number, number, number];
export type Bounds = { south: number; west: number; north: number; east: number };

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

type Position = number[];

/**
 * A ring that crosses the antimeridian (world-atlas stitches Fiji's and Russia's across it, for
 * spherical renderers) jumps from +180 to −180 on a flat map, and Leaflet draws the jump as a
 * line across the whole world. Continued past ±180 instead (a longitude of 181 is drawn just
 * east of 180), each ring stays where it belongs. Exported for the tests.
 */
export function unwrapRing(ring: Position[]): Position[] {
  let shift = 0;
  let previous: number | undefined;
  const unwrapped = ring.map((point) => {
    let lng = point[0]! + shift;
    if (previous !== undefined && Math.abs(lng - previous) > 180) {
      const turn = lng > previous ? -360 : 360;
      shift += turn;
      lng += turn;
    }
    previous = lng;
    return shift === 0 ? point : [lng, ...point.slice(1)];
  });
  // A ring around a pole (Antarctica) goes round the world once and does not come back to its
  // start when unwrapped: it is drawn as it was, along the map's edges.
  return shift === 0 ? unwrapped : ring;
}

/** [west, south, east, north] of every point of some rings (longitudes as unwrapped). */
function boxOf(rings: Position[][]): [number, number, number, number] {
  const box: [number, number, number, number] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const ring of rings)
    for (const [lng, lat] of ring) {
      if (lng! < box[0]) box[0] = lng!;
      if (lat! < box[1]) box[1] = lat!;
      if (lng! > box[2]) box[2] = lng!;
      if (lat! > box[3]) box[3] = lat!;
    }
  return box;
}

/** Each country unwrapped across the antimeridian, with its bounding box (`bbox`, GeoJSON's). */
function unwrapFeatures(collection: FeatureCollection): FeatureCollection {
  for (const f of collection.features) {
    const g = f.geometry;
    if (g?.type === "Polygon") {
      g.coordinates = g.coordinates.map(unwrapRing);
      f.bbox = boxOf(g.coordinates);
    } else if (g?.type === "MultiPolygon") {
      g.coordinates = g.coordinates.map((polygon) => polygon.map(unwrapRing));
      f.bbox = boxOf(g.coordinates.flat(1));
    }
  }
  return collection;
}

type CountriesTopology = Topology<{ countries: GeometryCollection }>;

/** A TopoJSON file's countries as GeoJSON, unwrapped and boxed. Exported for the tests. */
export function countryOutlines(topology: CountriesTopology): FeatureCollection {
  return unwrapFeatures(feature(topology, topology.objects.countries) as FeatureCollection);
}

const outlinesCache = new Map<string, Promise<FeatureCollection>>();
/** A TopoJSON file of countries (the 1:110m world, or one detailed cell) as GeoJSON. */
function loadOutlines(url: string): Promise<FeatureCollection> {
  let pending = outlinesCache.get(url);
  if (!pending) {
    pending = fetchJson<CountriesTopology>(url).then(countryOutlines);
    pending.catch(() => outlinesCache.delete(url));
    outlinesCache.set(url, pending);
  }
  return pending;
}

export function loadCountryOutlines(): Promise<FeatureCollection> {
  return loadOutlines(coarseUrl);
}

/** Run `task` when the browser is idle (at most `timeout` ms later); returns a cancel. */
export function whenIdle(task: () => void, timeout = 2000): () => void {
  if (typeof window.requestIdleCallback === "function") {
    const handle = window.requestIdleCallback(task, { timeout });
    return () => window.cancelIdleCallback(handle);
  }
  const handle = window.setTimeout(task, 200);
  return () => window.clearTimeout(handle);
}

/** Whether a box [west, south, east, north] reaches into `view` (longitudes may pass ±180). */
function reaches([west, south, east, north]: number[], view: Bounds): boolean {
  return (
    south! <= view.north &&
    north! >= view.south &&
    (view.east - view.west >= 360 || rangesOverlap(west!, east!, view.west, view.east))
  );
}

/** The files of the detailed cells whose outlines reach into `view` (longitudes may pass ±180). */
export function cellsInView(cells: OutlineCell[], view: Bounds): string[] {
  return cells.filter(([, ...box]) => reaches(box, view)).map(([name]) => name);
}

/**
 * The countries of `outlines` that reach into `view`, with a key that names them; all of them
 * when there is no view (further out than DETAILED_ZOOM). A city's view draws a few countries of
 * the 1:110m world, not ~180 (projected, clipped and added as SVG paths, ~0.2 s on a phone).
 */
export function outlinesInView(
  outlines: FeatureCollection,
  view: Bounds | null,
): { key: string; outlines: FeatureCollection } {
  if (!view) return { key: "all", outlines };
  const shown: number[] = [];
  outlines.features.forEach((f, i) => {
    if (!f.bbox || reaches(f.bbox, view)) shown.push(i);
  });
  return {
    key: shown.join(),
    outlines: { ...outlines, features: shown.map((i) => outlines.features[i]!) },
  };
}

function rangesOverlap(west: number, east: number, viewWest: number, viewEast: number): boolean {
  for (const shift of [-360, 0, 360])
    if (west + shift <= viewEast && east + shift >= viewWest) return true;
  return false;
}

/** The 1:110m outlines once loaded (undefined while loading, or when they cannot be fetched). */
export function useCoarseOutlines(): FeatureCollection | undefined {
  const [outlines, setOutlines] = useState<FeatureCollection>();
  useEffect(() => {
    let current = true;
    loadCountryOutlines().then(
      (data) => current && setOutlines(data),
      () => undefined,
    );
    return () => {
      current = false;
    };
  }, []);
  return outlines;
}

/** The index of the detailed cells, fetched on first use (never before the page is idle). */
function loadCellIndex(): Promise<OutlineCell[]> {
  return fetchJson<OutlineCell[]>(OUTLINE_CELLS_URL);
}

/**
 * From zoom DETAILED_ZOOM on (`view` set), the detailed cells the view reaches, fetched when the
 * page is idle: the map shows them once all are loaded, the 1:110m outlines until then (null).
 */
export function useDetailedCells(view: Bounds | null): Map<string, FeatureCollection> | null {
  const [state, setState] = useState<{ key: string; cells: Map<string, FeatureCollection> }>();
  const [wanted, setWanted] = useState<string | null>(null);
  const viewKey = view ? [view.south, view.west, view.north, view.east].join() : "";
  useEffect(() => {
    if (!view) {
      setWanted(null);
      return;
    }
    let current = true;
    const cancel = whenIdle(() => {
      loadCellIndex().then(
        (index) => {
          if (!current) return;
          const files = cellsInView(index, view);
          const key = files.join();
          setWanted(key);
          Promise.all(
            files.map((file) =>
              loadOutlines(OUTLINE_CELLS_PATH + file).then((d) => [file, d] as const),
            ),
          ).then(
            (entries) => current && setState({ key, cells: new Map(entries) }),
            () => undefined, // the 1:110m outlines stay
          );
        },
        () => undefined,
      );
    });
    return () => {
      current = false;
      cancel();
    };
    // The view by value: a new object for the same bounds needs nothing new.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [viewKey]);
  return wanted && state?.key === wanted ? state.cells : null;
}

/** The city labels, once wanted (undefined until loaded). */
export function useCityLabels(wanted: boolean): CityLabel[] | undefined {
  const [labels, setLabels] = useState<CityLabel[]>();
  useEffect(() => {
    if (!wanted) return;
    let current = true;
    // Names help once the map is up: fetched and drawn when the page is idle.
    const cancel = whenIdle(() => {
      fetchJson<CityLabel[]>(cityLabelsUrl).then(
        (data) => current && setLabels(data),
        () => undefined,
      );
    });
    return () => {
      current = false;
      cancel();
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
  bounds: Bounds,
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
