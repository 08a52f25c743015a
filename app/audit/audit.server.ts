import { getDb } from "#db/client";
import type { Executor } from "~/data/unit-of-work.server";
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
 * comes from the request context (none for scheduled work). Inside a unit of work, pass
 * its transaction so the entry commits (or rolls back) with the change it records.
 */
export function audit(entry: AuditEntry, db: Executor = getDb()): void {
  db.insert(auditLog)
    .values({ ...entry, ip: currentRequest()?.ip })
    .run();
}
