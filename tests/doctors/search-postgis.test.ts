import pg from "pg";
import { getWriter } from "#db/client";
import { LANGUAGES } from "~/doctors/languages";
import { destination } from "~/geo/geo";
import { searchDoctorsPostgis } from "~/doctors/search-postgis.server";
import { scanDoctors, searchDoctors, type DoctorSearch } from "~/doctors/search.server";
import { SPECIALTY_IDS } from "~/doctors/specialties";
import { seededRandom } from "../../seed/random";
import { freshPostgresDatabase } from "../setup/test-servers";

/**
 * The oracle: the same generated doctors in SQLite and in PostGIS, the same query points; the
 * PostGIS search must answer exactly what the SQLite search answers (ids, order, scores,
 * reasons), and the SQLite search agrees with its full scan.
 */
const rng = seededRandom(1605);
const STATUSES = ["verified", "verified", "verified", "verified", "pending", "suspended"];
/** Dense and sparse places, both sides of the antimeridian, the far north, the equator. */
const CLUSTERS = [
  { lat: 52.52, lng: 13.405, km: 15, n: 1400 },
  { lat: 48.1, lng: 11.6, km: 60, n: 500 },
  { lat: -17.8, lng: 179.95, km: 40, n: 300 },
  { lat: 69.65, lng: 18.96, km: 30, n: 200 },
  { lat: 0.3, lng: 32.58, km: 25, n: 300 },
];

type Doctor = {
  geoId: number;
  lat: number | null;
  lng: number | null;
  status: string;
  specialties: string[];
  languages: string[];
  tele: boolean;
  accepting: boolean;
  ratingCount: number;
  ratingSum: number;
  title: string | null;
};

function generateDoctors(): Doctor[] {
  const doctors: Doctor[] = [];
  for (const c of CLUSTERS) {
    for (let i = 0; i < c.n; i++) {
      const lat = c.lat + ((rng.next() * 2 - 1) * c.km) / 111.32;
      let lng = c.lng + ((rng.next() * 2 - 1) * c.km) / (111.32 * Math.cos((lat * Math.PI) / 180));
      if (lng > 180) lng -= 360;
      const ratingCount = rng.next() < 0.3 ? 0 : Math.floor(Math.exp(rng.next() * 5));
      const mean = 3 + 2 * rng.next();
      // Some doctors share a location and a rating: ties must break the same way.
      const twin = doctors.length > 0 && rng.next() < 0.05 ? doctors[doctors.length - 1]! : null;
      doctors.push({
        geoId: doctors.length + 1,
        lat: rng.next() < 0.03 ? null : (twin?.lat ?? lat),
        lng: twin?.lng ?? lng,
        status: rng.pick(STATUSES),
        specialties: rng.sample(SPECIALTY_IDS, 1 + Math.floor(rng.next() * 2)),
        languages: rng.sample(LANGUAGES, 1 + Math.floor(rng.next() * 3)),
        tele: rng.next() < 0.5,
        accepting: rng.next() < 0.8,
        ratingCount: twin?.ratingCount ?? ratingCount,
        ratingSum:
          twin?.ratingSum ??
          Math.min(5 * ratingCount, Math.max(ratingCount, Math.round(mean * ratingCount))),
        title: rng.next() < 0.7 ? "Dr." : null,
      });
    }
  }
  return doctors.map((d) => (d.lat === null ? { ...d, lng: null } : d));
}

const userId = (geoId: number) => `user-${geoId}`;
const profileId = (geoId: number) => `doctor-${geoId}`;

