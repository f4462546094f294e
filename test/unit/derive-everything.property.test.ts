// Property: random well-formed documents — derivative forms inside expressions, transposed identities, zero
// factors, definitions that are derivative forms (and derivatives of those), literal sizes of 1 — go through
// `derive` in every form (jacobian, grad, hessian), both layouts and every format (text, LaTeX, JSON), `eval`
// and `check`, through the CLI's command functions, without an exception or an internal error; the engine's
// derivatives agree with central differences.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { documentArb } from './helpers/randomDoc.ts';
import { exerciseDocument, newTally } from './helpers/exerciseCli.ts';

const SEED = Number(process.env.MCALC_PROPERTY_SEED ?? 20261201);
const SCALE = Number(process.env.MCALC_PROPERTY_SCALE ?? 1);

test(`derive in every form, layout and format, eval and check: no internal errors (${120 * SCALE} random documents)`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'mcalc-derive-everything-'));
  const total = newTally();
  try {
    fc.assert(
      fc.property(documentArb, fc.integer({ min: 0, max: 2 ** 31 - 1 }), (doc, seed) => {
        const t = newTally();
        exerciseDocument(t, doc.text, { dir, seed, formats: 'all' });
        total.documents++;
        total.clean += t.clean;
        total.derives += t.derives;
        assert.deepEqual(t.problems.map((p) => `${p.command}: ${p.message}`), []);
        assert.deepEqual(t.failures, []);
      }),
      { numRuns: 120 * SCALE, seed: SEED, includeErrorInReport: true },
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  // Nearly every generated document analyses cleanly, so nearly all get the 18 derives.
  assert.ok(total.clean >= 0.9 * total.documents, `${total.clean} of ${total.documents} documents analysed cleanly`);
  assert.ok(total.derives >= 15 * total.documents, `${total.derives} derives`);
});
