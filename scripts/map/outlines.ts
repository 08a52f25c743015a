/**
 * Build the offline map's detailed country outlines from Natural Earth's 1:50m countries
 * (world-atlas): simplified with topojson-simplify (a point goes when the triangle it makes with
 * its neighbours is smaller than MIN_AREA square degrees: 99,539 points → 68,260; topology is kept,
 * so two countries keep one border) and cut into CELL_DEGREES × CELL_DEGREES cells of TopoJSON, so
 * a map fetches only what its view needs (Paris: two cells, 24 KB gzipped, not the world's 229 KB).
 *   npm run build:outlines   (writes public/map/outlines/*.json and app/map/outline-cells.json)
 * Each cell's file name carries a hash of its content (the server caches public files), and the
 * index, a fingerprinted asset the map fetches when idle, names them: no cell list in the map's
 * script.
 * The files are committed (they change only when the package does); a unit test rebuilds them and
 * compares, and checks that the cities the 1:50m outlines put on land are still on land.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import type { Feature, FeatureCollection, MultiPolygon, Polygon, Position } from "geojson";
import { feature } from "topojson-client";
import { topology } from "topojson-server";
import { presimplify, simplify } from "topojson-simplify";
import type { GeometryCollection, Topology } from "topojson-specification";

/** A cell's side, in degrees: a country on a phone's screen at zoom 4–6 needs one to four. */
export const CELL_DEGREES = 30;
/** Smallest triangle kept, in square degrees (planar, on longitude and latitude). */
export const MIN_AREA = 0.001;
/** Coordinates rounded to 1/1000 of a degree (~110 m) before a cell is quantized. */
const PRECISION = 1000;
/** Steps across a cell's extent in its TopoJSON (a 30° cell: ~350 m; the widest, ~2 km). */
const QUANTIZATION = 1e4;

const here = path.dirname(fileURLToPath(import.meta.url));
export const OUTLINES_DIR = path.resolve(here, "../../public/map/outlines");
export const CELLS_FILE = path.resolve(here, "../../app/map/outline-cells.json");

/** [file name, west, south, east, north]: what a cell's outlines cover (bounds rounded outwards). */
export type OutlineCell = [string, number, number, number, number];

type Countries = Topology<{ countries: GeometryCollection<{ name: string }> }>;

export function loadDetailedCountries(): FeatureCollection<Polygon | MultiPolygon> {
  const topology = createRequire(import.meta.url)("world-atlas/countries-50m.json") as Countries;
  return feature(topology, topology.objects.countries) as FeatureCollection<Polygon | MultiPolygon>;
}

function simplifiedCountries(): FeatureCollection<Polygon | MultiPolygon> {
  const topology = createRequire(import.meta.url)("world-atlas/countries-50m.json") as Countries;
  const simplified = simplify(presimplify(topology), MIN_AREA) as Countries;
  return feature(simplified, simplified.objects.countries) as FeatureCollection<
    Polygon | MultiPolygon
  >;
}

const round = (n: number) => Math.round(n * PRECISION) / PRECISION;

/** A ring rounded, without repeated points; null when too little is left to enclose anything. */
function roundRing(ring: Position[]): Position[] | null {
  const out: Position[] = [];
  for (const [x, y] of ring) {
    const p = [round(x!), round(y!)];
    const last = out[out.length - 1];
    if (!last || last[0] !== p[0] || last[1] !== p[1]) out.push(p);
  }
  return out.length >= 4 ? out : null;
}

function cellName(lng: number, lat: number): string {
  const west = Math.floor(lng / CELL_DEGREES) * CELL_DEGREES;
  const south = Math.floor(lat / CELL_DEGREES) * CELL_DEGREES;
  const ns =
    south < 0 ? `s${String(-south).padStart(2, "0")}` : `n${String(south).padStart(2, "0")}`;
  const ew = west < 0 ? `w${String(-west).padStart(3, "0")}` : `e${String(west).padStart(3, "0")}`;
  return `${ns}${ew}`;
}

