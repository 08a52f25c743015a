/**
 * The doctor search on PostgreSQL + PostGIS (docs/decisions/050): the same answer as
 * `searchDoctors` (./search.server.ts, SQLite R*Tree) — the same ids in the same order, the same
 * scores — from the `geog` geography column and its GiST index (db/pg/schema.ts).
 *
 * Two queries, both through the GiST index with the filters in SQL: (1) the k nearest
 * candidates (KNN, `ORDER BY geog <-> origin`), whose k-th best score is a floor for the answer;
 * (2) every doctor within the distance at which that floor can still be reached whose score
 * (the same formula, computed by Postgres with the distance a little shorter) reaches the floor,
 * so only possible winners cross the network. Each candidate is then
 * scored here with the same exact distance and the same formula (./ranking.ts) as the SQLite
 * search, so the two engines cannot rank differently.
 * PostGIS measures on the spheroid, the app on a sphere: the SQL radius is a little wider,
 * and the exact radius is applied here.
 */
import type pg from "pg";
import { distanceKm, validCoordinates } from "~/geo/geo";
import {
  bayesianRating,
  RANKING_WEIGHTS,
  RATING_PRIOR,
  rankScore,
  type RankInput,
} from "./ranking";
import type { Fee } from "./fees";
import {
  byRank,
  toDoctorHit,
  type DoctorHit,
  type DoctorSearch,
  type Scored,
} from "./search.server";

/** A pool or a client: anything that runs a query. */
export type Queryable = Pick<pg.Pool, "query">;

/** Spheroid and sphere distances differ by under 0.6 %: the SQL bound is wider by 1 % + 100 m. */
const SQL_REACH = 1.01;
const SQL_REACH_M = 100;
/** PostGIS's sphere distance and ours agree to far better than 10 m. */
const SLACK_KM = 0.01;
/** Rounding margin of the SQL bound: it must only ever let more doctors through. */
const BOUND_MARGIN = 1e-9;

const ORIGIN = "ST_SetSRID(ST_MakePoint($1, $2), 4326)::geography";
/**
 * Candidates within $3 metres, filtered, nearest first, at most $8 (NULL: all) — and, with a
 * floor $9, only those whose score can reach it: the ranking's formula with the distance made
 * $12 km shorter (proximity weight $10, radius $11 km; rating weight $13, prior $14 / $15;
 * teleconsultation $16, accepting $17, a specialty in $18 $19).
 */
const CANDIDATES = `
  SELECT geo_id, lat, lng, rating_sum, rating_count, offers_teleconsultation,
         accepts_new_patients, specialties
  FROM doctor_profiles
  WHERE status = 'verified' AND geog IS NOT NULL
    AND ST_DWithin(geog, ${ORIGIN}, $3)
    AND ($4::text IS NULL OR specialties ? $4)
    AND ($5::text IS NULL OR languages ? $5)
    AND (NOT $6::boolean OR offers_teleconsultation)
    AND (NOT $7::boolean OR accepts_new_patients)
    AND ($9::float8 IS NULL OR
      $10::float8 * greatest(0, 1 - (ST_Distance(geog, ${ORIGIN}, false) / 1000 - $12::float8) / $11::float8)
      + $13::float8 * least(1, greatest(0,
          (($14::float8 + rating_sum) / ($15::float8 + rating_count) - 1) / 4))
      + CASE WHEN offers_teleconsultation THEN $16::float8 ELSE 0 END
      + CASE WHEN accepts_new_patients THEN $17::float8 ELSE 0 END
      + CASE WHEN specialties ?| $18::text[] THEN $19::float8 ELSE 0 END >= $9::float8)
  ORDER BY geog <-> ${ORIGIN}
  LIMIT $8`;

const DETAILS = `
  SELECT p.geo_id, p.id, p.title, u.display_name, p.clinic_name, p.city, p.country,
         p.specialties, p.languages, p.reply_count, p.median_reply_ms, p.in_person_fee,
         p.teleconsultation_fee, p.photo_key IS NOT NULL AS has_photo,
         p.board_certification_year, p.practice_start_year
  FROM doctor_profiles p JOIN users u ON u.id = p.user_id
  WHERE p.geo_id = ANY($1::integer[])`;

type CandidateRow = {
  geo_id: number;
  lat: number;
  lng: number;
  rating_sum: number;
  rating_count: number;
  offers_teleconsultation: boolean;
  accepts_new_patients: boolean;
  specialties: string[];
};

type DetailRow = {
  geo_id: number;
  id: string;
  title: string | null;
  display_name: string;
  clinic_name: string | null;
  city: string | null;
  country: string | null;
  specialties: unknown;
  languages: unknown;
  reply_count: number;
  median_reply_ms: string | number | null;
  in_person_fee: Fee | null;
  teleconsultation_fee: Fee | null;
  has_photo: boolean;
  board_certification_year: number | null;
  practice_start_year: number | null;
};

