/**
 * The researcher role: an admin grants it to a patient account (a dedicated one, for the
 * person who works on the lab's datasets and jobs) and revokes it. The person's sessions end
 * either way, so the new role starts at a fresh login, with the second factor it requires.
 */
import { and, asc, eq, sql } from "drizzle-orm";
import { getDb } from "#db/client";
import { sessions, users } from "#db/schema";
import { auditSuccess } from "~/audit/audit.server";
import { can, type Actor } from "~/auth/permissions";
import { inTransaction } from "~/data/unit-of-work.server";
import { conflict, invalid, notFound } from "~/errors/domain-error";

export type Researcher = { id: string; email: string; displayName: string };

function requireManager(actor: Actor) {
  if (!can(actor, { type: "researchers:manage" })) notFound();
}

export async function listResearchers(actor: Actor): Promise<Researcher[]> {
  requireManager(actor);
  return getDb()
    .select({ id: users.id, email: users.email, displayName: users.displayName })
    .from(users)
    .where(eq(users.role, "researcher"))
    .orderBy(asc(users.email));
}

function changeRole(
  actor: Actor,
  userId: string,
  from: "patient" | "researcher",
  to: "patient" | "researcher",
) {
  return inTransaction(async ({ tx }) => {
    const changed = await tx
      .update(users)
      .set({ role: to })
      .where(and(eq(users.id, userId), eq(users.role, from)))
      .returning({ id: users.id });
    if (changed.length === 0) throw conflict("This account's role changed meanwhile; look again.");
    await tx.delete(sessions).where(eq(sessions.userId, userId));
    await auditSuccess(
      actor,
      to === "researcher" ? "researcher.grant" : "researcher.revoke",
      { targetType: "user", targetId: userId },
      tx,
    );
  });
}

/** Grant the role to the patient account with this e-mail address. */
export async function grantResearcher(actor: Actor, email: string): Promise<Researcher> {
  requireManager(actor);
  const [account] = await getDb()
    .select({ id: users.id, email: users.email, displayName: users.displayName, role: users.role })
    .from(users)
    .where(eq(sql`lower(${users.email})`, email.trim().toLowerCase()))
    .limit(1);
  if (!account) throw invalid("No account has this e-mail address.", "email");
  if (!can(actor, { type: "researcher:grant", userId: account.id })) {
    throw invalid("You cannot change your own role.", "email");
  }
  if (account.role === "researcher") throw conflict(`${account.email} is a researcher already.`);
  if (account.role !== "patient") {
    throw invalid(
      "Only a patient account can become a researcher's: doctors and admins keep their role.",
      "email",
    );
  }
  await changeRole(actor, account.id, "patient", "researcher");
  return { id: account.id, email: account.email, displayName: account.displayName };
}

/** The researcher becomes a patient account again. */
export async function revokeResearcher(actor: Actor, userId: string): Promise<void> {
  requireManager(actor);
  const [account] = await getDb()
    .select({ role: users.role })
    .from(users)
    .where(eq(users.id, userId))
    .limit(1);
  if (account?.role !== "researcher") notFound();
  await changeRole(actor, userId, "researcher", "patient");
}
