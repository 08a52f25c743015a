/**
 * Nearest verified doctors, ranked (see ./ranking.ts), through the `doctor_geo` R*Tree.
 *
 * The search runs in three phases so a dense city with thousands of doctors inside the
 * radius does not cost thousands of full rows:
 *
 * 1. Rings: a count of the R*Tree entries near the origin (nothing leaves SQLite) sizes a
 *    first ring to hold about 2k doctors; rings then grow by √2 up to the radius. Each ring
 *    reads only the new strips of its bounding box, and only the R*Tree's own columns (id
 *    and float32 point), so this is cheap; each doctor belongs to one ring by its distance.
 * 2. Scoring, nearest first: the doctors of a ring are sorted by distance and looked up in
 *    chunks for the few columns the score needs (SQL applies the filters). A bounded
 *    min-heap keeps the best k. Before each chunk, the best score any doctor at that
 *    distance or farther could reach (perfect rating, every bonus) is compared with the
 *    k-th best so far: when it cannot enter the top k, the search stops.
 * 3. Only the k winners are read in full (name, clinic, JSON lists) and explained.
 *
 * `scanDoctors` computes the same answer by a full scan without the R*Tree: the baseline of
 * scripts/bench-doctors.ts and the oracle of the tests.
 */
import type BetterSqlite3 from "better-sqlite3";
import {
  boundingBox,
  distanceKm,
  EARTH_RADIUS_KM,
  validCoordinates,
  wrapLongitudes,
  type Box,
} from "~/geo/geo";
import {
  bayesianRating,
  maxScoreBeyond,
  rankScore,
  RATING_PRIOR,
  whyRecommended,
  type RankInput,
} from "./ranking";

export type DoctorSearch = {
  lat: number;
  lng: number;
  radiusKm: number;
  /** How many doctors to return (the best k). */
  k: number;
  /** Only doctors with this specialty id (see ./specialties.ts). */
  specialty?: string;
  /** Only doctors speaking this language. */
  language?: string;
  /** true: only doctors offering teleconsultation (false or absent: no filter). */
  teleconsultation?: boolean;
  /** true: only doctors accepting new patients (false or absent: no filter). */
  acceptingNewPatients?: boolean;
  /** Minimum Bayesian rating (see bayesianRating). */
  minRating?: number;
  /** Specialties that fit the patient's case: a ranking boost, not a filter. */
  boostSpecialties?: string[];
};

export type DoctorHit = {
  id: string;
  /** users.display_name, prefixed with the profile's title if any ("Dr. Ada Lovelace"). */
  name: string;
  clinicName: string | null;
  city: string | null;
  country: string | null;
  lat: number;
  lng: number;
  distanceKm: number;
  ratingCount: number;
  /** Plain mean of the visible reviews, or null without reviews. */
  ratingMean: number | null;
  bayesian: number;
  specialties: string[];
  languages: string[];
  offersTeleconsultation: boolean;
  acceptsNewPatients: boolean;
  score: number;
  why: string[];
};

// ---------------------------------------------------------------------------------------
// Prepared statements, once per connection.

type Statements = {
  read: <T>(fn: () => T) => T;
  ring: BetterSqlite3.Statement;
  count: BetterSqlite3.Statement;
  score: BetterSqlite3.Statement;
  details: BetterSqlite3.Statement;
  scan: BetterSqlite3.Statement;
};

const statementCache = new WeakMap<BetterSqlite3.Database, Statements>();

const PRIOR_SUM = RATING_PRIOR.mean * RATING_PRIOR.weight;

/**
 * Filters of the scoring query: @specialty needle ('"id"' or NULL), @language needle,
 * @teleconsultation only (0/1), @accepting only (0/1), @minRating (Bayesian) or NULL. Needles are quoted JSON strings, so "hematology" does not match
 * "hematology-oncology" inside the JSON text.
 */
const FILTERS = `
  p.status = 'verified' AND p.lat IS NOT NULL AND p.lng IS NOT NULL
  AND (@specialty IS NULL OR instr(p.specialties, @specialty) > 0)
  AND (@language IS NULL OR instr(p.languages, @language) > 0)
  AND (@teleconsultation = 0 OR p.offers_teleconsultation = 1)
  AND (@accepting = 0 OR p.accepts_new_patients = 1)
  AND (@minRating IS NULL OR (${PRIOR_SUM} + p.rating_sum) / (${RATING_PRIOR.weight}.0 + p.rating_count) >= @minRating)`;

