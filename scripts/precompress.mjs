// After the client build: brotli (quality 11) and gzip (level 9) copies of the fingerprinted
// assets, so the server sends them without compressing the same bytes on every request.
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";

const dir = path.join("build", "client", "assets");
let files = 0;
let before = 0;
let after = 0;
for (const name of fs.readdirSync(dir)) {
  if (!/\.(js|css|json|svg|map)$/.test(name)) continue;
  const file = path.join(dir, name);
  const body = fs.readFileSync(file);
  if (body.length < 1024) continue;
  const br = zlib.brotliCompressSync(body, {
    params: {
      [zlib.constants.BROTLI_PARAM_QUALITY]: 11,
      [zlib.constants.BROTLI_PARAM_SIZE_HINT]: body.length,
    },
  });
  fs.writeFileSync(`${file}.br`, br);
  fs.writeFileSync(`${file}.gz`, zlib.gzipSync(body, { level: 9 }));
  files++;
  before += body.length;
  after += br.length;
}
console.info(
  `Precompressed ${files} assets: ${(before / 1024).toFixed(0)} KB → ${(after / 1024).toFixed(0)} KB brotli`,
);