export type Outlines = {
  cells: OutlineCell[];
  /** Each cell's countries as GeoJSON (what the map draws) … */
  features: Record<string, FeatureCollection>;
  /** … and as the TopoJSON it fetches (shared borders once, quantized), by cell … */
  files: Record<string, Topology>;
  /** … written as these files, by file name. */
  texts: Record<string, string>;
};

/**
 * Each polygon of each country goes to the cell holding the centre of its bounding box (a
 * polygon is never cut, so a cell's outlines may reach past the cell: its entry in the index
 * gives what they cover). One feature per country and cell, with the country's name.
 */
export function buildOutlines(): Outlines {
  const byCell = new Map<string, Map<string, Position[][][]>>();
  const bounds = new Map<string, [number, number, number, number]>();
  for (const country of simplifiedCountries().features) {
    const geometry = country.geometry;
    if (!geometry) continue;
    const polygons = geometry.type === "Polygon" ? [geometry.coordinates] : geometry.coordinates;
    const name = String((country.properties as { name?: string } | null)?.name ?? country.id);
    for (const polygon of polygons) {
      const rings = polygon.map(roundRing);
      if (!rings[0]) continue;
      const kept = rings.filter((r): r is Position[] => r !== null);
      let [w, s, e, n] = [Infinity, Infinity, -Infinity, -Infinity];
      for (const [x, y] of kept[0]!) {
        w = Math.min(w, x!);
        e = Math.max(e, x!);
        s = Math.min(s, y!);
        n = Math.max(n, y!);
      }
      const cell = cellName((w + e) / 2, (s + n) / 2);
      const countries = byCell.get(cell) ?? new Map<string, Position[][][]>();
      byCell.set(cell, countries);
      countries.set(name, [...(countries.get(name) ?? []), kept]);
      const b = bounds.get(cell) ?? [Infinity, Infinity, -Infinity, -Infinity];
      bounds.set(cell, [
        Math.min(b[0], w),
        Math.min(b[1], s),
        Math.max(b[2], e),
        Math.max(b[3], n),
      ]);
    }
  }
  const cells: OutlineCell[] = [];
  const features: Record<string, FeatureCollection> = {};
  const files: Record<string, Topology> = {};
  const texts: Record<string, string> = {};
  for (const cell of [...byCell.keys()].sort()) {
    const countries: Feature<MultiPolygon>[] = [...byCell.get(cell)!.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, coordinates]) => ({
        type: "Feature",
        properties: { name },
        geometry: { type: "MultiPolygon", coordinates },
      }));
    const collection: FeatureCollection = { type: "FeatureCollection", features: countries };
    files[cell] = topology({ countries: collection }, QUANTIZATION);
    features[cell] = feature(
      files[cell] as Countries,
      (files[cell] as Countries).objects.countries,
    ) as FeatureCollection;
    const [w, s, e, n] = bounds.get(cell)!;
    const text = JSON.stringify(files[cell]) + "\n";
    const hash = crypto.createHash("sha256").update(text).digest("hex").slice(0, 10);
    texts[`${cell}-${hash}.json`] = text;
    // (`|| 0`: no −0, which JSON writes as 0)
    const out = [Math.floor(w), Math.floor(s), Math.ceil(e), Math.ceil(n)].map((x) => x || 0);
    cells.push([`${cell}-${hash}.json`, out[0]!, out[1]!, out[2]!, out[3]!]);
  }
  return { cells, features, files, texts };
}

export function writeOutlines({ cells, texts }: Outlines) {
  fs.rmSync(OUTLINES_DIR, { recursive: true, force: true });
  fs.mkdirSync(OUTLINES_DIR, { recursive: true });
  for (const [file, text] of Object.entries(texts))
    fs.writeFileSync(path.join(OUTLINES_DIR, file), text);
  fs.writeFileSync(CELLS_FILE, JSON.stringify(cells) + "\n");
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const outlines = buildOutlines();
  writeOutlines(outlines);
  console.info(`wrote ${outlines.cells.length} cells to ${OUTLINES_DIR}`);
}
