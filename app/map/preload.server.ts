/**
 * Start downloading the map before the page hydrates. The map chunk (Leaflet) is imported
 * lazily, after hydration, so on a phone its download used to start only once React had
 * hydrated the page (~1.5 s later on "Fast 3G"). A page whose route says it shows a map
 * (`handle.showsMap`) gets a `Link` header for the chunk and the coarse outlines, so the browser
 * fetches them with the page's own scripts and the lazy import finds them in its cache.
 *
 * The chunk's file name comes from the client build's Vite manifest, which Remix keeps as
 * `build/.vite/client-manifest.json` (outside the served folder) when vite.config.ts asks for
 * `build.manifest`; without it (development, unit tests) nothing is sent.
 */
import fs from "node:fs";
import type { EntryContext } from "@remix-run/node";
import type { MapHandle } from "./links";
import { COARSE_OUTLINES_URL } from "./outline-urls";

const MAP_MODULE = "app/map/map.client.tsx";

let chunkUrl: string | null | undefined;
function mapChunkUrl(): string | null {
  if (chunkUrl !== undefined) return chunkUrl;
  try {
    // build/server/index.js → build/.vite/client-manifest.json
    const file = new URL("../.vite/client-manifest.json", import.meta.url);
    const manifest = JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, { file: string }>;
    const entry = manifest[MAP_MODULE];
    chunkUrl = entry ? `/${entry.file}` : null;
  } catch {
    chunkUrl = null;
  }
  return chunkUrl;
}

function showsMap(handle: unknown, data: unknown): boolean {
  const showsMap = (handle as Partial<MapHandle> | undefined)?.showsMap;
  return typeof showsMap === "function" && showsMap(data);
}

/** The `Link` header value for a page that shows a map, else null. */
export function mapPreloadHeader(context: EntryContext): string | null {
  const { matches, loaderData } = context.staticHandlerContext;
  const withMap = matches.some(({ route }) =>
    showsMap(context.routeModules[route.id]?.handle, loaderData[route.id]),
  );
  const chunk = withMap ? mapChunkUrl() : null;
  if (!chunk) return null;
  // The outlines are data the map draws once Leaflet runs: fetched early but after the scripts.
  return `<${chunk}>; rel=modulepreload, <${COARSE_OUTLINES_URL}>; rel=preload; as=fetch; crossorigin; fetchpriority=low`;
}
