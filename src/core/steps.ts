// Long work in slices. A full analysis of a long document takes longer than the editor may hold its extension
// host (50 ms), so its loops are generators that yield every STEP lines or statements: the editor runs them in
// slices with the event loop in between (src/extension/analysisCache.ts), everything else at once (`completed`).

/** A computation that yields between slices of its work and returns `T`. */
export type Steps<T> = Generator<void, T, void>;

/** Lines or statements between two yields: a fraction of a millisecond of work once compiled, a few ms before. */
export const STEP = 64;

/** Runs steps to the end. */
export function completed<T>(steps: Steps<T>): T {
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

/** Runs steps until they end (their value) or the clock passes `deadline` (undefined: more to do). */
export function stepUntil<T>(steps: Steps<T>, deadline: number): { value: T } | undefined {
  do {
    const r = steps.next();
    if (r.done) return { value: r.value };
  } while (performance.now() < deadline);
  return undefined;
}