function loadSqlite(doctors: Doctor[]) {
  const sqlite = getWriter().$client;
  const user = sqlite.prepare(
    `INSERT INTO users (id, email, password_hash, role, display_name, created_at, updated_at)
     VALUES (?, ?, '!', 'doctor', ?, 0, 0)`,
  );
  const profile = sqlite.prepare(
    `INSERT INTO doctor_profiles (id, user_id, status, title, specialties, languages, clinic_name,
       city, country, lat, lng, offers_teleconsultation, accepts_new_patients, geo_id,
       rating_count, rating_sum, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, 'Town', 'XX', ?, ?, ?, ?, ?, ?, ?, 0, 0)`,
  );
  sqlite.transaction(() => {
    for (const d of doctors) {
      user.run(userId(d.geoId), `d${d.geoId}@example.test`, `Doctor ${d.geoId}`);
      profile.run(
        profileId(d.geoId),
        userId(d.geoId),
        d.status,
        d.title,
        JSON.stringify(d.specialties),
        JSON.stringify(d.languages),
        `Clinic ${d.geoId % 17}`,
        d.lat,
        d.lng,
        d.tele ? 1 : 0,
        d.accepting ? 1 : 0,
        d.geoId,
        d.ratingCount,
        d.ratingSum,
      );
    }
  })();
  return sqlite;
}

async function loadPostgres(client: pg.Client, doctors: Doctor[]) {
  const column = <T>(pick: (d: Doctor) => T) => doctors.map(pick);
  await client.query(
    `INSERT INTO users (id, email, password_hash, role, display_name, created_at, updated_at)
     SELECT id, email, '!', 'doctor', name, now(), now()
     FROM unnest($1::text[], $2::text[], $3::text[]) AS t(id, email, name)`,
    [
      column((d) => userId(d.geoId)),
      column((d) => `d${d.geoId}@example.test`),
      column((d) => `Doctor ${d.geoId}`),
    ],
  );
  await client.query(
    `INSERT INTO doctor_profiles (id, user_id, status, title, specialties, languages, clinic_name,
       city, country, lat, lng, offers_teleconsultation, accepts_new_patients, geo_id,
       rating_count, rating_sum, created_at, updated_at)
     SELECT id, user_id, status, title, specialties::jsonb, languages::jsonb, clinic, 'Town', 'XX',
       lat, lng, tele, accepting, geo_id, rating_count, rating_sum, now(), now()
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
       $7::text[], $8::float8[], $9::float8[], $10::boolean[], $11::boolean[], $12::integer[],
       $13::integer[], $14::integer[])
       AS t(id, user_id, status, title, specialties, languages, clinic, lat, lng, tele,
            accepting, geo_id, rating_count, rating_sum)`,
    [
      column((d) => profileId(d.geoId)),
      column((d) => userId(d.geoId)),
      column((d) => d.status),
      column((d) => d.title),
      column((d) => JSON.stringify(d.specialties)),
      column((d) => JSON.stringify(d.languages)),
      column((d) => `Clinic ${d.geoId % 17}`),
      column((d) => d.lat),
      column((d) => d.lng),
      column((d) => d.tele),
      column((d) => d.accepting),
      column((d) => d.geoId),
      column((d) => d.ratingCount),
      column((d) => d.ratingSum),
    ],
  );
  await client.query("ANALYZE doctor_profiles");
}

/** Query points in and around the clusters, with every filter and boost in turn. */
function queries(): DoctorSearch[] {
  const out: DoctorSearch[] = [];
  for (let i = 0; i < 80; i++) {
    const c = rng.pick(CLUSTERS);
    const lat = c.lat + ((rng.next() * 2 - 1) * c.km * 1.5) / 111.32;
    let lng = c.lng + ((rng.next() * 2 - 1) * c.km * 1.5) / 60;
    if (lng > 180) lng -= 360;
    const q: DoctorSearch = {
      lat,
      lng,
      radiusKm: rng.pick([2, 10, 25, 50, 150]),
      k: rng.pick([1, 5, 20, 50]),
    };
    const variant = i % 8;
    if (variant === 1) q.specialty = rng.pick(SPECIALTY_IDS);
    if (variant === 2) q.language = rng.pick(LANGUAGES);
    if (variant === 3) q.teleconsultation = true;
    if (variant === 4) q.acceptingNewPatients = true;
    if (variant === 5) q.minRating = 4.2;
    if (variant === 6) q.boostSpecialties = rng.sample(SPECIALTY_IDS, 2);
    if (variant === 7)
      Object.assign(q, { specialty: rng.pick(SPECIALTY_IDS), teleconsultation: true });
    out.push(q);
  }
  return out;
}

