// "Did you mean …?" suggestions for misspelt names.

/** Rows of the distance table, kept between calls (a suggestion compares a name with every name of a document). */
let previousRow = new Int32Array(32);
let currentRow = new Int32Array(32);

/**
 * The edit distance of two strings if it is at most `limit`, else `limit + 1`: the computation stops at the first
 * row of the table whose every entry is past the limit (the distance can only grow from there).
 */
export function editDistanceWithin(a: string, b: string, limit: number): number {
  const m = a.length;
  const n = b.length;
  if (Math.abs(m - n) > limit) return limit + 1;
  if (previousRow.length <= n) {
    previousRow = new Int32Array(2 * n + 2);
    currentRow = new Int32Array(2 * n + 2);
  }
  let prev = previousRow;
  let cur = currentRow;
  for (let j = 0; j <= n; j++) prev[j] = j;
  for (let i = 1; i <= m; i++) {
    cur[0] = i;
    let rowMin = i;
    const ca = a.charCodeAt(i - 1);
    for (let j = 1; j <= n; j++) {
      const d = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca === b.charCodeAt(j - 1) ? 0 : 1));
      cur[j] = d;
      if (d < rowMin) rowMin = d;
    }
    if (rowMin > limit) return limit + 1;
    const t = prev;
    prev = cur;
    cur = t;
  }
  return Math.min(prev[n], limit + 1);
}

/** How many characters two strings share at the start. */
function commonPrefix(a: string, b: string): number {
  let k = 0;
  while (k < a.length && k < b.length && a[k] === b[k]) k++;
  return k;
}

/**
 * Between two candidates at the same distance: the one that shares more of the name's start (`sin` for `sinn`,
 * not `sign`), then the first in alphabetical order — never the order the candidates come in, which differs
 * between a full and an incremental analysis.
 */
function closerTie(lower: string, candidate: string, best: string): boolean {
  const k = commonPrefix(lower, candidate.toLowerCase());
  const kBest = commonPrefix(lower, best.toLowerCase());
  return k !== kBest ? k > kBest : candidate < best;
}

/**
 * The closest candidate within a small edit distance (about a third of the name's length), if any. One- and
 * two-letter names only match a different case (`W` for `w`): any other letter would be a guess.
 */
export function closestName(name: string, candidates: Iterable<string>): string | undefined {
  const limit = name.length < 3 ? 0 : Math.max(1, Math.floor(name.length / 3));
  let best: string | undefined;
  let bestD = Infinity;
  const lower = name.toLowerCase();
  for (const c of candidates) {
    // The distance is at least the difference in length: most candidates are ruled out without computing it.
    if (c === name) continue;
    const candidate = c.toLowerCase();
    if (Math.abs(candidate.length - lower.length) > limit) continue;
    // Only as close as the best so far matters: the distance is computed up to there.
    const d = editDistanceWithin(lower, candidate, Math.min(limit, bestD));
    if (d <= limit && (d < bestD || (d === bestD && closerTie(lower, c, best!)))) {
      best = c;
      bestD = d;
    }
  }
  return best;
}
