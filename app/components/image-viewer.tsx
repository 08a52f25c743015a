/**
 * The smear at full resolution, zoomable and pannable (mouse wheel, drag, pinch, buttons and
 * keys), with the heat-map blended over it or side by side with the same zoom and pan.
 *
 * Without JavaScript it is a plain image linking to the full-resolution file, with the
 * heat-map switch that needs no script. The pan-zoom library is loaded only once the page
 * runs in a browser, so it never weighs on a page without a viewer (decision 045).
 */
import type { PanzoomObject } from "@panzoom/panzoom";
import {
  useCallback,
  useEffect,
  useId,
  useRef,
  useState,
  type CSSProperties,
  type KeyboardEvent,
} from "react";

export const VIEW_MODES = ["blend", "side", "image"] as const;
export type ViewMode = (typeof VIEW_MODES)[number];

const MODE_LABELS: Record<ViewMode, string> = {
  blend: "Heat-map over the image",
  side: "Side by side",
  image: "Image only",
};

/** How far past one image pixel per screen pixel the viewer zooms. */
const MAX_PIXEL_ZOOM = 4;
/** One arrow-key press pans by this share of the visible width or height. */
const KEY_PAN_SHARE = 0.1;

function HeatmapLegend() {
  return (
    <p className="heatmap-legend" aria-hidden="true">
      <span>little influence</span>
      <span className="heatmap-scale" />
      <span>most influence</span>
    </p>
  );
}

const CAPTION =
  "The heat-map shows which areas most influenced the model: uncoloured areas little, then from grey-blue through yellow to red the most. It does not mark cancer cells and can highlight irrelevant areas.";

export function ImageViewer({
  imageUrl,
  heatmapUrl,
  alt,
}: {
  imageUrl: string;
  /** Absent when there is no heat-map to show (the model could not assess the image). */
  heatmapUrl?: string;
  alt: string;
}) {
  const [enhanced, setEnhanced] = useState(false);
  useEffect(() => setEnhanced(true), []);
  if (!enhanced) return <StaticViewer imageUrl={imageUrl} heatmapUrl={heatmapUrl} alt={alt} />;
  return <InteractiveViewer imageUrl={imageUrl} heatmapUrl={heatmapUrl} alt={alt} />;
}

/** The page as the server renders it, and as it stays without JavaScript. */
function StaticViewer({ imageUrl, heatmapUrl, alt }: Parameters<typeof ImageViewer>[0]) {
  const toggleId = useId();
  return (
    <figure className="heatmap image-viewer">
      {heatmapUrl && (
        <>
          <input type="checkbox" id={toggleId} className="heatmap-toggle no-print" defaultChecked />
          <label htmlFor={toggleId} className="no-print">
            Show heat-map
          </label>
        </>
      )}
      <a href={imageUrl} className="heatmap-frame">
        <img src={imageUrl} alt={alt} />
        {heatmapUrl && <img src={heatmapUrl} alt="" className="heatmap-overlay" />}
      </a>
      <p className="no-print">
        <a href={imageUrl}>Open the full-resolution image</a>
      </p>
      {heatmapUrl && (
        <>
          <HeatmapLegend />
          <figcaption>{CAPTION}</figcaption>
        </>
      )}
    </figure>
  );
}

/** Up to MAX_PIXEL_ZOOM screen pixels per image pixel, and never less than twice the fit. */
function maxScaleOf(image: HTMLImageElement) {
  if (!image.naturalWidth || !image.clientWidth) return MAX_PIXEL_ZOOM;
  return Math.max(2, (MAX_PIXEL_ZOOM * image.naturalWidth) / image.clientWidth);
}

type Pane = { viewport: HTMLDivElement; stage: HTMLDivElement; image: HTMLImageElement };