function statements(db: BetterSqlite3.Database): Statements {
  let cached = statementCache.get(db);
  if (cached) return cached;
  const inTransaction = db.transaction((fn: () => unknown) => fn());
  cached = {
    read: <T>(fn: () => T) => inTransaction.deferred(fn) as T,
    // R*Tree boxes are float32, rounded outwards: test overlap, not containment, so a
    // point whose stored box is a hair wider than its coordinates is never missed.
    // Points are stored as degenerate boxes: min_lat/min_lng are the point, rounded down.
    ring: db
      .prepare(
        `SELECT id, min_lat, min_lng FROM doctor_geo
         WHERE max_lat >= ? AND min_lat <= ? AND max_lng >= ? AND min_lng <= ?`,
      )
      .raw(),
    count: db
      .prepare(
        `SELECT count(*) FROM doctor_geo
         WHERE max_lat >= ? AND min_lat <= ? AND max_lng >= ? AND min_lng <= ?`,
      )
      .pluck(),
    // @ids: JSON array of geo ids; @match: JSON array of needles earning the specialty bonus.
    score: db
      .prepare(
        `SELECT p.geo_id, p.lat, p.lng, p.rating_sum, p.rating_count,
                p.offers_teleconsultation, p.accepts_new_patients,
                EXISTS (SELECT 1 FROM json_each(@match) b WHERE instr(p.specialties, b.value) > 0)
         FROM doctor_profiles p INDEXED BY doctor_profiles_geo_id_unique
         WHERE p.geo_id IN (SELECT value FROM json_each(@ids)) AND ${FILTERS}`,
      )
      .raw(),
    details: db.prepare(
      `SELECT p.geo_id AS geoId, p.id, p.title, u.display_name AS displayName,
              p.clinic_name AS clinicName, p.city, p.country,
              p.specialties, p.languages
       FROM doctor_profiles p JOIN users u ON u.id = p.user_id
       WHERE p.geo_id IN (SELECT value FROM json_each(?))`,
    ),
    // The baseline: every verified doctor with a location, no spatial index, filters in JS.
    scan: db
      .prepare(
        `SELECT p.geo_id, p.lat, p.lng, p.rating_sum, p.rating_count,
                p.offers_teleconsultation, p.accepts_new_patients, p.specialties, p.languages
         FROM doctor_profiles p NOT INDEXED
         WHERE p.status = 'verified' AND p.lat IS NOT NULL AND p.lng IS NOT NULL`,
      )
      .raw(),
  };
  statementCache.set(db, cached);
  return cached;
}

// ---------------------------------------------------------------------------------------
// Top-k bookkeeping.

type Scored = RankInput & { geoId: number; lat: number; lng: number; score: number };

/** The final order: score, then nearer, then the older profile (smaller geo id). */
function better(a: Scored, b: Scored): boolean {
  if (a.score !== b.score) return a.score > b.score;
  if (a.distanceKm !== b.distanceKm) return a.distanceKm < b.distanceKm;
  return a.geoId < b.geoId;
}

/** A bounded heap keeping the k best; the root is the worst of them. */
class TopK {
  readonly items: Scored[] = [];
  constructor(readonly k: number) {}

  get full(): boolean {
    return this.items.length >= this.k;
  }

  /** The k-th best score, or -Infinity while fewer than k were offered. */
  get threshold(): number {
    return this.full ? this.items[0]!.score : -Infinity;
  }

  offer(x: Scored): void {
    const h = this.items;
    if (h.length < this.k) {
      h.push(x);
      let i = h.length - 1;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (!better(h[parent]!, h[i]!)) break;
        [h[parent], h[i]] = [h[i]!, h[parent]!];
        i = parent;
      }
      return;
    }
    if (h.length === 0 || !better(x, h[0]!)) return;
    h[0] = x;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let worst = i;
      if (l < h.length && better(h[worst]!, h[l]!)) worst = l;
      if (r < h.length && better(h[worst]!, h[r]!)) worst = r;
      if (worst === i) break;
      [h[worst], h[i]] = [h[i]!, h[worst]!];
      i = worst;
    }
  }

  sorted(): Scored[] {
    return [...this.items].sort((a, b) => (better(a, b) ? -1 : better(b, a) ? 1 : 0));
  }
}

