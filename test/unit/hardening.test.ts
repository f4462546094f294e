// Issue 9 ("Hardening"): verdicts that cannot lie, bounded resources, clean edges. Each test reproduces one
// of the cases through the CLI (in-process, or as a real process where pipes and signals matter).

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { analyze } from '../../src/core/analyze.ts';
import { formatCount } from '../../src/core/numeric/budget.ts';
import { checkDocument } from '../../src/core/numeric/gradcheck.ts';
import { CsvScanner, type CsvRecord } from '../../src/core/numeric/train/csv.ts';
import { readCsv, readCsvFile } from '../../src/core/numeric/train/data.ts';
import { readInput } from '../../src/cli/io.ts';
import { runMcalc, scratch } from './helpers/cli.ts';

const file = scratch('mcalc-hardening-');
const MAIN = join(__dirname, '../../src/cli/main.ts');

/** The CLI as a real process (pipes and signals are the point), with its output and exit code. */
function spawnMcalc(args: string[], onStdout?: (chunk: string, child: ReturnType<typeof spawn>) => void): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      onStdout?.(d.toString(), child);
    });
    child.stdout.on('error', () => {});
    child.stderr.on('data', (d: Buffer) => void (err += d.toString()));
    child.on('close', (code) => resolve({ code, out, err }));
  });
}

describe('verdicts that cannot lie', () => {
  const wrong = [
    ['x: vector[3]\nregion = sum(x ⊗ (x > 0))\ncheck d(region)/d(x) = (x > 0)ᵀ + (x > 3)ᵀ\n', 'a piece of the claim (x > 3) outside the first points'],
    ['s, c: scalar\nm = min(s, c)\ncheck d(m)/d(s) = (s < c) + 0.5*(s > 100)\n', 'a piece of the claim (s > 100) far out'],
    ['x: vector[3]\nfar = sum(max(5, x))\ncheck d(far)/d(x) = 0 * xᵀ\n', 'a piece of f (x > 5) the first points never reach'],
  ];
  for (const [doc, why] of wrong) {
    test(`a wrong claim fails at every seed: ${why}`, async () => {
      const path = file('wrong.mcalc', doc);
      for (let seed = 1; seed <= 6; seed++) {
        const r = await runMcalc('check', path, '--seed', String(seed), '--json');
        const json = JSON.parse(r.out);
        assert.equal(r.code, 1, `seed ${seed}`);
        assert.equal(json.passed, false);
        assert.equal(json.results[0].status, 'fail', `seed ${seed}: ${json.results[0].note}`);
      }
    });
  }

  test('a piece that no point reaches is reported as not checked (exit 1), in text and JSON', async () => {
    const path = file('unreached.mcalc', 's, c: scalar\nm = min(s, c)\ncheck d(m)/d(s) = (s < c) + 0.5*(s > 1000000)\n');
    const text = await runMcalc('check', path, '--seed', '2');
    assert.equal(text.code, 1);
    assert.match(text.out, /^\? check d\(m\)\/d\(s\)/);
    assert.match(text.out, /the piece s > 1000000 was never reached/);
    const json = JSON.parse((await runMcalc('check', path, '--seed', '2', '--json')).out);
    assert.equal(json.results[0].status, 'inconclusive');
    assert.equal(json.results[0].passed, false);
  });

  test('pieces that cannot be reached (exp(x) ≤ 0, x · x < 0) do not block a pass', () => {
    const a = analyze('x: vector[3]\nr = sum(relu(exp(x)))\ng = d(r)/d(x)\nq = abs(x · x)\nh = d(q)/d(x)\n');
    for (const r of checkDocument(a, { seed: 4 }).results) assert.equal(r.status, 'pass', `${r.text}: ${r.note}`);
  });

  test('a singular AᵀA (m < n) is a domain problem, never blamed on the engine', async () => {
    const path = file('gram.mcalc', 'dim m, n\nA: matrix[m, n]\nf = inv(Aᵀ * A)\ng = d(f)/d(A)\n');
    const r = await runMcalc('check', path, '--seed', '1', '--dim', 'm=2,n=3');
    assert.equal(r.code, 1);
    assert.match(r.out, /Aᵀ \* A is singular or ill-conditioned/);
    assert.doesNotMatch(r.out, /please report/);
    assert.equal((await runMcalc('check', path, '--seed', '1', '--dim', 'm=3,n=2')).code, 0);
  });
});

