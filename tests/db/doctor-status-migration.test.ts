import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { drizzle } from "drizzle-orm/better-sqlite3";
import { migrate } from "drizzle-orm/better-sqlite3/migrator";
import { migrateDatabase, migrationsFolder, type Db } from "#db/client";

/** A database migrated up to (not including) migration `before`, with the rest still to come. */
function databaseBefore(before: string) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hemalink-migration-"));
  const folder = path.join(dir, "migrations");
  fs.cpSync(migrationsFolder(), folder, { recursive: true });
  const journalPath = path.join(folder, "meta/_journal.json");
  const journal = JSON.parse(fs.readFileSync(journalPath, "utf8")) as {
    entries: { tag: string }[];
  };
  fs.writeFileSync(
    journalPath,
    JSON.stringify({ ...journal, entries: journal.entries.filter((e) => e.tag < before) }),
  );
  const sqlite = new Database(path.join(dir, "test.db"));
  sqlite.pragma("foreign_keys = ON");
  const db = drizzle(sqlite) as unknown as Db;
  migrate(db, { migrationsFolder: folder });
  return { sqlite, db, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

describe("the migration that adds the suspended status (0011)", () => {
  test("rebuilds doctor_profiles without losing a profile, a consultation, a review or the spatial index", () => {
    const { sqlite, db, cleanup } = databaseBefore("0011");
    try {
      const now = Date.now();
      const insertUser = sqlite.prepare(
        "insert into users (id, email, password_hash, role, display_name, created_at, updated_at) values (?, ?, 'x', ?, ?, ?, ?)",
      );
      insertUser.run("doc", "doc@example.test", "doctor", "Amira Haddad", now, now);
      insertUser.run("pat", "pat@example.test", "patient", "Paul Martin", now, now);
      sqlite
        .prepare(
          "insert into doctor_profiles (id, user_id, status, title, lat, lng, created_at, updated_at) values ('p1', 'doc', 'verified', 'Dr', 48.85, 2.35, ?, ?)",
        )
        .run(now, now);
      sqlite
        .prepare(
          "insert into analyses (id, patient_id, image_key, sha256, model_version, verdict, reasons, probabilities, top_class, confidence, created_at) values ('a1', 'pat', 'k', ?, 't', 'ok', '[]', '{}', 'benign', 'low', ?)",
        )
        .run("0".repeat(64), now);
      sqlite
        .prepare(
          "insert into consultations (id, analysis_id, patient_id, doctor_profile_id, message, consent_at, created_at, updated_at) values ('c1', 'a1', 'pat', 'p1', 'Please look', ?, ?, ?)",
        )
        .run(now, now, now);
      sqlite
        .prepare(
          "insert into reviews (id, doctor_id, author_id, rating, body, created_at, updated_at) values ('r1', 'p1', 'pat', 4, 'Kind and clear.', ?, ?)",
        )
        .run(now, now);
      // The box columns only: later migrations (0012) add scoring columns to the index.
      const boxes = "select id, min_lat, max_lat, min_lng, max_lng from doctor_geo";
      const geoBefore = sqlite.prepare(boxes).all();
      expect(geoBefore).toHaveLength(1);

      migrateDatabase(db);

      expect(sqlite.pragma("foreign_keys", { simple: true })).toBe(1);
      expect(sqlite.prepare("select id from consultations").all()).toEqual([{ id: "c1" }]);
      expect(sqlite.prepare("select id from reviews").all()).toEqual([{ id: "r1" }]);
      expect(
        sqlite
          .prepare(
            "select status, title, rating_count, rating_sum, suspension_reason from doctor_profiles",
          )
          .all(),
      ).toEqual([
        {
          status: "verified",
          title: "Dr",
          rating_count: 1,
          rating_sum: 4,
          suspension_reason: null,
        },
      ]);
      expect(sqlite.prepare(boxes).all()).toEqual(geoBefore);

      // The triggers came back: suspending leaves the index, a new profile gets a geo id.
      sqlite.prepare("update doctor_profiles set status = 'suspended' where id = 'p1'").run();
      expect(sqlite.prepare("select * from doctor_geo").all()).toEqual([]);
      insertUser.run("doc2", "doc2@example.test", "doctor", "B", now, now);
      sqlite
        .prepare(
          "insert into doctor_profiles (id, user_id, status, lat, lng, created_at, updated_at) values ('p2', 'doc2', 'verified', 45.7, 4.8, ?, ?)",
        )
        .run(now, now);
      expect(sqlite.prepare("select count(*) as n from doctor_geo").get()).toEqual({ n: 1 });
      // A review's trigger still updates the (rebuilt) profile table.
      sqlite
        .prepare(
          "insert into reviews (id, doctor_id, author_id, rating, body, created_at, updated_at) values ('r2', 'p2', 'pat', 5, 'Very good.', ?, ?)",
        )
        .run(now, now);
      expect(
        sqlite.prepare("select rating_count from doctor_profiles where id = 'p2'").get(),
      ).toEqual({ rating_count: 1 });
      // Children still reference the profile table by its name, with their cascades.
      expect(
        (sqlite.pragma("foreign_key_list(consultations)") as { table: string }[]).map(
          (k) => k.table,
        ),
      ).toContain("doctor_profiles");
      expect(() =>
        sqlite.prepare("update doctor_profiles set status = 'unknown' where id = 'p1'").run(),
      ).toThrow(/CHECK constraint/);
    } finally {
      sqlite.close();
      cleanup();
    }
  });
});

describe("the migration that adds the researcher role and the promotions (0017)", () => {
  test("rebuilds users without losing an account, a session or an analysis, and accepts the new role only", () => {
    const { sqlite, db, cleanup } = databaseBefore("0017");
    try {
      const now = Date.now();
      sqlite
        .prepare(
          "insert into users (id, email, password_hash, role, display_name, created_at, updated_at) values ('pat', 'pat@example.test', 'x', 'patient', 'Paul Martin', ?, ?)",
        )
        .run(now, now);
      sqlite
        .prepare(
          "insert into sessions (id, user_id, created_at, last_seen_at, expires_at) values ('s1', 'pat', ?, ?, ?)",
        )
        .run(now, now, now + 1000);
      sqlite
        .prepare(
          "insert into analyses (id, patient_id, image_key, sha256, model_version, verdict, reasons, probabilities, top_class, confidence, created_at) values ('a1', 'pat', 'k', ?, 't', 'ok', '[]', '{}', 'benign', 'low', ?)",
        )
        .run("0".repeat(64), now);
      migrateDatabase(db);
      expect(sqlite.prepare("select count(*) as n from sessions").get()).toEqual({ n: 1 });
      expect(sqlite.prepare("select patient_id from analyses").get()).toEqual({
        patient_id: "pat",
      });
      sqlite.prepare("update users set role = 'researcher' where id = 'pat'").run();
      expect(() =>
        sqlite.prepare("update users set role = 'guest' where id = 'pat'").run(),
      ).toThrow(/CHECK constraint/);
      expect(() =>
        sqlite
          .prepare(
            "insert into users (id, email, password_hash, display_name, created_at, updated_at) values ('p2', 'PAT@example.test', 'x', 'Twin', ?, ?)",
          )
          .run(now, now),
      ).toThrow(/UNIQUE/);
      // A deleted account still cascades to its sessions: the children point at the new table.
      sqlite.prepare("delete from analyses").run();
      sqlite.prepare("delete from users where id = 'pat'").run();
      expect(sqlite.prepare("select count(*) as n from sessions").get()).toEqual({ n: 0 });
    } finally {
      sqlite.close();
      cleanup();
    }
  });
});
