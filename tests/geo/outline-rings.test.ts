import fs from "node:fs";
import { createRequire } from "node:module";
import { feature } from "topojson-client";
import type { FeatureCollection, MultiPolygon, Polygon } from "geojson";
import type { GeometryCollection, Topology } from "topojson-specification";
import { unwrapRing } from "~/map/world";

/** The largest step in longitude between two neighbours of a ring. */
const widestStep = (ring: number[][]) =>
  Math.max(0, ...ring.slice(1).map((p, i) => Math.abs(p[0]! - ring[i]![0]!)));

describe("country outlines on a flat map", () => {
  test("a ring stitched across the antimeridian is continued past it, not drawn across the world", () => {
    // An island straddling 180°, as world-atlas stitches it: 179.5 → −179.5 → back.
    const fiji = [
      [179.5, -16],
      [-179.5, -16],
      [-179.5, -17],
      [179.5, -17],
      [179.5, -16],
    ];
    expect(unwrapRing(fiji)).toEqual([
      [179.5, -16],
      [180.5, -16],
      [180.5, -17],
      [179.5, -17],
      [179.5, -16],
    ]);
    // A ring around the pole is left as it is; so is one that never comes near 180°.
    const antarctica = [
      [-180, -90],
      [-180, -70],
      [0, -65],
      [180, -70],
      [180, -90],
      [-180, -90],
    ];
    expect(unwrapRing(antarctica)).toBe(antarctica);
    const square = [
      [1, 1],
      [2, 1],
      [2, 2],
      [1, 1],
    ];
    expect(unwrapRing(square)).toEqual(square);
  });

  test("in the packaged 1:110m world, only the polar ring keeps a step wider than 180°", () => {
    const file = createRequire(import.meta.url).resolve("world-atlas/countries-110m.json");
    const topology = JSON.parse(fs.readFileSync(file, "utf8")) as Topology<{
      countries: GeometryCollection;
    }>;
    const world = feature(topology, topology.objects.countries) as FeatureCollection<
      Polygon | MultiPolygon
    >;
    const rings = world.features.flatMap((f) =>
      f.geometry.type === "Polygon" ? f.geometry.coordinates : f.geometry.coordinates.flat(),
    );
    const jumping = rings.filter((r) => widestStep(r) > 180);
    expect(jumping.length).toBeGreaterThan(0); // Fiji and Russia's far east, stitched
    const after = rings.map(unwrapRing).filter((r) => widestStep(r) > 180);
    // Only rings around a pole may still jump (drawn along the map's edge).
    expect(after.every((r) => r.some((p) => Math.abs(p[1]!) > 80))).toBe(true);
    expect(after.length).toBeLessThan(jumping.length);
  });
});
