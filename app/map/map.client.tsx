/**
 * The Leaflet map (browser only): tiles from configuration over packaged country
 * outlines, clustered markers, the patient's position, bounds fitted to the results.
 * The clustering plugin is its own chunk, fetched only when a map has several markers.
 */
import L from "leaflet";
import iconRetinaUrl from "leaflet/dist/images/marker-icon-2x.png";
import iconUrl from "leaflet/dist/images/marker-icon.png";
import shadowUrl from "leaflet/dist/images/marker-shadow.png";
import { useEffect, useMemo, useRef, useState } from "react";
import {
  CircleMarker,
  GeoJSON,
  MapContainer,
  ScaleControl,
  TileLayer,
  Tooltip,
  useMap,
  useMapEvents,
} from "react-leaflet";
import {
  type Bounds,
  DETAILED_ZOOM,
  labelsInView,
  loadCountryOutlines,
  outlinesInView,
  useCityLabels,
  useCoarseOutlines,
  useDetailedCells,
} from "./world";

const icon = L.icon({
  iconUrl,
  iconRetinaUrl,
  shadowUrl,
  iconSize: [25, 41],
  iconAnchor: [12, 41],
  popupAnchor: [1, -34],
  shadowSize: [41, 41],
});
const selectedIcon = L.icon({ ...icon.options, className: "marker-selected" });

// Start fetching the outlines with the map's own chunk, not after the first render.
loadCountryOutlines().catch(() => undefined);

/**
 * A marker's label is the doctor's own text (name, clinic): plain text, never markup. With a
 * popup, a click (or Enter on the focused pin) opens the doctor's details and a link.
 */
export type MapMarker = {
  id: string;
  lat: number;
  lng: number;
  label: string;
  popup?: { lines: string[]; href: string; linkText: string };
};

/** Ask the map to show a marker: zoom into its cluster, open its popup, focus the pin. */
export type FocusRequest = { id: string; seq: number };

/**
 * Leaflet puts a string tooltip or popup in with innerHTML; a clinic called
 * `<style>…</style>` would restyle the page. An element whose text is set stays text.
 */
function textNode(text: string): HTMLElement {
  const span = document.createElement("span");
  span.textContent = text;
  return span;
}
export type Tiles = { url: string; attribution: string };

/** A popup's content as elements with text set, never as markup. */
function popupContent(label: string, popup: NonNullable<MapMarker["popup"]>): HTMLElement {
  const box = document.createElement("div");
  box.className = "map-popup";
  const title = document.createElement("strong");
  title.textContent = label;
  box.append(title);
  for (const line of popup.lines) {
    const p = document.createElement("span");
    p.textContent = line;
    box.append(p);
  }
  const link = document.createElement("a");
  link.href = popup.href;
  link.textContent = popup.linkText;
  box.append(link);
  return box;
}

// Land on a sea-coloured background (.map in app.css), so the map reads without tiles.
const outlineStyle = { color: "#7d8590", weight: 1, fillColor: "#f3efe4", fillOpacity: 1 };
/** The map's own zoom limit: it must not come from the tile layer, which goes when tiles fail. */
const MAX_ZOOM = 18;
const OFFLINE_ATTRIBUTION = "Outlines: Natural Earth · Places: GeoNames";

/**
 * Country outlines under the configured tiles, a metric scale, and, once the tiles cannot load
 * (offline clinics, blocked tile servers), the names of large cities: the outlines then carry
 * the map, and the tile layer and its attribution go (no tile of theirs is shown).
 */
