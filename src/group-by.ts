/**
 * Grouping in one pass: results hold tens of thousands of rows, and a filter per group would
 * make every report and the fleet merge quadratic in the target count.
 */

/** Items grouped by key: each group in input order, the groups in first-seen order. */
export function groupBy<T>(items: Iterable<T>, key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

/** Items grouped by their `target`, as `groupBy` orders them. */
export function groupByTarget<T extends { target: string }>(items: Iterable<T>): Map<string, T[]> {
  return groupBy(items, (item) => item.target);
}