// ---------------------------------------------------------------------------------------
// Query normalisation.

type Normalised = {
  lat: number;
  lng: number;
  radiusKm: number;
  k: number;
  specialty: string | null;
  language: string | null;
  teleconsultation: boolean;
  acceptingNewPatients: boolean;
  minRating: number | null;
  /** Specialties earning the bonus: the filter and the case's boosts. */
  matchSpecialties: string[];
};

function normalise(query: DoctorSearch): Normalised | null {
  if (!validCoordinates(query.lat, query.lng)) throw new RangeError("Invalid coordinates");
  if (!(query.radiusKm >= 0) || !Number.isFinite(query.radiusKm)) {
    throw new RangeError("Invalid radius");
  }
  const k = Math.floor(query.k);
  if (!(k > 0)) return null;
  const matchSpecialties = [
    ...new Set([...(query.specialty ? [query.specialty] : []), ...(query.boostSpecialties ?? [])]),
  ];
  return {
    lat: query.lat,
    lng: query.lng,
    radiusKm: query.radiusKm,
    k,
    specialty: query.specialty || null,
    language: query.language || null,
    teleconsultation: query.teleconsultation === true,
    acceptingNewPatients: query.acceptingNewPatients === true,
    minRating: query.minRating && query.minRating > 0 ? query.minRating : null,
    matchSpecialties,
  };
}

const needle = (value: string) => JSON.stringify(value);

type Row = [number, number, number, number, number, number, number, number];

function scoreRow(q: Normalised, row: Row): Scored | null {
  const lat = row[1];
  const lng = row[2];
  const d = distanceKm(q.lat, q.lng, lat, lng);
  if (d > q.radiusKm) return null;
  const scored: Scored = {
    geoId: row[0],
    lat,
    lng,
    distanceKm: d,
    radiusKm: q.radiusKm,
    ratingSum: row[3],
    ratingCount: row[4],
    offersTeleconsultation: row[5] === 1,
    acceptsNewPatients: row[6] === 1,
    specialtyMatch: row[7] === 1,
    score: 0,
  };
  scored.score = rankScore(scored);
  return scored;
}

// ---------------------------------------------------------------------------------------
// The indexed search.

/** Float32 R*Tree coordinates are off by under a metre; 10 m covers it with margin. */
const SLACK_KM = 0.01;
/**
 * Rings: counting R*Tree entries is nearly free (no rows leave SQLite), so the first ring is
 * sized from the count within a quarter of the radius to hold about FIRST_RING_TARGET·k
 * doctors. Each next ring is √2 wider. Few doctors in the whole box: a single ring.
 */
const FIRST_RING_TARGET = 2;
const SINGLE_RING_MAX = 256;
const MIN_FIRST_RING_KM = 0.25;
const RING_GROWTH = Math.SQRT2;
/** Doctors looked up per statement: small enough to stop close to the exact point. */
const CHUNK = 32;

/** Work counters, cumulative over all searches of the process (read by the benchmark). */
export const searchStats = { searches: 0, rings: 0, indexRows: 0, lookedUp: 0 };

/**
 * The part of `outer` outside `inner` (same centre, inner ⊆ outer, unwrapped longitudes)
 * as up to four strips: south, north, west, east. Boundaries are shared; callers dedupe.
 */
function ringStrips(inner: Box | null, outer: Box): Box[] {
  if (!inner) return [outer];
  const strips: Box[] = [
    { minLat: outer.minLat, maxLat: inner.minLat, minLng: outer.minLng, maxLng: outer.maxLng },
    { minLat: inner.maxLat, maxLat: outer.maxLat, minLng: outer.minLng, maxLng: outer.maxLng },
    { minLat: inner.minLat, maxLat: inner.maxLat, minLng: outer.minLng, maxLng: inner.minLng },
    { minLat: inner.minLat, maxLat: inner.maxLat, minLng: inner.maxLng, maxLng: outer.maxLng },
  ];
  return strips.filter((b) => b.minLat < b.maxLat && b.minLng < b.maxLng);
}

export function searchDoctors(db: BetterSqlite3.Database, query: DoctorSearch): DoctorHit[] {
  const q = normalise(query);
  if (!q) return [];
  searchStats.searches++;
  // One read transaction: every phase sees the same snapshot of the database.
  return statements(db).read(() => search(statements(db), q));
}

