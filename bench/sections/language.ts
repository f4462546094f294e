// Bench section: analysis of a generated 5,000-line document, re-analysis after edits of it, and hover look-ups
// in it (targets: analysis ≤ 50 ms, edit to diagnostics ≤ 10 ms, hover ≤ 1 ms p99). Two baselines, measured in
// the same run over the same text: the lexer alone (no full analysis can be faster than reading the tokens once),
// and a yardstick that is not this project's code — one regular expression matching names, numbers and other
// characters — so that runs on machines of different speed, and versions with a faster lexer, compare. Beside
// the analysis: what its time goes to, in the same runs (parsing alone, and the garbage collections during it).

import { analysisWork, analyze, hoverAt, reanalyze, type Analysis, type TextChange } from '../../src/core/analyze.ts';
import { nameIndex } from '../../src/core/language/names.ts';
import { tokenize } from '../../src/core/lexer.ts';
import { ParsedText } from '../../src/core/parsedLines.ts';
import { PerformanceObserver } from 'node:perf_hooks';
import { createRng, type Rng } from '../../src/core/numeric/random.ts';

export function generatedDocument(lines: number): string {
  const out = ['dim n, m', 'b, y, s: scalar', 'w, x, v: vector[n]', 'W: matrix[m, n]', 'S: matrix[n, n]'];
  const forms = [
    (k: number) => `z${k} = w · x + b * ${k % 7}`,
    (k: number) => `a${k} = max(0, z${k - 1}) + sigmoid(s)`,
    (k: number) => `h${k} = W * (x ⊗ v) + ${k}`,
    (k: number) => `q${k} = xᵀ * S * x + sum(exp(v)) / n`,
    (k: number) => `g${k} = d(z${k - 4})/d(w)`,
    (k: number) => `l${k} = (y - a${k - 4})^2 + norm(h${k - 3})`,
    (k: number) => `check d(l${k - 1})/d(b) = -2*(y - a${k - 5})*(z${k - 6} > 0)`,
    (k: number) => `e${k} = w + [1, 2, 3]   # a dimension mismatch, on purpose: diagnostics cost too`,
  ];
  for (let k = 8; out.length < lines; k++) out.push(forms[k % forms.length](k));
  return out.join('\n') + '\n';
}

/** What a keystroke types: letters and digits of names, operators, brackets, separators, Enter. */
const KEYS = ['a', 'x', 's', 'w', 'b', '1', ' ', '+', '*', '(', ')', 'ᵀ', '·', ',', '\n'];

/**
 * A keystroke at a random place of `text`: a key typed (two times in three) or a character deleted, as the text
 * after it and the change (see TextChange).
 */
export function randomKeystroke(text: string, rng: Rng): { text: string; change: TextChange } {
  const at = rng.int(text.length);
  if (rng.int(3) === 0) return { text: text.slice(0, at) + text.slice(at + 1), change: { from: at, suffix: text.length - at - 1 } };
  return { text: text.slice(0, at) + KEYS[rng.int(KEYS.length)] + text.slice(at), change: { from: at, suffix: text.length - at } };
}

/**
 * Keystrokes anywhere in the document, each typed into it as it is and then undone: the share that patched the
 * previous analysis, and the median and 90th percentile of their times (undoing them is not timed).
 */
function keystrokes(text: string, count: number): { count: number; patchedShare: number; medianMs: number; p90Ms: number } {
  const rng = createRng(7);
  let a = analyze(text);
  const ms: number[] = [];
  let patched = 0;
  for (let i = 0; i < count; i++) {
    const { text: typed, change } = randomKeystroke(text, rng);
    const t = performance.now();
    a = reanalyze(a, typed, {}, change);
    ms.push(performance.now() - t);
    if (analysisWork(a)?.patched) patched++;
    a = reanalyze(a, text, {}, { from: change.from, suffix: change.suffix });
  }
  return { count, patchedShare: +(patched / count).toFixed(3), medianMs: +median(ms).toFixed(2), p90Ms: +percentile(ms, 90).toFixed(2) };
}

