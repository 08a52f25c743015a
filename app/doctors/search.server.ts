/**
 * Nearest verified doctors, ranked (see ./ranking.ts), through the `doctor_geo` R*Tree.
 *
 * The R*Tree holds everything the score needs (db/migrations/0012, decision 039): the point
 * as a box, the Bayesian rating as a third dimension, and the exact point, review aggregates,
 * flags and JSON lists as auxiliary columns. A search reads growing rings around the origin:
 *
 * 1. The first ring is a fixed fraction of the radius; each ring reads only the new strips of
 *    its bounding box, in one R*Tree query per strip that applies the filters and returns the
 *    scoring columns (nothing is looked up in doctor_profiles while scoring).
 * 2. Every doctor read is scored exactly and offered to a bounded min-heap of the best k.
 *    Once k are held, a doctor at distance d or farther can only enter with a rating high
 *    enough to make up for it: the strip query asks the R*Tree only for such ratings (the
 *    third dimension), so most of a dense city is never read. The best score anyone beyond
 *    the ring could reach (perfect rating, every bonus) also says how far the next ring must
 *    reach for the search to end there; the search stops when nobody unread can enter.
 * 3. Only the k winners are read in full (name, clinic) and explained.
 *
 * `scanDoctors` computes the same answer by a full scan without the R*Tree: the baseline of
 * scripts/bench-doctors.ts and the oracle of the tests.
 */
import type BetterSqlite3 from "better-sqlite3";
import { boundingBox, distanceKm, validCoordinates, wrapLongitudes, type Box } from "~/geo/geo";
import {
  bayesianRating,
  maxScoreBeyond,
  rankScore,
  RANKING_WEIGHTS,
  whyRecommended,
  type RankInput,
} from "./ranking";
import type { Fee } from "./fees";

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
  /** Answered consultations and their median reply time (ms); see ./reply-time.ts. */
  replyCount: number;
  medianReplyMs: number | null;
  /** Stated fees (./fees.ts), or null. */
  inPersonFee: Fee | null;
  teleconsultationFee: Fee | null;
  hasPhoto: boolean;
  score: number;
  why: string[];
};

// ---------------------------------------------------------------------------------------
// Prepared statements, once per connection.

type Statements = {
  read: <T>(fn: () => T) => T;
  /** A strip of a ring, with the doctors' specialties (for the bonus) or without. */
  ring: BetterSqlite3.Statement;
  ringWithSpecialties: BetterSqlite3.Statement;
  details: BetterSqlite3.Statement;
  scan: BetterSqlite3.Statement;
};

const statementCache = new WeakMap<BetterSqlite3.Database, Statements>();

/**
 * One ring: the doctors in the box @minLat..@maxLng but in neither of the previous ring's
 * boxes @a… and @b… (a box crossing the antimeridian is two; an unused one is empty), with a
 * Bayesian rating of at least @minBayes, and the filters: @specialty needle ('"id"' or NULL),
 * @language needle, @teleconsultation only (0/1), @accepting only (0/1). Needles are quoted
 * JSON strings, so "hematology" does not match "hematology-oncology" inside the JSON text.
 *
 * Boxes are tested for overlap, not containment: R*Tree coordinates are float32 rounded
 * outwards, so a point whose stored box is a hair wider is never missed, and a doctor
 * overlapping the previous box was read by the previous ring. The rating is the third
 * dimension (also rounded outwards: a lower bound never drops a doctor who reaches it), so
 * the R*Tree skips low ratings without reading their auxiliary columns.
 */
const notIn = (p: string) =>
  `NOT (max_lat >= @${p}MinLat AND min_lat <= @${p}MaxLat
        AND max_lng >= @${p}MinLng AND min_lng <= @${p}MaxLng)`;
const ringSql = (specialties: boolean) => `
  SELECT id, lat, lng, rating_sum, rating_count, teleconsultation, accepting,
         ${specialties ? "specialties" : "NULL"}
  FROM doctor_geo
  WHERE max_lat >= @minLat AND min_lat <= @maxLat AND max_lng >= @minLng AND min_lng <= @maxLng
    AND max_rating >= @minBayes
    AND ${notIn("a")} AND ${notIn("b")}
    AND (@specialty IS NULL OR instr(specialties, @specialty) > 0)
    AND (@language IS NULL OR instr(languages, @language) > 0)
    AND (@teleconsultation = 0 OR teleconsultation = 1)
    AND (@accepting = 0 OR accepting = 1)`;