function search(st: Statements, q: Normalised): DoctorHit[] {
  const top = new TopK(q.k);
  const specialtyPossible = q.matchSpecialties.length > 0;
  const params = {
    ids: "[]",
    specialty: q.specialty === null ? null : needle(q.specialty),
    language: q.language === null ? null : needle(q.language),
    teleconsultation: q.teleconsultation ? 1 : 0,
    accepting: q.acceptingNewPatients ? 1 : 0,
    minRating: q.minRating,
    match: JSON.stringify(q.matchSpecialties.map(needle)),
  };
  /** Stop once nobody at `km` or farther can beat the k-th best (ties still go on). */
  const done = (km: number) =>
    top.full && top.threshold > maxScoreBeyond(km, q.radiusKm, specialtyPossible);

  // Approximate distances (haversine) from the float32 R*Tree boxes, within a metre.
  const toRad = Math.PI / 180;
  const cosLat0 = Math.cos(q.lat * toRad);
  const approxKm = (lat: number, lng: number) => {
    const sLat = Math.sin(((lat - q.lat) * toRad) / 2);
    const sLng = Math.sin(((lng - q.lng) * toRad) / 2);
    const h = sLat * sLat + cosLat0 * Math.cos(lat * toRad) * sLng * sLng;
    return 2 * EARTH_RADIUS_KM * Math.asin(Math.sqrt(h < 1 ? h : 1));
  };

  const fetched = new Set<number>(); // every R*Tree id read so far
  let pendingIds: number[] = []; // read, not yet looked up (beyond the rings done)
  let pendingKm: number[] = [];
  let previousBox: Box | null = null;
  const countWithin = (km: number) => {
    let n = 0;
    for (const b of wrapLongitudes(boundingBox(q.lat, q.lng, km + 2 * SLACK_KM))) {
      n += st.count.get(b.minLat, b.maxLat, b.minLng, b.maxLng) as number;
    }
    return n;
  };
  // Size the first ring from the local density (counted over a quarter of the radius).
  const near = q.radiusKm / 4;
  const nearCount = countWithin(near);
  const wanted = FIRST_RING_TARGET * q.k;
  let ring: number;
  if (nearCount >= wanted) {
    ring = Math.max(Math.min(MIN_FIRST_RING_KM, near), near * Math.sqrt(wanted / nearCount));
  } else {
    const allCount = countWithin(q.radiusKm);
    if (allCount === 0) return [];
    ring = allCount <= SINGLE_RING_MAX ? q.radiusKm : near;
  }

  for (;;) {
    const last = ring >= q.radiusKm;
    const outer = last ? q.radiusKm + SLACK_KM : ring;
    searchStats.rings++;

    // Phase 1: only the R*Tree entries in this ring's box that were not read before.
    const box = boundingBox(q.lat, q.lng, outer + SLACK_KM);
    for (const strip of ringStrips(previousBox, box)) {
      for (const b of wrapLongitudes(strip)) {
        const rows = st.ring.all(b.minLat, b.maxLat, b.minLng, b.maxLng) as number[][];
        searchStats.indexRows += rows.length;
        for (let i = 0; i < rows.length; i++) {
          const r = rows[i]!;
          const id = r[0]!;
          if (fetched.has(id)) continue;
          fetched.add(id);
          const km = approxKm(r[1]!, r[2]!);
          if (km > q.radiusKm + SLACK_KM) continue;
          pendingIds.push(id);
          pendingKm.push(km);
        }
      }
    }
    previousBox = box;

    // Phase 2: the ring's doctors nearest first, in chunks, until nobody else can enter.
    const ids: number[] = [];
    const kms: number[] = [];
    const laterIds: number[] = [];
    const laterKm: number[] = [];
    for (let i = 0; i < pendingIds.length; i++) {
      if (pendingKm[i]! <= outer) {
        ids.push(pendingIds[i]!);
        kms.push(pendingKm[i]!);
      } else {
        laterIds.push(pendingIds[i]!);
        laterKm.push(pendingKm[i]!);
      }
    }
    pendingIds = laterIds;
    pendingKm = laterKm;
    const order = Array.from(ids.keys()).sort((a, b) => kms[a]! - kms[b]!);
    for (let start = 0; start < order.length; start += CHUNK) {
      if (done(kms[order[start]!]! - SLACK_KM)) return hydrate(st, q, top.sorted());
      const chunk = order.slice(start, start + CHUNK).map((i) => ids[i]!);
      params.ids = JSON.stringify(chunk);
      searchStats.lookedUp += chunk.length;
      const rows = st.score.all(params) as Row[];
      for (const row of rows) {
        const scored = scoreRow(q, row);
        if (scored) top.offer(scored);
      }
    }
    if (last || done(ring - SLACK_KM)) break;
    ring = Math.min(q.radiusKm, ring * RING_GROWTH);
  }
  return hydrate(st, q, top.sorted());
}