const stringList = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];

export async function searchDoctorsPostgis(
  db: Queryable,
  query: DoctorSearch,
): Promise<DoctorHit[]> {
  if (!validCoordinates(query.lat, query.lng)) throw new RangeError("Invalid coordinates");
  if (!(query.radiusKm >= 0) || !Number.isFinite(query.radiusKm)) {
    throw new RangeError("Invalid radius");
  }
  const k = Math.floor(query.k);
  if (!(k > 0)) return [];
  const radiusKm = query.radiusKm;
  const specialty = query.specialty || null;
  const language = query.language || null;
  const minRating = query.minRating && query.minRating > 0 ? query.minRating : null;
  const matchSpecialties = [
    ...new Set([...(specialty ? [specialty] : []), ...(query.boostSpecialties ?? [])]),
  ];
  const specialtyPossible = matchSpecialties.length > 0;

  const w = RANKING_WEIGHTS;
  const bonuses = w.teleconsultation + w.accepting + (specialtyPossible ? w.specialty : 0);
  const candidates = (reachKm: number, limit: number | null, floor: number | null) =>
    db.query<CandidateRow>(CANDIDATES, [
      query.lng,
      query.lat,
      reachKm * 1000 * SQL_REACH + SQL_REACH_M,
      specialty,
      language,
      query.teleconsultation === true,
      query.acceptingNewPatients === true,
      limit,
      floor,
      w.proximity,
      // Never 0 in a division (a radius of 0 has no floor: the bound is not used).
      Math.max(radiusKm, 1e-9),
      SLACK_KM,
      w.rating,
      RATING_PRIOR.mean * RATING_PRIOR.weight,
      RATING_PRIOR.weight,
      w.teleconsultation,
      w.accepting,
      matchSpecialties,
      w.specialty,
    ]);
  const scored = new Map<number, Scored>();
  const score = (rows: CandidateRow[]) => {
    for (const row of rows) {
      if (scored.has(row.geo_id)) continue;
      const d = distanceKm(query.lat, query.lng, row.lat, row.lng);
      if (d > radiusKm) continue;
      if (minRating !== null && bayesianRating(row.rating_sum, row.rating_count) < minRating) {
        continue;
      }
      const input: RankInput = {
        distanceKm: d,
        radiusKm,
        ratingSum: row.rating_sum,
        ratingCount: row.rating_count,
        specialtyMatch: matchSpecialties.some((s) => row.specialties.includes(s)),
        offersTeleconsultation: row.offers_teleconsultation,
        acceptsNewPatients: row.accepts_new_patients,
      };
      scored.set(row.geo_id, {
        ...input,
        geoId: row.geo_id,
        lat: row.lat,
        lng: row.lng,
        score: rankScore(input),
      });
    }
  };
  const nearest = await candidates(radiusKm, k, null);
  score(nearest.rows);
  // Fewer than k candidates in reach: they are all there is.
  if (nearest.rows.length === k) {
    const first = [...scored.values()].sort(byRank);
    const floor = first.length >= k && radiusKm > 0 ? first[k - 1]!.score : null;
    // The farthest a doctor could be and still reach the floor (perfect rating, every bonus).
    const reachKm =
      floor === null
        ? radiusKm
        : Math.min(
            radiusKm,
            radiusKm * (1 - (floor - w.rating - bonuses) / w.proximity) + SLACK_KM,
          );
    const rest = await candidates(reachKm, null, floor === null ? null : floor - BOUND_MARGIN);
    score(rest.rows);
  }
  const best = [...scored.values()].sort(byRank).slice(0, k);
  return hydrate(db, best, radiusKm, matchSpecialties);
}

/** Full rows for the winners only, explained as the SQLite search explains them. */
async function hydrate(
  db: Queryable,
  winners: Scored[],
  radiusKm: number,
  matchSpecialties: string[],
): Promise<DoctorHit[]> {
  if (winners.length === 0) return [];
  const { rows } = await db.query<DetailRow>(DETAILS, [winners.map((w) => w.geoId)]);
  const byGeoId = new Map(rows.map((r) => [r.geo_id, r]));
  return winners.flatMap((w) => {
    const row = byGeoId.get(w.geoId);
    if (!row) return [];
    const details = {
      id: row.id,
      title: row.title,
      displayName: row.display_name,
      clinicName: row.clinic_name,
      city: row.city,
      country: row.country,
      specialties: stringList(row.specialties),
      languages: stringList(row.languages),
      replyCount: row.reply_count,
      medianReplyMs: row.median_reply_ms === null ? null : Number(row.median_reply_ms),
      inPersonFee: row.in_person_fee,
      teleconsultationFee: row.teleconsultation_fee,
      hasPhoto: row.has_photo,
      boardCertificationYear: row.board_certification_year,
      practiceStartYear: row.practice_start_year,
    };
    return [toDoctorHit(w, details, radiusKm, matchSpecialties)];
  });
}
