// Choosing the points of a check. First `points` random points (re-sampled near kinks and outside the
// domain). Then, for a claim, points where the claim and the engine's result differ (the finite differences
// decide which is right), and points that take every piece of f, the claim and the engine's result to each
// side it can reach: a claim that forgot 1[z > 0], or added a 1[x > 3] that the first points never met, must
// fail (or be reported not checked), never pass on the pieces it happens to get. The search judges
// candidates by cheap symbolic evaluation only; finite differences run on the points it keeps.

import type { Node } from '../../ir.ts';
import { totalElements } from '../budget.ts';
import { evaluateAll } from '../evaluate.ts';
import { Pieces, SEARCH_SCALES, searchPointsPerScale } from '../pieces.ts';
import { type Draw, between, fmt, sampleEnv } from '../pointwise.ts';
import { type EvalEnv, EvalError } from '../tensor.ts';
import { type Prepared, evaluatePoint, pollStop, symbolicDifference } from './point.ts';
import type { Tally } from './report.ts';

/** A point to try: the variables' values and the magnitude they were drawn at. */
interface Candidate {
  env: EvalEnv;
  scale: number;
}

/** Points where the claim departs from the engine's result that get finite differences. */
const DISAGREEMENT_POINTS = 2;
/** Dense derivatives larger than this are not compared symbolically during the search. */
const SEARCH_MAX_ELEMENTS = 1e5;

/** Bisections of a segment across a kink, and the distances (fractions of the segment) taken back from it. */
const KINK_BISECTIONS = 40;
const KINK_OFFSETS = [1e-6, 1e-5, 1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3];

const VALUES = ['signed', 'positive', 'negative'] as const;

/**
 * The k-th search candidate's kind of draw, so that every kind comes at every magnitude: signed, positive or
 * negative values; square matrices as they come or dominant; all variables at one magnitude or each at its own.
 */
function searchDraw(k: number): Draw {
  return { values: VALUES[k % 3], dominant: Math.floor(k / 3) % 2 === 1, spread: Math.floor(k / 6) % 2 === 1 };
}

/** Compares the target at its points, into `tally`; returns why the check is inconclusive, if it is. */
export function checkAtPoints(p: Prepared, tally: Tally): string | undefined {
  const sampler = new Sampler(p, tally);
  const fatal = sampler.randomPoints();
  if (fatal || tally.failed) return fatal;
  const searched = sampler.search();
  return sampler.missingPieces(searched);
}

class Sampler {
  private readonly pieces: Pieces;

  constructor(
    private readonly p: Prepared,
    private readonly tally: Tally,
  ) {
    this.pieces = new Pieces(p.pieceRoots);
  }

  /** The sides every piece takes at `env` (undefined when the formulas cannot be evaluated there). */
  private sidesAt(env: EvalEnv): Map<Node, number> | undefined {
    if (!this.pieces.nodes.length) return new Map();
    try {
      return this.pieces.sidesAt(evaluateAll(this.p.pieceRoots, env));
    } catch (e) {
      if (e instanceof EvalError) return undefined;
      throw e;
    }
  }

  /** Tries candidates until one is a usable point (at most `maxAttempts`); false when none was. */
  private takePoint(candidate: (attempt: number) => Candidate | undefined): boolean {
    for (let attempt = 0; attempt < this.p.o.maxAttempts; attempt++) {
      pollStop(this.p);
      const c = candidate(attempt);
      if (!c) return false;
      const r = evaluatePoint(this.p, c.env, c.scale);
      if (r.kind !== 'ok') {
        this.tally.resample(r);
        continue;
      }
      this.tally.accept(r);
      const sides = this.sidesAt(c.env);
      if (sides) this.pieces.record(sides);
      return true;
    }
    return false;
  }

  /** The first random points; a reason when one of them could not be found. */
  randomPoints(): string | undefined {
    const { a, needed, dims, rng, o, step, target } = this.p;
    for (let k = 0; k < o.points && !this.tally.failed; k++) {
      // Signed values, square matrices as they come at even points and dominant at odd ones; when a point is
      // outside the domain (a log of a negative, a singular matrix, values too large to difference), the other
      // kinds in turn: positive and dominant, signed with the other matrices, positive as they come.
      const dominant = k % 2 === 1;
      const kinds: Draw[] = [
        { values: 'signed', dominant },
        { values: 'positive', dominant: true },
        { values: 'signed', dominant: !dominant },
        { values: 'positive', dominant: false },
      ];
      const draw = (attempt: number) => kinds[attempt % kinds.length];
      if (this.takePoint((attempt) => ({ env: sampleEnv(a, needed, dims, rng, draw(attempt)), scale: 1 }))) continue;
      const { kink, domain } = this.tally.res.resampled;
      return kink >= domain
        ? `could not find a point away from kinks in ${o.maxAttempts} attempts (closest ${fmt(this.tally.lastKink)}; margin ${fmt(o.kinkMargin * step)})`
        : `could not find a point where ${target.info.ofText} and its derivative are defined in ${o.maxAttempts} attempts (${this.tally.lastDomain})`;
    }
    return undefined;
  }

