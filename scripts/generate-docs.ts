// Writes docs/rules.md from the operator registry (`npm run docs`).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderRulesMarkdown } from '../src/core/docs/rules.ts';

const target = join(__dirname, '../docs/rules.md');
writeFileSync(target, renderRulesMarkdown() + '\n');
console.log(`wrote ${target}`);