describe('bounded resources', () => {
  test('a check too large to build is refused within a second, naming the size', () => {
    const a = analyze('x: vector[1000000000]\nf = sum(sin(x))\ng = d(f)/d(x)\nh = hessian(f, x)\n');
    const t0 = performance.now();
    const results = checkDocument(a, { seed: 1 }).results;
    const ms = performance.now() - t0;
    assert.ok(ms < 1000, `took ${ms} ms`);
    assert.deepEqual(results.map((r) => r.status), ['inconclusive', 'inconclusive']);
    // Its sizes are written in the document: --dim cannot make them smaller.
    assert.match(results[0].note!, /^d\(f\)\/d\(x\) has 10⁹ elements \(the limit is 10⁷ per tensor\): use --fast or smaller sizes in the document, or a larger --max-elements$/);
    assert.match(results[1].note!, /has 10¹⁸ elements/);
    const fast = checkDocument(a, { seed: 1, fast: true }).results[0];
    assert.match(fast.note!, /^x has 10⁹ elements .*: use smaller sizes in the document, or a larger --max-elements$/);
    const symbolic = checkDocument(analyze('dim n\nx: vector[n]\nf = sum(sin(x))\ng = d(f)/d(x)\n'), { seed: 1, dims: new Map([['n', 1e9]]) }).results[0];
    assert.match(symbolic.note!, /^d\(f\)\/d\(x\) has 10⁹ elements at n = 10⁹ .*: use --fast or a smaller --dim$/);
  });

  test('the budget is configurable, and fast mode works where the dense check would not', async () => {
    const path = file('wide.mcalc', 'dim n\nx: vector[n]\nf = sum(x ⊗ x)\ng = d(f)/d(x)\n');
    const dense = await runMcalc('check', path, '--dim', 'n=20000', '--seed', '1');
    assert.equal(dense.code, 1);
    assert.match(dense.out, /element by element takes 40000 evaluations of f .* at n = 20000: use --fast/);
    const fast = await runMcalc('check', path, '--dim', 'n=200000', '--fast', '--seed', '1');
    assert.equal(fast.code, 0, fast.out + fast.err);
    const small = await runMcalc('check', path, '--dim', 'n=50', '--max-elements', '20', '--seed', '1');
    assert.match(small.out, /has 50 elements at n = 50 \(the limit is 20 per tensor\)/);
    assert.equal((await runMcalc('check', path, '--max-elements', '0')).code, 2);
    const proto = await runMcalc('check', path, '--dim', '__proto__=3');
    assert.equal(proto.code, 2);
    assert.match(proto.err, /There is no dimension named '__proto__' \(dimensions: n\)/);
  });

  test('eval sizes its work before allocating', async () => {
    const path = file('outer.mcalc', 'dim n\nx: vector[n]\nP = x * xᵀ\n');
    const values = file('big.json', JSON.stringify({ x: Array.from({ length: 5000 }, () => 1) }));
    const r = await runMcalc('eval', path, '--expr', 'P', '--at', values);
    assert.equal(r.code, 1);
    assert.match(r.err, /the expression has 2\.5×10⁷ elements at n = 5000 \(the limit is 10⁷ per tensor, --max-elements\)/);
  });

  test('input files are read up to a limit: devices and large files are refused with a message', async () => {
    const r = await runMcalc('shapes', '/dev/zero');
    assert.equal(r.code, 1);
    assert.equal(r.err, 'mcalc: /dev/zero is larger than 50 MB, the limit for input files\n');
    const path = file('small.mcalc', 'x: scalar\n'.repeat(100));
    assert.throws(() => readInput(path, 500), /small\.mcalc is larger than 0 MB/);
    assert.equal(readInput(path, 2000).length, 1000);
  });

  test('counts read as people read them', () => {
    assert.deepEqual([4000, 1e6, 1e9, 2.5e7, 1e18].map(formatCount), ['4000', '10⁶', '10⁹', '2.5×10⁷', '10¹⁸']);
  });
});

