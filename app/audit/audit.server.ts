import { getDb } from "#db/client";
import { auditLog } from "#db/schema";

export type AuditEntry = {
  actorId: string | null;
  action: string;
  outcome: "success" | "failure" | "denied";
  targetType?: string;
  targetId?: string;
  ip?: string;
  detail?: string;
};

/** Append one row to the audit log; the table refuses updates and deletes. */
export function audit(entry: AuditEntry): void {
  getDb().insert(auditLog).values(entry).run();
}
