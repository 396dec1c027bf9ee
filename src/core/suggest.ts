/** Edit distance (Levenshtein). O(a × b): callers skip pairs whose lengths alone rule them out. */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  if (a.length === 0) return b.length;
  if (b.length === 0) return a.length;
  let prev = new Array<number>(b.length + 1);
  let cur = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      cur[j] = Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost);
    }
    [prev, cur] = [cur, prev];
  }
  return prev[b.length] ?? 0;
}

/**
 * The candidates closest to `input`, best first. Only candidates within a
 * distance that is plausible for a typo are returned (at most about a third of
 * the longer string), so "Did you mean" never suggests something unrelated.
 */
export function nearest(input: string, candidates: Iterable<string>, limit = 3): string[] {
  const needle = input.toLowerCase();
  const scored: { name: string; d: number }[] = [];
  for (const name of candidates) {
    const hay = name.toLowerCase();
    const max = Math.max(2, Math.ceil(Math.max(needle.length, hay.length) / 3));
    // The distance is at least the difference in length: past `max`, only containment can qualify.
    let d = Math.abs(hay.length - needle.length) <= max ? editDistance(needle, hay) : Infinity;
    if (hay.includes(needle) || needle.includes(hay)) d = Math.min(d, Math.abs(hay.length - needle.length) / 2);
    if (d <= max) scored.push({ name, d });
  }
  scored.sort((x, y) => x.d - y.d || x.name.localeCompare(y.name));
  return scored.slice(0, limit).map((s) => s.name);
}

/** " Did you mean x?" or "" — ready to append to a message. */
export function didYouMean(input: string, candidates: Iterable<string>): string {
  const best = nearest(input, candidates, 1)[0];
  return best === undefined ? "" : ` Did you mean ${best}?`;
}
