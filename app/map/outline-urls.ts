/** The fingerprinted URLs of the offline map's data files (see world.ts). */
import coarseUrl from "world-atlas/countries-110m.json?url";
import cityLabelsUrl from "./city-labels.json?url";
import cellsUrl from "./outline-cells.json?url";

export const COARSE_OUTLINES_URL = coarseUrl;
export const CITY_LABELS_URL = cityLabelsUrl;
/** The index of the detailed cells (scripts/map/outlines.ts); the cells are under /map/outlines/. */
export const OUTLINE_CELLS_URL = cellsUrl;
export const OUTLINE_CELLS_PATH = "/map/outlines/";
