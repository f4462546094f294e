// `--dim NAME=SIZE`: one grammar for `check` and `train` (src/cli/dims.ts).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDims } from '../../src/cli/dims.ts';
import { CliError } from '../../src/cli/io.ts';

test('--dim takes NAME=SIZE, repeated or comma-separated, with names as the language spells them', () => {
  assert.deepEqual([...parseDims(['n=4', 'm = 3,k=10'])], [['n', 4], ['m', 3], ['k', 10]]);
  assert.deepEqual([...parseDims(['α=2', '_n2=7', '__proto__=3'])], [['α', 2], ['_n2', 7], ['__proto__', 3]]);
  assert.deepEqual([...parseDims(['n=2', 'n=5'])], [['n', 5]], 'the last size given wins');
});

test('--dim refuses anything but a name and a positive whole size in decimal digits, as a usage error', () => {
  for (const bad of ['n', 'n=', '=4', 'n=0', 'n=-1', 'n=1e3', 'n=4.0', 'n=0x10', '2n=3', 'n m=3', 'n=99999999999999999999']) {
    assert.throws(
      () => parseDims([bad]),
      (e: unknown) => e instanceof CliError && e.exitCode === 2 && e.message === `--dim expects NAME=SIZE with a positive whole size, e.g. --dim n=4 (got '${bad}').`,
      bad,
    );
  }
});
