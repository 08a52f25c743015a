import { getDb } from "#db/client";
import { auditLog } from "#db/schema";
import { currentRequest } from "~/http/request-context.server";

export type AuditEntry = {
  actorId: string | null;
  action: string;
  outcome: "success" | "failure" | "denied";
  targetType?: string;
  targetId?: string;
  detail?: string;
};

/**
 * Append one row to the audit log; the table refuses updates and deletes. The address
 * comes from the request context (none for scheduled work).
 */
export function audit(entry: AuditEntry): void {
  getDb()
    .insert(auditLog)
    .values({ ...entry, ip: currentRequest()?.ip })
    .run();
}
