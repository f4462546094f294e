// The CI slice of `npm run fuzz`: the first 2,000 documents of a fixed seed (generated and mutated, some as
// Markdown) through analysis, derive, eval and check with no exception and no internal error.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fuzzRange } from '../../scripts/fuzz.ts';

const DOCS = 2000 * Number(process.env.MCALC_PROPERTY_SCALE ?? 1);

test(`fuzz slice: ${DOCS} documents, no exceptions and no internal errors`, () => {
  const t = fuzzRange(20261201, 0, DOCS);
  assert.equal(t.documents, DOCS);
  assert.deepEqual(t.problems.map((p) => `${p.kind} in ${p.command}: ${p.message}\n${p.document}`), []);
  assert.equal(t.exceptions + t.internalErrors, 0);
  assert.equal(t.checkFailures, 0, JSON.stringify(t.failures, null, 2));
  // Mutations break most of the documents they touch; the rest analyse cleanly and get every derive.
  assert.ok(t.clean > DOCS / 2, `${t.clean} clean documents`);
});
