/**
 * The finder's query: where the patient is (coordinates or a typed city resolved
 * offline), filters, the optional case, the radius that widens when too few doctors
 * are found. Bad parameters are a 400 with a message.
 */
import { invalid } from "~/errors/domain-error";
import { z } from "zod";
import type { Actor } from "~/auth/permissions";
import { getOwnAnalysis } from "~/analyses/analyses.server";
import { resolvePlaceFor } from "~/geo/gazetteer.server";
import type { Place } from "~/geo/place-names";
import { searchDoctorsHere } from "./engine-search.server";
import type { DoctorHit } from "./search.server";
import { SPECIALTY_IDS, type Specialty } from "./specialties";
import { LANGUAGES } from "./languages";
import { sortHits } from "./sort";

import { MAX_PAGES, MIN_RESULTS, RADII, RESULTS, SORTS } from "./finder";

const flag = z.preprocess((v) => v === "on" || v === "true" || v === "1", z.boolean());
const empty = (v: unknown) => (v === "" ? undefined : v);

export const FinderQuerySchema = z.object({
  lat: z.preprocess(empty, z.coerce.number().min(-90).max(90).optional()),
  lng: z.preprocess(empty, z.coerce.number().min(-180).max(180).optional()),
  place: z.preprocess(empty, z.string().trim().max(120).optional()),
  radius: z.preprocess(
    empty,
    z.coerce
      .number()
      .refine(
        (v) => (RADII as readonly number[]).includes(v),
        "Radius must be 10, 25, 50, 100 or 250 km",
      )
      .default(25),
  ),
  specialty: z.preprocess(empty, z.enum(SPECIALTY_IDS as [Specialty, ...Specialty[]]).optional()),
  language: z.preprocess(empty, z.enum(LANGUAGES).optional()),
  teleconsultation: flag,
  accepting: flag,
  minRating: z.preprocess(empty, z.coerce.number().min(0).max(5).default(0)),
  analysis: z.preprocess(empty, z.string().uuid().optional()),
  sort: z.preprocess(empty, z.enum(SORTS).default("best")),
  pages: z.preprocess(empty, z.coerce.number().int().min(1).max(MAX_PAGES).default(1)),
  /** The searcher's country, from the browser's locale: picks among a postcode's countries. */
  region: z.preprocess(
    empty,
    z
      .string()
      .regex(/^[A-Z]{2}$/)
      .optional(),
  ),
});

export type FinderQuery = z.infer<typeof FinderQuerySchema>;

export function parseFinderQuery(params: URLSearchParams): FinderQuery {
  const raw = Object.fromEntries(params);
  const result = FinderQuerySchema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const field = String(issue.path[0] ?? "");
    const message =
      field === "lat" || field === "lng"
        ? "The location must be a latitude between −90 and 90 and a longitude between −180 and 180."
        : field === "radius"
          ? "Radius must be 10, 25, 50, 100 or 250 km."
          : field === "minRating"
            ? "The minimum rating must be between 0 and 5."
            : field === "analysis"
              ? "Unknown analysis."
              : field === "sort"
                ? "Sort by best match, distance, rating or reply time."
                : field === "pages"
                  ? `Show between 1 and ${MAX_PAGES} pages of results.`
                  : field === "region"
                    ? "The region must be a two-letter country code."
                    : `Unknown ${field} filter.`;
    throw invalid(message);
  }
  if ((result.data.lat === undefined) !== (result.data.lng === undefined)) {
    throw invalid("Give both latitude and longitude.");
  }
  return result.data;
}

export type CaseContext = {
  topClass: string;
  malignant: boolean;
  child: boolean;
  boosts: Specialty[];
};

/** The specialties that fit the patient's own analysis (404 for anyone else's). */
export async function caseContext(actor: Actor | null, analysisId: string): Promise<CaseContext> {
  const analysis = await getOwnAnalysis(actor as Actor, analysisId);
  const malignant = analysis.verdict === "ok" && analysis.topClass !== "benign";
  const child = analysis.ageBracket === "child";
  const boosts: Specialty[] = child
    ? ["pediatric-hematology-oncology"]
    : malignant
      ? ["hematology-oncology"]
      : ["hematology"];
  return { topClass: analysis.topClass, malignant, child, boosts };
}

