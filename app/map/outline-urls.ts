/** The fingerprinted URLs of the offline map's data files (see world.ts). */
import coarseUrl from "world-atlas/countries-110m.json?url";
import detailedUrl from "world-atlas/countries-50m.json?url";
import cityLabelsUrl from "./city-labels.json?url";

export const COARSE_OUTLINES_URL = coarseUrl;
export const DETAILED_OUTLINES_URL = detailedUrl;
export const CITY_LABELS_URL = cityLabelsUrl;
