/**
 * How the doctor finder orders verified doctors. Pure functions, shared by the search,
 * the review pages and the "How ranking works" explanation. There is no paid placement:
 * nothing but the inputs below can move a doctor up the list.
 */
import { SPECIALTIES, type Specialty } from "./specialties";

/** Ratings are shrunk towards `mean` as if every doctor had `weight` extra reviews of it. */
export const RATING_PRIOR = { mean: 4.0, weight: 5 } as const;

/**
 * Bayesian (shrunk) mean rating: (prior.mean·prior.weight + sum) / (prior.weight + count).
 * One 5-star review gives 4.17; forty reviews averaging 4.7 give 4.63.
 */
export function bayesianRating(sum: number, count: number): number {
  return (RATING_PRIOR.mean * RATING_PRIOR.weight + sum) / (RATING_PRIOR.weight + count);
}

/**
 * Weights of the single ranking formula (they sum to 1, so a score is in [0, 1]):
 *
 *   score = proximity        · clamp(1 − distance / radius, 0, 1)
 *         + rating           · clamp((bayesian − 1) / 4, 0, 1)
 *         + specialty        · [has a specialty that fits the case or the filter]
 *         + teleconsultation · [offers teleconsultation]
 *         + accepting        · [accepts new patients]
 */
export const RANKING_WEIGHTS = {
  proximity: 0.45,
  rating: 0.35,
  specialty: 0.12,
  teleconsultation: 0.04,
  accepting: 0.04,
} as const;

export type RankInput = {
  distanceKm: number;
  radiusKm: number;
  ratingSum: number;
  ratingCount: number;
  specialtyMatch: boolean;
  offersTeleconsultation: boolean;
  acceptsNewPatients: boolean;
};

const clamp01 = (x: number) => (x > 1 ? 1 : x >= 0 ? x : 0);

/** Closeness in [0, 1]: 1 at the search origin, 0 at (or beyond) the radius. */
export function proximity(distanceKm: number, radiusKm: number): number {
  return radiusKm > 0 ? clamp01(1 - distanceKm / radiusKm) : distanceKm <= 0 ? 1 : 0;
}

/** The Bayesian rating mapped from [1, 5] stars to [0, 1]. */
export function ratingScore(sum: number, count: number): number {
  return clamp01((bayesianRating(sum, count) - 1) / 4);
}

/**
 * A doctor's merit: the part of the score that does not depend on the query (the rating and
 * the two flags), in [0, rating + teleconsultation + accepting]. The spatial index holds it as
 * its third dimension (db/migrations/0013, decision 044), so the search can bound a doctor's
 * score before reading the doctor's row.
 */
export function merit(
  x: Pick<RankInput, "ratingSum" | "ratingCount" | "offersTeleconsultation" | "acceptsNewPatients">,
): number {
  const w = RANKING_WEIGHTS;
  return (
    w.rating * ratingScore(x.ratingSum, x.ratingCount) +
    (x.offersTeleconsultation ? w.teleconsultation : 0) +
    (x.acceptsNewPatients ? w.accepting : 0)
  );
}

/** The ranking score; higher is better, in [0, 1]. */
export function rankScore(x: RankInput): number {
  const w = RANKING_WEIGHTS;
  return (
    w.proximity * proximity(x.distanceKm, x.radiusKm) +
    merit(x) +
    (x.specialtyMatch ? w.specialty : 0)
  );
}

/**
 * The best score any doctor at `distanceKm` or farther could reach. A search that visits
 * doctors nearest first can stop once its k-th best score beats this.
 */
export function maxScoreBeyond(
  distanceKm: number,
  radiusKm: number,
  specialtyPossible: boolean,
): number {
  const w = RANKING_WEIGHTS;
  return (
    w.proximity * proximity(distanceKm, radiusKm) +
    w.rating +
    (specialtyPossible ? w.specialty : 0) +
    w.teleconsultation +
    w.accepting
  );
}

const formatKm = (km: number) => (km < 10 ? `${km.toFixed(1)} km` : `${Math.round(km)} km`);

/** A few short, human reasons for a doctor's place in the list. */
export function whyRecommended(x: RankInput & { matchedSpecialty?: string | null }): string[] {
  const reasons = [`${formatKm(x.distanceKm)} away`];
  if (x.ratingCount > 0) {
    const mean = x.ratingSum / x.ratingCount;
    reasons.push(
      `rated ${mean.toFixed(1)} (${x.ratingCount} ${x.ratingCount === 1 ? "review" : "reviews"})`,
    );
  }
  if (x.specialtyMatch && x.matchedSpecialty) {
    const label = SPECIALTIES[x.matchedSpecialty as Specialty] ?? x.matchedSpecialty;
    reasons.push(label.toLowerCase());
  }
  if (x.offersTeleconsultation) reasons.push("offers teleconsultation");
  if (x.acceptsNewPatients) reasons.push("accepting new patients");
  return reasons;
}