export type FinderResult = {
  origin: { lat: number; lng: number; label: string } | null;
  radiusKm: number;
  widenedFrom: number | null;
  doctors: DoctorHit[];
  placeNotFound: boolean;
  /** A postcode of a country whose postcodes are not known offline (then `origin` is null). */
  postcodeCountry: string | null;
  /**
   * A postcode several countries use: with `origin` null, the places to choose from; with
   * an origin (the searcher's country had it), the others, offered as "did you mean".
   */
  otherPlaces: Place[];
  /**
   * When nobody matches within the widest radius: the nearest matching doctors whatever the
   * distance, and the nearest who answer by teleconsultation (distance does not matter to
   * them). Null when the radius search found someone.
   */
  fallback: { nearest: DoctorHit[]; remote: DoctorHit[] } | null;
  /** More doctors match than are shown: "Show more" asks for another page. */
  more: boolean;
};

/** Beyond the finder's radii, in steps, up to anywhere on Earth (half its circumference). */
const FARTHER_KM = [500, 1000, 2500, 5000, 20_100] as const;
/** Doctors offered in each fallback list. */
const FALLBACK_RESULTS = 5;

export async function findDoctors(
  query: FinderQuery,
  boosts: Specialty[] = [],
): Promise<FinderResult> {
  let origin: FinderResult["origin"] = null;
  let placeNotFound = false;
  let postcodeCountry: string | null = null;
  let otherPlaces: Place[] = [];
  if (query.lat !== undefined && query.lng !== undefined) {
    origin = { lat: query.lat, lng: query.lng, label: "your location" };
  } else if (query.place) {
    const { place, alternatives, unknownPostcodeCountry } = resolvePlaceFor(
      query.place,
      query.region,
    );
    otherPlaces = alternatives;
    postcodeCountry = unknownPostcodeCountry ?? null;
    if (place)
      origin = { lat: place.lat, lng: place.lng, label: `${place.name}, ${place.country}` };
    else placeNotFound = alternatives.length === 0 && !postcodeCountry;
  }
  if (!origin)
    return {
      origin,
      radiusKm: query.radius,
      widenedFrom: null,
      doctors: [],
      placeNotFound,
      postcodeCountry,
      otherPlaces,
      fallback: null,
      more: false,
    };
  const shown = RESULTS * query.pages;
  const search = (radiusKm: number, k = shown, teleconsultation = query.teleconsultation) =>
    searchDoctorsHere({
      lat: origin!.lat,
      lng: origin!.lng,
      radiusKm,
      k,
      specialty: query.specialty,
      language: query.language,
      teleconsultation: teleconsultation || undefined,
      acceptingNewPatients: query.accepting || undefined,
      minRating: query.minRating || undefined,
      boostSpecialties: boosts,
    });
  let radiusKm = query.radius;
  let doctors = await search(radiusKm);
  for (const next of RADII) {
    if (doctors.length >= MIN_RESULTS) break;
    if (next <= radiusKm) continue;
    radiusKm = next;
    doctors = await search(radiusKm);
  }
  // The ranking picks who is shown; the sort only orders them (best match keeps the ranking).
  doctors = sortHits(doctors, query.sort);
  let fallback: FinderResult["fallback"] = null;
  if (doctors.length === 0) {
    let nearest: DoctorHit[] = [];
    for (const km of FARTHER_KM) {
      nearest = await search(km, FALLBACK_RESULTS);
      if (nearest.length > 0) break;
    }
    nearest.sort((a, b) => a.distanceKm - b.distanceKm);
    const shown = new Set(nearest.map((d) => d.id));
    const remote = (await search(FARTHER_KM[FARTHER_KM.length - 1], FALLBACK_RESULTS * 2, true))
      .filter((d) => !shown.has(d.id))
      .slice(0, FALLBACK_RESULTS);
    fallback = { nearest, remote };
  }
  return {
    origin,
    radiusKm,
    widenedFrom: radiusKm !== query.radius ? query.radius : null,
    doctors,
    placeNotFound,
    postcodeCountry,
    otherPlaces,
    fallback,
    more: doctors.length === shown && query.pages < MAX_PAGES,
  };
}
