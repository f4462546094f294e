// Work that would hold the extension host too long (a long document's name index, semantic tokens, outline),
// run in slices with the event loop in between: every other extension, and this one's hovers and diagnostics,
// get their turn. The work is a generator of the core (see core/steps.ts).

import { stepUntil, type Steps } from '../core/steps.ts';

/** The longest slice, in milliseconds. */
export const SLICE_MS = 8;

/**
 * Runs `steps` in slices of at most SLICE_MS (the first one at once); resolves with their value. With `wanted`,
 * asked before each slice, they stop when no longer wanted (someone else finished them, or the document closed):
 * the promise then resolves with undefined.
 */
export function inSlices<T>(steps: Steps<T>): Promise<T>;
export function inSlices<T>(steps: Steps<T>, wanted: () => boolean): Promise<T | undefined>;
export function inSlices<T>(steps: Steps<T>, wanted = () => true): Promise<T | undefined> {
  return new Promise((resolve, reject) => {
    const slice = () => {
      if (!wanted()) return resolve(undefined);
      try {
        const r = stepUntil(steps, performance.now() + SLICE_MS);
        if (r) resolve(r.value);
        else setImmediate(slice);
      } catch (e) {
        reject(e);
      }
    };
    slice();
  });
}
