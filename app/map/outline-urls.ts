/** The fingerprinted URLs of the offline map's data files (see world.ts). */
import coarseUrl from "world-atlas/countries-110m.json?url";
import cityLabelsUrl from "./city-labels.json?url";

export const COARSE_OUTLINES_URL = coarseUrl;
export const CITY_LABELS_URL = cityLabelsUrl;

/** Each detailed cell's URL by its name (`n30e000`), from app/map/outlines/ (build:outlines). */
export const DETAILED_CELL_URLS: Record<string, string> = Object.fromEntries(
  Object.entries(
    import.meta.glob<string>("./outlines/*.json", {
      query: "?url",
      import: "default",
      eager: true,
    }),
  ).map(([file, url]) => [file.replace(/^.*\/|\.json$/g, ""), url]),
);