function statements(db: BetterSqlite3.Database): Statements {
  let cached = statementCache.get(db);
  if (cached) return cached;
  const inTransaction = db.transaction((fn: () => unknown) => fn());
  cached = {
    read: <T>(fn: () => T) => inTransaction.deferred(fn) as T,
    ring: db.prepare(ringSql(false)).raw(),
    ringWithSpecialties: db.prepare(ringSql(true)).raw(),
    details: db.prepare(
      `SELECT p.geo_id AS geoId, p.id, p.title, u.display_name AS displayName,
              p.clinic_name AS clinicName, p.city, p.country,
              p.specialties, p.languages, p.reply_count AS replyCount,
              p.median_reply_ms AS medianReplyMs, p.in_person_fee AS inPersonFee,
              p.teleconsultation_fee AS teleconsultationFee, p.photo_key IS NOT NULL AS hasPhoto
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

/** A strip row: geo id, lat, lng, rating sum, count, teleconsultation, accepting, specialties. */
type Row = [number, number, number, number, number, number, number, string | null];

// ---------------------------------------------------------------------------------------
// The indexed search.

/** Float32 R*Tree coordinates are off by under a metre; 10 m covers it with margin. */
const SLACK_KM = 0.01;
/**
 * The first ring, as a fraction of the radius. Its size is not tuned to the local density
 * (counting costs as much as reading): once it holds k doctors, the next ring is sized from
 * the k-th best score to be the last one, and the rating bound keeps it cheap in dense
 * cities; with fewer than k, each ring doubles.
 */
const FIRST_RING = 1 / 64;
const SPARSE_GROWTH = 2;
const FULL_GROWTH = Math.SQRT2;
/** Rounding margin of the rating bound: it must only ever let more doctors through. */
const BOUND_MARGIN = 1e-9;

/** Work counters, cumulative over all searches of the process (read by the benchmark). */
export const searchStats = { searches: 0, rings: 0, strips: 0, indexRows: 0 };

/** A box nothing overlaps (an unused exclusion). */
const NO_BOX: Box = { minLat: 1, maxLat: -1, minLng: 1, maxLng: -1 };

export function searchDoctors(db: BetterSqlite3.Database, query: DoctorSearch): DoctorHit[] {
  const q = normalise(query);
  if (!q) return [];
  searchStats.searches++;
  // One read transaction: every phase sees the same snapshot of the database.
  return statements(db).read(() => search(statements(db), q));
}

function search(st: Statements, q: Normalised): DoctorHit[] {
  const w = RANKING_WEIGHTS;
  const top = new TopK(q.k);
  const specialtyPossible = q.matchSpecialties.length > 0;
  const needles = q.matchSpecialties.map(needle);
  const statement = specialtyPossible ? st.ringWithSpecialties : st.ring;
  const params = {
    minLat: 0,
    maxLat: 0,
    minLng: 0,
    maxLng: 0,
    minBayes: q.minRating ?? -Infinity,
    ...exclude("a", NO_BOX),
    ...exclude("b", NO_BOX),
    specialty: q.specialty === null ? null : needle(q.specialty),
    language: q.language === null ? null : needle(q.language),
    teleconsultation: q.teleconsultation ? 1 : 0,
    accepting: q.acceptingNewPatients ? 1 : 0,
  };
  /** Everything but proximity and rating, at best: what a doctor could add to them. */
  const bonuses = w.teleconsultation + w.accepting + (specialtyPossible ? w.specialty : 0);
  /**
   * The lowest Bayesian rating with which a doctor at `km` or farther could still reach the
   * k-th best score (ties included: they are broken by distance), or -Infinity.
   */
  const minBayesBeyond = (km: number) => {
    if (!top.full) return -Infinity;
    const rating = (top.threshold - bonuses - w.proximity * proximityAt(km)) / w.rating;
    return 1 + 4 * rating - BOUND_MARGIN;
  };
  const proximityAt = (km: number) =>
    q.radiusKm > 0 ? Math.min(1, Math.max(0, 1 - km / q.radiusKm)) : km <= 0 ? 1 : 0;
  /** Stop once nobody at `km` or farther can reach the k-th best (ties still go on). */
  const done = (km: number) =>
    top.full && top.threshold > maxScoreBeyond(km, q.radiusKm, specialtyPossible);

  const seen = new Set<number>(); // the two halves of a box crossing the antimeridian touch
  let inner = 0; // every doctor nearer than this was read (or cannot enter)
  let ring = Math.min(q.radiusKm, q.radiusKm * FIRST_RING);
  for (;;) {
    const last = ring >= q.radiusKm;
    searchStats.rings++;
    const boxes = wrapLongitudes(
      boundingBox(q.lat, q.lng, (last ? q.radiusKm : ring) + 2 * SLACK_KM),
    );
    // Doctors outside the previous box are at least `inner` away.
    params.minBayes = Math.max(q.minRating ?? -Infinity, minBayesBeyond(inner - SLACK_KM));
    for (const b of boxes) {
      params.minLat = b.minLat;
      params.maxLat = b.maxLat;
      params.minLng = b.minLng;
      params.maxLng = b.maxLng;
      searchStats.strips++;
      const rows = statement.all(params) as Row[];
      searchStats.indexRows += rows.length;
      for (let i = 0; i < rows.length; i++) {
        const row = rows[i]!;
        if (seen.has(row[0])) continue;
        seen.add(row[0]);
        const scored = scoreRow(q, row, needles);
        if (scored) top.offer(scored);
      }
    }
    Object.assign(params, exclude("a", boxes[0]!), exclude("b", boxes[1] ?? NO_BOX));
    inner = ring;
    if (last || done(ring - SLACK_KM)) break;
    if (top.full) {
      // The farthest a doctor could be and still enter, at the k-th best score so far (it
      // only rises): the next ring is the last.
      const reach = q.radiusKm * (1 - (top.threshold - w.rating - bonuses) / w.proximity);
      ring = Math.min(q.radiusKm, reach + 2 * SLACK_KM, ring * FULL_GROWTH);
    } else {
      ring = Math.min(q.radiusKm, ring * SPARSE_GROWTH);
    }
  }
  return hydrate(st, q, top.sorted());
}

const exclude = (p: "a" | "b", box: Box) => ({
  [`${p}MinLat`]: box.minLat,
  [`${p}MaxLat`]: box.maxLat,
  [`${p}MinLng`]: box.minLng,
  [`${p}MaxLng`]: box.maxLng,
});

function scoreRow(q: Normalised, row: Row, needles: string[]): Scored | null {
  const lat = row[1];
  const lng = row[2];
  const d = distanceKm(q.lat, q.lng, lat, lng);
  if (d > q.radiusKm) return null;
  const ratingSum = row[3];
  const ratingCount = row[4];
  if (q.minRating !== null && bayesianRating(ratingSum, ratingCount) < q.minRating) return null;
  const specialties = row[7];
  const scored: Scored = {
    geoId: row[0],
    lat,
    lng,
    distanceKm: d,
    radiusKm: q.radiusKm,
    ratingSum,
    ratingCount,
    offersTeleconsultation: row[5] === 1,
    acceptsNewPatients: row[6] === 1,
    specialtyMatch: specialties !== null && needles.some((n) => specialties.includes(n)),
    score: 0,
  };
  scored.score = rankScore(scored);
  return scored;
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

const parseFee = (json: string | null): Fee | null =>
  json === null ? null : (JSON.parse(json) as Fee);

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
  replyCount: number;
  medianReplyMs: number | null;
  inPersonFee: string | null;
  teleconsultationFee: string | null;
  hasPhoto: number;
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
      replyCount: row.replyCount,
      medianReplyMs: row.medianReplyMs,
      inPersonFee: parseFee(row.inPersonFee),
      teleconsultationFee: parseFee(row.teleconsultationFee),
      hasPhoto: row.hasPhoto === 1,
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
