// Step lines carry their shape (and a partial's rule) as a note, so the preview shows what `mcalc derive` prints
// in parentheses; the note must be exactly that text, for every line of every form of the examples.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyze } from '../../src/core/analyze.ts';
import { derive } from '../../src/core/diff/derivation.ts';
import { stepLines } from '../../src/core/diff/steps.ts';

const EXAMPLES = path.join(__dirname, '..', '..', 'examples');

test('step 1 and step 2 lines note their shape (and rule) as the text prints it in parentheses', () => {
  let partials = 0;
  for (const file of fs.readdirSync(EXAMPLES).filter((f) => f.endsWith('.mcalc'))) {
    const a = analyze(fs.readFileSync(path.join(EXAMPLES, file), 'utf8'));
    for (const form of a.derivatives) {
      const d = derive(a, form, a.layout);
      for (const step of [1, 2] as const) {
        for (const line of stepLines(d, step)) {
          if (line.kind === 'prose') continue;
          assert.ok(line.note, `${file} ${form.text}: step ${step} line without a note: ${line.text}`);
          assert.ok(line.text.endsWith(`   (${line.note})`), `${file} ${form.text}: '${line.text}' does not end with its note (${line.note})`);
        }
      }
      stepLines(d, 2).forEach((line, k) => {
        assert.ok(line.note!.endsWith(`${d.partials[k].shape}; ${d.partials[k].rule}`), `${line.note} names the partial's shape and rule`);
        partials++;
      });
    }
  }
  assert.ok(partials > 50, `only ${partials} partials in the examples`);
});
