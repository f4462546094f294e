// "Did you mean …?" suggestions for misspelt names.

export function editDistance(a: string, b: string): number {
  const m = a.length;
  const n = b.length;
  let prev = Array.from({ length: n + 1 }, (_, j) => j);
  for (let i = 1; i <= m; i++) {
    const cur = [i];
    for (let j = 1; j <= n; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[n];
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
    const d = editDistance(lower, candidate);
    if (d <= limit && (d < bestD || (d === bestD && closerTie(lower, c, best!)))) {
      best = c;
      bestD = d;
    }
  }
  return best;
}