function BaseLayers({
  tiles,
  failed,
  onTile,
}: {
  tiles: Tiles;
  failed: boolean;
  onTile: TileEvents;
}) {
  // Stable handlers: a new object each render would make react-leaflet rebind the event.
  const tileEvents = useMemo(() => ({ tileerror: onTile.error, tileload: onTile.load }), [onTile]);
  const coarse = useCoarseOutlines();
  const view = useDetailedView();
  const detailed = useDetailedCells(view);
  // From DETAILED_ZOOM on, only the countries the (padded) view reaches: redrawn when it moves.
  const coarseShown = useMemo(() => coarse && outlinesInView(coarse, view), [coarse, view]);
  const attribution = failed ? OFFLINE_ATTRIBUTION : undefined;
  return (
    <>
      {detailed
        ? [...detailed].map(([cell, data]) => (
            // GeoJSON's data is read once: one layer per cell, kept while the cell is in view.
            <GeoJSON
              key={cell}
              data={data}
              style={outlineStyle}
              interactive={false}
              attribution={attribution}
            />
          ))
        : coarseShown && (
            <GeoJSON
              key={`coarse ${coarseShown.key}`}
              data={coarseShown.outlines}
              style={outlineStyle}
              interactive={false}
              attribution={attribution}
            />
          )}
      {!failed && (
        <TileLayer url={tiles.url} attribution={tiles.attribution} eventHandlers={tileEvents} />
      )}
      {failed && <CityNames />}
      <ScaleControl imperial={false} />
    </>
  );
}

/**
 * The view from zoom DETAILED_ZOOM on (null further out), read when a move or zoom ends, padded
 * by half its size and rounded to whole degrees, so a small pan needs no new cell.
 */
function useDetailedView(): Bounds | null {
  const map = useMap();
  const read = (): Bounds | null => {
    if (map.getZoom() < DETAILED_ZOOM) return null;
    const b = map.getBounds().pad(0.5);
    return {
      south: Math.floor(b.getSouth()),
      west: Math.floor(b.getWest()),
      north: Math.ceil(b.getNorth()),
      east: Math.ceil(b.getEast()),
    };
  };
  const [view, setView] = useState<Bounds | null>(read);
  useMapEvents({ moveend: () => setView(read()) });
  return view;
}

/** Large cities' names from the packaged gazetteer, as many as the zoom allows, as text. */
function CityNames() {
  const map = useMap();
  const labels = useCityLabels(true);
  const [view, setView] = useState(0);
  useMapEvents({ moveend: () => setView((v) => v + 1) });
  useEffect(() => {
    if (!labels) return;
    const b = map.getBounds();
    const shown = labelsInView(
      labels,
      { south: b.getSouth(), west: b.getWest(), north: b.getNorth(), east: b.getEast() },
      map.getZoom(),
    );
    const group = L.layerGroup(
      shown.map(([name, lat, lng]) =>
        L.marker([lat, lng], {
          icon: L.divIcon({ className: "map-city", html: textNode(name), iconSize: undefined }),
          interactive: false,
          keyboard: false,
        }),
      ),
    ).addTo(map);
    return () => {
      group.remove();
    };
  }, [map, labels, view]);
  return null;
}

type TileEvents = { error: () => void; load: () => void };

/** Tiles count as unavailable when some failed and none loaded (one bad tile is not enough). */
function useTileFailure() {
  const [failed, setFailed] = useState(false);
  const counts = useRef({ errors: 0, loads: 0 });
  const onTile = useMemo<TileEvents>(
    () => ({
      error: () => {
        counts.current.errors++;
        if (counts.current.errors >= 2 && counts.current.loads === 0) setFailed(true);
      },
      load: () => {
        counts.current.loads++;
      },
    }),
    [],
  );
  const note = failed ? (
    <p className="map-note" role="status">
      Street map unavailable: showing country outlines and large cities only.
    </p>
  ) : null;
  return { failed, onTile, note };
}

/** Leaflet's zoom buttons end here, from the map's top, before they are laid out (touch size). */
const ZOOM_BUTTONS_BOTTOM = 76;

/** How far from the map's top a popup must start to clear the top-left controls, in pixels. */
function belowControls(map: L.Map): number {
  const corner = map.getContainer().querySelector(".leaflet-top.leaflet-left");
  const measured = corner
    ? corner.getBoundingClientRect().bottom - map.getContainer().getBoundingClientRect().top
    : 0;
  return Math.max(measured, ZOOM_BUTTONS_BOTTOM) + 8;
}

