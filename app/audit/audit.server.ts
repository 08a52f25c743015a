import { inTransaction, type Tx } from "~/data/unit-of-work.server";
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
export async function audit(entry: AuditEntry, tx?: Tx): Promise<void> {
  const row = { ...entry, ip: currentRequest()?.ip };
  if (tx) await tx.insert(auditLog).values(row);
  else await inTransaction((uow) => uow.tx.insert(auditLog).values(row));
}
