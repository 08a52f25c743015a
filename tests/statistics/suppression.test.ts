import {
  deducedRanges,
  exposedCells,
  shownText,
  suppress,
  type Line,
  type Shown,
} from "~/statistics/suppression";

/** A seeded generator (mulberry32): the same tables on every run. */
function random(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A rows × cols table with row totals, column totals and a grand total, as cells and lines. */
function grid(counts: number[][]) {
  const values = new Map<string, number>();
  const lines: Line[] = [];
  const cols = counts[0]!.length;
  counts.forEach((row, r) => {
    row.forEach((v, c) => values.set(`${r}.${c}`, v));
    values.set(
      `${r}.T`,
      row.reduce((a, b) => a + b, 0),
    );
    lines.push({ total: `${r}.T`, parts: row.map((_, c) => `${r}.${c}`) });
  });
  for (let c = 0; c < cols; c += 1) {
    values.set(
      `T.${c}`,
      counts.reduce((s, row) => s + row[c]!, 0),
    );
    lines.push({ total: `T.${c}`, parts: counts.map((_, r) => `${r}.${c}`) });
  }
  values.set(
    "T.T",
    counts.flat().reduce((a, b) => a + b, 0),
  );
  lines.push({ total: "T.T", parts: counts.map((_, r) => `${r}.T`) });
  lines.push({ total: "T.T", parts: counts[0]!.map((_, c) => `T.${c}`) });
  return { values, lines };
}

/**
 * The exhaustive oracle: a search over every assignment of the hidden cells ("<5": 0–4; "x":
 * 5 up to `max`) that agrees with every line — pruned where a line can no longer add up, and
 * stopped once every hidden cell has been seen with two values. Returns the values seen, or
 * null when the search would take too long (the caller counts how many it could check).
 */
function possibleValues(shown: Map<string, Shown>, lines: Line[], max: number) {
  const hidden = [...shown].filter(([, s]) => s.kind !== "value").map(([id]) => id);
  const seen = new Map(hidden.map((id) => [id, new Set<number>()]));
  const value = new Map<string, number>();
  for (const [id, s] of shown) if (s.kind === "value") value.set(id, s.value);
  // A part is at most the smallest shown total of its lines (a count is never negative).
  const bound = new Map(
    hidden.map((id) => [
      id,
      Math.min(
        max,
        ...lines
          .filter((l) => l.parts.includes(id) && value.has(l.total))
          .map((l) => value.get(l.total)!),
      ),
    ]),
  );
  const range = (id: string): [number, number] =>
    value.has(id)
      ? [value.get(id)!, value.get(id)!]
      : shown.get(id)!.kind === "small"
        ? [0, 4]
        : [5, bound.get(id)!];
  // total − Σ parts must be able to reach 0 on every line.
  const feasible = () =>
    lines.every((l) => {
      const [tLo, tHi] = range(l.total);
      let lo = tLo;
      let hi = tHi;
      for (const p of l.parts) {
        const [pLo, pHi] = range(p);
        lo -= pHi;
        hi -= pLo;
      }
      return lo <= 0 && hi >= 0;
    });
  const done = () => [...seen.values()].every((set) => set.size > 1);
  let steps = 0;
  const visit = (i: number): boolean => {
    steps += 1;
    if (steps > 3e5) throw new SearchTooLarge();
    if (!feasible()) return false;
    if (i === hidden.length) {
      for (const id of hidden) seen.get(id)!.add(value.get(id)!);
      return done();
    }
    const id = hidden[i]!;
    const [lo, hi] = range(id);
    for (let v = lo; v <= hi; v += 1) {
      value.set(id, v);
      if (visit(i + 1)) return true;
    }
    value.delete(id);
    return false;
  };
  try {
    visit(0);
  } catch (error) {
    if (error instanceof SearchTooLarge) return null;
    throw error;
  }
  return seen;
}

class SearchTooLarge extends Error {}

describe("small-cell suppression", () => {
  test("a count below 5 shows as <5, and its row's only other hidden cell is a complement", () => {
    const { values, lines } = grid([
      [3, 6, 7],
      [6, 5, 8],
    ]);
    const shown = suppress(values, lines);
    expect(shownText(shown.get("0.0")!)).toBe("<5");
    // Alone in its row and column, 3 would be total − the rest: complements are hidden.
    const hidden = [...shown].filter(([, s]) => s.kind === "hidden").map(([id]) => id);
    expect(hidden.length).toBeGreaterThan(0);
    expect(exposedCells(shown, lines)).toEqual([]);
    const possible = possibleValues(shown, lines, 35);
    for (const [id, set] of possible ?? []) expect([id, set.size > 1]).toEqual([id, true]);
  });

  test("without complements the small cell would be recovered (the oracle catches it)", () => {
    const { values, lines } = grid([
      [3, 20],
      [12, 25],
    ]);
    const naive = new Map<string, Shown>(
      [...values].map(([id, v]) => [id, v < 5 ? { kind: "small" } : { kind: "value", value: v }]),
    );
    expect(possibleValues(naive, lines, 45)!.get("0.0")).toEqual(new Set([3]));
    expect(exposedCells(naive, lines)).toEqual(["0.0"]);
  });

  test("shown counts are the true counts, and every count below 5 is shown as <5", () => {
    const { values, lines } = grid([
      [0, 7, 9],
      [4, 5, 6],
    ]);
    const shown = suppress(values, lines);
    for (const [id, v] of values) {
      const s = shown.get(id)!;
      if (v < 5) expect([id, s.kind]).toEqual([id, "small"]);
      else expect([id, s.kind === "small"]).toEqual([id, false]);
      if (s.kind === "value") expect(s.value).toBe(v);
    }
  });

  test("two zeros hidden in a row with its total shown are not left as a known zero sum", () => {
    const { values, lines } = grid([
      [0, 0, 9],
      [6, 7, 8],
    ]);
    const shown = suppress(values, lines);
    expect(exposedCells(shown, lines)).toEqual([]);
    for (const [, set] of possibleValues(shown, lines, 21) ?? []) {
      expect(set.size).toBeGreaterThan(1);
    }
  });

  test("four cells of 4 in a row whose total says 16 would be recovered; suppression prevents it", () => {
    const values = new Map([
      ["a", 4],
      ["b", 4],
      ["t", 8],
    ]);
    const lines: Line[] = [{ total: "t", parts: ["a", "b"] }];
    const ranges = deducedRanges(
      new Map<string, Shown>([
        ["a", { kind: "small" }],
        ["b", { kind: "small" }],
        ["t", { kind: "value", value: 8 }],
      ]),
      lines,
    );
    expect(ranges.get("a")).toEqual({ lo: 4, hi: 4 });
    const shown = suppress(values, lines);
    expect(shown.get("t")!.kind).not.toBe("value");
    expect(exposedCells(shown, lines)).toEqual([]);
  });

  test("30 generated tables: no hidden count can be worked out (an exhaustive search on most)", () => {
    let searched = 0;
    for (let seed = 1; seed <= 30; seed += 1) {
      const next = random(seed);
      const columns = 2 + Math.floor(next() * 2);
      const counts = Array.from({ length: 2 }, () =>
        Array.from({ length: columns }, () =>
          next() < 0.35 ? Math.floor(next() * 5) : 5 + Math.floor(next() * 3),
        ),
      );
      const { values, lines } = grid(counts);
      const shown = suppress(values, lines);
      expect([seed, exposedCells(shown, lines)]).toEqual([seed, []]);
      const possible = possibleValues(shown, lines, values.get("T.T")!);
      if (!possible) continue;
      searched += 1;
      for (const [id, set] of possible) expect([seed, id, set.size > 1]).toEqual([seed, id, true]);
    }
    expect(searched).toBeGreaterThanOrEqual(20);
  });
});
