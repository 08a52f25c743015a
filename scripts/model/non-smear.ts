/**
 * Generated images that are not blood smears, for the "can't assess" check: noise,
 * gradients, text, shapes, flat colours, skin-like and X-ray-like textures. Seeded, so
 * the evaluation is reproducible; nothing here comes from a dataset.
 */
import sharp from "sharp";
import { mulberry32 } from "./random";

export type Generated = { name: string; bytes: Buffer };

const SIZE = 224;

function rawPng(fill: (x: number, y: number) => [number, number, number]): Promise<Buffer> {
  const data = Buffer.alloc(SIZE * SIZE * 3);
  for (let y = 0; y < SIZE; y++) {
    for (let x = 0; x < SIZE; x++) data.set(fill(x, y), (y * SIZE + x) * 3);
  }
  return sharp(data, { raw: { width: SIZE, height: SIZE, channels: 3 } })
    .png()
    .toBuffer();
}

const svgPng = (body: string, background: string) =>
  sharp(
    Buffer.from(
      `<svg xmlns="http://www.w3.org/2000/svg" width="${SIZE}" height="${SIZE}"><rect width="100%" height="100%" fill="${background}"/>${body}</svg>`,
    ),
  )
    .png()
    .toBuffer();

export async function generateNonSmears(perKind = 10, seed = 7): Promise<Generated[]> {
  const random = mulberry32(seed);
  const byte = () => Math.floor(random() * 256);
  const colour = () => `rgb(${byte()},${byte()},${byte()})`;
  const out: Generated[] = [];
  const add = async (kind: string, make: () => Promise<Buffer>) => {
    for (let i = 0; i < perKind; i++) out.push({ name: `${kind}-${i + 1}`, bytes: await make() });
  };
  await add("noise", () => rawPng(() => [byte(), byte(), byte()]));
  await add("smooth-noise", async () =>
    sharp(await rawPng(() => [byte(), byte(), byte()]))
      .blur(4)
      .png()
      .toBuffer(),
  );
  await add("gradient", () => {
    const [a, b] = [
      [byte(), byte(), byte()],
      [byte(), byte(), byte()],
    ];
    const angle = random() * Math.PI;
    return rawPng((x, y) => {
      const t = Math.min(
        1,
        Math.max(0, ((x - 112) * Math.cos(angle) + (y - 112) * Math.sin(angle)) / 224 + 0.5),
      );
      return [0, 1, 2].map((c) => a[c]! * (1 - t) + b[c]! * t) as [number, number, number];
    });
  });
  await add("flat", () => {
    const c: [number, number, number] = [byte(), byte(), byte()];
    return rawPng(() => c);
  });
  await add("text", () => {
    const lines = Array.from(
      { length: 8 },
      (_, i) =>
        `<text x="8" y="${24 + i * 26}" font-family="sans-serif" font-size="${14 + Math.floor(random() * 8)}" fill="${i % 3 ? "#222" : colour()}">Lorem ipsum dolor ${Math.floor(random() * 1000)}</text>`,
    ).join("");
    return svgPng(lines, random() < 0.5 ? "#ffffff" : "#f4f4f0");
  });
  await add("screenshot", () => {
    const bars = Array.from(
      { length: 6 },
      (_, i) =>
        `<rect x="10" y="${40 + i * 28}" width="${60 + Math.floor(random() * 140)}" height="16" fill="${colour()}"/>`,
    ).join("");
    return svgPng(`<rect width="224" height="28" fill="${colour()}"/>${bars}`, "#fafafa");
  });
  await add("shapes", () => {
    const shapes = Array.from({ length: 12 }, () =>
      random() < 0.5
        ? `<circle cx="${byte() % 224}" cy="${byte() % 224}" r="${8 + (byte() % 40)}" fill="${colour()}"/>`
        : `<rect x="${byte() % 200}" y="${byte() % 200}" width="${10 + (byte() % 80)}" height="${10 + (byte() % 80)}" fill="${colour()}"/>`,
    ).join("");
    return svgPng(shapes, colour());
  });
  await add("checkerboard", () => {
    const cell = 8 + Math.floor(random() * 24);
    const [a, b] = [
      [byte(), byte(), byte()],
      [byte(), byte(), byte()],
    ] as [number, number, number][];
    return rawPng((x, y) => ((Math.floor(x / cell) + Math.floor(y / cell)) % 2 ? a! : b!));
  });
  await add("skin", async () => {
    const base = [200 + (byte() % 40), 150 + (byte() % 40), 120 + (byte() % 40)];
    return sharp(
      await rawPng(() => base.map((v) => v + (random() - 0.5) * 40) as [number, number, number]),
    )
      .blur(2)
      .png()
      .toBuffer();
  });
  await add("x-ray", async () => {
    const blobs = Array.from(
      { length: 5 },
      () =>
        `<ellipse cx="${byte() % 224}" cy="${byte() % 224}" rx="${20 + (byte() % 60)}" ry="${30 + (byte() % 80)}" fill="rgb(${180 + (byte() % 60)},${180 + (byte() % 60)},${180 + (byte() % 60)})" fill-opacity="0.6"/>`,
    ).join("");
    return sharp(await svgPng(blobs, "#0a0a0a"))
      .blur(6)
      .greyscale()
      .png()
      .toBuffer();
  });
  return out;
}
