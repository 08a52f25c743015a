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
