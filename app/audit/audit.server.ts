import { inTransaction, type Tx } from "~/data/unit-of-work.server";
import { auditLog } from "#db/schema";
import type { Actor } from "~/auth/permissions";
import { currentRequest } from "~/http/request-context.server";

/** What an entry can be about: a row of one of these tables. */
export type AuditTargetType =
  | "analysis"
  | "clinic_patient"
  | "consultation"
  | "doctor_profile"
  | "lab_dataset"
  | "lab_job"
  | "model_version"
  | "review"
  | "user";

export type AuditEntry = {
  actorId: string | null;
  action: string;
  outcome: "success" | "failure" | "denied";
  targetType?: AuditTargetType;
  targetId?: string;
  detail?: string;
};

/** What an entry is about and what it adds, beside who did what with which outcome. */
export type AuditAbout = Pick<AuditEntry, "targetType" | "targetId" | "detail">;

/**
 * Append one row to the audit log; the table refuses updates and deletes. The address
 * comes from the request context (none for scheduled work). Inside a unit of work, pass
 * its transaction so the entry commits (or rolls back) with the change it records.
 */
export async function audit(entry: AuditEntry, tx?: Tx): Promise<void> {
  const row = { ...entry, ip: currentRequest()?.ip };
  if (tx) await tx.insert(auditLog).values(row);
  else await inTransaction((uow) => uow.tx.insert(auditLog).values(row));
}

/** The common entry: a signed-in user's action succeeded (on a target, with a detail). */
export const auditSuccess = (
  actor: Pick<Actor, "id">,
  action: string,
  about: AuditAbout = {},
  tx?: Tx,
): Promise<void> => audit({ actorId: actor.id, action, outcome: "success", ...about }, tx);
