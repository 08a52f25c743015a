import type { LinksFunction } from "@remix-run/node";
import mapStyles from "./map.css?url";

/**
 * The stylesheet of pages with a map: Leaflet's and the clustering plugin's in one file, one
 * request (each costs a round trip on a phone's link, and one of the six connections a host).
 */
export const mapLinks: LinksFunction = () => [{ rel: "stylesheet", href: mapStyles }];

/**
 * A route's `handle` when its page may show a map: `showsMap` gets the route's loader data and
 * says whether this page shows one, so the server has the browser fetch the map's chunk with
 * the page's own scripts (`app/map/preload.server.ts`).
 */
export type MapHandle = { showsMap: (data: unknown) => boolean };

/** For a page that always shows its map (a doctor's page, the profile editor). */
export const alwaysShowsMap: MapHandle = { showsMap: () => true };
