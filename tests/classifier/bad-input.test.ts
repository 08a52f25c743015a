import sharp from "sharp";
import { classifyBytes } from "~/classifier/node.server";
import { REASON_CODES } from "~/classifier/vocabulary";
import { syntheticSmear } from "../uploads/images";

const refusedWithReason = async (bytes: Buffer) => {
  const { classification } = await classifyBytes(bytes);
  expect(classification.verdict).toBe("cant_assess");
  expect(classification.reasons.length).toBeGreaterThan(0);
  for (const r of classification.reasons) expect(REASON_CODES).toContain(r);
  return classification;
};

describe("bad input to the classifier: nothing crashes, each gets a reason", () => {
  test("blank white, black and flat-colour images are refused", async () => {
    for (const background of ["#ffffff", "#000000", "#c08080"]) {
      const bytes = await sharp({ create: { width: 640, height: 480, channels: 3, background } })
        .jpeg()
        .toBuffer();
      await refusedWithReason(bytes);
    }
  });

  test("a tiny image is too small; a single enlarged cell is a magnification problem", async () => {
    const tiny = await sharp(await syntheticSmear(1, 224, 224, "png"))
      .resize(40, 40)
      .png()
      .toBuffer();
    expect((await refusedWithReason(tiny)).reasons).toEqual(["too_small"]);
    // A 60-px corner of a smear blown up to 480 px: one or two cells fill the frame.
    const closeUp = await sharp(await syntheticSmear(2, 224, 224, "png"))
      .extract({ left: 60, top: 60, width: 60, height: 60 })
      .resize(480, 480)
      .png()
      .toBuffer();
    const c = await refusedWithReason(closeUp);
    expect(c.reasons.some((r) => r === "magnification" || r === "not_smear")).toBe(true);
  });

  test("a huge photo and a multi-page TIFF are analysed (first page) without crashing", async () => {
    const huge = await syntheticSmear(3, 2400, 1800, "jpeg");
    const result = await classifyBytes(huge);
    expect(["ok", "cant_assess"]).toContain(result.classification.verdict);
    expect(result.classification.capture?.redCellDiameter).toBeGreaterThan(0);
    const page = await syntheticSmear(4, 300, 300, "png");
    const tiff = await sharp([page, page], { join: { animated: true } })
      .tiff()
      .toBuffer();
    expect((await sharp(tiff).metadata()).pages).toBe(2);
    const multi = await classifyBytes(tiff);
    expect(multi.width).toBe(300);
  });
});
