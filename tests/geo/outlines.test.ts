import fs from "node:fs";
import path from "node:path";
import booleanPointInPolygon from "@turf/boolean-point-in-polygon";
import type { Feature, MultiPolygon, Polygon } from "geojson";
import {
  buildOutlines,
  CELLS_FILE,
  loadDetailedCountries,
  OUTLINES_DIR,
} from "../../scripts/map/outlines";
import { LABELS_FILE } from "../../scripts/map/city-labels";
import { cellsInView, countryOutlines, outlinesInView, type CityLabel } from "~/map/world";

/** Each country with its bounding box, so a point is tested only against the countries around it. */
const boxed = (countries: Feature<Polygon | MultiPolygon>[]) =>
  countries
    .filter((country) => country.geometry)
    .map((country) => {
      const g = country.geometry;
      const all = (g.type === "Polygon" ? [g.coordinates] : g.coordinates).flat(2);
      const xs = all.map((p) => p[0]!);
      const ys = all.map((p) => p[1]!);
      const box = [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)] as const;
      return { country, box };
    });
type Boxed = ReturnType<typeof boxed>;
const onLand = (countries: Boxed, lat: number, lng: number) =>
  countries.some(
    ({ country, box: [w, s, e, n] }) =>
      lng >= w && lng <= e && lat >= s && lat <= n && booleanPointInPolygon([lng, lat], country),
  );
const points = (countries: Feature<Polygon | MultiPolygon>[]) =>
  countries.reduce((n, { geometry: g }) => {
    const polygons = !g ? [] : g.type === "Polygon" ? [g.coordinates] : g.coordinates;
    return n + polygons.flat().reduce((m, ring) => m + ring.length, 0);
  }, 0);

const built = buildOutlines();
const simplifiedFeatures = Object.values(built.features).flatMap(
  (cell) => cell.features as Feature<Polygon | MultiPolygon>[],
);
const detailedFeatures = loadDetailedCountries().features;
const simplified = boxed(simplifiedFeatures);
const detailed = boxed(detailedFeatures);

describe("the offline map's detailed outlines (npm run build:outlines)", () => {
  test("the committed cells are what the packaged 1:50m outlines give", () => {
    expect(JSON.parse(fs.readFileSync(CELLS_FILE, "utf8"))).toEqual(built.cells);
    expect(fs.readdirSync(OUTLINES_DIR).sort()).toEqual(built.cells.map(([file]) => file).sort());
    for (const [file] of built.cells)
      expect(fs.readFileSync(path.join(OUTLINES_DIR, file), "utf8")).toBe(built.texts[file]);
  });

  test("simplified, they keep Mumbai's clinics and the cities 1:50m puts on land on land", () => {
    expect(points(simplifiedFeatures)).toBeLessThan(points(detailedFeatures) * 0.75);
    // The 1:110m coastline put pins in the sea at Mumbai: its centre, Worli and Andheri.
    for (const [lat, lng] of [
      [19.07, 72.88],
      [19.0, 72.835],
      [19.12, 72.84],
    ] as const) {
      expect(onLand(detailed, lat, lng)).toBe(true);
      expect(onLand(simplified, lat, lng), `${lat}, ${lng}`).toBe(true);
    }
    // Every labelled city (≥ 300,000 people) on land at 1:50m, at most 2 in 1,000 lost.
    const labels = JSON.parse(fs.readFileSync(LABELS_FILE, "utf8")) as CityLabel[];
    const ashore = labels.filter(([, lat, lng]) => onLand(detailed, lat, lng));
    const lost = ashore.filter(([, lat, lng]) => !onLand(simplified, lat, lng));
    expect(ashore.length).toBeGreaterThan(1000);
    expect(lost.length, lost.map(([name]) => name).join(", ")).toBeLessThanOrEqual(
      ashore.length * 0.002,
    );
  });

  test("a view fetches only the cells that reach into it", () => {
    const cell = (file: string) => file.replace(/-\w+\.json$/, "");
    const paris = cellsInView(built.cells, { south: 48.7, west: 2.2, north: 49, east: 2.5 });
    expect(paris.map(cell)).toContain("n30e000"); // mainland France
    expect(paris.length).toBeLessThanOrEqual(3);
    const franceCell = built.features.n30e000!.features.map((f) => f.properties?.name);
    expect(franceCell).toContain("France");
    const mumbai = cellsInView(built.cells, { south: 18.8, west: 72.7, north: 19.3, east: 73.1 });
    expect(
      mumbai.some((file) =>
        built.features[cell(file)]!.features.some((f) => f.properties?.name === "India"),
      ),
    ).toBe(true);
    // Across the antimeridian (Fiji, 177°E to 178°W) both sides are found.
    const fiji = cellsInView(built.cells, { south: -19, west: 177, north: -16, east: 182 });
    expect(fiji.some((file) => file.includes("e150"))).toBe(true);
    expect(fiji.some((file) => file.includes("w180"))).toBe(true);
  });

  test("a city's view draws the 1:110m countries that reach into it, the world's view all", () => {
    const world = countryOutlines(
      JSON.parse(fs.readFileSync("node_modules/world-atlas/countries-110m.json", "utf8")),
    );
    const names = (view: Parameters<typeof outlinesInView>[1]) =>
      outlinesInView(world, view).outlines.features.map((f) => f.properties?.name as string);
    expect(outlinesInView(world, null).outlines.features).toHaveLength(world.features.length);
    const paris = names({ south: 48, west: 1, north: 50, east: 4 });
    expect(paris).toContain("France");
    expect(paris).not.toContain("Japan");
    expect(paris.length).toBeLessThan(12);
    // Across the antimeridian (Fiji's islands on both sides of it, unwrapped past 180°).
    expect(names({ south: -19, west: 177, north: -16, east: 182 })).toContain("Fiji");
    expect(names({ south: -19, west: -183, north: -16, east: -178 })).toContain("Fiji");
    // Two views with the same countries share a key, so the map keeps its layer.
    expect(outlinesInView(world, { south: 48, west: 1, north: 50, east: 4 }).key).toBe(
      outlinesInView(world, { south: 48, west: 1, north: 50, east: 4.5 }).key,
    );
  });
});