  /** Candidates at growing magnitudes: where the claim and the engine differ, and where pieces change side. Returns how many were tried. */
  search(): number {
    const { p, pieces, tally } = this;
    const compareSymbolic = !!p.formula && p.denseEngine && p.fSize * p.xSize <= SEARCH_MAX_ELEMENTS;
    if (!compareSymbolic && !pieces.missing().length) return 0;
    const disagreeing: Candidate[] = [];
    const covering: Array<Candidate & { sides: Map<Node, number> }> = [];
    // Each candidate evaluates f, the claim and the result (three times for the symbolic comparison).
    const perScale = searchPointsPerScale((compareSymbolic ? 3 : 1) * totalElements(p.pieceRoots, p.dims));
    for (let k = 0; k < SEARCH_SCALES.length * perScale; k++) {
      pollStop(p);
      const scale = SEARCH_SCALES[Math.floor(k / perScale)];
      const env = sampleEnv(p.a, p.needed, p.dims, p.rng, searchDraw(k), scale);
      const sides = this.sidesAt(env);
      if (!sides) continue;
      covering.push({ env, scale, sides });
      if (compareSymbolic && symbolicDifference(p, env)) disagreeing.push({ env, scale });
    }
    // Candidates graded around each piece's kink, where a claim wrong only on a thin band beside it — (s > 0.001)
    // for the (s > 0) of relu(s), (det(A) > 1.01) for max(det(A), 1) — differs from mcalc's result.
    for (const c of this.besideKinks(covering, perScale * SEARCH_SCALES.length)) {
      covering.push(c);
      if (compareSymbolic && symbolicDifference(p, c.env)) disagreeing.push(c);
    }
    const searched = covering.length;
    // Points where the claim departs from the engine's result: finite differences say which one is right.
    let next = 0;
    for (let tries = 0; tries < DISAGREEMENT_POINTS && next < disagreeing.length && !tally.failed; tries++) this.takePoint(() => disagreeing[next++]);
    // Points that take a piece to a side not seen yet.
    while (!tally.failed && pieces.missing().length) {
      const useful = covering.filter((c) => pieces.wouldCover(c.sides));
      if (!useful.length) break;
      let i = 0;
      const took = this.takePoint(() => useful[i++]);
      for (const c of useful.slice(0, i)) covering.splice(covering.indexOf(c), 1);
      if (!took && i >= useful.length) break;
    }
    return searched;
  }

  /**
   * Points on both sides of each piece's kink at distances graded from 10⁻⁶ to 0.3 of a segment across it: for a
   * piece that two candidates put on different sides, the segment between them is bisected to the kink and
   * points are taken back along it on both sides. At most `budget` evaluations of the pieces' formulas.
   */
  private besideKinks(covering: readonly (Candidate & { sides: Map<Node, number> })[], budget: number): (Candidate & { sides: Map<Node, number> })[] {
    const out: (Candidate & { sides: Map<Node, number> })[] = [];
    let spent = 0;
    for (const n of this.pieces.nodes) {
      // Two candidates whose sides of n differ, drawn at magnitudes up to 1 (differences are surest there).
      const a = covering.find((c) => c.scale <= 1 && c.sides.get(n) !== undefined);
      const b = a && covering.find((c) => c.scale <= 1 && c.sides.get(n) !== undefined && c.sides.get(n) !== a.sides.get(n));
      if (!a || !b || spent + KINK_BISECTIONS + 2 * KINK_OFFSETS.length > budget) continue;
      let [lo, hi] = [0, 1];
      for (let i = 0; i < KINK_BISECTIONS; i++, spent++) {
        const mid = (lo + hi) / 2;
        const side = this.sidesAt(between(a.env, b.env, mid))?.get(n);
        if (side === undefined) break;
        if (side === a.sides.get(n)) lo = mid;
        else hi = mid;
      }
      for (const d of KINK_OFFSETS) {
        for (const t of [lo - d, hi + d]) {
          spent++;
          const env = between(a.env, b.env, t);
          const sides = this.sidesAt(env);
          if (sides) out.push({ env, scale: a.scale, sides });
        }
      }
    }
    return out;
  }

  /** Why the check is inconclusive when some piece was never reached (`searched`: candidates the search tried). */
  missingPieces(searched: number): string | undefined {
    const missing = this.pieces.missing();
    if (this.tally.failed || !missing.length) return undefined;
    const conditions = [...new Set(missing.map((n) => this.pieces.missingCondition(n, this.p.names)))];
    const shown = conditions.slice(0, 3).join(', ') + (conditions.length > 3 ? ` and ${conditions.length - 3} more` : '');
    const plural = conditions.length > 1;
    const hint = this.p.a.dims.length ? ': try other sizes with --dim' : '';
    const largest = SEARCH_SCALES[SEARCH_SCALES.length - 1];
    return `the piece${plural ? 's' : ''} ${shown} ${plural ? 'were' : 'was'} never reached (${this.tally.res.points} points checked, ${searched} more tried with values up to ±${largest})${hint}`;
  }
}
