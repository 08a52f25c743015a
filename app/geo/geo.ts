/**
 * Pure great-circle geometry on a spherical Earth. No server imports: safe in the browser too.
 *
 * Bounding boxes follow Jan Matuschek, "Finding Points Within a Distance of a
 * Latitude/Longitude Using Bounding Coordinates" (2011): they are exact enough that an
 * index query on the boxes never misses a point inside the circle, and handle the poles
 * and the antimeridian.
 */

/** Mean Earth radius (IUGG), in km. */
export const EARTH_RADIUS_KM = 6371.0088;

const DEG = Math.PI / 180;

export type Box = { minLat: number; maxLat: number; minLng: number; maxLng: number };

export function validCoordinates(lat: number, lng: number): boolean {
  return (
    typeof lat === "number" &&
    typeof lng === "number" &&
    Number.isFinite(lat) &&
    Number.isFinite(lng) &&
    lat >= -90 &&
    lat <= 90 &&
    lng >= -180 &&
    lng <= 180
  );
}

/**
 * Haversine distance in km. The haversine term is clamped to [0, 1] so rounding can never
 * produce NaN for (nearly) antipodal points, and it stays accurate for tiny distances.
 */
export function distanceKm(aLat: number, aLng: number, bLat: number, bLng: number): number {
  const dLat = (bLat - aLat) * DEG;
  const dLng = (bLng - aLng) * DEG;
  const sLat = Math.sin(dLat / 2);
  const sLng = Math.sin(dLng / 2);
  const h = sLat * sLat + Math.cos(aLat * DEG) * Math.cos(bLat * DEG) * sLng * sLng;
  const clamped = Math.min(1, Math.max(0, h));
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.sqrt(clamped));
}

/**
 * Latitude/longitude boxes (degrees) that together contain every point whose great-circle
 * distance from (lat, lng) is at most radiusKm. One box usually; two when the circle crosses
 * the antimeridian; one box spanning all longitudes when the circle contains a pole.
 */
export function boundingBoxes(lat: number, lng: number, radiusKm: number): Box[] {
  return wrapLongitudes(boundingBox(lat, lng, radiusKm));
}

/**
 * The bounding box of the circle as ONE box in "unwrapped" longitudes: minLng may be below
 * −180 and maxLng above 180 near the antimeridian, and a circle containing a pole spans
 * [lng − 180, lng + 180]. Boxes of circles with the same centre nest, which makes ring
 * differences simple; `wrapLongitudes` turns such a box into real ones.
 */
export function boundingBox(lat: number, lng: number, radiusKm: number): Box {
  if (!validCoordinates(lat, lng)) throw new RangeError("Invalid coordinates");
  if (!(radiusKm >= 0) || !Number.isFinite(radiusKm)) throw new RangeError("Invalid radius");

  // Angular radius, with a hair of slack so points exactly on the circle survive rounding.
  const r = Math.min(Math.PI, radiusKm / EARTH_RADIUS_KM) * (1 + 1e-9) + 1e-12;
  const latR = lat * DEG;
  const minLatR = latR - r;
  const maxLatR = latR + r;

  if (minLatR > -Math.PI / 2 && maxLatR < Math.PI / 2) {
    const ratio = Math.sin(r) / Math.cos(latR);
    // ratio >= 1 is only reachable at huge radii: the circle then covers every meridian.
    const dLng = ratio >= 1 ? 180 : Math.asin(ratio) / DEG;
    return { minLat: minLatR / DEG, maxLat: maxLatR / DEG, minLng: lng - dLng, maxLng: lng + dLng };
  }
  // A pole is within the circle: every longitude is reachable.
  return {
    minLat: Math.max(-90, minLatR / DEG),
    maxLat: Math.min(90, maxLatR / DEG),
    minLng: lng - 180,
    maxLng: lng + 180,
  };
}

/** Real boxes (longitudes in [−180, 180]) covering a box with unwrapped longitudes. */
export function wrapLongitudes(box: Box): Box[] {
  const { minLat, maxLat } = box;
  if (box.maxLng - box.minLng >= 360) return [{ minLat, maxLat, minLng: -180, maxLng: 180 }];
  const shift = 360 * Math.floor((box.minLng + 180) / 360);
  const minLng = box.minLng - shift;
  const maxLng = box.maxLng - shift;
  if (maxLng <= 180) return [{ minLat, maxLat, minLng, maxLng }];
  return [
    { minLat, maxLat, minLng, maxLng: 180 },
    { minLat, maxLat, minLng: -180, maxLng: maxLng - 360 },
  ];
}

/** The point reached by travelling distanceKm from (lat, lng) on an initial bearing (degrees). */
export function destination(
  lat: number,
  lng: number,
  bearingDeg: number,
  distanceKmValue: number,
): { lat: number; lng: number } {
  const d = distanceKmValue / EARTH_RADIUS_KM;
  const b = bearingDeg * DEG;
  const lat1 = lat * DEG;
  const lng1 = lng * DEG;
  const sinLat2 = Math.sin(lat1) * Math.cos(d) + Math.cos(lat1) * Math.sin(d) * Math.cos(b);
  const lat2 = Math.asin(Math.min(1, Math.max(-1, sinLat2)));
  const lng2 =
    lng1 +
    Math.atan2(Math.sin(b) * Math.sin(d) * Math.cos(lat1), Math.cos(d) - Math.sin(lat1) * sinLat2);
  const lngDeg = ((((lng2 / DEG + 180) % 360) + 360) % 360) - 180;
  return { lat: lat2 / DEG, lng: lngDeg };
}
