/**
 * The scheduled job (cron, or a platform scheduler): `npx tsx scripts/housekeeping.ts`.
 * Closes due consultations, purges expired sessions and rate-limit rows; prints counts.
 */
import { runHousekeeping } from "~/housekeeping/housekeeping.server";

console.info(JSON.stringify(await runHousekeeping()));
