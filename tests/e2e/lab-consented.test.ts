import fs from "node:fs";
import path from "node:path";
import type { DoctorClass } from "~/consultations/vocabulary";
import { datasetsRoot } from "~/lab/dataset-store.server";
import { assessableSmear } from "../uploads/assessable";
import { makeCertifiedDoctor, makeUser, shareAndAnswer } from "../helpers";
import { seriousA11yViolations } from "./axe";
import type { Locator } from "playwright-core";
import { browserSessions } from "./browser";
import { ADMIN } from "./lab-stories";
import { scratchFolder, screenshots, whileBusy } from "./stories";

const session = browserSessions();
const files = scratchFolder("lab-consented");

/** The Benign/ and Pre/ counts of a table of classes, read from the row's first or last cell. */
async function benignAndPre(table: Locator, cell: "first" | "last") {
  const count = async (folder: string) => {
    const cells = table.locator("tr", { hasText: `${folder}/` }).locator("td");
    return Number(await (cell === "first" ? cells.first() : cells.last()).textContent());
  };
  return { Benign: await count("Benign"), Pre: await count("Pre") };
}

const listed = (dir: string) => (fs.existsSync(dir) ? fs.readdirSync(dir) : []);

describe("the model lab builds a dataset from patients' analyses", () => {
  test("a patient who consented and a hematologist's final answer give a labelled image; a patient who did not consent is left out", async () => {
    const doctor = await makeCertifiedDoctor({ offersTeleconsultation: true });
    const smear = path.join(files, "smear.jpg");
    fs.writeFileSync(smear, (await assessableSmear(7, 448, "jpeg")).bytes);

    // Earlier stories on this server may have answered analyses too: count from here on.
    const admin = await session(ADMIN, { viewport: { width: 1280, height: 900 } });
    await admin.page.goto("/admin/research");
    const before = await benignAndPre(
      admin.page.getByRole("region", { name: "Images in the research dataset" }),
      "last",
    );

    const upload = async (consent: boolean, doctorClass: DoctorClass) => {
      const patient = await makeUser("patient");
      const s = await session(patient.email, { viewport: { width: 1280, height: 900 } });
      await s.page.goto("/analyses/new");
      if (consent) await s.page.getByLabel(/Allow my de-identified image/).check();
      await s.page.getByLabel("Smear image").setInputFiles(smear);
      await s.page.getByRole("button", { name: "Upload and analyse" }).click();
      await s.page.waitForURL(/\/analyses\/[\w-]{36}$/);
      const id = new URL(s.page.url()).pathname.split("/").pop()!;
      await whileBusy(() => shareAndAnswer(doctor, patient, id, doctorClass));
    };
    await upload(true, "benign");
    await upload(false, "pre_b");

    const { page } = admin;
    await page.goto("/admin/models/datasets");
    await page.getByLabel("Name of the built dataset (optional)").fill("Consented, this story");
    await screenshots(page, "lab-datasets");
    const storedBefore = listed(datasetsRoot(process.env.DATA_DIR!)).length;
    await page.getByRole("button", { name: "Build from consented analyses" }).click();
    await page.waitForURL(/\/admin\/models\/datasets\/[\w-]{36}$/);
    await page.getByRole("heading", { level: 1, name: "Consented, this story" }).waitFor();
    // The consenting patient's answered image is in, labelled by the hematologist; the other is not.
    const table = page.getByRole("table", { name: /Images per class/ });
    expect(await benignAndPre(table, "first")).toEqual({
      Benign: before.Benign + 1,
      Pre: before.Pre,
    });
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshots(page, "lab-consented-dataset");

    await page.getByRole("button", { name: "Accept for training" }).click();
    await page.getByText("Accepted", { exact: true }).waitFor();
    // Stored once in the dataset store; the export's archive and the working folder are gone.
    expect(listed(datasetsRoot(process.env.DATA_DIR!)).length).toBe(storedBefore + 1);
    expect(listed(path.join(process.env.DATA_DIR!, "lab", "incoming"))).toEqual([]);
    await page.goto("/admin/models/jobs");
    await page
      .getByRole("group", { name: /^Datasets/ })
      .getByLabel("Consented, this story (")
      .waitFor();
  }, 180_000);
});
