// Regenerates what is derived from the operator registry (`npm run docs`): docs/rules.md, the function table
// of docs/language.md and the built-in names of the grammar (syntaxes/mcalc.tmLanguage.json).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderRulesMarkdown } from '../src/core/docs/rules.ts';
import { withFunctionTable, withGrammarNames } from '../src/core/docs/generated.ts';

const root = join(__dirname, '..');
const write = (file: string, text: string) => {
  writeFileSync(join(root, file), text);
  console.log(`wrote ${file}`);
};
write('docs/rules.md', renderRulesMarkdown() + '\n');
write('docs/language.md', withFunctionTable(readFileSync(join(root, 'docs/language.md'), 'utf8')));
write('syntaxes/mcalc.tmLanguage.json', withGrammarNames(readFileSync(join(root, 'syntaxes/mcalc.tmLanguage.json'), 'utf8')));
