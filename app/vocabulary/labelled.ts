/**
 * The one shape of a vocabulary: a closed list of values, each with the words shown for it,
 * written once as `{ value: "label" }`. `values` keeps the written order (for a select, a zod
 * enum or a text column's enum); `labels` is the map. Isomorphic.
 */
export function labelledValues<const L extends Record<string, string>>(labels: L) {
  type Value = keyof L & string;
  const values = Object.keys(labels) as unknown as readonly [Value, ...Value[]];
  if (values.length === 0) throw new Error("A vocabulary needs at least one value.");
  return { values, labels: labels as Readonly<Record<Value, string>> };
}
