import { eq } from "drizzle-orm";
import { getDb } from "#db/client";
import { auditLog, doctorProfiles, recoveryCodes, secondFactors } from "#db/schema";
import {
  beginEnrolment,
  checkTotp,
  confirmEnrolment,
  currentCode,
  disableSecondFactor,
  newSecret,
  pendingEnrolment,
  purgeAbandonedEnrolments,
  RECOVERY_CODE_COUNT,
  regenerateRecoveryCodes,
  secondFactorRequired,
  secondFactorState,
  spendRecoveryCode,
} from "~/auth/second-factor.server";
import { DomainError } from "~/errors/domain-error";
import { statusOf } from "~/http/errors.server";
import { makeCertifiedDoctor, makeUser } from "../helpers";
import { inTransaction } from "~/data/unit-of-work.server";

const secretOf = async (userId: string) =>
  (await getDb().select().from(secondFactors).where(eq(secondFactors.userId, userId)).limit(1))[0]!
    .secret;

async function refusal(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (error) {
    if (error instanceof DomainError) return { status: statusOf(error), error };
    throw error;
  }
  throw new Error("Expected a refusal");
}

/** A user with a confirmed authenticator; the recovery codes it was given. */
async function enrolled(role: "patient" | "admin" = "patient") {
  const user = await makeUser(role);
  await beginEnrolment(user);
  const codes = await confirmEnrolment(user, await currentCode(await secretOf(user.id)));
  // The confirming code's step is spent: the next check needs the next step's code.
  await inTransaction(({ tx }) =>
    tx.update(secondFactors).set({ lastStep: 0 }).where(eq(secondFactors.userId, user.id)),
  );
  return { user, codes, secret: await secretOf(user.id) };
}

describe("who must use a second factor", () => {
  test("admins, researchers and verified doctors must; patients and doctors awaiting verification may", async () => {
    expect(await secondFactorRequired(await makeUser("admin"))).toBe(true);
    expect(await secondFactorRequired(await makeUser("researcher"))).toBe(true);
    expect(await secondFactorRequired((await makeCertifiedDoctor()).user)).toBe(true);
    expect(await secondFactorRequired(await makeUser("doctor"))).toBe(false);
    expect(await secondFactorRequired(await makeUser("patient"))).toBe(false);
    const rejected = await makeCertifiedDoctor();
    await inTransaction(({ tx }) =>
      tx
        .update(doctorProfiles)
        .set({ status: "rejected" })
        .where(eq(doctorProfiles.userId, rejected.user.id)),
    );
    expect(await secondFactorRequired(rejected.user)).toBe(false);
  });
});

