import fs from "node:fs";
import { buildCityLabels, LABELS_FILE } from "../../scripts/map/city-labels";
import { labelsInView, minPopulationAt, type CityLabel } from "~/map/world";

describe("the offline map's city labels", () => {
  test("the committed file is what the packaged gazetteer gives (npm run build:city-labels)", () => {
    expect(JSON.parse(fs.readFileSync(LABELS_FILE, "utf8"))).toEqual(buildCityLabels());
  });

  test("a view shows the cities inside it, fewer the farther out the zoom", () => {
    const labels = JSON.parse(fs.readFileSync(LABELS_FILE, "utf8")) as CityLabel[];
    const europe = { south: 35, west: -10, north: 60, east: 30 };
    const world = labelsInView(labels, europe, 3).map((l) => l[0]);
    const region = labelsInView(labels, europe, 6, 1000).map((l) => l[0]);
    expect(world.length).toBeLessThan(region.length);
    expect(region).toEqual(expect.arrayContaining(["Paris", "Berlin", "Madrid"]));
    for (const [, lat, lng, population] of labelsInView(labels, europe, 5, 1000)) {
      expect(lat).toBeGreaterThanOrEqual(35);
      expect(lng).toBeGreaterThanOrEqual(-10);
      expect(population).toBeGreaterThanOrEqual(minPopulationAt(5));
    }
    // The whole world at zoom 2: every city of 5 million or more, and nothing smaller.
    const everywhere = labelsInView(labels, { south: -90, west: -180, north: 90, east: 180 }, 2);
    expect(everywhere.length).toBe(labels.filter((l) => l[3] >= 5_000_000).length);
    // A view across the antimeridian (170°E to 150°W: Auckland, Honolulu) finds cities on both sides of it.
    const pacific = labelsInView(labels, { south: -60, west: 170, north: 70, east: 210 }, 7, 1000);
    expect(pacific.some(([, , lng]) => lng < 0)).toBe(true);
    expect(pacific.some(([, , lng]) => lng > 0)).toBe(true);
  });
});
