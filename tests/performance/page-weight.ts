/**
 * The JavaScript a page makes the browser fetch, read from a production build (`build/client`):
 * the Remix manifest's entry, the route and its parents, every chunk they import statically (what
 * Remix preloads) and the chunks the page loads lazily once shown (the map where a map is shown, the
 * clustering plugin where it has several markers). Each file is counted gzipped at level 6, as
 * `npm run bench:pages` counts what the browser received. (The Remix manifest is not a script the
 * page fetches: the document carries it.)
 */
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";

type ManifestRoute = { id: string; parentId?: string; module: string; imports?: string[] };
export type RemixManifest = {
  url: string;
  entry: { module: string; imports?: string[] };
  routes: Record<string, ManifestRoute>;
};

export type PageWeight = {
  route: string;
  /** Asset file names (`assets/…` without the folder), in the order they were found. */
  files: string[];
  gzipBytes: number;
};

export function readRemixManifest(clientDir: string): RemixManifest {
  const assets = path.join(clientDir, "assets");
  const file = fs.readdirSync(assets).find((f) => /^manifest-[0-9a-f]+\.js$/.test(f));
  if (!file) throw new Error(`No Remix manifest in ${assets}: build first (npm run build)`);
  const text = fs.readFileSync(path.join(assets, file), "utf8");
  const json = /^window\.__remixManifest=(.*);\s*$/s.exec(text)?.[1];
  if (!json) throw new Error(`${file} is not a Remix manifest`);
  return JSON.parse(json) as RemixManifest;
}

/** The chunk file named `name-<hash>.js` (a lazily imported module: `map.client`, `browser`). */
export function isChunk(file: string, name: string): boolean {
  return file.startsWith(`${name}-`) && /^[\w-]{8}\.js$/.test(file.slice(name.length + 1));
}

/** The chunks a chunk imports: statically (`import … from "./x.js"`) and lazily (`import("./x.js")`). */
export function chunkImports(code: string): { static: string[]; lazy: string[] } {
  const found = (re: RegExp) => [...code.matchAll(re)].map((m) => m[1]!);
  return {
    static: found(/(?:\bfrom|\bimport)\s*["']\.\/([^"']+\.js)["']/g),
    lazy: found(/\bimport\(\s*["']\.\/([^"']+\.js)["']\s*\)/g),
  };
}

/**
 * What a route's page can load without a click: the entry, the route and its parents, all they
 * import statically, and every chunk they import lazily (a map, its clustering plugin, the image
 * viewer's pan and zoom), except the chunks named in `onDemand` (TF.js, fetched when private
 * mode is chosen). So a finder is counted with the clustering plugin it loads for several results.
 */
export function pageWeight(
  clientDir: string,
  manifest: RemixManifest,
  routeId: string,
  onDemand: string[] = [],
): PageWeight {
  const assets = path.join(clientDir, "assets");
  const seen = new Set<string>();
  const files: string[] = [];
  let gzipBytes = 0;
  const visit = (file: string) => {
    if (seen.has(file) || onDemand.some((name) => isChunk(file, name))) return;
    seen.add(file);
    files.push(file);
    const body = fs.readFileSync(path.join(assets, file));
    gzipBytes += zlib.gzipSync(body, { level: 6 }).length;
    const imports = chunkImports(body.toString("utf8"));
    for (const imported of [...imports.static, ...imports.lazy]) visit(imported);
  };
  const asset = (url: string) => url.replace(/^\/assets\//, "");
  visit(asset(manifest.entry.module));
  const chain: ManifestRoute[] = [];
  for (
    let r: ManifestRoute | undefined = manifest.routes[routeId];
    r;
    r = r.parentId ? manifest.routes[r.parentId] : undefined
  )
    chain.unshift(r);
  if (chain.length === 0) throw new Error(`No route ${routeId} in the manifest`);
  for (const r of chain) visit(asset(r.module));
  return { route: routeId, files, gzipBytes };
}
