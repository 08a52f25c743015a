import type { LinksFunction } from "@remix-run/node";
import clusterDefault from "leaflet.markercluster/dist/MarkerCluster.Default.css?url";
import clusterStyles from "leaflet.markercluster/dist/MarkerCluster.css?url";
import leafletStyles from "leaflet/dist/leaflet.css?url";

/** Stylesheets for pages with a map. */
export const mapLinks: LinksFunction = () => [
  { rel: "stylesheet", href: leafletStyles },
  { rel: "stylesheet", href: clusterStyles },
  { rel: "stylesheet", href: clusterDefault },
];

/**
 * A route's `handle` when its page may show a map: `showsMap` gets the route's loader data and
 * says whether this page shows one, so the server has the browser fetch the map's chunk with
 * the page's own scripts (`app/map/preload.server.ts`).
 */
export type MapHandle = { showsMap: (data: unknown) => boolean };

/** For a page that always shows its map (a doctor's page, the profile editor). */
export const alwaysShowsMap: MapHandle = { showsMap: () => true };
