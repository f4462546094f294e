import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderRulesMarkdown } from '../../src/core/docs/rules.ts';

test('docs/rules.md is generated from the operator registry and up to date (run `npm run docs`)', () => {
  const committed = readFileSync(join(__dirname, '../../docs/rules.md'), 'utf8');
  assert.equal(committed, renderRulesMarkdown() + '\n');
});
