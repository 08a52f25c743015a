/**
 * Nearest verified doctors, ranked (see ./ranking.ts), through the `doctor_geo` R*Tree.
 *
 * A score is proximity (the query's) plus merit (the doctor's: rating and flags, see `merit`)
 * plus a specialty bonus (the query's). The R*Tree's nodes hold each doctor's point and merit
 * (db/migrations/0013, decision 044), so a doctor's score can be bounded from the node alone;
 * the exact point, review aggregates, flags and lists are auxiliary columns, read only for the
 * doctors whose bound could still enter the top k. A search reads growing rings around the
 * origin:
 *
 * 1. Each ring is one R*Tree query for the part of its bounding box the previous ring did not
 *    cover, returning ids and node coordinates only. Once k doctors are held, it asks only for
 *    merits high enough to make up for the ring's inner distance (the third dimension), so
 *    most of a dense city is never returned.
 * 2. Each doctor returned gets an upper bound of its score from the node (distance to the
 *    stored point minus its rounding, the stored merit, the bonus if the query has one) and
 *    waits in a queue, best bound first. Candidates are refined (their exact columns read,
 *    their exact score offered to a bounded heap of the best k) while the best bound in the
 *    queue can still reach the k-th best score; the rest can never enter.
 * 3. The best score anyone beyond the ring could reach says how far the next ring must reach;
 *    the search stops when nobody unread can enter. Only the k winners are read in full (name,
 *    clinic) and explained.
 *
 * Filters (specialty, language, flags, minimum rating) are applied by the ring query on the
 * auxiliary columns, which SQLite reads only when the filter is set.
 *
 * `scanDoctors` computes the same answer by a full scan without the R*Tree: the baseline of
 * scripts/bench-doctors.ts and the oracle of the tests.
 */
