/** Steps the model lab's browser stories share: accounts, an analysis, a change of the model. */
import fs from "node:fs";
import path from "node:path";
import { createAccount } from "~/auth/accounts.server";
import { activeVersion } from "~/classifier/node.server";
import { rollBack } from "~/lab/promotion.server";
import { confirmationPhrase } from "~/lab/vocabulary";
import { assessableSmear } from "../uploads/assessable";
import { userIdByEmail, type Session } from "./browser";

export const ADMIN = "admin@demo.hemalink.test";
/** The version the repository ships, and one shipped before it (kept for rollback). */
export const SHIPPED = (
  JSON.parse(fs.readFileSync("public/models/current.json", "utf8")) as { version: string }
).version;
export const EARLIER = "2026-12-01-normalised-cnn128";

type Sessions = (email: string) => Promise<Session>;

const unique = (role: string) =>
  `${role}-${Date.now()}-${Math.random().toString(36).slice(2, 7)}@example.test`;

export async function account(role: "patient" | "researcher") {
  const email = unique(role);
  await createAccount({ name: `Story ${role}`, email, password: "story test passphrase", role });
  return email;
}

/** A new analysis by a new patient, and the model version its result page names. */
export async function analysedVersion(session: Sessions, files: string): Promise<string> {
  const { page } = await session(await account("patient"));
  const file = path.join(files, `smear-${Date.now()}.jpg`);
  fs.writeFileSync(file, (await assessableSmear(3, 448, "jpeg")).bytes);
  await page.goto("/analyses/new");
  await page.getByLabel("Smear image").setInputFiles(file);
  await page.getByRole("button", { name: "Upload and analyse" }).click();
  await page.waitForURL(/\/analyses\/[\w-]{36}$/);
  const id = new URL(page.url()).pathname.split("/").pop()!;
  const api = await (await page.request.get(`/api/analyses/${id}`)).json();
  await page
    .getByText(`Model version ${api.modelVersion as string}`)
    .first()
    .waitFor();
  return api.modelVersion as string;
}

/** The lab's index after a change: the notice, the badge and the history name `version`. */
export async function seeInUse(session: Session, version: string) {
  const { page } = session;
  await page
    .getByRole("status")
    .filter({ hasText: `${version} is now the model in use` })
    .waitFor();
  const versions = page.getByRole("region", { name: "Model versions" });
  await versions.getByRole("row", { name: new RegExp(`^${version} in use`) }).waitFor();
  await page
    .getByRole("list", { name: "Changes of the model in use" })
    .getByText(version)
    .first()
    .waitFor();
}

/** An admin puts `version` back in use from its page, past the typed confirmation. */
export async function useVersion(session: Sessions, version: string) {
  const admin = await session(ADMIN);
  const { page } = admin;
  await page.goto("/admin/models");
  await page.getByRole("link", { name: version, exact: true }).click();
  await page.getByRole("heading", { name: version }).waitFor();
  // The second step: nothing changes until the phrase is typed.
  await page.getByRole("button", { name: `Use ${version}` }).click();
  await page.getByRole("alert").filter({ hasText: "Type the phrase shown above" }).waitFor();
  await page.getByLabel("Confirmation").fill("yes");
  await page.getByRole("button", { name: `Use ${version}` }).click();
  await page
    .getByRole("alert")
    .filter({ hasText: `Type “use ${version}” to confirm.` })
    .waitFor();
  await page.getByLabel("Confirmation").fill(`use ${version}`);
  await page.getByRole("button", { name: `Use ${version}` }).click();
  await seeInUse(admin, version);
  return page;
}

/**
 * Put the shipped version back in use when a story left another one there (a failed step), so
 * the change never leaks into the next test file.
 */
export async function restoreShipped() {
  if ((await activeVersion()) === SHIPPED) return;
  const admin = { id: await userIdByEmail(ADMIN), role: "admin" as const };
  await rollBack(admin, SHIPPED, confirmationPhrase(SHIPPED));
}
