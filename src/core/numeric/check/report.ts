// Reporting a check: the tally of the points compared (largest errors, the worst element in the active
// layout, the engine's result beside a claim, re-samplings) and the verdict with its note — pass, fail (with
// where the claim departs from mcalc's result), or inconclusive with the reason.

import { topoOrder } from '../../ir.ts';
import { type Shape, dimsOf } from '../../shape.ts';
import { fmt, layoutIndex } from '../pointwise.ts';
import type { Difference, PointOutcome, Prepared, Setup } from './point.ts';
import type { CheckResult, CheckTarget, ResolvedOptions } from './types.ts';

type Accepted = Extract<PointOutcome, { kind: 'ok' }>;

/** The result of one target before its verdict, filled in point by point. */
export function emptyResult(p: Setup & { target: CheckTarget; o: ResolvedOptions }): CheckResult {
  const { target, o, x, step, atol, rtol, dims, layout } = p;
  const info = target.info;
  return {
    kind: target.kind,
    of: info.ofText,
    wrt: x.name,
    form: p.form,
    text: info.text,
    ...(target.claim ? { formula: target.claim.formulaText } : {}),
    layout,
    passed: false,
    status: 'inconclusive',
    maxAbsErr: 0,
    maxRelErr: 0,
    worst: null,
    seed: o.seed,
    line: target.range.start.line + 1,
    range: target.range,
    mode: o.fast ? 'fast' : 'full',
    sizes: Object.fromEntries([...dims].filter(([name]) => dimensionsOf(target).has(name))),
    points: 0,
    resampled: { kink: 0, domain: 0 },
    tolerance: { step, atol, rtol },
  };
}

/** The dimensions a target's values have: those of f, of the claim's formula and of x (a result lists these sizes only). */
function dimensionsOf({ info, claim }: CheckTarget): Set<string> {
  const out = new Set<string>();
  const add = (s: Shape) => {
    for (const d of dimsOf(s)) if (typeof d === 'string') out.add(d);
  };
  add(info.wrt.shape);
  for (const n of topoOrder([info.of, ...(claim?.formula ? [claim.formula] : [])])) add(n.shape);
  return out;
}

export class Tally {
  readonly res: CheckResult;
  /** Whether some compared element was outside the tolerance. */
  failed = false;
  private worstRatio = -1;
  private engineAgg: { passed: boolean; maxAbs: number; maxRel: number } | undefined;
  private differs: { index: number[]; claim: number; engine: number } | undefined;
  /** The closest kink and the last domain problem of the re-sampled points (for the inconclusive note). */
  lastKink = Infinity;
  lastDomain = '';

  constructor(private readonly p: Prepared, base: CheckResult) {
    this.res = { ...base };
  }

  accept(outcome: Accepted): void {
    const res = this.res;
    res.points++;
    const c = outcome.primary;
    res.maxAbsErr = Math.max(res.maxAbsErr, c.maxAbs);
    res.maxRelErr = Math.max(res.maxRelErr, c.maxRel);
    if (c.worstRatio > this.worstRatio) {
      this.worstRatio = c.worstRatio;
      res.worst = { index: this.p.o.fast ? [] : this.canonicalToLayout(c.worstIndex), analytic: c.analytic, numeric: c.numeric };
    }
    if (c.failing.length) this.failed = true;
    if (outcome.engine) {
      const e = outcome.engine;
      this.engineAgg = {
        passed: (this.engineAgg?.passed ?? true) && e.failing.length === 0,
        maxAbs: Math.max(this.engineAgg?.maxAbs ?? 0, e.maxAbs),
        maxRel: Math.max(this.engineAgg?.maxRel ?? 0, e.maxRel),
      };
    }
    if (outcome.differs && !this.differs) this.differs = this.inLayout(outcome.differs);
  }

  /** A point that was re-sampled (near a kink or outside the domain). */
  resample(outcome: Exclude<PointOutcome, Accepted>): void {
    const { kink, domain } = this.res.resampled;
    if (outcome.kind === 'kink') {
      this.res.resampled = { kink: kink + 1, domain };
      this.lastKink = Math.min(this.lastKink, outcome.distance);
    } else {
      this.res.resampled = { kink, domain: domain + 1 };
      this.lastDomain = outcome.why;
    }
  }

  /** The verdict: inconclusive with `fatal` unless a point failed; otherwise pass or fail, with a note. */
  verdict(fatal: string | undefined): CheckResult {
    const res = this.res;
    if (this.p.target.claim) {
      const e = this.engineAgg;
      res.engine = { text: this.p.engineText, passed: e?.passed ?? false, maxAbsErr: e?.maxAbs ?? 0, maxRelErr: e?.maxRel ?? 0, ...(this.differs ? { differs: this.differs } : {}) };
    }
    if (fatal && !this.failed) {
      res.status = 'inconclusive';
      res.passed = false;
      res.note = fatal;
      return res;
    }
    res.status = this.failed ? 'fail' : 'pass';
    res.passed = !this.failed;
    const note = this.failed ? this.failureNote() : this.resampledNote();
    if (note) res.note = note;
    return res;
  }

  private failureNote(): string {
    const { engineText, target } = this.p;
    if (!target.claim) return `the symbolic derivative disagrees with finite differences: please report this (result: ${engineText})`;
    const notes: string[] = [];
    const d = this.differs;
    if (d) notes.push(`the claim first differs from mcalc's result at [${d.index.join(', ')}]: claimed ${fmt(d.claim)}, mcalc ${fmt(d.engine)}`);
    notes.push(`mcalc's result: ${engineText}`);
    if (this.engineAgg && !this.engineAgg.passed) notes.push(`mcalc's own result disagrees with finite differences too (max abs err ${fmt(this.engineAgg.maxAbs)}): please report this`);
    return notes.join('; ');
  }

  private resampledNote(): string | undefined {
    const { kink, domain } = this.res.resampled;
    if (kink + domain === 0) return undefined;
    return `re-sampled ${kink ? `${kink}× near a kink` : ''}${kink && domain ? ', ' : ''}${domain ? `${domain}× outside the domain` : ''}`;
  }

  private inLayout(d: Difference): { index: number[]; claim: number; engine: number } {
    return { index: this.canonicalToLayout(d.index), claim: d.claim, engine: d.engine };
  }

  private canonicalToLayout(k: number): number[] {
    const { form, f, x, layout, xSize, dims } = this.p;
    return layoutIndex(form, f.shape, x.shape, layout, Math.floor(k / xSize), k % xSize, dims);
  }
}
