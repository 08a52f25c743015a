import type { Page } from "playwright-core";
import { makeCertifiedDoctor, makeUser } from "../helpers";
import { browserSessions } from "./browser";

const session = browserSessions();

/**
 * One press of the mouse where the button is when the pointer gets there: down (the field being
 * edited loses focus), a person's pause, up. A button that moves in between gets no click.
 */
async function pressOnce(page: Page, name: string) {
  const button = page.getByRole("button", { name, exact: true });
  await button.scrollIntoViewIfNeeded();
  const box = (await button.boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  await page.waitForTimeout(150);
  await page.mouse.up();
}

describe("a fixed form saves on the first click", () => {
  test("a doctor corrects a wrong web address and one click on Save saves the profile", async () => {
    const { user } = await makeCertifiedDoctor({
      licenceNumber: "FR-123456",
      licenceAuthority: "Ordre des médecins",
      boardCertifications: ["Hematology"],
      specialties: ["hematology"],
      languages: ["French"],
      clinicName: "Clinique du Clic",
      streetAddress: "1 rue du Bouton",
      city: "Paris",
      country: "FR",
    });
    const { page } = await session(user.email);
    await page.goto("/doctor/profile");
    await page.getByLabel("Website").fill("clinic dot example");
    await page.getByRole("button", { name: "Save profile" }).click();
    const message = page.getByText("Enter a web address starting with https://");
    await message.waitFor();

    await page.getByLabel("Website").fill("https://clinic.example");
    await pressOnce(page, "Save profile");
    await page.getByRole("status").getByText("Profile saved.").waitFor({ timeout: 5_000 });
    expect(await message.count()).toBe(0);
    await page.reload();
    expect(await page.getByLabel("Website").inputValue()).toBe("https://clinic.example");
  });

  test("a patient adds the missing rating to a review and one click posts it", async () => {
    const { profile } = await makeCertifiedDoctor({ clinicName: "Cabinet du Clic" });
    const patient = await makeUser("patient");
    const { page } = await session(patient.email);
    await page.goto(`/doctors/${profile.id}`);
    const body = "Clear explanations and a quick answer about my blood count.";
    await page.getByLabel("Your review").fill("Too short");
    await page.getByRole("button", { name: "Post my review" }).click();
    await page.getByText("Choose a rating from 1 to 5 stars").waitFor();
    await page.getByText("Write at least 20 characters").waitFor();

    await page.getByLabel("4 stars").check();
    await page.getByLabel("Your review").fill(body);
    await pressOnce(page, "Post my review");
    await page.getByRole("heading", { name: "Edit your review" }).waitFor({ timeout: 5_000 });
    await page.getByText(body, { exact: true }).first().waitFor();
  });
});
