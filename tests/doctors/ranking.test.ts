import { describe, expect, it } from "vitest";
import {
  bayesianRating,
  maxScoreBeyond,
  merit,
  proximity,
  RANKING_WEIGHTS,
  rankScore,
  RATING_PRIOR,
  whyRecommended,
  type RankInput,
} from "~/doctors/ranking";

const base: RankInput = {
  distanceKm: 5,
  radiusKm: 50,
  ratingSum: 0,
  ratingCount: 0,
  specialtyMatch: false,
  offersTeleconsultation: false,
  acceptsNewPatients: true,
};

describe("bayesianRating", () => {
  it("shrinks few reviews towards the prior", () => {
    expect(RATING_PRIOR).toEqual({ mean: 4.0, weight: 5 });
    expect(bayesianRating(0, 0)).toBe(4);
    expect(bayesianRating(5, 1)).toBeCloseTo(4.1667, 4);
    expect(bayesianRating(40 * 4.7, 40)).toBeCloseTo(4.6222, 4);
    // One 5-star review does not beat forty 4.7s.
    expect(bayesianRating(5, 1)).toBeLessThan(bayesianRating(188, 40));
    // Many reviews: close to the plain mean.
    expect(bayesianRating(2000 * 3, 2000)).toBeCloseTo(3.0025, 3);
  });

  it("carries over to the score", () => {
    const one5 = rankScore({ ...base, ratingSum: 5, ratingCount: 1 });
    const forty47 = rankScore({ ...base, ratingSum: 188, ratingCount: 40 });
    expect(forty47).toBeGreaterThan(one5);
  });
});

describe("rankScore", () => {
  it("weights sum to one and scores stay in [0, 1]", () => {
    const sum = Object.values(RANKING_WEIGHTS).reduce((a, b) => a + b, 0);
    expect(sum).toBeCloseTo(1, 12);
    const best = rankScore({
      distanceKm: 0,
      radiusKm: 10,
      ratingSum: 5000,
      ratingCount: 1000,
      specialtyMatch: true,
      offersTeleconsultation: true,
      acceptsNewPatients: true,
    });
    expect(best).toBeLessThanOrEqual(1);
    expect(best).toBeGreaterThan(0.99);
    const worst = rankScore({
      ...base,
      distanceKm: 80,
      ratingSum: 1000,
      ratingCount: 1000,
      acceptsNewPatients: false,
    });
    expect(worst).toBeGreaterThanOrEqual(0);
    expect(worst).toBeLessThan(0.01);
  });

  it("prefers the closer doctor at an equal rating", () => {
    const near = rankScore({ ...base, distanceKm: 2, ratingSum: 90, ratingCount: 20 });
    const far = rankScore({ ...base, distanceKm: 20, ratingSum: 90, ratingCount: 20 });
    expect(near).toBeGreaterThan(far);
    // Proximity is linear in distance over the radius: 0.45 · 18/50 apart.
    expect(near - far).toBeCloseTo(RANKING_WEIGHTS.proximity * (18 / 50), 12);
  });

  it("boosts a specialty that fits the case, teleconsultation and accepting", () => {
    const plain = rankScore(base);
    expect(rankScore({ ...base, specialtyMatch: true }) - plain).toBeCloseTo(0.12, 12);
    expect(rankScore({ ...base, offersTeleconsultation: true }) - plain).toBeCloseTo(0.04, 12);
    expect(plain - rankScore({ ...base, acceptsNewPatients: false })).toBeCloseTo(0.04, 12);
    // A fitting specialty outweighs a few km (0.12 > 0.45 · 10/50).
    expect(rankScore({ ...base, distanceKm: 15, specialtyMatch: true })).toBeGreaterThan(
      rankScore({ ...base, distanceKm: 5 }),
    );
  });

  it("bounds every doctor at or beyond a distance", () => {
    for (const d of [0, 5, 25, 49, 50]) {
      const bound = maxScoreBeyond(d, 50, true);
      for (const extra of [0, 0.1, 10]) {
        const x = {
          distanceKm: d + extra,
          radiusKm: 50,
          ratingSum: 5 * 500,
          ratingCount: 500,
          specialtyMatch: true,
          offersTeleconsultation: true,
          acceptsNewPatients: true,
        };
        expect(rankScore(x)).toBeLessThanOrEqual(bound);
        expect(rankScore({ ...x, specialtyMatch: false })).toBeLessThanOrEqual(
          maxScoreBeyond(d, 50, false),
        );
      }
    }
  });
});

describe("whyRecommended", () => {
  it("gives short reasons", () => {
    expect(
      whyRecommended({
        ...base,
        distanceKm: 3.24,
        ratingSum: 106,
        ratingCount: 23,
        specialtyMatch: true,
        matchedSpecialty: "pediatric-hematology-oncology",
        offersTeleconsultation: true,
      }),
    ).toEqual([
      "3.2 km away",
      "rated 4.6 (23 reviews)",
      "pediatric hematology-oncology",
      "offers teleconsultation",
      "accepting new patients",
    ]);
    expect(
      whyRecommended({
        ...base,
        distanceKm: 42.4,
        ratingSum: 4,
        ratingCount: 1,
        acceptsNewPatients: false,
      }),
    ).toEqual(["42 km away", "rated 4.0 (1 review)"]);
  });
});

describe("merit", () => {
  it("is the part of the score the query does not change, bounded by maxScoreBeyond", () => {
    const w = RANKING_WEIGHTS;
    for (const x of [
      base,
      { ...base, ratingSum: 47, ratingCount: 10, offersTeleconsultation: true },
      { ...base, ratingSum: 5, ratingCount: 5, acceptsNewPatients: false, specialtyMatch: true },
    ]) {
      const bonus = x.specialtyMatch ? w.specialty : 0;
      expect(rankScore(x)).toBeCloseTo(
        w.proximity * proximity(x.distanceKm, x.radiusKm) + merit(x) + bonus,
        12,
      );
      expect(merit(x)).toBeLessThanOrEqual(w.rating + w.teleconsultation + w.accepting);
      expect(rankScore(x)).toBeLessThanOrEqual(maxScoreBeyond(x.distanceKm, x.radiusKm, true));
    }
    // The numbers migration 0013 computes the index's merit with.
    expect(w).toMatchObject({ rating: 0.35, teleconsultation: 0.04, accepting: 0.04 });
  });
});