import type BetterSqlite3 from "better-sqlite3";
import { boundingBox, distanceKm, validCoordinates, wrapLongitudes, type Box } from "~/geo/geo";
import {
  bayesianRating,
  maxScoreBeyond,
  proximity,
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

/** A hit: what the finder shows of a doctor (its details), where, and why it ranks there. */
export type DoctorHit = Omit<DoctorDetails, "title" | "displayName"> & {
  /** users.display_name, prefixed with the profile's title if any ("Dr. Ada Lovelace"). */
  name: string;
  lat: number;
  lng: number;
  distanceKm: number;
  ratingCount: number;
  /** Plain mean of the visible reviews, or null without reviews. */
  ratingMean: number | null;
  bayesian: number;
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
  refine: BetterSqlite3.Statement;
  details: BetterSqlite3.Statement;
  scan: BetterSqlite3.Statement;
};

const statementCache = new WeakMap<BetterSqlite3.Database, Statements>();

/**
 * One ring: the doctors in the box @minLat..@maxLng but in neither of the previous ring's
 * boxes @a… and @b… (a box crossing the antimeridian is two; an unused one is empty), with a
 * merit of at least @minMerit, and the filters: @specialty needle ('"id"' or NULL), @language
 * needle, @teleconsultation only (0/1), @accepting only (0/1), @minRating (or NULL). Needles
 * are quoted JSON strings, so "hematology" does not match "hematology-oncology" inside the
 * JSON text. It selects node columns only: without a filter, no auxiliary column is read.
 *
 * Boxes are tested for overlap, not containment: R*Tree coordinates are float32 rounded
 * outwards, so a point whose stored box is a hair wider is never missed, and a doctor
 * overlapping the previous box was read by the previous ring. The merit is also rounded
 * outwards: `max_merit` is never below the exact merit.
 */
const notIn = (p: string) =>
  `NOT (max_lat >= @${p}MinLat AND min_lat <= @${p}MaxLat
        AND max_lng >= @${p}MinLng AND min_lng <= @${p}MaxLng)`;
const RING_SQL = `
  SELECT id, min_lat, min_lng, max_merit
  FROM doctor_geo
  WHERE max_lat >= @minLat AND min_lat <= @maxLat AND max_lng >= @minLng AND min_lng <= @maxLng
    AND max_merit >= @minMerit
    AND ${notIn("a")} AND ${notIn("b")}
    AND (@specialty IS NULL OR instr(specialties, @specialty) > 0)
    AND (@language IS NULL OR instr(languages, @language) > 0)
    AND (@teleconsultation = 0 OR teleconsultation = 1)
    AND (@accepting = 0 OR accepting = 1)
    AND (@minRating IS NULL OR (20.0 + rating_sum) / (5.0 + rating_count) >= @minRating)`;

function statements(db: BetterSqlite3.Database): Statements {
  let cached = statementCache.get(db);
  if (cached) return cached;
  const inTransaction = db.transaction((fn: () => unknown) => fn());
  cached = {
    read: <T>(fn: () => T) => inTransaction.deferred(fn) as T,
    ring: db.prepare(RING_SQL).raw(),
    // The exact columns the score needs, for one candidate: from the profile (one lookup in
    // the geo_id index), which the triggers keep equal to the index's copy in the same
    // transaction; a lookup by id in the R*Tree itself reads its node too and cost 1.4× more.
    refine: db
      .prepare(
        `SELECT lat, lng, rating_sum, rating_count, offers_teleconsultation,
                accepts_new_patients, specialties
         FROM doctor_profiles WHERE geo_id = ?`,
      )
      .raw(),
    details: db.prepare(
      `SELECT p.geo_id AS geoId, p.id, p.title, u.display_name AS displayName,
              p.clinic_name AS clinicName, p.city, p.country,
              p.specialties, p.languages, p.reply_count AS replyCount,
              p.median_reply_ms AS medianReplyMs, p.in_person_fee AS inPersonFee,
              p.teleconsultation_fee AS teleconsultationFee, p.photo_key IS NOT NULL AS hasPhoto,
              p.board_certification_year AS boardCertificationYear,
              p.practice_start_year AS practiceStartYear
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

/** A doctor scored for one query (both engines' searches keep these). */
export type Scored = RankInput & { geoId: number; lat: number; lng: number; score: number };

/** The final order: score, then nearer, then the older profile (smaller geo id). */
export function better(a: Scored, b: Scored): boolean {
  if (a.score !== b.score) return a.score > b.score;
  if (a.distanceKm !== b.distanceKm) return a.distanceKm < b.distanceKm;
  return a.geoId < b.geoId;
}

/** `better` as a sort comparator. */
export const byRank = (a: Scored, b: Scored) => (better(a, b) ? -1 : better(b, a) ? 1 : 0);

/**
 * Binary heaps in an array: `above(a, b)` when a belongs nearer the root. `siftUp` restores the
 * order after h[i] was appended, `siftDown` after h[i] was replaced.
 */
function siftUp<T>(h: T[], i: number, above: (a: T, b: T) => boolean) {
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (!above(h[i]!, h[parent]!)) return;
    [h[parent], h[i]] = [h[i]!, h[parent]!];
    i = parent;
  }
}

function siftDown<T>(h: T[], i: number, above: (a: T, b: T) => boolean) {
  for (;;) {
    const l = 2 * i + 1;
    const r = l + 1;
    let top = i;
    if (l < h.length && above(h[l]!, h[top]!)) top = l;
    if (r < h.length && above(h[r]!, h[top]!)) top = r;
    if (top === i) return;
    [h[top], h[i]] = [h[i]!, h[top]!];
    i = top;
  }
}

const worse = (a: Scored, b: Scored) => better(b, a);

/** A bounded heap keeping the k best; the root is the worst of them. */
class TopK {
  readonly items: Scored[] = [];
  constructor(readonly k: number) {}

  get full(): boolean {
    return this.items.length >= this.k;
  }

  get size(): number {
    return this.items.length;
  }

  /** The k-th best score, or -Infinity while fewer than k were offered. */
  get threshold(): number {
    return this.full ? this.items[0]!.score : -Infinity;
  }

  offer(x: Scored): void {
    const h = this.items;
    if (h.length < this.k) {
      h.push(x);
      siftUp(h, h.length - 1, worse);
      return;
    }
    if (h.length === 0 || !better(x, h[0]!)) return;
    h[0] = x;
    siftDown(h, 0, worse);
  }

  sorted(): Scored[] {
    return [...this.items].sort(byRank);
  }
}

/** A doctor read from the nodes only: its id and an upper bound of its score. */
type Candidate = { geoId: number; bound: number };

const higherBound = (a: Candidate, b: Candidate) => a.bound > b.bound;

/** Candidates waiting to be refined, the best bound first (a binary max-heap). */
class CandidateQueue {
  private readonly items: Candidate[] = [];

  get size(): number {
    return this.items.length;
  }

  /** The best bound waiting, or -Infinity. */
  get best(): number {
    return this.items.length > 0 ? this.items[0]!.bound : -Infinity;
  }

  push(x: Candidate): void {
    const h = this.items;
    h.push(x);
    siftUp(h, h.length - 1, higherBound);
  }

  pop(): Candidate | undefined {
    const h = this.items;
    const top = h[0];
    const last = h.pop();
    if (h.length === 0 || last === undefined) return top;
    h[0] = last;
    siftDown(h, 0, higherBound);
    return top;
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

/** A ring row (node columns): geo id, a corner of the stored point's box, its merit's upper bound. */
type RingRow = [number, number, number, number];
/** A refined row: lat, lng, rating sum, count, teleconsultation, accepting, specialties. */
type ExactRow = [number, number, number, number, number, number, string | null];

// ---------------------------------------------------------------------------------------
// The indexed search.

/** Float32 R*Tree coordinates are off by under a metre; 10 m covers it with margin. */
const SLACK_KM = 0.01;
/**
 * The first ring, as a fraction of the radius. Its size is not tuned to the local density
 * (counting costs as much as reading). Each ring doubles, but never past the distance from
 * which nobody can enter at the k-th best score so far; the merit bound keeps the outer rings
 * cheap in dense cities. A ring query costs about as much as bounding 20 doctors, so a few
 * large rings beat many thin ones (1/64 and √2 growth read 72 doctors in 7 rings; 1/16 and 2
 * read 99 in 3.5, and were 10 % faster).
 */
const FIRST_RING = 1 / 16;
const SPARSE_GROWTH = 2;
const FULL_GROWTH = 2;
/** Rounding margin of every bound: it must only ever let more doctors through. */
const BOUND_MARGIN = 1e-9;

/** Work counters, cumulative over all searches of the process (read by the benchmark). */
export const searchStats = { searches: 0, rings: 0, indexRows: 0, refined: 0 };

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
  const queue = new CandidateQueue();
  const specialtyPossible = q.matchSpecialties.length > 0;
  const needles = q.matchSpecialties.map(needle);
  /** What the query itself may add to a doctor's proximity and merit. */
  const bonus = specialtyPossible ? w.specialty : 0;
  const params = {
    minLat: 0,
    maxLat: 0,
    minLng: 0,
    maxLng: 0,
    minMerit: -Infinity,
    ...exclude("a", NO_BOX),
    ...exclude("b", NO_BOX),
    specialty: q.specialty === null ? null : needle(q.specialty),
    language: q.language === null ? null : needle(q.language),
    teleconsultation: q.teleconsultation ? 1 : 0,
    accepting: q.acceptingNewPatients ? 1 : 0,
    // A prefilter (scoreRow checks the exact rating).
    minRating: q.minRating === null ? null : q.minRating - BOUND_MARGIN,
  };
  /** Anyone scoring below this cannot enter (ties still can: nearer wins). */
  const entry = () => top.threshold - BOUND_MARGIN;
  /** Stop once nobody at `km` or farther can reach the k-th best. */
  const done = (km: number) => top.full && entry() > maxScoreBeyond(km, q.radiusKm, bonus > 0);
  /** Read the exact columns of the best candidates while one of them could still enter. */
  const refine = () => {
    while (queue.size > 0 && (!top.full || queue.best >= entry())) {
      const { geoId } = queue.pop()!;
      searchStats.refined++;
      const row = st.refine.get(geoId) as ExactRow | undefined;
      const scored = row ? scoreRow(q, geoId, row, needles) : null;
      if (scored) top.offer(scored);
    }
  };

  const seen = new Set<number>(); // the two halves of a box crossing the antimeridian touch
  let inner = 0; // every doctor nearer than this was read (or cannot enter)
  let ring = Math.min(q.radiusKm, q.radiusKm * FIRST_RING);
  for (;;) {
    const last = ring >= q.radiusKm;
    searchStats.rings++;
    const boxes = wrapLongitudes(
      boundingBox(q.lat, q.lng, (last ? q.radiusKm : ring) + 2 * SLACK_KM),
    );
    // Doctors outside the previous box are at least `inner` away: they need this much merit.
    params.minMerit = top.full
      ? entry() - w.proximity * proximity(inner - SLACK_KM, q.radiusKm) - bonus
      : -Infinity;
    for (const b of boxes) {
      params.minLat = b.minLat;
      params.maxLat = b.maxLat;
      params.minLng = b.minLng;
      params.maxLng = b.maxLng;
      const rows = st.ring.all(params) as RingRow[];
      searchStats.indexRows += rows.length;
      for (let i = 0; i < rows.length; i++) {
        const [geoId, lat, lng, maxMerit] = rows[i]!;
        if (seen.has(geoId)) continue;
        seen.add(geoId);
        // The stored box is within a metre of the point: SLACK_KM nearer is a lower bound.
        const nearest = distanceKm(q.lat, q.lng, lat, lng) - SLACK_KM;
        if (nearest > q.radiusKm) continue;
        const bound = w.proximity * proximity(nearest, q.radiusKm) + maxMerit + bonus;
        if (!top.full || bound >= entry()) queue.push({ geoId, bound });
      }
    }
    // Refine once k doctors are known (before that, a ring only adds candidates).
    if (top.size + queue.size >= q.k || last) refine();
    Object.assign(params, exclude("a", boxes[0]!), exclude("b", boxes[1] ?? NO_BOX));
    inner = ring;
    if (last || done(ring - SLACK_KM)) break;
    if (top.full) {
      // The farthest a doctor could be and still enter, at the k-th best score so far (it
      // only rises): the next ring is the last.
      const bestMerit = w.rating + w.teleconsultation + w.accepting;
      const reach = q.radiusKm * (1 - (top.threshold - bestMerit - bonus) / w.proximity);
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

function scoreRow(q: Normalised, geoId: number, row: ExactRow, needles: string[]): Scored | null {
  const [lat, lng, ratingSum, ratingCount, tele, accepting, specialties] = row;
  const d = distanceKm(q.lat, q.lng, lat, lng);
  if (d > q.radiusKm) return null;
  if (q.minRating !== null && bayesianRating(ratingSum, ratingCount) < q.minRating) return null;
  const scored: Scored = {
    geoId,
    lat,
    lng,
    distanceKm: d,
    radiusKm: q.radiusKm,
    ratingSum,
    ratingCount,
    offersTeleconsultation: tele === 1,
    acceptsNewPatients: accepting === 1,
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

/** The details as SQLite returns them: lists and fees as JSON text, the photo flag as 0 or 1. */
type DetailRow = Omit<
  DoctorDetails,
  "specialties" | "languages" | "inPersonFee" | "teleconsultationFee" | "hasPhoto"
> & {
  geoId: number;
  specialties: string;
  languages: string;
  inPersonFee: string | null;
  teleconsultationFee: string | null;
  hasPhoto: number;
  boardCertificationYear: number | null;
  practiceStartYear: number | null;
};

function hydrate(st: Statements, q: Normalised, winners: Scored[]): DoctorHit[] {
  if (winners.length === 0) return [];
  const rows = st.details.all(JSON.stringify(winners.map((w) => w.geoId))) as DetailRow[];
  const byGeoId = new Map(rows.map((r) => [r.geoId, r]));
  return winners.flatMap((w) => {
    const row = byGeoId.get(w.geoId);
    if (!row) return [];
    const details: DoctorDetails = {
      ...row,
      specialties: parseList(row.specialties),
      languages: parseList(row.languages),
      inPersonFee: parseFee(row.inPersonFee),
      teleconsultationFee: parseFee(row.teleconsultationFee),
      hasPhoto: row.hasPhoto === 1,
    };
    return [toDoctorHit(w, details, q.radiusKm, q.matchSpecialties)];
  });
}

/** What a hit shows beyond its score, as either engine reads it. */
export type DoctorDetails = {
  id: string;
  title: string | null;
  displayName: string;
  clinicName: string | null;
  city: string | null;
  country: string | null;
  specialties: string[];
  languages: string[];
  /** Answered consultations and their median reply time (ms); see ./reply-time.ts. */
  replyCount: number;
  medianReplyMs: number | null;
  /** Stated fees (./fees.ts), or null. */
  inPersonFee: Fee | null;
  teleconsultationFee: Fee | null;
  hasPhoto: boolean;
  /** Stated years (./profile-details.ts), or null. */
  boardCertificationYear: number | null;
  practiceStartYear: number | null;
};

/** A winner and its details as the finder shows them, explained (both engines). */
export function toDoctorHit(
  w: Scored,
  d: DoctorDetails,
  radiusKm: number,
  matchSpecialties: string[],
): DoctorHit {
  const title = d.title?.trim();
  return {
    id: d.id,
    name: title ? `${title} ${d.displayName}` : d.displayName,
    clinicName: d.clinicName,
    city: d.city,
    country: d.country,
    lat: w.lat,
    lng: w.lng,
    distanceKm: w.distanceKm,
    ratingCount: w.ratingCount,
    ratingMean: w.ratingCount > 0 ? w.ratingSum / w.ratingCount : null,
    bayesian: bayesianRating(w.ratingSum, w.ratingCount),
    specialties: d.specialties,
    languages: d.languages,
    offersTeleconsultation: w.offersTeleconsultation,
    acceptsNewPatients: w.acceptsNewPatients,
    replyCount: d.replyCount,
    medianReplyMs: d.medianReplyMs,
    inPersonFee: d.inPersonFee,
    teleconsultationFee: d.teleconsultationFee,
    hasPhoto: d.hasPhoto,
    boardCertificationYear: d.boardCertificationYear,
    practiceStartYear: d.practiceStartYear,
    score: w.score,
    why: whyRecommended({
      ...w,
      radiusKm,
      matchedSpecialty: matchSpecialties.find((s) => d.specialties.includes(s)) ?? null,
    }),
  };
}
