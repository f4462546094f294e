// Copies the README's screenshots from the last offline real-VS-Code run (test-results/, which the suite fills)
// into media/screenshots/. Usage: npm run build && npm run test:vscode && npm run screenshots
// Fails, naming what is missing, when the run did not take one of them (a skipped or failed test).
import { copyFileSync, existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** test-results/<from>.png → media/screenshots/<to>.png, in the order the README shows them. */
const SHOTS = [
  { from: 'claim', to: 'preview', what: 'the derivation preview on a claim: your claim beside mcalc\'s result, the steps' },
  { from: 'graph-neuron', to: 'dataflow', what: 'the dataflow graph with a shape on every edge' },
  { from: 'training-compare', to: 'training', what: 'the training panel comparing Adam with momentum' },
  { from: 'walkthrough', to: 'walkthrough', what: 'the Getting Started walkthrough beside the example' },
];

const results = join(root, 'test-results');
const missing = SHOTS.filter((s) => !existsSync(join(results, `${s.from}.png`)));
if (missing.length) {
  console.error(`mcalc screenshots: test-results/ has no ${missing.map((s) => `${s.from}.png`).join(', ')}; run the offline real-VS-Code suite first (npm run build && npm run test:vscode).`);
  process.exit(1);
}
mkdirSync(join(root, 'media', 'screenshots'), { recursive: true });
for (const s of SHOTS) {
  const to = join(root, 'media', 'screenshots', `${s.to}.png`);
  copyFileSync(join(results, `${s.from}.png`), to);
  console.log(`media/screenshots/${s.to}.png  ${Math.round(statSync(to).size / 1024)} KB  ${s.what}`);
}