describe('CSV streaming', () => {
  test('records split anywhere between chunks come out whole, with their positions', () => {
    const text = 'a,"b\nc",d\r\n\r\n1, 2,3\r4,"x""y",6\r';
    const whole: CsvRecord[] = [];
    const scanner = new CsvScanner((r) => whole.push(r));
    scanner.feed(text);
    scanner.end();
    assert.deepEqual(whole.map((r) => r.fields), [['a', 'b\nc', 'd'], ['1', ' 2', '3'], ['4', 'x"y', '6']]);
    assert.deepEqual([whole[1].lines, whole[1].columns], [[4, 4, 4], [1, 4, 6]]);
    for (let cut = 1; cut < text.length; cut++) {
      const parts: CsvRecord[] = [];
      const s = new CsvScanner((r) => parts.push(r));
      s.feed(text.slice(0, cut));
      s.feed(text.slice(cut));
      s.end();
      assert.deepEqual(parts, whole, `cut at ${cut}`);
    }
  });

  test('data files over the limit, and files that are not tables, are refused with a message', async () => {
    const specs = [{ name: 'y', width: 1, multi: false }] as const;
    const path = file('rows.csv', 'y\n' + '1\n'.repeat(1000));
    assert.equal(readCsvFile(path, 'rows.csv', specs, new Map()).dataset.rows, 1000);
    assert.throws(() => readCsvFile(path, 'rows.csv', specs, new Map(), new Map(), 1000), /^Error: rows\.csv:1:1: the file is larger than 0 MB, the limit for data files$/);
    const doc = file('y.mcalc', 'w, y: scalar\nloss = (y - w)^2\n');
    const r = await runMcalc('train', doc, '--loss', 'loss', '--params', 'w', '--data', '/dev/zero');
    assert.equal(r.code, 1);
    assert.match(r.err, /^mcalc: \/dev\/zero:1:1: not valid CSV: a record is longer than 16 MB \(is this a CSV file\?\)/);
  });

  test('rows stream into typed arrays, and a BOM is skipped', () => {
    const rows = Array.from({ length: 5000 }, (_, i) => `${i},${i / 2},${-i}`);
    const r = readCsv(`\uFEFFx1,x2,y\n${rows.join('\n')}\n`, 'd.csv', [{ name: 'x', width: 'n', multi: true }, { name: 'y', width: 1, multi: false }], new Map());
    assert.equal(r.dataset.rows, 5000);
    const x = r.dataset.values.get('x')!;
    assert.ok(x.data instanceof Float64Array);
    assert.deepEqual([x.cols, x.data[2 * 4999], x.data[2 * 4999 + 1], r.dataset.values.get('y')!.data[4999]], [2, 4999, 4999 / 2, -4999]);
  });
});

describe('clean edges', () => {
  test('a closed pipe ends the program quietly with exit 0', async () => {
    const doc = file('long.mcalc', 'x: vector[3]\n' + Array.from({ length: 20000 }, (_, i) => `f${i} = sum(x) * ${i}\n`).join(''));
    const r = await spawnMcalc(['shapes', doc], (_chunk, child) => child.stdout!.destroy());
    assert.equal(r.code, 0);
    assert.equal(r.err, '');
  });

  test('a UTF-8 byte-order mark is accepted, in documents and value files', async () => {
    const doc = file('bom.mcalc', '\uFEFFx: scalar\nf = x^2\ng = d(f)/d(x)\n');
    assert.equal((await runMcalc('check', doc, '--seed', '1')).code, 0);
    const at = file('bom.json', '\uFEFF{"x": 3}');
    const r = await runMcalc('eval', doc, '--expr', 'f', '--at', at);
    assert.equal(r.out, 'f : scalar\n9\n');
  });

  test('value messages are in plain words; size-0 values are rejected', async () => {
    const doc = file('ev.mcalc', 'dim n\nb: scalar\nw, x: vector[n]\nz = w · x + b\n');
    const cases: Array<[string, RegExp]> = [
      ['{"b": 1e400, "w": [1], "x": [2]}', /The value of 'b' is too large for a double/],
      ['{"b": {"a": 1}, "w": [1], "x": [2]}', /'b' is scalar, but its value is an object\./],
      ['{"b": 1, "w": [], "x": []}', /'w' is vector\[n\], but its value is empty: every size must be at least 1\./],
      ['{"b": 1, "w": [1, null], "x": [2, 3]}', /'w' element 2 is null, not a number\./],
    ];
    for (const [values, re] of cases) {
      const r = await runMcalc('eval', doc, '--expr', 'z', '--at', file('at.json', values));
      assert.equal(r.code, 1, values);
      assert.match(r.err, re);
    }
  });

  test('--expr errors never show the internal name', async () => {
    const doc = file('plain.mcalc', 'x: scalar\n');
    for (const expr of ['__eval__ + 1', 'd(__eval__)/d(x)']) {
      const r = await runMcalc('eval', doc, '--expr', expr);
      assert.equal(r.code, 1);
      assert.match(r.err, /Unknown (name|variable) '__eval__'/);
      assert.doesNotMatch(r.err, /depend on themselves/);
    }
  });

  test('a pasted overlong name is elided in messages, text and JSON', async () => {
    const doc = file('longname.mcalc', `x: scalar\nf = ${'q'.repeat(100000)} + x\n`);
    const text = await runMcalc('check', doc);
    assert.equal(text.code, 1);
    for (const line of text.err.split('\n')) assert.ok(line.length < 400, `${line.length} characters`);
    assert.match(text.err, /Unknown name 'q+…\(99\d+ characters left out\)…q+'/);
    const json = JSON.parse((await runMcalc('shapes', doc, '--json')).out);
    assert.ok(json.diagnostics.every((d: { message: string }) => d.message.length <= 300));
  });

  test('a long definition cycle is named by its ends', async () => {
    const n = 5000;
    const doc = file('cycle.mcalc', 'x: scalar\n' + Array.from({ length: n }, (_, i) => `f${i} = f${(i + 1) % n} + x\n`).join(''));
    const r = await runMcalc('shapes', doc);
    const line = r.out.split('\n').find((l) => l.includes('cannot depend on themselves'))!;
    assert.ok(line.length < 200, `${line.length} characters`);
    assert.match(line, /f0 → f1 → f2 → f3 → … 4995 more … → f4999 → f0\./);
  });
});