/** The yardstick: the names, numbers and other characters of a text, by one regular expression (a count of their lengths). */
function yardstick(text: string): number {
  let length = 0;
  for (const m of text.matchAll(/[\p{L}_][\p{L}\p{N}_]*|\d+(?:\.\d+)?|\S/gu)) length += m[0].length;
  return length;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

/**
 * Edits as typing makes them, each re-analysed from the previous analysis and told where the text changed, as
 * the editor's change event tells the extension. Typing: a digit typed over in a definition in the middle (its
 * dependents follow), a digit typed there and deleted again (everything below moves by a character), a
 * definition inserted near the top (everything below moves) and removed again, Enter pressed near the top (a
 * blank line: everything below moves) and the line joined again, an unused variable added to a declaration and
 * removed again, `·` typed over as `*` in a definition that others read (an error: their values and
 * derivative forms go) and back, and a name typed there (`x` to `x1`, an unknown name: it now refers to other
 * names) and back. Wide: a variable that 625 definitions use taken out of its declaration and put
 * back (each of them, and whatever reads them, a third of the document, is analysed again). Median milliseconds
 * per kind, how many definitions and claims were analysed again per edit, and the share of edits that patched
 * the previous analysis.
 */
function edits(text: string, reps: number, kinds: 'typing' | 'wide'): Record<string, { medianMs: number; reanalysedPerEdit: number; patchedShare: number }> {
  const middle = text.indexOf('\n', text.length >> 1) + 1;
  const digitAt = text.indexOf(' + b * ', middle) + ' + b * '.length;
  const dotAt = text.indexOf(' · ', middle) + 1;
  const nameAt = dotAt + '· x'.length;
  const top = text.indexOf('\n', text.indexOf('W: matrix')) + 1;
  const declaration = text.indexOf('b, y, s: scalar') + 'b, y, s'.length;
  const extraLine = 'extra = b * 2\n';
  // References to definitions further down: `a9 = max(0, z8)` → `z80` (the edit pairs go on to a17, a25, …: each
  // a new reference, typed and deleted), and a line inserted near the top that reads `z4000`.
  const laterAt = (i: number, current: string) => {
    const k = 9 + 8 * Math.floor((i - 1) / 2);
    const line = `a${k} = max(0, z${k - 1}`;
    return current.indexOf(line) + line.length;
  };
  const laterLine = 'early = z4000 * 2\n';
  /** Replacing `removed` characters at `at` with `inserted`, applied to `from`. */
  const replace = (from: string, at: number, removed: number, inserted: string) => ({
    text: from.slice(0, at) + inserted + from.slice(at + removed),
    change: { from: at, suffix: from.length - at - removed },
  });
  const typing: Record<string, (i: number, current: string) => { text: string; change: TextChange }> = {
    typeInDefinition: (i, current) => replace(current, digitAt, 1, String(i % 10)),
    typeAndDeleteCharacter: (i, current) => (i % 2 ? replace(current, digitAt, 0, '1') : replace(current, digitAt, 1, '')),
    insertLineAtTop: (i, current) => (i % 2 ? replace(current, top, 0, extraLine) : replace(current, top, extraLine.length, '')),
    enterAtTop: (i, current) => (i % 2 ? replace(current, top, 0, '\n') : replace(current, top, 1, '')),
    editDeclaration: (i, current) => (i % 2 ? replace(current, declaration, 0, ', r') : replace(current, declaration, ', r'.length, '')),
    typeErrorIntoDefinition: (i, current) => replace(current, dotAt, 1, i % 2 ? '*' : '·'),
    typeNameIntoDefinition: (i, current) => (i % 2 ? replace(current, nameAt, 0, '1') : replace(current, nameAt, 1, '')),
    referToLaterDefinition: (i, current) => (i % 2 ? replace(current, laterAt(i, current), 0, '0') : replace(current, laterAt(i, current), 1, '')),
    insertLineReadingLater: (i, current) => (i % 2 ? replace(current, top, 0, laterLine) : replace(current, top, laterLine.length, '')),
  };
  const wide: typeof typing = {
    removeUsedVariable: (i, current) => (i % 2 ? replace(current, declaration - ', s'.length, ', s'.length, '') : replace(current, declaration - ', s'.length, 0, ', s')),
  };
  const out: Record<string, { medianMs: number; reanalysedPerEdit: number; patchedShare: number }> = {};
  for (const [kind, edit] of Object.entries(kinds === 'typing' ? typing : wide)) {
    let a: Analysis = analyze(text);
    const ms: number[] = [];
    let reanalysed = 0;
    let patched = 0;
    for (let i = 1; i <= reps; i++) {
      const next = edit(i, a.text);
      const t = performance.now();
      a = reanalyze(a, next.text, {}, next.change);
      ms.push(performance.now() - t);
      reanalysed += analysisWork(a)?.analysed ?? 0;
      if (analysisWork(a)?.patched) patched++;
    }
    out[kind] = { medianMs: +median(ms).toFixed(2), reanalysedPerEdit: Math.round(reanalysed / reps), patchedShare: +(patched / reps).toFixed(2) };
  }
  return out;
}

/**
 * The name index behind semantic tokens, rename and completion after a digit is typed in a definition: updated
 * from the previous version's index, next to the same run's index of a full analysis of the same text (which
 * reads every token).
 */
function nameIndexAfterEdit(text: string, reps: number): { updatedMedianMs: number; fromScratchMedianMs: number } {
  const digitAt = text.indexOf(' + b * ', text.indexOf('\n', text.length >> 1)) + ' + b * '.length;
  let a = analyze(text);
  nameIndex(a);
  const updated: number[] = [];
  const fromScratch: number[] = [];
  for (let i = 1; i <= reps; i++) {
    const next = a.text.slice(0, digitAt) + String(i % 10) + a.text.slice(digitAt + 1);
    a = reanalyze(a, next, {}, { from: digitAt, suffix: next.length - digitAt - 1 });
    let t = performance.now();
    nameIndex(a);
    updated.push(performance.now() - t);
    const full = analyze(next);
    t = performance.now();
    nameIndex(full);
    fromScratch.push(performance.now() - t);
  }
  return { updatedMedianMs: +median(updated).toFixed(2), fromScratchMedianMs: +median(fromScratch).toFixed(2) };
}

export default async function language(opts: { lines?: number; reps?: number; hovers?: number; keystrokes?: number } = {}): Promise<Record<string, unknown>> {
  const lines = opts.lines ?? 5000;
  const reps = opts.reps ?? 15;
  const text = generatedDocument(lines);
  for (let i = 0; i < 3; i++) analyze(text); // warm up the JIT
  const analysisMs: number[] = [];
  const lexMs: number[] = [];
  const parseMs: number[] = [];
  const yardstickMs: number[] = [];
  /** When each analysis ran, to find the garbage collections that happened during it. */
  const analyses: Array<[number, number]> = [];
  const gcs: Array<[number, number]> = [];
  const observer = new PerformanceObserver((list) => list.getEntries().forEach((e) => gcs.push([e.startTime, e.duration])));
  observer.observe({ entryTypes: ['gc'] });
  let diagnostics = 0;
  for (let i = 0; i < reps; i++) {
    let t = performance.now();
    yardstick(text);
    yardstickMs.push(performance.now() - t);
    t = performance.now();
    tokenize(text);
    lexMs.push(performance.now() - t);
    t = performance.now();
    ParsedText.parse(text);
    parseMs.push(performance.now() - t);
    t = performance.now();
    const a = analyze(text);
    const end = performance.now();
    analysisMs.push(end - t);
    analyses.push([t, end]);
    diagnostics = a.diagnostics.length;
  }
  await new Promise((resolve) => setTimeout(resolve, 50)); // (the observer is told a little after the loop)
  observer.disconnect();
  const gcMs = analyses.map(([from, to]) => gcs.filter(([at]) => at >= from && at < to).reduce((sum, [, ms]) => sum + ms, 0));
  const edit = edits(text, opts.reps ?? 40, 'typing');
  const a = analyze(text);
  const rng = createRng(1);
  const hoverUs: number[] = [];
  let found = 0;
  for (let i = 0; i < (opts.hovers ?? 20000); i++) {
    const offset = rng.int(text.length);
    const t = performance.now();
    if (hoverAt(a, offset)) found++;
    hoverUs.push((performance.now() - t) * 1000);
  }
  return {
    lines,
    characters: text.length,
    diagnostics,
    analysisMedianMs: +median(analysisMs).toFixed(2),
    analysisTargetMs: 50,
    lexerBaselineMedianMs: +median(lexMs).toFixed(2),
    analysisToLexerRatio: +(median(analysisMs) / median(lexMs)).toFixed(1),
    yardstickMedianMs: +median(yardstickMs).toFixed(2),
    // What the analysis's time goes to, in the same runs: parsing alone (tokens and syntax trees), and the
    // garbage collections during it (mostly scavenges copying what it keeps).
    parseMedianMs: +median(parseMs).toFixed(2),
    gcDuringAnalysisMedianMs: +median(gcMs).toFixed(2),
    analysisToYardstickRatio: +(median(analysisMs) / median(yardstickMs)).toFixed(2),
    statements: analysisWork(a)?.statements,
    edits: edit,
    editTargetMs: 10,
    wideEdits: edits(text, opts.reps ?? 16, 'wide'),
    keystrokes: keystrokes(text, opts.keystrokes ?? 400),
    nameIndexAfterEdit: nameIndexAfterEdit(text, opts.reps ?? 15),
    editToLexerRatio: +(Math.max(...Object.values(edit).map((e) => e.medianMs)) / median(lexMs)).toFixed(2),
    hovers: hoverUs.length,
    hoversWithAnswer: found,
    hoverMedianUs: +median(hoverUs).toFixed(2),
    hoverP99Us: +percentile(hoverUs, 99).toFixed(2),
    hoverTargetP99Us: 1000,
  };
}
