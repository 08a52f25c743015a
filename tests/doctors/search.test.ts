import { eq } from "drizzle-orm";
import { getDb } from "#db/client";
import { doctorProfiles, reviews, users } from "#db/schema";
import {
  scanDoctors,
  searchDoctors,
  searchStats,
  type DoctorSearch,
} from "~/doctors/search.server";
import { merit } from "~/doctors/ranking";
import { distanceKm } from "~/geo/geo";
import { seededRandom } from "../../seed/random";
import { inTransaction, type Tx } from "~/data/unit-of-work.server";

let counter = 0;

type DoctorInput = {
  name?: string;
  title?: string | null;
  status?: "pending" | "verified" | "rejected";
  lat: number | null;
  lng: number | null;
  specialties?: string[];
  languages?: string[];
  teleconsultation?: boolean;
  accepting?: boolean;
  ratings?: { count: number; sum: number };
  city?: string;
};

/** A user and a doctor profile inserted directly (the R*Tree follows through triggers). */
async function insertDoctor(tx: Tx, input: DoctorInput) {
  counter += 1;
  const [user] = await tx
    .insert(users)
    .values({
      email: `search-doctor-${counter}@example.test`,
      passwordHash: "!",
      role: "doctor",
      displayName: input.name ?? `Doctor ${counter}`,
    })
    .returning();
  const [profile] = await tx
    .insert(doctorProfiles)
    .values({
      userId: user.id,
      status: input.status ?? "verified",
      title: input.title === undefined ? "Dr." : input.title,
      specialties: input.specialties ?? ["hematology"],
      languages: input.languages ?? ["English"],
      clinicName: `Clinic ${counter}`,
      city: input.city ?? "Testville",
      country: "FR",
      lat: input.lat,
      lng: input.lng,
      offersTeleconsultation: input.teleconsultation ?? false,
      acceptsNewPatients: input.accepting ?? true,
    })
    .returning();
  if (input.ratings) {
    // Set the aggregates directly (the review triggers are tested with reviews below).
    await tx
      .update(doctorProfiles)
      .set({ ratingCount: input.ratings.count, ratingSum: input.ratings.sum })
      .where(eq(doctorProfiles.id, profile.id));
  }
  return { userId: user.id, id: profile.id };
}

const addDoctor = (input: DoctorInput) => inTransaction(({ tx }) => insertDoctor(tx, input));

const sqlite = () => getDb().$client;
const ids = (hits: { id: string }[]) => hits.map((h) => h.id);

/** Runs both implementations and checks they agree exactly (ids, scores, order). */
function search(query: Partial<DoctorSearch> & { lat: number; lng: number }) {
  const full: DoctorSearch = { radiusKm: 50, k: 20, ...query };
  const hits = searchDoctors(sqlite(), full);
  const oracle = scanDoctors(sqlite(), full);
  expect(ids(hits)).toEqual(ids(oracle));
  expect(hits.map((h) => h.score)).toEqual(oracle.map((h) => h.score));
  return hits;
}

