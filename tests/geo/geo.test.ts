import { describe, expect, it } from "vitest";
import {
  boundingBoxes,
  destination,
  distanceKm,
  EARTH_RADIUS_KM,
  validCoordinates,
  type Box,
} from "~/geo/geo";

const inside = (boxes: Box[], lat: number, lng: number) =>
  boxes.some((b) => lat >= b.minLat && lat <= b.maxLat && lng >= b.minLng && lng <= b.maxLng);

/** Every sampled point on (and just inside) the circle lies in some box. */
function expectCovers(lat: number, lng: number, radiusKm: number) {
  const boxes = boundingBoxes(lat, lng, radiusKm);
  for (const b of boxes) {
    expect(b.minLat).toBeGreaterThanOrEqual(-90);
    expect(b.maxLat).toBeLessThanOrEqual(90);
    expect(b.minLng).toBeGreaterThanOrEqual(-180);
    expect(b.maxLng).toBeLessThanOrEqual(180);
    expect(b.minLat).toBeLessThanOrEqual(b.maxLat);
    expect(b.minLng).toBeLessThanOrEqual(b.maxLng);
  }
  const misses: string[] = [];
  for (let bearing = 0; bearing < 360; bearing += 0.5) {
    for (const fraction of [1, 0.999, 0.5]) {
      const p = destination(lat, lng, bearing, radiusKm * fraction);
      // The sampled point really is at that distance (destination is correct)...
      expect(distanceKm(lat, lng, p.lat, p.lng)).toBeCloseTo(radiusKm * fraction, 6);
      // ...and some box contains it.
      if (!inside(boxes, p.lat, p.lng)) misses.push(`${bearing}° ${p.lat},${p.lng}`);
    }
  }
  expect(misses).toEqual([]);
  return boxes;
}

describe("distanceKm", () => {
  it("matches known distances", () => {
    // Paris (Notre-Dame) – London (Charing Cross): ≈ 343.5 km on the mean sphere.
    expect(distanceKm(48.8566, 2.3522, 51.5074, -0.1278)).toBeCloseTo(343.5, 0);
    // One degree of latitude ≈ 111.2 km; a quarter meridian ≈ 10,008 km.
    expect(distanceKm(0, 0, 1, 0)).toBeCloseTo(111.195, 2);
    expect(distanceKm(0, 0, 90, 0)).toBeCloseTo((Math.PI / 2) * EARTH_RADIUS_KM, 6);
    // New York – Los Angeles ≈ 3,936 km.
    expect(distanceKm(40.7128, -74.006, 34.0522, -118.2437)).toBeGreaterThan(3930);
    expect(distanceKm(40.7128, -74.006, 34.0522, -118.2437)).toBeLessThan(3945);
  });

  it("is symmetric, zero at the same point and safe for antipodes and tiny steps", () => {
    expect(distanceKm(10, 20, 10, 20)).toBe(0);
    expect(distanceKm(10, 20, -30, 40)).toBeCloseTo(distanceKm(-30, 40, 10, 20), 9);
    const antipode = distanceKm(45, 10, -45, -170);
    expect(Number.isNaN(antipode)).toBe(false);
    expect(antipode).toBeCloseTo(Math.PI * EARTH_RADIUS_KM, 6);
    // One metre apart: no catastrophic cancellation.
    expect(distanceKm(0, 0, 0.001 / 111.195, 0)).toBeCloseTo(0.001, 6);
  });

  it("crosses the antimeridian the short way", () => {
    expect(distanceKm(0, 179.9, 0, -179.9)).toBeCloseTo(22.24, 1);
  });
});

describe("validCoordinates", () => {
  it("accepts the globe and rejects the rest", () => {
    expect(validCoordinates(0, 0)).toBe(true);
    expect(validCoordinates(90, 180)).toBe(true);
    expect(validCoordinates(-90, -180)).toBe(true);
    expect(validCoordinates(90.0001, 0)).toBe(false);
    expect(validCoordinates(0, -180.5)).toBe(false);
    expect(validCoordinates(Number.NaN, 0)).toBe(false);
    expect(validCoordinates(0, Number.POSITIVE_INFINITY)).toBe(false);
  });
});

describe("boundingBoxes", () => {
  it("is one tight box at mid latitudes", () => {
    const boxes = expectCovers(48.8566, 2.3522, 50);
    expect(boxes).toHaveLength(1);
    const [b] = boxes;
    // ±50 km is ±0.45° of latitude and ±0.68° of longitude at Paris.
    expect(b!.maxLat - 48.8566).toBeCloseTo(0.4497, 3);
    expect(b!.maxLng - 2.3522).toBeGreaterThan(0.68);
    expect(b!.maxLng - 2.3522).toBeLessThan(0.69);
    // Tight: a point just outside the circle on the equator side falls outside the box.
    expect(inside(boxes, 48.8566 - 0.46, 2.3522)).toBe(false);
  });

  it("covers the circle at many places and radii", () => {
    for (const [lat, lng] of [
      [0, 0],
      [35.68, 139.69],
      [-33.87, 151.21],
      [64.15, -21.94],
      [-54.8, -68.3],
      [78.22, 15.65],
    ] as const) {
      for (const r of [1, 10, 50, 250, 2000]) expectCovers(lat, lng, r);
    }
  });

  it("splits into two boxes across the antimeridian", () => {
    const east = expectCovers(-17.8, 179.9, 50); // Fiji
    expect(east).toHaveLength(2);
    expect(inside(east, -17.8, -179.9)).toBe(true);
    expect(east.some((b) => b.maxLng === 180)).toBe(true);
    expect(east.some((b) => b.minLng === -180)).toBe(true);
    const west = expectCovers(65, -179.5, 100);
    expect(west).toHaveLength(2);
    expect(inside(west, 65, 179.5)).toBe(true);
    // A point on the far side of the globe is in neither box.
    expect(inside(west, 65, 0)).toBe(false);
  });

  it("spans all longitudes when the circle contains a pole", () => {
    const north = expectCovers(89.8, 45, 50);
    expect(north).toEqual([{ minLat: expect.any(Number), maxLat: 90, minLng: -180, maxLng: 180 }]);
    expect(north[0]!.minLat).toBeCloseTo(89.8 - 0.4497, 3);
    // The far side of the pole is within 50 km too: 89.8° at lng −135 is ~44 km away.
    expect(distanceKm(89.8, 45, 89.8, -135)).toBeLessThan(50);
    expect(inside(north, 89.8, -135)).toBe(true);
    const south = expectCovers(-89.9, -120, 30);
    expect(south[0]).toMatchObject({ minLat: -90, minLng: -180, maxLng: 180 });
    expect(expectCovers(90, 0, 10)[0]).toMatchObject({ maxLat: 90, minLng: -180, maxLng: 180 });
  });

  it("widens longitudes near (but not over) a pole", () => {
    // 85° N, 100 km: the pole is 556 km away, so not included, but longitudes widen a lot.
    const boxes = expectCovers(85, 10, 100);
    expect(boxes).toHaveLength(1);
    expect(boxes[0]!.maxLat).toBeLessThan(90);
    expect(boxes[0]!.maxLng - 10).toBeGreaterThan(10);
  });

  it("rejects bad input", () => {
    expect(() => boundingBoxes(91, 0, 10)).toThrow(RangeError);
    expect(() => boundingBoxes(0, 0, -1)).toThrow(RangeError);
    expect(() => boundingBoxes(0, 0, Number.NaN)).toThrow(RangeError);
  });
});
