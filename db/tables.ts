/**
 * The tables the app's data code uses (`#db/schema` resolves here: tsconfig paths, the vite
 * alias): those of `db/schema.ts` (SQLite) or of `db/pg/schema.ts` (PostgreSQL), chosen once
 * per process by `DATABASE_URL` (docs/decisions/058). Both are typed as the SQLite tables: the
 * two schemas have the same tables, columns, JS types and names (tests/db/pg-schema.test.ts),
 * and drizzle's query builder takes either table on its own engine. A table added to
 * `db/schema.ts` is added here too (tests/db/tables.test.ts fails until it is).
 */
import * as postgres from "./pg/schema";
import * as sqlite from "./schema";
import { ENGINE } from "./engine";

export type * from "./schema";

const chosen = (ENGINE === "postgres" ? postgres : sqlite) as unknown as typeof sqlite;

export const {
  users,
  sessions,
  doctorProfiles,
  reviews,
  reviewReports,
  auditLog,
  rateLimits,
  loginThrottle,
  passwordResets,
  secondFactors,
  recoveryCodes,
  analyses,
  consultations,
  clinicPatients,
  clinicInvitations,
  consultationMessages,
  notifications,
  uploads,
  labDatasets,
  labJobs,
  labJobDatasets,
  labJobEvents,
  modelPromotions,
  researchPreferences,
  researchConsents,
} = chosen;
