/**
 * Start downloading the map before the page hydrates. The map chunk (Leaflet) is imported
 * lazily, after hydration, so on a phone its download used to start only once React had
 * hydrated the page (~1.5 s later on "Fast 3G"). A page whose route says it shows a map
 * (`handle.showsMap`) gets a `Link` header for the chunk and the coarse outlines, so the browser
 * fetches them with the page's own scripts and the lazy import finds them in its cache.
 *
 * The header names the page's stylesheets first, as `<Links>` links them, then the page's own
 * modules, in the order `<Scripts>` lists them, then the map's: the browser starts the header's
 * requests in that order, before it has read the document, and over HTTP/1.1 (six connections
 * a host) the first six hold the connections while the rest wait. With the map first, the chunk
 * and the outlines (86 KB) took two of the six and half the bandwidth of a phone's link while
 * the modules hydration needs queued behind them; with the modules first, the stylesheets, which
 * block the first paint, waited for the second wave (docs/performance.md, "Page weight", sixth
 * and seventh passes).
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

/**
 * The page's stylesheets as Remix's `<Links>` links them: each matched route's CSS imports
 * (`css` in the manifest), then the `rel="stylesheet"` links of its `links` export. Not those
 * with a `media` query: the document may not apply them, and a preload would spend a connection.
 */
function pageStylesheets(context: EntryContext): string[] {
  const { manifest, routeModules, staticHandlerContext } = context;
  const hrefs = staticHandlerContext.matches.flatMap(({ route }) => [
    ...(manifest.routes[route.id]?.css ?? []),
    ...(routeModules[route.id]?.links?.() ?? []).flatMap((link) =>
      "rel" in link && link.rel === "stylesheet" && !link.media && link.href ? [link.href] : [],
    ),
  ]);
  return [...new Set(hrefs)];
}

/**
 * The page's modules as Remix's `<Scripts>` preloads them: the entry, its imports, then each
 * matched route's imports and module.
 */
function pageModules(context: EntryContext): string[] {
  const { manifest, staticHandlerContext } = context;
  const routes = staticHandlerContext.matches.flatMap(({ route }) => {
    const entry = manifest.routes[route.id];
    return entry ? [...(entry.imports ?? []), entry.module] : [];
  });
  return [...new Set([manifest.entry.module, ...manifest.entry.imports, ...routes])];
}

/** The `Link` header value for a page that shows a map, else null. */
export function mapPreloadHeader(context: EntryContext): string | null {
  const { matches, loaderData } = context.staticHandlerContext;
  const withMap = matches.some(({ route }) =>
    showsMap(context.routeModules[route.id]?.handle, loaderData[route.id]),
  );
  const chunk = withMap ? mapChunkUrl() : null;
  if (!chunk) return null;
  return [
    ...pageStylesheets(context).map((href) => `<${href}>; rel=preload; as=style`),
    ...pageModules(context).map((href) => `<${href}>; rel=modulepreload`),
    `<${chunk}>; rel=modulepreload`,
    // The outlines are data the map draws once Leaflet runs: fetched early but after the scripts.
    `<${COARSE_OUTLINES_URL}>; rel=preload; as=fetch; crossorigin; fetchpriority=low`,
  ].join(", ");
}