describe('training input must agree with the document', () => {
  const doc = file('neuron.mcalc', 'dim n\nb, y: scalar\nw, x: vector[n]\nz = w · x + b\na = max(0, z)\nloss = (y - a)^2\n');
  const csv = file('d.csv', 'x1,x2,y\n' + Array.from({ length: 40 }, (_, i) => `${(i % 7) / 7},${(i % 5) / 5},${(i % 3) / 3}`).join('\n') + '\n');
  const base = ['train', doc, '--loss', 'loss', '--params', 'w,b', '--epochs', '2'];

  test('initial values, --dim and CSV columns that disagree stop the run with a message naming the mismatch', async () => {
    const cases: Array<[string[], number, RegExp]> = [
      [['--data', csv, '--init', file('init.json', '{"w": [0.1], "b": 0}')], 1, /d\.csv:1:1: the header has columns x1…x2 for x, but n = 1 \(from the initial values in .*init\.json\): make the columns and the sizes agree/],
      [['--data', csv, '--dim', 'n=1'], 1, /but n = 1 \(from --dim n=1\)/],
      [['--data', file('gap.csv', 'x1,x3,y\n1,2,3\n')], 1, /missing column 'x2' for element 2 of x \(n = 3\)/],
      [['--data', csv, '--init', file('empty.json', '{"w": [], "b": 0}')], 1, /'w' is vector\[n\], but its value is empty/],
      [['--data', csv, '--dim', '__proto__=3'], 2, /the document has no dimension '__proto__'/],
      [['--data', csv, '--dim', 'n=0'], 2, /--dim expects NAME=SIZE with a positive whole size/],
      [['--synthetic', '10', '--dim', 'n=1000000000'], 2, /the synthetic x would have 10¹⁰ elements at n = 10⁹ \(the limit is 10⁸\)/],
    ];
    for (const [args, code, re] of cases) {
      const r = await runMcalc(...base, ...args);
      assert.equal(r.code, code, `${args.join(' ')}: ${r.err}`);
      assert.match(r.err, re);
    }
  });

  test('sizes read off the header are printed', async () => {
    const r = await runMcalc(...base, '--data', csv);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^sizes: n = 2, N = 40$/m);
  });

  test('Ctrl-C prints the parameters so far and exits 130', async () => {
    let sent = false;
    const r = await spawnMcalc([...base.slice(0, 6), '--synthetic', '2000', '--dim', 'n=20', '--epochs', '1000000', '--every', '1'], (chunk, child) => {
      if (!sent && chunk.includes('epoch')) {
        sent = true;
        child.kill('SIGINT');
      }
    });
    assert.equal(r.code, 130, r.err);
    assert.match(r.err, /mcalc: interrupted after \d+ epochs? \(\d+ steps\); the parameters so far, loss [\d.e-]+:/);
    const params = JSON.parse(r.out.trim().split('\n').pop()!);
    assert.equal(params.w.length, 20);
    assert.equal(typeof params.b, 'number');
  });
});