// Each area is far from the others, so the tests do not see each other's doctors.
describe("searchDoctors", () => {
  test("returns only verified doctors with a location, with display details", async () => {
    const verified = await addDoctor({ lat: 45.0, lng: 5.0, name: "Ada Verified", title: "Prof." });
    const untitled = await addDoctor({ lat: 45.01, lng: 5.0, name: "Untitled Doc", title: null });
    await addDoctor({ lat: 45.0, lng: 5.01, status: "pending" });
    await addDoctor({ lat: 45.0, lng: 5.02, status: "rejected" });
    await addDoctor({ lat: null, lng: null });

    const hits = search({ lat: 45.0, lng: 5.0, radiusKm: 10 });
    expect(ids(hits).sort()).toEqual([verified.id, untitled.id].sort());
    const ada = hits.find((h) => h.id === verified.id)!;
    expect(ada.name).toBe("Prof. Ada Verified");
    expect(hits.find((h) => h.id === untitled.id)!.name).toBe("Untitled Doc");
    expect(ada).toMatchObject({
      clinicName: expect.stringMatching(/^Clinic /),
      city: "Testville",
      country: "FR",
      lat: 45.0,
      lng: 5.0,
      specialties: ["hematology"],
      languages: ["English"],
      ratingCount: 0,
      ratingMean: null,
      bayesian: 4,
      acceptsNewPatients: true,
      offersTeleconsultation: false,
    });
    expect(ada.distanceKm).toBe(0);
    expect(ada.why).toContain("0.0 km away");
  });

  test("respects the radius exactly (great-circle, not the bounding box)", async () => {
    // Doctors due north at 9.99 and 10.01 km, and one in the box corner (14 km away).
    const dLat = 1 / 111.195; // one km of latitude on the mean sphere, in degrees
    const near = await addDoctor({ lat: 30 + 9.99 * dLat, lng: 60 });
    await addDoctor({ lat: 30 + 10.01 * dLat, lng: 60 });
    const corner = await addDoctor({ lat: 30 + 9.9 * dLat, lng: 60 + 0.1 });
    expect(distanceKm(30, 60, 30 + 9.9 * dLat, 60.1)).toBeGreaterThan(10);

    const hits = search({ lat: 30, lng: 60, radiusKm: 10 });
    expect(ids(hits)).toEqual([near.id]);
    expect(hits[0]!.distanceKm).toBeLessThanOrEqual(10);
    expect(hits[0]!.distanceKm).toBeGreaterThan(9.98);
    const wider = search({ lat: 30, lng: 60, radiusKm: 15 });
    expect(ids(wider)).toContain(corner.id);
    expect(wider).toHaveLength(3);
  });

  test("finds doctors across the antimeridian and near a pole", async () => {
    const fiji = await addDoctor({ lat: -16.5, lng: 179.9 });
    const other = await addDoctor({ lat: -16.5, lng: -179.95 });
    const fromWest = search({ lat: -16.5, lng: -179.9, radiusKm: 50 });
    expect(ids(fromWest).sort()).toEqual([fiji.id, other.id].sort());
    expect(fromWest.find((h) => h.id === fiji.id)!.distanceKm).toBeCloseTo(21.3, 0);
    expect(ids(search({ lat: -16.5, lng: 179.99, radiusKm: 30 })).sort()).toEqual(
      [fiji.id, other.id].sort(),
    );

    const polar = await addDoctor({ lat: 89.9, lng: -100 });
    // Across the pole: 89.9° N at 80° E is ~22 km from 89.9° N at 100° W.
    expect(ids(search({ lat: 89.9, lng: 80, radiusKm: 25 }))).toEqual([polar.id]);
  });

  test("filters: specialty, language, teleconsultation, accepting, minimum rating", async () => {
    const base = { lat: -20, lng: -50 };
    const a = await addDoctor({
      ...base,
      specialties: ["hematology-oncology"],
      languages: ["Portuguese", "English"],
      teleconsultation: true,
      accepting: true,
      ratings: { count: 40, sum: 188 }, // 4.7 → Bayesian 4.62
    });
    const b = await addDoctor({
      lat: -20.01,
      lng: -50,
      specialties: ["hematology", "pediatric-hematology-oncology"],
      languages: ["Portuguese"],
      teleconsultation: false,
      accepting: false,
      ratings: { count: 1, sum: 5 }, // Bayesian 4.17
    });
    const c = await addDoctor({
      lat: -20.02,
      lng: -50,
      specialties: ["hematology"],
      languages: ["Spanish"],
      teleconsultation: true,
      accepting: true,
      ratings: { count: 10, sum: 25 }, // Bayesian 3.0
    });
    const q = { ...base, radiusKm: 20 };
    expect(ids(search(q)).sort()).toEqual([a.id, b.id, c.id].sort());
    // "hematology" must not match "hematology-oncology" inside the JSON text.
    expect(ids(search({ ...q, specialty: "hematology" })).sort()).toEqual([b.id, c.id].sort());
    expect(ids(search({ ...q, specialty: "hematology-oncology" }))).toEqual([a.id]);
    expect(ids(search({ ...q, specialty: "hematopathology" }))).toEqual([]);
    expect(ids(search({ ...q, language: "Portuguese" })).sort()).toEqual([a.id, b.id].sort());
    expect(ids(search({ ...q, language: "Spanish" }))).toEqual([c.id]);
    expect(ids(search({ ...q, teleconsultation: true })).sort()).toEqual([a.id, c.id].sort());
    expect(ids(search({ ...q, acceptingNewPatients: true })).sort()).toEqual([a.id, c.id].sort());
    expect(ids(search({ ...q, minRating: 4.1 })).sort()).toEqual([a.id, b.id].sort());
    expect(ids(search({ ...q, minRating: 4.5 }))).toEqual([a.id]);
    expect(
      ids(search({ ...q, language: "Portuguese", teleconsultation: true, minRating: 4 })),
    ).toEqual([a.id]);
    // false means "no filter", as in the finder's form.
    expect(search({ ...q, teleconsultation: false, acceptingNewPatients: false })).toHaveLength(3);
  });

  test("ranks by the documented score: rating shrinkage, proximity and specialty boost", async () => {
    const base = { lat: 10, lng: 10 };
    const dLat = 1 / 111.195;
    const oneFive = await addDoctor({ lat: 10 + 2 * dLat, lng: 10, ratings: { count: 1, sum: 5 } });
    const fortyGood = await addDoctor({
      lat: 10 + 2 * dLat,
      lng: 10,
      ratings: { count: 40, sum: 188 },
    });
    const far = await addDoctor({ lat: 10 + 30 * dLat, lng: 10, ratings: { count: 40, sum: 188 } });
    const pediatric = await addDoctor({
      lat: 10 + 2 * dLat,
      lng: 10,
      specialties: ["pediatric-hematology-oncology"],
      ratings: { count: 1, sum: 5 },
    });

    const plain = search({ ...base, radiusKm: 50 });
    expect(ids(plain).indexOf(fortyGood.id)).toBeLessThan(ids(plain).indexOf(oneFive.id));
    expect(ids(plain).indexOf(fortyGood.id)).toBeLessThan(ids(plain).indexOf(far.id));
    const scores = plain.map((h) => h.score);
    expect([...scores].sort((x, y) => y - x)).toEqual(scores);
    const good = plain.find((h) => h.id === fortyGood.id)!;
    expect(good.ratingMean).toBeCloseTo(4.7, 9);
    expect(good.bayesian).toBeCloseTo(4.622, 3);
    expect(good.why).toEqual(["2.0 km away", "rated 4.7 (40 reviews)", "accepting new patients"]);

    const boosted = search({
      ...base,
      radiusKm: 50,
      boostSpecialties: ["pediatric-hematology-oncology"],
    });
    expect(boosted[0]!.id).toBe(pediatric.id);
    expect(boosted[0]!.why).toContain("pediatric hematology-oncology");
  });

  test("returns the top k in the same order as the full scan, in a crowded area", async () => {
    const rng = seededRandom(7);
    const specialties = ["hematology", "hematology-oncology", "pediatric-hematology-oncology"];
    await inTransaction(async ({ tx }) => {
      for (let i = 0; i < 300; i++) {
        const count = Math.floor(rng.next() * 60);
        await insertDoctor(tx, {
          lat: -35 + (rng.next() - 0.5) * 0.8,
          lng: 140 + (rng.next() - 0.5) * 0.8,
          specialties: rng.sample(specialties, 1 + Math.floor(rng.next() * 2)),
          languages: rng.sample(["English", "French", "Chinese"], 1 + Math.floor(rng.next() * 2)),
          teleconsultation: rng.next() < 0.5,
          accepting: rng.next() < 0.8,
          ratings: { count, sum: Math.round(count * (3 + 2 * rng.next())) },
        });
      }
    });
    // Ties: two identical doctors at the same place are ordered the same way by both.
    await addDoctor({ lat: -35, lng: 140, ratings: { count: 3, sum: 15 } });
    await addDoctor({ lat: -35, lng: 140, ratings: { count: 3, sum: 15 } });

    for (const query of [
      { lat: -35, lng: 140, k: 20 },
      { lat: -35, lng: 140, k: 5, radiusKm: 10 },
      { lat: -35.2, lng: 140.3, k: 50, radiusKm: 25 },
      { lat: -35, lng: 140, k: 20, boostSpecialties: ["pediatric-hematology-oncology"] },
      { lat: -35, lng: 140, k: 20, specialty: "hematology-oncology", language: "French" },
      { lat: -35.1, lng: 139.9, k: 10, teleconsultation: true, minRating: 4.2 },
      { lat: -35, lng: 140, k: 400, radiusKm: 100 },
    ]) {
      const hits = search(query);
      expect(hits.length).toBeGreaterThan(0);
      expect(hits.length).toBeLessThanOrEqual(query.k);
      for (const h of hits) expect(h.distanceKm).toBeLessThanOrEqual(query.radiusKm ?? 50);
    }
    expect(search({ lat: -35, lng: 140, k: 400, radiusKm: 100 })).toHaveLength(302);
    expect(search({ lat: -35, lng: 140, k: 0 })).toEqual([]);
  });

  test("in a dense city, stops early yet returns exactly the scan's top k", async () => {
    const rng = seededRandom(11);
    await inTransaction(async ({ tx }) => {
      for (let i = 0; i < 800; i++) {
        const count = Math.floor(rng.next() * 100);
        await insertDoctor(tx, {
          lat: 25 + (rng.next() - 0.5) * 0.1,
          lng: -100 + (rng.next() - 0.5) * 0.1,
          specialties: rng.sample(["hematology", "hematology-oncology"], 1),
          teleconsultation: rng.next() < 0.5,
          accepting: rng.next() < 0.8,
          ratings: { count, sum: Math.round(count * (3 + 2 * rng.next())) },
        });
      }
    });
    for (const query of [
      { lat: 25, lng: -100, k: 20, radiusKm: 10 },
      { lat: 25.01, lng: -100.02, k: 5, radiusKm: 5 },
      { lat: 25, lng: -100, k: 10, radiusKm: 10, boostSpecialties: ["hematology-oncology"] },
    ]) {
      searchStats.indexRows = 0;
      searchStats.refined = 0;
      const hits = search(query);
      expect(hits).toHaveLength(query.k);
      // The pruning worked: far fewer than the 800 doctors were bounded from the index, and
      // of those only a few more than k had their row read.
      expect(searchStats.indexRows).toBeLessThan(300);
      expect(searchStats.refined).toBeLessThan(3 * query.k + 10);
    }
  });

  test("does not stop before a farther doctor whose record beats a crowd of nearer ones", async () => {
    // 100 average doctors (4.0★) at the centre, and one with 500 five-star reviews 1.75 km
    // away: her score is just above the crowd's, and just below the search's bound for
    // anyone that far, so stopping even 0.01 too early would miss her.
    const rng = seededRandom(3);
    await inTransaction(async ({ tx }) => {
      for (let i = 0; i < 100; i++) {
        await insertDoctor(tx, {
          lat: -10 + (rng.next() - 0.5) * 0.0002,
          lng: 30 + (rng.next() - 0.5) * 0.0002,
          teleconsultation: true,
          accepting: true,
          ratings: { count: 10, sum: 40 },
        });
      }
    });
    const star = await addDoctor({
      lat: -10 + 1.75 / 111.195,
      lng: 30,
      teleconsultation: true,
      accepting: true,
      ratings: { count: 500, sum: 2500 },
    });
    const hits = search({ lat: -10, lng: 30, k: 5, radiusKm: 10 });
    expect(hits[0]!.id).toBe(star.id);
    expect(hits[0]!.score - hits[1]!.score).toBeLessThan(0.02);
  });

  test("a doctor who moves or loses verification leaves the index", async () => {
    const doctor = await addDoctor({ lat: 60, lng: 25 });
    const here = { lat: 60, lng: 25, radiusKm: 5 };
    expect(ids(search(here))).toEqual([doctor.id]);

    await inTransaction(({ tx }) =>
      tx.update(doctorProfiles).set({ lat: 61, lng: 25 }).where(eq(doctorProfiles.id, doctor.id)),
    );
    expect(search(here)).toEqual([]);
    expect(ids(search({ lat: 61, lng: 25, radiusKm: 5 }))).toEqual([doctor.id]);

    await inTransaction(({ tx }) =>
      tx.update(doctorProfiles).set({ status: "rejected" }).where(eq(doctorProfiles.id, doctor.id)),
    );
    expect(search({ lat: 61, lng: 25, radiusKm: 5 })).toEqual([]);

    await inTransaction(({ tx }) =>
      tx.update(doctorProfiles).set({ status: "verified" }).where(eq(doctorProfiles.id, doctor.id)),
    );
    expect(ids(search({ lat: 61, lng: 25, radiusKm: 5 }))).toEqual([doctor.id]);

    await inTransaction(({ tx }) =>
      tx.delete(doctorProfiles).where(eq(doctorProfiles.id, doctor.id)),
    );
    expect(search({ lat: 61, lng: 25, radiusKm: 5 })).toEqual([]);
  });

  test("visible reviews feed the ranking through the aggregate triggers", async () => {
    const doctor = await addDoctor({ lat: -40, lng: -70 });
    const author = (
      await inTransaction(({ tx }) =>
        tx
          .insert(users)
          .values({
            email: `author-${Date.now()}@example.test`,
            passwordHash: "!",
            displayName: "P",
          })
          .returning(),
      )
    )[0];
    await inTransaction(({ tx }) =>
      tx
        .insert(reviews)
        .values({ doctorId: doctor.id, authorId: author.id, rating: 5, body: "Very kind." }),
    );
    const [hit] = search({ lat: -40, lng: -70, radiusKm: 5 });
    expect(hit).toMatchObject({ id: doctor.id, ratingCount: 1, ratingMean: 5 });
    expect(hit!.bayesian).toBeCloseTo(25 / 6, 9);
  });

  test("the R*Tree's copy of a profile follows every change the score reads", async () => {
    const doctor = await addDoctor({ lat: -45, lng: -72, ratings: { count: 7, sum: 31 } });
    const geoRow = () =>
      sqlite()
        .prepare(
          `SELECT g.* FROM doctor_geo g JOIN doctor_profiles p ON p.geo_id = g.id WHERE p.id = ?`,
        )
        .get(doctor.id) as Record<string, number | string>;
    // The third dimension is the doctor's merit as ranking.ts computes it (RATING_PRIOR,
    // RANKING_WEIGHTS), stored as float32 rounded outwards.
    const expectMerit = (x: Parameters<typeof merit>[0]) => {
      const row = geoRow();
      expect(row.min_merit).toBeLessThanOrEqual(merit(x));
      expect(row.max_merit).toBeGreaterThanOrEqual(merit(x));
      expect(Number(row.max_merit) - Number(row.min_merit)).toBeLessThan(1e-6);
    };
    expectMerit({
      ratingSum: 31,
      ratingCount: 7,
      offersTeleconsultation: false,
      acceptsNewPatients: true,
    });
    await inTransaction(({ tx }) =>
      tx
        .update(doctorProfiles)
        .set({
          ratingCount: 12,
          ratingSum: 58,
          offersTeleconsultation: true,
          acceptsNewPatients: false,
          specialties: ["hematopathology"],
          languages: ["Quechua"],
          lat: -45.001,
        })
        .where(eq(doctorProfiles.id, doctor.id)),
    );
    expectMerit({
      ratingSum: 58,
      ratingCount: 12,
      offersTeleconsultation: true,
      acceptsNewPatients: false,
    });
    expect(geoRow().min_lat).toBeLessThanOrEqual(-45.001);
    expect(geoRow().max_lat).toBeGreaterThanOrEqual(-45.001);
    expect(Number(geoRow().max_lat) - Number(geoRow().min_lat)).toBeLessThan(1e-4);
    expect(geoRow()).toMatchObject({
      rating_sum: 58,
      rating_count: 12,
      teleconsultation: 1,
      accepting: 0,
      specialties: JSON.stringify(["hematopathology"]),
      languages: JSON.stringify(["Quechua"]),
    });
    search({ lat: -45, lng: -72, radiusKm: 5, specialty: "hematopathology", language: "Quechua" });
  });

  test("rejects invalid coordinates and radius", () => {
    expect(() => searchDoctors(sqlite(), { lat: 95, lng: 0, radiusKm: 10, k: 5 })).toThrow(
      RangeError,
    );
    expect(() => searchDoctors(sqlite(), { lat: 0, lng: 0, radiusKm: -1, k: 5 })).toThrow(
      RangeError,
    );
  });
});