function Clusters({
  markers,
  selected,
  onSelect,
  focus,
}: {
  markers: MapMarker[];
  selected?: string | null;
  onSelect?: (id: string) => void;
  focus?: FocusRequest | null;
}) {
  const map = useMap();
  const layers = useRef(new Map<string, L.Marker>());
  const groupRef = useRef<L.LayerGroup | null>(null);
  const selectedRef = useRef(selected);
  selectedRef.current = selected;
  useEffect(() => {
    let group: L.LayerGroup | undefined;
    let cancelled = false;
    const show = (created: L.LayerGroup) => {
      if (cancelled) return;
      layers.current.clear();
      for (const m of markers) {
        const marker = L.marker([m.lat, m.lng], {
          icon: m.id === selectedRef.current ? selectedIcon : icon,
          title: m.label,
          alt: m.label,
          keyboard: true,
          zIndexOffset: m.id === selectedRef.current ? 1000 : 0,
        });
        marker.bindTooltip(textNode(m.label));
        const { popup } = m;
        if (popup)
          marker.bindPopup(() => popupContent(m.label, popup), {
            maxWidth: 240,
            autoPanPadding: [12, 12],
            // Opened near the top, the popup slides below the zoom buttons (top left), which
            // would otherwise cover its edge on a phone's narrow map.
            autoPanPaddingTopLeft: [12, belowControls(map)],
          });
        marker.on("click", () => onSelect?.(m.id));
        // Enter on a focused pin opens its popup (Leaflet) and, like a click, selects it.
        marker.on("keypress", (e) => {
          if ((e as L.LeafletKeyboardEvent).originalEvent.key === "Enter") onSelect?.(m.id);
        });
        layers.current.set(m.id, marker);
        created.addLayer(marker);
      }
      map.addLayer(created);
      group = created;
      groupRef.current = created;
    };
    if (markers.length <= 1) show(L.layerGroup());
    else
      import("leaflet.markercluster").then(
        () => show(L.markerClusterGroup({ showCoverageOnHover: false, maxClusterRadius: 40 })),
        () => show(L.layerGroup()), // without the plugin: every marker on its own
      );
    return () => {
      cancelled = true;
      if (group) map.removeLayer(group);
      groupRef.current = null;
    };
  }, [map, markers, onSelect]);
  useEffect(() => {
    for (const [id, marker] of layers.current) {
      marker.setIcon(id === selected ? selectedIcon : icon);
      marker.setZIndexOffset(id === selected ? 1000 : 0);
    }
  }, [selected, markers]);
  useEffect(() => {
    if (!focus) return;
    const marker = layers.current.get(focus.id);
    if (!marker) return;
    const show = () => {
      // The whole map comes into view first (on a phone it is below the list): scrolled only as
      // far as the pin, the pan that makes room for the popup would push the pin off screen.
      map.getContainer().scrollIntoView({ block: "nearest" });
      marker.openPopup();
      marker.getElement()?.focus({ preventScroll: true });
    };
    const group = groupRef.current;
    // A pin inside a cluster is not on the map yet: the cluster opens (zooming in) first.
    // (L.MarkerClusterGroup exists only once the plugin's chunk has loaded.)
    if (group && "zoomToShowLayer" in group)
      (group as L.MarkerClusterGroup).zoomToShowLayer(marker, show);
    else show();
  }, [map, focus]);
  return null;
}

/** The view that shows every point: one point at a town's zoom, several fitted, none the world. */
function viewOf(points: [number, number][]) {
  if (points.length === 0) return { center: [20, 0] as [number, number], zoom: 2 };
  if (points.length === 1) return { center: points[0]!, zoom: 11 };
  return { bounds: L.latLngBounds(points), boundsOptions: FIT_OPTIONS };
}
/**
 * Room around the fitted points: left of them for the zoom buttons, above them for a pin's height
 * (it stands on its point), right of them for a city's name (written from its point rightwards),
 * so none is hidden or cut at the edge.
 */
const FIT_OPTIONS: L.FitBoundsOptions = {
  paddingTopLeft: [48, 48],
  paddingBottomRight: [72, 24],
  maxZoom: 13,
};

