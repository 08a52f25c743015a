/**
 * Small-cell suppression (decision 062). A count below `SMALL_CELL` is shown as "<5"; then, as
 * long as a reader could work a hidden count out from the totals shown beside it (a row, a
 * column, a margin shared by several tables), one more cell is hidden — the smallest shown
 * part of that line, else its total — and shown as "x". Hidden cells are never drawn either.
 *
 * The reader is modelled as one who knows every shown count, that a "<5" cell is 0–4, that an
 * "x" cell is 5 or more (every smaller count is "<5" already), and that each total is the sum
 * of its parts; from these they narrow each hidden cell's range line by line until nothing
 * changes. A hidden cell whose range has closed to one value is exposed. Isomorphic, pure.
 */
import { SMALL_CELL } from "./vocabulary";

/** How a count is shown: its value, "<5" (small), or "x" (hidden so a small one stays hidden). */
export type Shown = { kind: "value"; value: number } | { kind: "small" } | { kind: "hidden" };

/** A total and the cells that add up to it (ids of `values`). */
export type Line = { total: string; parts: string[] };

type Range = { lo: number; hi: number };

const rangeOf = (shown: Shown): Range =>
  shown.kind === "value"
    ? { lo: shown.value, hi: shown.value }
    : shown.kind === "small"
      ? { lo: 0, hi: SMALL_CELL - 1 }
      : { lo: SMALL_CELL, hi: Infinity };

/**
 * What the modelled reader can deduce: each cell's range after narrowing along every line.
 * Exported for the tests, which check it against an exhaustive search on small tables.
 */
export function deducedRanges(shown: Map<string, Shown>, lines: Line[]): Map<string, Range> {
  const ranges = new Map([...shown].map(([id, s]) => [id, rangeOf(s)]));
  const get = (id: string) => ranges.get(id) ?? { lo: 0, hi: Infinity };
  for (let changed = true, rounds = 0; changed && rounds < 10_000; rounds += 1) {
    changed = false;
    const narrow = (id: string, lo: number, hi: number) => {
      const r = get(id);
      const next = { lo: Math.max(r.lo, lo), hi: Math.min(r.hi, hi) };
      if (next.lo !== r.lo || next.hi !== r.hi) {
        ranges.set(id, next);
        changed = true;
      }
    };
    for (const line of lines) {
      const parts = line.parts.map(get);
      const sumLo = parts.reduce((s, r) => s + r.lo, 0);
      // Unbounded ("x") parts are counted apart: Infinity − Infinity would be NaN.
      const unbounded = parts.filter((r) => r.hi === Infinity).length;
      const finiteHi = parts.reduce((s, r) => (r.hi === Infinity ? s : s + r.hi), 0);
      narrow(line.total, sumLo, unbounded > 0 ? Infinity : finiteHi);
      const total = get(line.total);
      line.parts.forEach((id, i) => {
        const r = parts[i]!;
        const othersUnbounded = unbounded - (r.hi === Infinity ? 1 : 0) > 0;
        const othersHi = othersUnbounded ? Infinity : finiteHi - (r.hi === Infinity ? 0 : r.hi);
        narrow(id, total.lo - othersHi, total.hi - (sumLo - r.lo));
      });
    }
  }
  return ranges;
}

/** The hidden cells the modelled reader can work out exactly. */
export function exposedCells(shown: Map<string, Shown>, lines: Line[]): string[] {
  const ranges = deducedRanges(shown, lines);
  return [...shown]
    .filter(([id, s]) => s.kind !== "value" && ranges.get(id)!.lo === ranges.get(id)!.hi)
    .map(([id]) => id);
}

/**
 * Decide how every count of `values` is shown: counts below 5 as "<5", then complementary
 * cells hidden until no hidden count can be worked out from `lines`.
 */
export function suppress(values: Map<string, number>, lines: Line[]): Map<string, Shown> {
  const shown = new Map<string, Shown>();
  for (const [id, value] of values) {
    shown.set(id, value < SMALL_CELL ? { kind: "small" } : { kind: "value", value });
  }
  const isShown = (id: string) => shown.get(id)?.kind === "value";
  const linesOf = new Map<string, Line[]>();
  for (const line of lines) {
    for (const id of [line.total, ...line.parts])
      linesOf.set(id, [...(linesOf.get(id) ?? []), line]);
  }
  for (let exposed = exposedCells(shown, lines); exposed.length > 0;) {
    // The shown neighbours of the first exposed cell: the parts of its lines, then their totals.
    const containing = linesOf.get(exposed[0]!) ?? [];
    const parts = [...new Set(containing.flatMap((l) => l.parts.filter(isShown)))];
    const totals = [...new Set(containing.map((l) => l.total).filter(isShown))];
    const candidates = parts.length > 0 ? parts : totals;
    if (candidates.length === 0) {
      // Every neighbour is hidden already and it still shows through: hide every count.
      for (const id of shown.keys()) if (isShown(id)) shown.set(id, { kind: "hidden" });
      return shown;
    }
    // One step of look-ahead: the candidate after which the fewest cells are exposed, then
    // the smallest count (the least information lost).
    let best: { id: string; exposed: string[] } | null = null;
    for (const id of candidates) {
      const before = shown.get(id)!;
      shown.set(id, { kind: "hidden" });
      const after = exposedCells(shown, lines);
      shown.set(id, before);
      if (
        !best ||
        after.length < best.exposed.length ||
        (after.length === best.exposed.length && values.get(id)! < values.get(best.id)!)
      ) {
        best = { id, exposed: after };
      }
    }
    shown.set(best!.id, { kind: "hidden" });
    exposed = best!.exposed;
  }
  return shown;
}

/** The text of a shown count, as tables and the CSV print it. */
export const shownText = (shown: Shown): string =>
  shown.kind === "value" ? String(shown.value) : shown.kind === "small" ? "<5" : "x";

/** The number a chart may draw, or null (a gap) for a suppressed count. */
export const drawable = (shown: Shown): number | null =>
  shown.kind === "value" ? shown.value : null;
