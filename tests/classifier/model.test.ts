import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import sharp from "sharp";
import { CLASS_IDS } from "~/classifier/classes";
import {
  classifyBytes,
  currentModelDir,
  getClassifier,
  heatmapPng,
} from "~/classifier/node.server";
import { generateNonSmears } from "../../scripts/model/non-smear";
import { syntheticSmear } from "../uploads/images";
import golden from "./golden.json";

const run = promisify(execFile);

describe("the shipped model", () => {
  test("loads the current version and gives its golden output on a fixed generated image (±1e-4)", async () => {
    const classifier = await getClassifier();
    expect(path.basename(await currentModelDir())).toBe(classifier.config.version);
    expect(classifier.config.version).toBe(golden.version);
    const result = await classifyBytes(await syntheticSmear(6, 224, 224, "png"));
    expect(result.classification.verdict).toBe(golden.verdict);
    expect(result.classification.top).toBe(golden.top);
    for (const id of CLASS_IDS) {
      expect(
        Math.abs(result.classification.probabilities[id] - golden.probabilities[id]),
      ).toBeLessThan(1e-4);
    }
    const sum = CLASS_IDS.reduce((a, id) => a + result.classification.probabilities[id], 0);
    expect(sum).toBeCloseTo(1, 6);
  });

  test("refuses generated images that are not smears", async () => {
    const generated = await generateNonSmears(2, 99);
    const verdicts = await Promise.all(
      generated.map(async (g) => [g.name, (await classifyBytes(g.bytes)).classification] as const),
    );
    const accepted = verdicts.filter(([, c]) => c.verdict === "ok").map(([name]) => name);
    expect(accepted.length / generated.length).toBeLessThanOrEqual(0.05);
    for (const [, c] of verdicts.filter(([, c]) => c.verdict === "cant_assess")) {
      expect(c.reasons.length).toBeGreaterThan(0);
    }
  });

  test("an image smaller than 64 px is too small to assess", async () => {
    const tiny = await sharp(await syntheticSmear(1, 224, 224, "png"))
      .resize(48, 48)
      .png()
      .toBuffer();
    const { classification } = await classifyBytes(tiny);
    expect(classification.verdict).toBe("cant_assess");
    expect(classification.reasons).toEqual(["too_small"]);
  });

  test("concurrent requests get the same answers as one at a time", async () => {
    const images = await Promise.all(
      [1, 2, 3, 4].map((seed) => syntheticSmear(seed, 300, 260, "jpeg")),
    );
    const one = [];
    for (const image of images) one.push((await classifyBytes(image)).classification.probabilities);
    const all = await Promise.all(
      images.map(async (image) => (await classifyBytes(image)).classification.probabilities),
    );
    expect(all).toEqual(one);
  });

  test("the heat-map is a transparent PNG with the image's aspect ratio, values 0–1", async () => {
    const result = await classifyBytes(await syntheticSmear(2, 400, 300, "jpeg"));
    const values = Array.from(result.activation.values);
    expect(Math.max(...values)).toBeCloseTo(1, 5);
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    const meta = await sharp(await heatmapPng(result)).metadata();
    expect(meta).toMatchObject({ format: "png", width: 256, height: 192, channels: 4 });
  });
});

describe("the classify command", () => {
  test("prints one JSON object per image, an error line for an unreadable file, and exits 0", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hemalink-cli-"));
    try {
      fs.mkdirSync(path.join(dir, "nested"));
      fs.writeFileSync(path.join(dir, "a.png"), await syntheticSmear(1, 224, 224, "png"));
      fs.writeFileSync(
        path.join(dir, "nested", "b.jpg"),
        await syntheticSmear(2, 224, 224, "jpeg"),
      );
      fs.writeFileSync(path.join(dir, "broken.jpg"), Buffer.from("not really a jpeg"));
      fs.writeFileSync(path.join(dir, "notes.txt"), "ignored");
      const { stdout } = await run("npx", ["tsx", "scripts/model/classify.ts", dir], {
        timeout: 60_000,
      });
      const lines = stdout
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line));
      expect(lines.map((l) => path.relative(dir, l.file)).sort()).toEqual([
        "a.png",
        "broken.jpg",
        "nested/b.jpg",
      ]);
      const broken = lines.find((l) => l.file.endsWith("broken.jpg"));
      expect(broken.error).toMatch(/Could not read/);
      const ok = lines.find((l) => l.file.endsWith("a.png"));
      expect(Object.keys(ok).sort()).toEqual([
        "confidence",
        "file",
        "ms",
        "probabilities",
        "reasons",
        "top",
        "verdict",
      ]);
      expect(Object.keys(ok.probabilities)).toEqual([...CLASS_IDS]);
      expect(typeof ok.ms).toBe("number");
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test("exits 1 when no file could be read", async () => {
    const file = path.join(os.tmpdir(), `hemalink-missing-${Date.now()}.jpg`);
    const failure = await run("npx", ["tsx", "scripts/model/classify.ts", file], {
      timeout: 60_000,
    }).catch((e) => e);
    expect(failure.code).toBe(1);
    expect(JSON.parse(failure.stdout.trim()).error).toMatch(/Could not read/);
  });
});