/**
 * The map starts at its points' view (MapContainer's own props); this follows a later change of
 * the points. Created at the world's view and moved at once, the map used to lay out and request
 * the world's tiles, then reproject everything for the city.
 */
function FitBounds({ points }: { points: [number, number][] }) {
  const map = useMap();
  const key = JSON.stringify(points);
  const shown = useRef(key);
  useEffect(() => {
    if (shown.current === key) return;
    shown.current = key;
    const view = viewOf(points);
    if (view.bounds) map.fitBounds(view.bounds, view.boundsOptions);
    else if (points.length > 0) map.setView(view.center, view.zoom);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [map, key]);
  return null;
}

export default function DoctorMap({
  tiles,
  markers,
  you,
  selected,
  onSelect,
  focus,
}: {
  tiles: Tiles;
  markers: MapMarker[];
  you?: { lat: number; lng: number } | null;
  selected?: string | null;
  onSelect?: (id: string) => void;
  focus?: FocusRequest | null;
}) {
  const points: [number, number][] = markers.map((m) => [m.lat, m.lng]);
  if (you) points.push([you.lat, you.lng]);
  const { failed, onTile, note } = useTileFailure();
  // Read once, when the map is created.
  const [initialView] = useState(() => viewOf(points));
  return (
    <>
      <MapContainer {...initialView} maxZoom={MAX_ZOOM} className="map" worldCopyJump>
        <BaseLayers tiles={tiles} failed={failed} onTile={onTile} />
        <Clusters markers={markers} selected={selected} onSelect={onSelect} focus={focus} />
        {you && (
          <CircleMarker
            center={[you.lat, you.lng]}
            radius={8}
            pathOptions={{ color: "#0b5cad", fillOpacity: 0.8 }}
          >
            <Tooltip>You are here</Tooltip>
          </CircleMarker>
        )}
        <FitBounds points={points} />
      </MapContainer>
      {note}
    </>
  );
}

function PinEvents({ onChange }: { onChange: (lat: number, lng: number) => void }) {
  useMapEvents({ click: (event) => onChange(event.latlng.lat, event.latlng.lng) });
  return null;
}

function Recenter({ lat, lng }: { lat: number; lng: number }) {
  const map = useMap();
  useEffect(() => {
    map.setView([lat, lng], Math.max(map.getZoom(), 11));
  }, [map, lat, lng]);
  return null;
}

/** A single draggable pin: click the map or drag the pin to move it. */
export function PinMap({
  tiles,
  lat,
  lng,
  onChange,
}: {
  tiles: Tiles;
  lat: number | null;
  lng: number | null;
  onChange: (lat: number, lng: number) => void;
}) {
  const markerRef = useRef<L.Marker | null>(null);
  const { failed, onTile, note } = useTileFailure();
  return (
    <>
      <MapContainer
        center={[lat ?? 20, lng ?? 0]}
        zoom={lat == null ? 2 : 11}
        maxZoom={MAX_ZOOM}
        className="map small"
      >
        <BaseLayers tiles={tiles} failed={failed} onTile={onTile} />
        <PinEvents onChange={onChange} />
        {lat != null && lng != null && (
          <DraggablePin lat={lat} lng={lng} onChange={onChange} markerRef={markerRef} />
        )}
        {lat != null && lng != null && <Recenter lat={lat} lng={lng} />}
      </MapContainer>
      {note}
    </>
  );
}

function DraggablePin({
  lat,
  lng,
  onChange,
  markerRef,
}: {
  lat: number;
  lng: number;
  onChange: (lat: number, lng: number) => void;
  markerRef: React.MutableRefObject<L.Marker | null>;
}) {
  const map = useMap();
  useEffect(() => {
    const marker = L.marker([lat, lng], {
      icon,
      draggable: true,
      title: "Clinic location",
      alt: "Clinic location",
    });
    marker.on("dragend", () => {
      const p = marker.getLatLng();
      onChange(p.lat, p.lng);
    });
    marker.addTo(map);
    markerRef.current = marker;
    return () => {
      marker.remove();
    };
  }, [map, lat, lng, onChange, markerRef]);
  return null;
}
