import { eq } from "drizzle-orm";
import type { Page } from "playwright-core";
import { getDb } from "#db/client";
import { secondFactors } from "#db/schema";
import { beginEnrolment, confirmEnrolment, currentCode } from "~/auth/second-factor.server";
import { DEMO_ACCOUNTS } from "../../seed/demo";
import { makeCertifiedDoctor, makeUser } from "../helpers";
import { waitForMail } from "./mailbox";
import { baseUrl, browserSessions, sessionPerTest, signIn } from "./browser";

const sessions = browserSessions();
const session = sessionPerTest(undefined, sessions);

const PASSWORD = "correct horse battery";

async function enterPassword(page: Page, email: string, password: string) {
  await page.goto("/login");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Log in" }).click();
}

/** A verified doctor with an authenticator already set up; their key and recovery codes. */
async function enrolledDoctor() {
  const { user } = await makeCertifiedDoctor();
  await beginEnrolment(user);
  const secret = (
    await getDb().select().from(secondFactors).where(eq(secondFactors.userId, user.id)).limit(1)
  )[0]!.secret;
  const recoveryCodes = await confirmEnrolment(user, await currentCode(secret));
  return { user, secret, recoveryCodes };
}

describe("two-step login", () => {
  test("the demo doctor logs in with the password and a code from the app", async () => {
    const { page } = session;
    const { email, password, totpSecret } = DEMO_ACCOUNTS.doctor;
    await enterPassword(page, email, password);
    await page.waitForURL("**/login/code");
    await page.getByLabel("Code", { exact: true }).fill(await currentCode(totpSecret));
    await page.getByRole("button", { name: "Log in", exact: true }).click();
    await page.waitForURL("**/doctor");
    await page.getByRole("link", { name: "Doctor dashboard" }).waitFor();
  });

  test("a wrong code is refused and no session starts", async () => {
    const { page, context } = session;
    const { user } = await enrolledDoctor();
    await enterPassword(page, user.email, PASSWORD);
    await page.waitForURL("**/login/code");
    await page.getByLabel("Code", { exact: true }).fill("000000");
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === "POST"),
      page.getByRole("button", { name: "Log in", exact: true }).click(),
    ]);
    expect(response.status()).toBe(401);
    await page.getByText("That code is not right").waitFor();
    const cookies = await context.cookies();
    expect(cookies.map((c) => c.name)).not.toContain("__hemalink_session");
    await page.goto("/doctor");
    expect(new URL(page.url()).pathname).toBe("/login");
  });

  test("a recovery code works once", async () => {
    const { page, context } = session;
    const { user, recoveryCodes } = await enrolledDoctor();
    const useRecoveryCode = async () => {
      await enterPassword(page, user.email, PASSWORD);
      await page.waitForURL("**/login/code");
      await page.getByText("No access to your app? Use a recovery code").click();
      await page.getByLabel("Recovery code").fill(recoveryCodes[0]!);
      await page.getByRole("button", { name: "Log in with a recovery code" }).click();
    };
    await useRecoveryCode();
    await page.waitForURL("**/doctor");
    await context.clearCookies();

    await useRecoveryCode();
    await page.getByText("That recovery code is not right, or it has been used.").waitFor();
    expect(new URL(page.url()).pathname).toBe("/login/code");
  });

  test("a verified doctor without an authenticator sets one up right after the password", async () => {
    const { page } = session;
    const { user } = await makeCertifiedDoctor();
    await enterPassword(page, user.email, PASSWORD);
    await page.waitForURL("**/login/enrol");
    await page.getByRole("img", { name: "QR code for your authenticator app" }).waitFor();
    const key = (await page.locator("code.secret").textContent())!.replace(/\s/g, "");
    await page.getByLabel("Code", { exact: true }).fill(await currentCode(key));
    await page.getByRole("button", { name: "Turn on two-step login" }).click();
    const codes = page.getByRole("list", { name: "Recovery codes" }).getByRole("listitem");
    await codes.first().waitFor();
    expect(await codes.count()).toBe(10);
    await page.getByRole("link", { name: "I have saved them — continue" }).click();
    await page.waitForURL("**/doctor");
  });

  test("a patient turns it on from the Security page", async () => {
    const { page, context } = session;
    const patient = await makeUser("patient");
    await signIn(context, patient.email);
    await page.goto("/dashboard");
    await page.getByRole("link", { name: "Security" }).click();
    await page.getByRole("button", { name: "Set up two-step login" }).click();
    const key = (await page.locator("code.secret").textContent())!.replace(/\s/g, "");
    await page.getByLabel("Code", { exact: true }).fill(await currentCode(key));
    await page.getByRole("button", { name: "Turn on two-step login" }).click();
    await page.getByRole("list", { name: "Recovery codes" }).waitFor();
    await page.getByText("On.", { exact: true }).waitFor();
  });
});

describe("password reset by e-mail", () => {
  test("a forgotten password is reset through the e-mailed link, and other devices are logged out", async () => {
    const { page } = session;
    const patient = await makeUser("patient");
    const other = await sessions();
    await signIn(other.context, patient.email);
    await other.page.goto("/dashboard");
    expect(new URL(other.page.url()).pathname).toBe("/dashboard");

    await page.goto("/login");
    await page.getByRole("link", { name: "Forgot your password?" }).click();
    // The login page has an Email field too: fill the new page's.
    await page.getByRole("heading", { name: "Forgot your password?" }).waitFor();
    await page.getByLabel("Email").fill(patient.email);
    await page.getByRole("button", { name: "Send me a link" }).click();
    await page.getByText("If an account uses this address").waitFor();

    const mail = await waitForMail(patient.email);
    expect(mail.subject).toBe("HemaLink: choose a new password");
    const link = /https?:\/\/\S+/.exec(mail.text ?? "")![0];
    // The link names APP_URL; the test server listens elsewhere.
    const url = new URL(link);
    await page.goto(`${baseUrl()}${url.pathname}${url.search}`);
    await page.getByLabel("New password").fill("password");
    await page.getByRole("button", { name: "Set the new password" }).click();
    await page.getByText(/Use at least 8 characters|too easy to guess/).waitFor();
    await page.getByLabel("New password").fill("a freshly chosen passphrase");
    await page.getByRole("button", { name: "Set the new password" }).click();
    await page.waitForURL("**/login?reset=done");
    await page.getByText("Your password has been changed").waitFor();

    await other.page.goto("/dashboard");
    expect(new URL(other.page.url()).pathname).toBe("/login");
    await other.context.close();

    await page.getByLabel("Email").fill(patient.email);
    await page.getByLabel("Password").fill("a freshly chosen passphrase");
    await page.getByRole("button", { name: "Log in" }).click();
    await page.waitForURL("**/dashboard");

    // The link worked once.
    await page.goto(`${baseUrl()}${url.pathname}${url.search}`);
    await page.getByText("This link has expired or has already been used").waitFor();
  });
});
