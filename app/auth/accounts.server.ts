import { eq, sql } from "drizzle-orm";
import { getDb } from "#db/client";
import { inTransaction } from "~/data/unit-of-work.server";
import { doctorProfiles, users } from "#db/schema";
import { isUniqueViolation } from "~/data/sql-dialect.server";
import type { Role } from "./vocabulary";
import { hashPassword, verifyAgainstDummy, verifyPassword } from "./password.server";
import type { SessionUser } from "./session.server";

export class AccountError extends Error {}

export async function findUserByEmail(email: string) {
  return (
    await getDb()
      .select()
      .from(users)
      .where(eq(sql`lower(${users.email})`, email.toLowerCase()))
      .limit(1)
  )[0];
}

/**
 * Check a password. Unknown accounts cost the same hashing time as known ones and the
 * caller gets null in both failure cases, so the answer does not reveal registered emails.
 */
export async function verifyLogin(email: string, password: string): Promise<SessionUser | null> {
  const user = await findUserByEmail(email);
  if (!user) return verifyAgainstDummy(password).then(() => null);
  if (!(await verifyPassword(password, user.passwordHash))) return null;
  return { id: user.id, email: user.email, role: user.role, displayName: user.displayName };
}

export type NewAccount = {
  name: string;
  email: string;
  password: string;
  role: Role;
};

/** Create a user (and, for doctors, a profile awaiting verification) in one transaction. */
export async function createAccount(account: NewAccount): Promise<SessionUser> {
  const passwordHash = await hashPassword(account.password);
  try {
    return await inTransaction(async ({ tx }) => {
      const user = (
        await tx
          .insert(users)
          .values({
            email: account.email.toLowerCase(),
            passwordHash,
            role: account.role,
            displayName: account.name,
          })
          .returning()
      )[0];
      if (account.role === "doctor") {
        await tx.insert(doctorProfiles).values({ userId: user.id, status: "pending" });
      }
      return { id: user.id, email: user.email, role: user.role, displayName: user.displayName };
    });
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new AccountError("email-taken");
    }
    throw error;
  }
}
