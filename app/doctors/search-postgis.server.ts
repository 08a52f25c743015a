/**
 * The doctor search on PostgreSQL + PostGIS (docs/decisions/050): the same answer as
 * `searchDoctors` (./search.server.ts, SQLite R*Tree) — the same ids in the same order, the same
 * scores — from the `geog` geography column and its GiST index (db/pg/schema.ts).
 *
 * Candidates come nearest first from the index (KNN, `ORDER BY geog <-> origin`, bounded by
 * `ST_DWithin`), with the filters applied in SQL, in pages. Each is scored here with the same
 * exact distance and the same formula (./ranking.ts) as the SQLite search, so the two engines
 * cannot rank differently. The search stops once the k-th best score beats the best any doctor
 * beyond the page could still reach (`maxScoreBeyond`), as the SQLite search's rings do.
 * PostGIS measures on the spheroid, the app on a sphere: the SQL radius is a little wider,
 * and the exact radius is applied here.
 */
import type pg from "pg";
import { distanceKm, validCoordinates } from "~/geo/geo";
import {
  bayesianRating,
  maxScoreBeyond,
  rankScore,
  whyRecommended,
  type RankInput,
} from "./ranking";
import type { DoctorHit, DoctorSearch } from "./search.server";

/** A pool or a client: anything that runs a query. */
export type Queryable = Pick<pg.Pool, "query">;

type Scored = RankInput & { geoId: number; lat: number; lng: number; score: number };

/** The final order, as the SQLite search's: score, then nearer, then the older profile. */
function better(a: Scored, b: Scored): boolean {
  if (a.score !== b.score) return a.score > b.score;
  if (a.distanceKm !== b.distanceKm) return a.distanceKm < b.distanceKm;
  return a.geoId < b.geoId;
}
const byRank = (a: Scored, b: Scored) => (better(a, b) ? -1 : better(b, a) ? 1 : 0);

/** Spheroid and sphere distances differ by under 0.6 %: the SQL bound is wider by 1 % + 100 m. */
const SQL_REACH = 1.01;
const SQL_REACH_M = 100;
/** The KNN distance (PostGIS's sphere) and ours agree to far better than 10 m. */
const SLACK_KM = 0.01;
const FIRST_PAGE = 64;

const ORIGIN = "ST_SetSRID(ST_MakePoint($1, $2), 4326)::geography";
const CANDIDATES = `
  SELECT geo_id, lat, lng, rating_sum, rating_count, offers_teleconsultation,
         accepts_new_patients, specialties, geog <-> ${ORIGIN} AS knn_m
  FROM doctor_profiles
  WHERE status = 'verified' AND geog IS NOT NULL
    AND ST_DWithin(geog, ${ORIGIN}, $3)
    AND ($4::text IS NULL OR specialties ? $4)
    AND ($5::text IS NULL OR languages ? $5)
    AND (NOT $6::boolean OR offers_teleconsultation)
    AND (NOT $7::boolean OR accepts_new_patients)
  ORDER BY geog <-> ${ORIGIN}
  LIMIT $8 OFFSET $9`;

const DETAILS = `
  SELECT p.geo_id, p.id, p.title, u.display_name, p.clinic_name, p.city, p.country,
         p.specialties, p.languages
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
  knn_m: number;
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

  let best: Scored[] = [];
  let offset = 0;
  for (let limit = FIRST_PAGE; ; limit *= 2) {
    const { rows } = await db.query<CandidateRow>(CANDIDATES, [
      query.lng,
      query.lat,
      radiusKm * 1000 * SQL_REACH + SQL_REACH_M,
      specialty,
      language,
      query.teleconsultation === true,
      query.acceptingNewPatients === true,
      limit,
      offset,
    ]);
    offset += rows.length;
    for (const row of rows) {
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
      best.push({
        ...input,
        geoId: row.geo_id,
        lat: row.lat,
        lng: row.lng,
        score: rankScore(input),
      });
    }
    best = best.sort(byRank).slice(0, k);
    if (rows.length < limit) break;
    // Everyone unread is at least as far as the last row read.
    const nearestUnreadKm = rows[rows.length - 1]!.knn_m / 1000 - SLACK_KM;
    const full = best.length >= k;
    if (full && best[k - 1]!.score > maxScoreBeyond(nearestUnreadKm, radiusKm, specialtyPossible)) {
      break;
    }
  }
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
  const hits: DoctorHit[] = [];
  for (const w of winners) {
    const row = byGeoId.get(w.geoId);
    if (!row) continue;
    const specialties = stringList(row.specialties);
    const title = row.title?.trim();
    hits.push({
      id: row.id,
      name: title ? `${title} ${row.display_name}` : row.display_name,
      clinicName: row.clinic_name,
      city: row.city,
      country: row.country,
      lat: w.lat,
      lng: w.lng,
      distanceKm: w.distanceKm,
      ratingCount: w.ratingCount,
      ratingMean: w.ratingCount > 0 ? w.ratingSum / w.ratingCount : null,
      bayesian: bayesianRating(w.ratingSum, w.ratingCount),
      specialties,
      languages: stringList(row.languages),
      offersTeleconsultation: w.offersTeleconsultation,
      acceptsNewPatients: w.acceptsNewPatients,
      score: w.score,
      why: whyRecommended({
        ...w,
        radiusKm,
        matchedSpecialty: matchSpecialties.find((s) => specialties.includes(s)) ?? null,
      }),
    });
  }
  return hits;
}