describe("setting up an authenticator", () => {
  test("shows an offline SVG QR code of the otpauth address and the secret as text", async () => {
    const user = await makeUser("patient");
    expect(await pendingEnrolment(user)).toBeNull();
    await beginEnrolment(user);
    const enrolment = (await pendingEnrolment(user))!;
    expect(enrolment.secret).toMatch(/^[A-Z2-7]{32}$/);
    const uri = new URL(enrolment.uri);
    expect(uri.protocol).toBe("otpauth:");
    expect(uri.searchParams.get("secret")).toBe(enrolment.secret);
    expect(uri.searchParams.get("issuer")).toBe("HemaLink");
    expect(uri.searchParams.get("digits")).toBe("6");
    expect(decodeURIComponent(uri.pathname)).toContain(user.email);
    expect(enrolment.qrSvg).toMatch(/^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(enrolment.qrSvg).not.toMatch(/<script|href=/);
  });

  test("a wrong code is refused with a message on the field; the right one returns recovery codes stored hashed", async () => {
    const user = await makeUser("patient");
    await beginEnrolment(user);
    const wrong = await refusal(confirmEnrolment(user, "000000"));
    expect(wrong.status).toBe(400);
    expect(wrong.error.options.field).toBe("code");
    expect((await secondFactorState(user)).enabled).toBe(false);

    const codes = await confirmEnrolment(user, await currentCode(await secretOf(user.id)));
    expect(codes).toHaveLength(RECOVERY_CODE_COUNT);
    expect(new Set(codes).size).toBe(RECOVERY_CODE_COUNT);
    for (const code of codes) expect(code).toMatch(/^[a-z2-9]{4}-[a-z2-9]{4}$/);
    const stored = await getDb()
      .select()
      .from(recoveryCodes)
      .where(eq(recoveryCodes.userId, user.id));
    expect(stored.map((row) => row.codeHash)).not.toContain(codes[0]);
    expect(stored.every((row) => /^[0-9a-f]{64}$/.test(row.codeHash))).toBe(true);
    expect(await secondFactorState(user)).toMatchObject({ enabled: true, recoveryCodesLeft: 10 });
    const actions = await getDb()
      .select({ action: auditLog.action, outcome: auditLog.outcome })
      .from(auditLog)
      .where(eq(auditLog.actorId, user.id));
    expect(actions).toEqual([
      { action: "second-factor.enrol", outcome: "failure" },
      { action: "second-factor.enrol", outcome: "success" },
    ]);
  });

  test("a confirmed factor is not replaced by starting again", async () => {
    const { user } = await enrolled();
    await expect(beginEnrolment(user)).rejects.toThrow(/already on/);
  });

  test("set-ups never confirmed are purged after a day", async () => {
    const user = await makeUser("patient");
    await beginEnrolment(user);
    expect(await purgeAbandonedEnrolments(new Date())).toBe(0);
    expect(
      await purgeAbandonedEnrolments(new Date(Date.now() + 25 * 3600_000)),
    ).toBeGreaterThanOrEqual(1);
    expect(await pendingEnrolment(user)).toBeNull();
  });
});

describe("checking codes", () => {
  test("a code from the app works once; the same code again is refused", async () => {
    const { user, secret } = await enrolled();
    const code = await currentCode(secret);
    expect(await checkTotp(user.id, code)).toBe(true);
    expect(await checkTotp(user.id, code)).toBe(false);
  });

  test("a code from another secret, or not six digits, is refused", async () => {
    const { user } = await enrolled();
    expect(await checkTotp(user.id, await currentCode(newSecret()))).toBe(false);
    expect(await checkTotp(user.id, "12345")).toBe(false);
  });

  test("a recovery code works once, in any case and with or without its dash", async () => {
    const { user, codes } = await enrolled();
    expect(await spendRecoveryCode(user.id, codes[0]!.toUpperCase().replace("-", ""))).toBe(true);
    expect(await spendRecoveryCode(user.id, codes[0]!)).toBe(false);
    expect(await spendRecoveryCode(user.id, codes[1]!)).toBe(true);
    expect((await secondFactorState(user)).recoveryCodesLeft).toBe(8);
  });

  test("after five wrong codes the account backs off, even for the right code, and says how long", async () => {
    const { user, secret } = await enrolled();
    for (let i = 0; i < 5; i++) expect(await checkTotp(user.id, "000000")).toBe(false);
    const refused = await refusal(checkTotp(user.id, await currentCode(secret)));
    expect(refused.status).toBe(429);
    expect(refused.error.options.retryAfterSeconds).toBeGreaterThan(0);
    expect(refused.error.message).toMatch(/Too many attempts/);
    // Recovery codes share the counter: they are no way around it.
    expect((await refusal(spendRecoveryCode(user.id, "abcd-efgh"))).status).toBe(429);
  });

  test("new recovery codes replace the old ones, after a code from the app", async () => {
    const { user, codes, secret } = await enrolled();
    expect((await refusal(regenerateRecoveryCodes(user, "000000"))).status).toBe(400);
    const fresh = await regenerateRecoveryCodes(user, await currentCode(secret));
    expect(fresh).toHaveLength(RECOVERY_CODE_COUNT);
    expect(await spendRecoveryCode(user.id, codes[0]!)).toBe(false);
    expect(await spendRecoveryCode(user.id, fresh[0]!)).toBe(true);
  });
});

describe("turning it off", () => {
  test("a patient can, with a code; an admin cannot", async () => {
    const patient = await enrolled("patient");
    await disableSecondFactor(patient.user, await currentCode(patient.secret));
    expect(await secondFactorState(patient.user)).toMatchObject({
      enabled: false,
      recoveryCodesLeft: 0,
    });

    const admin = await enrolled("admin");
    const refused = await refusal(disableSecondFactor(admin.user, await currentCode(admin.secret)));
    expect(refused.status).toBe(409);
    expect((await secondFactorState(admin.user)).enabled).toBe(true);
  });
});