// ---------------------------------------------------------------------------------------
// The baseline: a full scan.

type ScanRow = [number | null, number, number, number, number, number, number, string, string];

const parseList = (json: string): string[] => {
  try {
    const value: unknown = JSON.parse(json);
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
  } catch {
    return [];
  }
};

/** The same answer as searchDoctors from a scan of every verified doctor (no R*Tree). */
export function scanDoctors(db: BetterSqlite3.Database, query: DoctorSearch): DoctorHit[] {
  const q = normalise(query);
  if (!q) return [];
  return statements(db).read(() => scan(statements(db), q));
}

function scan(st: Statements, q: Normalised): DoctorHit[] {
  const top = new TopK(q.k);
  const needsLists = q.specialty !== null || q.language !== null || q.matchSpecialties.length > 0;
  for (const row of st.scan.iterate() as IterableIterator<ScanRow>) {
    const [geoId, lat, lng, ratingSum, ratingCount, tele, accepting] = row;
    const d = distanceKm(q.lat, q.lng, lat, lng);
    if (d > q.radiusKm) continue;
    if (q.teleconsultation && tele !== 1) continue;
    if (q.acceptingNewPatients && accepting !== 1) continue;
    if (q.minRating !== null && bayesianRating(ratingSum, ratingCount) < q.minRating) continue;
    let match = false;
    if (needsLists) {
      const specialties = parseList(row[7]);
      if (q.specialty !== null && !specialties.includes(q.specialty)) continue;
      if (q.language !== null && !parseList(row[8]).includes(q.language)) continue;
      match = q.matchSpecialties.some((s) => specialties.includes(s));
    }
    const input: RankInput = {
      distanceKm: d,
      radiusKm: q.radiusKm,
      ratingSum,
      ratingCount,
      specialtyMatch: match,
      offersTeleconsultation: tele === 1,
      acceptsNewPatients: accepting === 1,
    };
    top.offer({ ...input, geoId: geoId ?? 0, lat, lng, score: rankScore(input) });
  }
  return hydrate(st, q, top.sorted());
}

// ---------------------------------------------------------------------------------------
// Phase 3: full rows for the winners only.

type DetailRow = {
  geoId: number;
  id: string;
  title: string | null;
  displayName: string;
  clinicName: string | null;
  city: string | null;
  country: string | null;
  specialties: string;
  languages: string;
};

function hydrate(st: Statements, q: Normalised, winners: Scored[]): DoctorHit[] {
  if (winners.length === 0) return [];
  const rows = st.details.all(JSON.stringify(winners.map((w) => w.geoId))) as DetailRow[];
  const byGeoId = new Map(rows.map((r) => [r.geoId, r]));
  const hits: DoctorHit[] = [];
  for (const w of winners) {
    const row = byGeoId.get(w.geoId);
    if (!row) continue;
    const specialties = parseList(row.specialties);
    const languages = parseList(row.languages);
    const title = row.title?.trim();
    hits.push({
      id: row.id,
      name: title ? `${title} ${row.displayName}` : row.displayName,
      clinicName: row.clinicName,
      city: row.city,
      country: row.country,
      lat: w.lat,
      lng: w.lng,
      distanceKm: w.distanceKm,
      ratingCount: w.ratingCount,
      ratingMean: w.ratingCount > 0 ? w.ratingSum / w.ratingCount : null,
      bayesian: bayesianRating(w.ratingSum, w.ratingCount),
      specialties,
      languages,
      offersTeleconsultation: w.offersTeleconsultation,
      acceptsNewPatients: w.acceptsNewPatients,
      score: w.score,
      why: whyRecommended({
        ...w,
        radiusKm: q.radiusKm,
        matchedSpecialty: q.matchSpecialties.find((s) => specialties.includes(s)) ?? null,
      }),
    });
  }
  return hits;
}
