import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderRulesMarkdown } from '../../src/core/docs/rules.ts';
import { ALL_OPS, SURFACE_FUNCTIONS } from '../../src/core/ops/registry.ts';

test('docs/rules.md is generated from the operator registry and up to date (run `npm run docs`)', () => {
  const committed = readFileSync(join(__dirname, '../../docs/rules.md'), 'utf8');
  assert.equal(committed, renderRulesMarkdown() + '\n');
});

test('every differentiable operator has a rule, and every user-callable function is documented', () => {
  const rules = renderRulesMarkdown();
  for (const def of ALL_OPS) {
    if (['const', 'var', 'tangent', 'size', 'identity', 'unit', 'deriv'].includes(def.op)) continue;
    assert.ok(def.rule && def.jvp && def.vjp, `${def.op} needs a rule and forward and reverse derivatives`);
    assert.ok(rules.includes(`### \`${def.op}\``), `${def.op} is in docs/rules.md`);
  }
  const language = readFileSync(join(__dirname, '../../docs/language.md'), 'utf8');
  for (const f of SURFACE_FUNCTIONS) assert.ok(language.includes(`\`${f.name}`), `${f.name} is in docs/language.md`);
});
