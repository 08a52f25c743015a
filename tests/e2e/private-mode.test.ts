import fs from "node:fs";
import path from "node:path";
import { CLASS_IDS } from "~/analyses/vocabulary";
import { classifyBytes } from "~/classifier/node.server";
import sharp from "sharp";
import { assessableSmear, eyepieceSmear } from "../uploads/assessable";
import { sessionPerTest } from "./browser";
import { scratchFolder } from "./stories";

const session = sessionPerTest("patient@demo.hemalink.test");
const files = scratchFolder("private");

async function analyseOnDevice(file: string) {
  const { page } = session;
  await page.goto("/analyses/new");
  await page.getByLabel("Smear image").setInputFiles(file);
  await page.getByRole("button", { name: "Analyse on this device — nothing is uploaded" }).click();
  const result = page.locator(".private-result");
  await result.waitFor({ timeout: 60_000 });
  return {
    verdict: await result.getAttribute("data-verdict"),
    top: await result.getAttribute("data-top"),
    reasons: JSON.parse((await result.getAttribute("data-reasons")) ?? "[]") as string[],
    scale: Number(await result.getAttribute("data-scale")),
    probabilities: JSON.parse((await result.getAttribute("data-probabilities"))!) as Record<
      string,
      number
    >,
  };
}

/** The file analysed on this device and on the server: the same verdict and class. */
async function sameAnswerOnBothSides(name: string, bytes: Buffer) {
  const file = path.join(files, name);
  fs.writeFileSync(file, bytes);
  const inBrowser = await analyseOnDevice(file);
  const onServer = (await classifyBytes(bytes)).classification;
  expect(inBrowser.verdict).toBe(onServer.verdict);
  expect(inBrowser.top).toBe(onServer.top);
  return { inBrowser, onServer };
}

describe("private mode: the model runs in the browser", () => {
  test("nothing is uploaded, and the browser's probabilities match the server's within 1e-3", async () => {
    const posts: string[] = [];
    session.page.on("request", (request) => {
      if (request.method() !== "GET") posts.push(request.url());
    });
    for (const [name, format] of [
      ["field.png", "png"],
      ["field.jpg", "jpeg"],
    ] as const) {
      const { bytes } = await assessableSmear(5, 336, format);
      const { inBrowser, onServer } = await sameAnswerOnBothSides(name, bytes);
      for (const id of CLASS_IDS) {
        expect(Math.abs(inBrowser.probabilities[id]! - onServer.probabilities[id])).toBeLessThan(
          1e-3,
        );
      }
    }
    await session.page.getByText("Nothing has been uploaded.").waitFor();
    expect(posts).toEqual([]);
  });

  test("the result shows the notice and the heat-map, and 'Save to my records' stores it", async () => {
    const { page } = session;
    const file = path.join(files, "save.png");
    fs.writeFileSync(file, (await assessableSmear(2, 300, "png")).bytes);
    const local = await analyseOnDevice(file);
    expect(local.verdict).toBe("ok");
    await page
      .locator(".private-result")
      .getByText("Preliminary — informational, not a diagnosis; a hematologist must confirm.")
      .waitFor();
    expect(await page.locator(".private-result .heatmap-overlay").isVisible()).toBe(true);
    await page.getByRole("button", { name: "Save to my records" }).click();
    await page.waitForURL(/\/analyses\/[\w-]{36}$/);
    const id = new URL(page.url()).pathname.split("/").pop();
    // The stored result is the server's own, from the re-encoded image it keeps.
    const saved = await (await page.request.get(`/api/analyses/${id}`)).json();
    expect(saved).toMatchObject({ id, status: "preliminary" });
    await page
      .getByText("Preliminary — informational, not a diagnosis; a hematologist must confirm.")
      .waitFor();
  });

  test("an eyepiece photo and a non-smear get the same verdict, class and reasons as on the server", async () => {
    const { bytes: ocular } = await eyepieceSmear(3);
    const photo = await sharp({
      create: { width: 480, height: 360, channels: 3, background: { r: 90, g: 140, b: 60 } },
    })
      .composite([
        {
          input: Buffer.from(
            `<svg xmlns="http://www.w3.org/2000/svg" width="480" height="360"><circle cx="240" cy="180" r="90" fill="#d8c040"/><rect x="40" y="250" width="400" height="60" fill="#604020"/></svg>`,
          ),
        },
      ])
      .jpeg()
      .toBuffer();
    for (const [name, bytes] of [
      ["ocular.jpg", ocular],
      ["photo.jpg", photo],
    ] as const) {
      const { inBrowser, onServer } = await sameAnswerOnBothSides(name, bytes);
      expect(inBrowser.reasons).toEqual(onServer.reasons);
    }
  });

  test("a photo larger than the server decodes is analysed at the server's size: the same scale, verdict and class", async () => {
    const { bytes: ocular } = await eyepieceSmear(3);
    const large = await sharp(ocular).resize({ width: 3000 }).jpeg({ quality: 92 }).toBuffer();
    const { inBrowser, onServer } = await sameAnswerOnBothSides("large.jpg", large);
    expect(onServer.capture).not.toBeNull();
    // Both decode to at most 2,048 px, so the magnification correction is the same.
    expect(inBrowser.scale / onServer.capture!.scale).toBeGreaterThan(0.98);
    expect(inBrowser.scale / onServer.capture!.scale).toBeLessThan(1.02);
  });
});
