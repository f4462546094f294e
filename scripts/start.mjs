// `npm start`: builds, then opens VS Code with the extension on examples/ when the `code` command exists;
// otherwise shows what the extension computes by running the CLI on examples/neuron.mcalc.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const run = (cmd, args, opts = {}) => spawnSync(cmd, args, { stdio: 'inherit', cwd: root, ...opts });

const build = run(process.execPath, ['scripts/build.mjs']);
if (build.status !== 0) process.exit(build.status ?? 1);

const hasCode = spawnSync('code', ['--version'], { stdio: 'ignore', shell: process.platform === 'win32' }).status === 0;
if (hasCode) {
  console.log('Opening VS Code with the extension in development mode on examples/ …');
  const r = run('code', [`--extensionDevelopmentPath=${root}`, join(root, 'examples'), join(root, 'examples', 'neuron.mcalc')], { shell: process.platform === 'win32' });
  process.exit(r.status ?? 0);
}

console.log('The `code` command is not on PATH, so here is what the extension shows, from the CLI.\n');
const cli = join(root, 'dist', 'cli.js');
const neuron = join('examples', 'neuron.mcalc');
for (const args of [
  ['shapes', neuron],
  ['derive', neuron, '--of', 'loss', '--wrt', 'w'],
]) {
  console.log(`$ mcalc ${args.join(' ')}`);
  const r = run(process.execPath, [cli, ...args]);
  if (r.status !== 0) process.exit(r.status ?? 1);
  console.log('');
}