function InteractiveViewer({ imageUrl, heatmapUrl, alt }: Parameters<typeof ImageViewer>[0]) {
  const [mode, setMode] = useState<ViewMode>(heatmapUrl ? "blend" : "image");
  const [opacity, setOpacity] = useState(55);
  const [zoomPercent, setZoomPercent] = useState<number | null>(null);
  /** How many panes have their pan-zoom attached (0 while the library loads). */
  const [attached, setAttached] = useState(0);
  const panes = useRef<(Pane | null)[]>([null, null]);
  const zoomers = useRef<PanzoomObject[]>([]);
  const helpId = useId();
  const modeName = useId();
  const opacityId = useId();
  const side = mode === "side";

  /** Image pixels per screen pixel at the current scale, as a percentage. */
  const report = useCallback((scale: number) => {
    const image = panes.current[0]?.image;
    if (!image || !image.naturalWidth || !image.clientWidth) return;
    setZoomPercent(Math.round(((scale * image.clientWidth) / image.naturalWidth) * 100));
  }, []);

  /**
   * Every other pane to `source`'s scale and pan. The panes have one size, so the numbers
   * carry over; copying the pan (rather than zooming each pane on its own) keeps them equal
   * even where one pane measured itself before its image had loaded.
   */
  const syncFrom = useCallback((source: PanzoomObject) => {
    const scale = source.getScale();
    const { x, y } = source.getPan();
    for (const other of zoomers.current) {
      if (other === source) continue;
      other.zoom(scale, { animate: false, silent: true });
      other.pan(x, y, { animate: false, silent: true, force: true });
    }
  }, []);

  // (Re)attach the pan-zoom behaviour whenever the panes change (mode switch).
  useEffect(() => {
    let cancelled = false;
    const cleanups: (() => void)[] = [];
    void import("@panzoom/panzoom").then(({ default: Panzoom }) => {
      if (cancelled) return;
      const present = panes.current.filter((p): p is Pane => Boolean(p));
      const previous = zoomers.current[0];
      const start = previous
        ? { scale: previous.getScale(), ...previous.getPan() }
        : { scale: 1, x: 0, y: 0 };
      zoomers.current.forEach((pz) => pz.destroy());
      zoomers.current = present.map((pane) => {
        const pz = Panzoom(pane.stage, {
          minScale: 1,
          maxScale: maxScaleOf(pane.image),
          contain: "outside",
          startScale: start.scale,
          startX: start.x,
          startY: start.y,
          cursor: "grab",
          step: 0.25,
        });
        const wheel = (event: WheelEvent) => pz.zoomWithWheel(event);
        pane.viewport.addEventListener("wheel", wheel, { passive: false });
        cleanups.push(() => pane.viewport.removeEventListener("wheel", wheel));
        return pz;
      });
      // Side by side: what one pane does, the other follows, without echoing back.
      zoomers.current.forEach((pz, i) => {
        const stage = present[i].stage;
        const follow = () => {
          syncFrom(pz);
          report(pz.getScale());
        };
        stage.addEventListener("panzoomchange", follow);
        cleanups.push(() => stage.removeEventListener("panzoomchange", follow));
      });
      if (zoomers.current[0]) syncFrom(zoomers.current[0]);
      report(start.scale);
      setAttached(present.length);
    });
    return () => {
      cancelled = true;
      setAttached(0);
      cleanups.forEach((c) => c());
    };
  }, [side, report, syncFrom]);

  useEffect(() => () => zoomers.current.forEach((pz) => pz.destroy()), []);

  /** The first pane to this scale (and pan); the others copy it exactly. */
  const apply = useCallback(
    (scale: number, pan?: { x: number; y: number }) => {
      const leader = zoomers.current[0];
      if (!leader) return;
      leader.zoom(scale, { animate: false, silent: true });
      if (pan) leader.pan(pan.x, pan.y, { animate: false, silent: true });
      syncFrom(leader);
      report(leader.getScale());
    },
    [report, syncFrom],
  );

  // A new page width resizes the panes: keep the image covering them (panzoom constrains the
  // pan only when asked) and update the share of full resolution shown.
  useEffect(() => {
    const onResize = () => {
      const leader = zoomers.current[0];
      if (leader) apply(leader.getScale());
    };
    window.addEventListener("resize", onResize);
    return () => window.removeEventListener("resize", onResize);
  }, [apply]);

  const zoomBy = (factor: number) => {
    const pz = zoomers.current[0];
    if (pz) apply(pz.getScale() * factor);
  };
  const fit = () => apply(1, { x: 0, y: 0 });
  const actualPixels = () => {
    const image = panes.current[0]?.image;
    if (image?.naturalWidth && image.clientWidth) apply(image.naturalWidth / image.clientWidth);
  };
  const panBy = (dx: number, dy: number) => {
    const pz = zoomers.current[0];
    const viewport = panes.current[0]?.viewport;
    if (!pz || !viewport) return;
    // Pan values are in the unscaled image's pixels: a step of the visible area at any zoom.
    const scale = pz.getScale();
    const { x, y } = pz.getPan();
    apply(scale, {
      x: x + (dx * KEY_PAN_SHARE * viewport.clientWidth) / scale,
      y: y + (dy * KEY_PAN_SHARE * viewport.clientHeight) / scale,
    });
  };

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const actions: Record<string, () => void> = {
      "+": () => zoomBy(1.25),
      "=": () => zoomBy(1.25),
      "-": () => zoomBy(0.8),
      "−": () => zoomBy(0.8),
      "0": fit,
      "1": actualPixels,
      // Moving the view right shows what lies to the left, like dragging the image.
      ArrowLeft: () => panBy(1, 0),
      ArrowRight: () => panBy(-1, 0),
      ArrowUp: () => panBy(0, 1),
      ArrowDown: () => panBy(0, -1),
    };
    const action = actions[event.key];
    if (!action || event.altKey || event.ctrlKey || event.metaKey) return;
    event.preventDefault();
    action();
  };

  const pane = (index: number, withHeatmap: boolean, label: string) => (
    <div
      className="viewer-viewport"
      ref={(viewport) => {
        if (!viewport) {
          panes.current[index] = null;
          return;
        }
        const stage = viewport.querySelector<HTMLDivElement>(".viewer-stage");
        const image = viewport.querySelector<HTMLImageElement>("img");
        if (stage && image) panes.current[index] = { viewport, stage, image };
      }}
    >
      <div className="viewer-stage">
        <img
          src={imageUrl}
          alt={label}
          draggable={false}
          onLoad={(event) => {
            const maxScale = maxScaleOf(event.currentTarget);
            zoomers.current.forEach((pz) => pz.setOptions({ maxScale }));
            const leader = zoomers.current[0];
            if (leader) {
              syncFrom(leader);
              report(leader.getScale());
            }
          }}
        />
        {withHeatmap && heatmapUrl && (
          <img src={heatmapUrl} alt="" draggable={false} className="viewer-heatmap" />
        )}
      </div>
    </div>
  );

  return (
    <figure
      className="image-viewer interactive"
      style={{ "--heatmap-opacity": opacity / 100 } as CSSProperties}
    >
      <div className="viewer-toolbar no-print" role="toolbar" aria-label="Zoom">
        <button type="button" className="secondary" onClick={() => zoomBy(1.25)}>
          Zoom in<span aria-hidden="true"> +</span>
        </button>
        <button type="button" className="secondary" onClick={() => zoomBy(0.8)}>
          Zoom out<span aria-hidden="true"> −</span>
        </button>
        <button type="button" className="secondary" onClick={fit}>
          Fit
        </button>
        <button type="button" className="secondary" onClick={actualPixels}>
          100 %
        </button>
        <output className="viewer-zoom" aria-live="polite">
          {zoomPercent === null ? "" : `${zoomPercent} % of full resolution`}
        </output>
      </div>
      {heatmapUrl && (
        <div className="viewer-options no-print">
          <fieldset className="viewer-modes">
            <legend>Heat-map</legend>
            {VIEW_MODES.map((m) => (
              <label key={m} className="inline">
                <input
                  type="radio"
                  name={modeName}
                  value={m}
                  checked={mode === m}
                  onChange={() => setMode(m)}
                />{" "}
                {MODE_LABELS[m]}
              </label>
            ))}
          </fieldset>
          {mode !== "image" && (
            <div className="viewer-opacity">
              <label htmlFor={opacityId}>Heat-map opacity</label>
              <input
                id={opacityId}
                type="range"
                min={0}
                max={100}
                step={5}
                value={opacity}
                onChange={(e) => setOpacity(Number(e.target.value))}
              />
              <output htmlFor={opacityId}>{opacity} %</output>
            </div>
          )}
        </div>
      )}
      <div
        className={side ? "viewer-panes side" : "viewer-panes"}
        tabIndex={0}
        onKeyDown={onKeyDown}
        aria-describedby={helpId}
        aria-label="Image viewer"
        role="group"
        data-mode={mode}
        data-attached={attached}
      >
        {side ? (
          <>
            {pane(0, false, alt)}
            {pane(1, true, `${alt}, with the heat-map`)}
          </>
        ) : (
          pane(0, mode === "blend", alt)
        )}
      </div>
      <p id={helpId} className="viewer-help no-print">
        Drag or use the arrow keys to move; wheel, pinch, + and − to zoom; 0 fits the image, 1 shows
        it at full resolution. <a href={imageUrl}>Open the full-resolution image</a>
      </p>
      {heatmapUrl && mode !== "image" && (
        <>
          <HeatmapLegend />
          <figcaption>{CAPTION}</figcaption>
        </>
      )}
    </figure>
  );
}
