/**
 * The doctor search on this process's engine (docs/decisions/058): the R*Tree search on
 * SQLite (decision 039), the PostGIS search on PostgreSQL (decision 050). Both answer the
 * same doctors in the same order (tests/doctors/search-postgis.test.ts).
 */
import { getDb } from "#db/client";
import type { PgDb } from "#db/pg/client";
import { ENGINE } from "#db/engine";
import { searchDoctorsPostgis } from "./search-postgis.server";
import { searchDoctors, type DoctorHit, type DoctorSearch } from "./search.server";

export async function searchDoctorsHere(query: DoctorSearch): Promise<DoctorHit[]> {
  if (ENGINE === "postgres") {
    return await searchDoctorsPostgis((getDb() as unknown as PgDb).$client, query);
  }
  return searchDoctors(getDb().$client, query);
}