describe("the doctor search on PostGIS", () => {
  let client: pg.Client;
  let sqlite: ReturnType<typeof loadSqlite>;
  const doctors = generateDoctors();
  beforeAll(async () => {
    client = new pg.Client({ connectionString: await freshPostgresDatabase() });
    await client.connect();
    sqlite = loadSqlite(doctors);
    await loadPostgres(client, doctors);
  });
  afterAll(() => client?.end());

  test("answers what the SQLite search answers: the same doctors, order, scores and reasons", async () => {
    let hits = 0;
    let answered = 0;
    for (const query of queries()) {
      const expected = searchDoctors(sqlite, query);
      expect(scanDoctors(sqlite, query)).toEqual(expected);
      expect({ query, hits: await searchDoctorsPostgis(client, query) }).toEqual({
        query,
        hits: expected,
      });
      hits += expected.length;
      if (expected.length > 0) answered += 1;
    }
    // The queries found doctors (an oracle of empty lists would prove nothing).
    expect(answered).toBeGreaterThan(50);
    expect(hits).toBeGreaterThan(500);
  });

  test("finds a doctor just inside the radius, where the spheroid and the sphere disagree", async () => {
    const edge = doctors
      .filter((d) => d.status === "verified" && d.lat !== null && Math.abs(d.lat) < 60)
      .slice(0, 12);
    for (const [i, d] of edge.entries()) {
      const radiusKm = [150, 400, 40][i % 3]!;
      // From a point just within the radius, in a direction away from the cluster.
      const at = destination(d.lat!, d.lng!, 37 * i, radiusKm - 0.002);
      const query: DoctorSearch = { ...at, radiusKm, k: 5000 };
      const expected = searchDoctors(sqlite, query);
      expect(expected.map((h) => h.id)).toContain(`doctor-${d.geoId}`);
      expect(await searchDoctorsPostgis(client, query)).toEqual(expected);
    }
  });

  test("a radius of 0 finds a doctor exactly at the point, as SQLite does", async () => {
    const d = doctors.find((x) => x.status === "verified" && x.lat !== null)!;
    const query: DoctorSearch = { lat: d.lat!, lng: d.lng!, radiusKm: 0, k: 3 };
    const expected = searchDoctors(sqlite, query);
    expect(expected.map((h) => h.id)).toContain(`doctor-${d.geoId}`);
    expect(await searchDoctorsPostgis(client, query)).toEqual(expected);
  });

  test("uses the GiST index for the nearest-first candidates", async () => {
    await client.query("SET enable_seqscan = off");
    const { rows } = await client.query<{ "QUERY PLAN": string }>(
      `EXPLAIN SELECT geo_id FROM doctor_profiles
       WHERE status = 'verified' AND geog IS NOT NULL
         AND ST_DWithin(geog, ST_SetSRID(ST_MakePoint(13.4, 52.5), 4326)::geography, 10000)
       ORDER BY geog <-> ST_SetSRID(ST_MakePoint(13.4, 52.5), 4326)::geography LIMIT 20`,
    );
    await client.query("RESET enable_seqscan");
    expect(rows.map((r) => r["QUERY PLAN"]).join("\n")).toMatch(
      /Index Scan using doctor_profiles_geog_verified_idx/,
    );
  });

  test("refuses what the SQLite search refuses, and answers nothing for k = 0", async () => {
    await expect(
      searchDoctorsPostgis(client, { lat: 91, lng: 0, radiusKm: 5, k: 5 }),
    ).rejects.toThrow("Invalid coordinates");
    await expect(
      searchDoctorsPostgis(client, { lat: 0, lng: 0, radiusKm: Number.NaN, k: 5 }),
    ).rejects.toThrow("Invalid radius");
    expect(await searchDoctorsPostgis(client, { lat: 52.5, lng: 13.4, radiusKm: 5, k: 0 })).toEqual(
      [],
    );
  });
});
