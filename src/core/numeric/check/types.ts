// The vocabulary of gradient checks: options and their defaults, what is checked (targets), and what a check
// reports. Shared by every stage (targets, sampling, finite differences, reporting) and by the worker protocol.

import type { ClaimInfo, DerivativeInfo } from '../../analyze.ts';
import type { DerivativeForm } from '../../ops/structure.ts';
import type { Layout } from '../../shape.ts';
import type { Range } from '../../source.ts';

export const DEFAULT_TOLERANCES = {
  eps: 1e-6,
  atol: 1e-5,
  rtol: 1e-3,
  hessianStep: 1e-4,
  hessianAtol: 1e-4,
  hessianRtol: 1e-3,
} as const;

export interface CheckOptions {
  /** Seed of the random sizes and points (default: a random seed, reported in the results). */
  seed?: number;
  /** Central-difference step (default 1e-6). */
  eps?: number;
  atol?: number;
  rtol?: number;
  /** Second-difference step for Hessians (default 1e-4), and their tolerances (1e-4, 1e-3). */
  hessianStep?: number;
  hessianAtol?: number;
  hessianRtol?: number;
  /** Directional mode (vᵀJu) instead of the full Jacobian. */
  fast?: boolean;
  /** Random points per form (default 3). */
  points?: number;
  /** Random direction pairs per point in fast mode (default 3). */
  directions?: number;
  /** Re-sampling attempts per point before giving up (default 20). */
  maxAttempts?: number;
  /** Sizes of symbolic dimensions; the others get small random sizes, each different (see check/sizes.ts). */
  dims?: ReadonlyMap<string, number> | Readonly<Record<string, number>>;
  /** Only forms of this definition (name, or the differentiated expression's text)… */
  of?: string;
  /** …and/or with respect to this variable. Without matching forms, d(of)/d(wrt) is checked anyway. */
  wrt?: string;
  /** Only the claims and derivative forms that start on these lines (0-based, analysis coordinates). */
  lines?: readonly number[];
  /** Kink margin in steps (default 10): points closer than margin·step to a kink are re-sampled. */
  kinkMargin?: number;
  /** Largest tensor a check may build (default 10⁷ elements); larger ones are reported, not attempted. */
  maxElements?: number;
  /** Polled between finite differences; returning true aborts with CheckCancelled. */
  shouldStop?: () => boolean;
  /** Called after each result (progress). */
  onResult?: (result: CheckResult, done: number, total: number) => void;
}

/** Bad options (unknown names, bad sizes): the CLI's exit code 2. */
export class CheckUsageError extends Error {
  override readonly name = 'CheckUsageError';
}

/** Thrown when `shouldStop` asked a check to stop; a worker check rejects with it too. */
export class CheckCancelled extends Error {
  override readonly name = 'CheckCancelled';
}

export interface CheckTarget {
  kind: 'claim' | 'derivative';
  info: DerivativeInfo;
  claim?: ClaimInfo;
  range: Range;
  /** Built from --of/--wrt, not written in the document. */
  synthesized?: boolean;
}

export type CheckStatus = 'pass' | 'fail' | 'inconclusive' | 'error';

export interface WorstElement {
  /** 1-based position in the derivative as shown in the active layout (its dims; [] for a scalar). */
  index: number[];
  /** The claim's (or, for a derivative form, the engine's) value. */
  analytic: number;
  /** Central finite differences. */
  numeric: number;
}

export interface CheckResult {
  kind: 'claim' | 'derivative';
  /** The differentiated expression (source text) and the variable. */
  of: string;
  wrt: string;
  form: DerivativeForm;
  /** The derivative form as written, e.g. `d(loss)/d(w)`. */
  text: string;
  /** The claim's formula (source text). */
  formula?: string;
  layout: Layout;
  passed: boolean;
  status: CheckStatus;
  maxAbsErr: number;
  /** max |a − n| / max(|n|, atol). */
  maxRelErr: number;
  worst: WorstElement | null;
  seed: number;
  /** 1-based line in the analysed text. */
  line: number;
  range: Range;
  mode: 'full' | 'fast';
  /** Sizes used for the symbolic dimensions. */
  sizes: Record<string, number>;
  /** Points compared. */
  points: number;
  resampled: { kink: number; domain: number };
  tolerance: { step: number; atol: number; rtol: number };
  /** Why a result is inconclusive, what failed, and other remarks. */
  note?: string;
  /** For claims: the engine's result checked the same way, and where the claim departs from it. */
  engine?: {
    text: string;
    passed: boolean;
    maxAbsErr: number;
    maxRelErr: number;
    differs?: { index: number[]; claim: number; engine: number };
  };
}

export interface CheckReport {
  passed: boolean;
  seed: number;
  results: CheckResult[];
}

/** CheckOptions with every default filled in and validated. */
export interface ResolvedOptions {
  eps: number;
  atol: number;
  rtol: number;
  hessianStep: number;
  hessianAtol: number;
  hessianRtol: number;
  fast: boolean;
  points: number;
  directions: number;
  maxAttempts: number;
  kinkMargin: number;
  maxElements: number;
  dims: Map<string, number>;
  /** The sizes random ones keep away from (see check/sizes.ts). */
  avoidSizes: Set<number>;
  seed: number;
  shouldStop?: () => boolean;
}
