// Optimisers with PyTorch's semantics and defaults (torch.optim.SGD and torch.optim.Adam, single-tensor
// implementation, maximize=False, amsgrad=False). Each works in place on flat Float64Arrays, one per
// parameter, and counts steps t from 1 as PyTorch does.
//
// SGD (lr γ = 1e-3, momentum μ = 0, dampening τ = 0, weight_decay λ = 0, nesterov = False):
//   g ← ∇f(θ) + λθ
//   if μ ≠ 0:  b ← g at the first step, else b ← μ b + (1 − τ) g      (the first step ignores dampening)
//              g ← g + μ b  (nesterov)   or   g ← b
//   θ ← θ − γ g
// Adam (lr γ = 1e-3, betas (β₁, β₂) = (0.9, 0.999), eps ε = 1e-8, weight_decay λ = 0):
//   g ← ∇f(θ) + λθ;  m ← lerp(m, g, 1 − β₁);  v ← β₂ v + (1 − β₂) g²
//   θ ← θ − (γ / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε)
// which is m̂ / (√v̂ + ε) with the bias corrections m̂ = m/(1 − β₁ᵗ), v̂ = v/(1 − β₂ᵗ), evaluated in the same
// order as PyTorch so the numbers agree to the last bit where the arithmetic allows.

export type OptimizerName = 'sgd' | 'momentum' | 'adam';

export interface SgdOptions {
  lr?: number;
  momentum?: number;
  dampening?: number;
  weightDecay?: number;
  nesterov?: boolean;
}

export interface AdamOptions {
  lr?: number;
  betas?: readonly [number, number];
  eps?: number;
  weightDecay?: number;
}

export interface Optimizer {
  readonly name: OptimizerName;
  /** Steps taken so far (PyTorch's `state['step']`). */
  readonly t: number;
  /** One update of every parameter from its gradient (gradients are not modified). */
  step(params: readonly Float64Array[], grads: readonly Float64Array[]): void;
  /** The settings in effect, for reports. */
  describe(): Record<string, number | boolean | readonly number[]>;
}

/** A setting PyTorch would reject (its ValueError messages, in plain words). */
export class OptimizerSettingError extends Error {}

function check(ok: boolean, message: string): void {
  if (!ok) throw new OptimizerSettingError(message);
}

export class SGD implements Optimizer {
  readonly name: OptimizerName;
  readonly lr: number;
  readonly momentum: number;
  readonly dampening: number;
  readonly weightDecay: number;
  readonly nesterov: boolean;
  t = 0;
  private buffers: Float64Array[] | null = null;

  constructor(o: SgdOptions = {}, name: OptimizerName = 'sgd') {
    this.name = name;
    this.lr = o.lr ?? 1e-3;
    this.momentum = o.momentum ?? 0;
    this.dampening = o.dampening ?? 0;
    this.weightDecay = o.weightDecay ?? 0;
    this.nesterov = o.nesterov ?? false;
    check(Number.isFinite(this.lr) && this.lr >= 0, `Invalid learning rate: ${this.lr} (it must be ≥ 0).`);
    check(Number.isFinite(this.momentum) && this.momentum >= 0, `Invalid momentum value: ${this.momentum} (it must be ≥ 0).`);
    check(Number.isFinite(this.dampening), `Invalid dampening value: ${this.dampening}.`);
    check(Number.isFinite(this.weightDecay) && this.weightDecay >= 0, `Invalid weight_decay value: ${this.weightDecay} (it must be ≥ 0).`);
    check(!this.nesterov || (this.momentum > 0 && this.dampening === 0), 'Nesterov momentum requires a momentum and zero dampening.');
  }

  step(params: readonly Float64Array[], grads: readonly Float64Array[]): void {
    this.t++;
    const { lr, momentum: mu, dampening, weightDecay: wd, nesterov } = this;
    const first = this.buffers === null;
    if (mu !== 0 && first) this.buffers = params.map((p) => new Float64Array(p.length));
    for (let k = 0; k < params.length; k++) {
      const p = params[k];
      const g = grads[k];
      const buf = this.buffers?.[k];
      for (let i = 0; i < p.length; i++) {
        let d = g[i];
        if (wd !== 0) d = d + wd * p[i];
        if (mu !== 0) {
          const b = first ? d : mu * buf![i] + (1 - dampening) * d;
          buf![i] = b;
          d = nesterov ? d + mu * b : b;
        }
        p[i] = p[i] - lr * d;
      }
    }
  }

  describe() {
    return this.momentum === 0 && this.name === 'sgd'
      ? { lr: this.lr, ...(this.weightDecay ? { weightDecay: this.weightDecay } : {}) }
      : { lr: this.lr, momentum: this.momentum, dampening: this.dampening, nesterov: this.nesterov, ...(this.weightDecay ? { weightDecay: this.weightDecay } : {}) };
  }
}

export class Adam implements Optimizer {
  readonly name: OptimizerName = 'adam';
  readonly lr: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
  t = 0;
  private m: Float64Array[] | null = null;
  private v: Float64Array[] | null = null;

  constructor(o: AdamOptions = {}) {
    this.lr = o.lr ?? 1e-3;
    [this.beta1, this.beta2] = o.betas ?? [0.9, 0.999];
    this.eps = o.eps ?? 1e-8;
    this.weightDecay = o.weightDecay ?? 0;
    check(Number.isFinite(this.lr) && this.lr >= 0, `Invalid learning rate: ${this.lr} (it must be ≥ 0).`);
    check(Number.isFinite(this.eps) && this.eps >= 0, `Invalid epsilon value: ${this.eps} (it must be ≥ 0).`);
    check(this.beta1 >= 0 && this.beta1 < 1, `Invalid beta parameter at index 0: ${this.beta1} (it must be in [0, 1)).`);
    check(this.beta2 >= 0 && this.beta2 < 1, `Invalid beta parameter at index 1: ${this.beta2} (it must be in [0, 1)).`);
    check(Number.isFinite(this.weightDecay) && this.weightDecay >= 0, `Invalid weight_decay value: ${this.weightDecay} (it must be ≥ 0).`);
  }

  step(params: readonly Float64Array[], grads: readonly Float64Array[]): void {
    if (!this.m) {
      this.m = params.map((p) => new Float64Array(p.length));
      this.v = params.map((p) => new Float64Array(p.length));
    }
    const t = ++this.t;
    const { lr, beta1, beta2, eps, weightDecay: wd } = this;
    const bc1 = 1 - Math.pow(beta1, t);
    const bc2 = 1 - Math.pow(beta2, t);
    const stepSize = lr / bc1;
    const bc2Sqrt = Math.sqrt(bc2);
    const w = 1 - beta1;
    for (let k = 0; k < params.length; k++) {
      const p = params[k];
      const g = grads[k];
      const m = this.m[k];
      const v = this.v![k];
      for (let i = 0; i < p.length; i++) {
        const d = wd !== 0 ? g[i] + wd * p[i] : g[i];
        // torch.lerp(m, d, w): m + w (d − m) for w < 0.5, else d − (d − m)(1 − w).
        m[i] = w < 0.5 ? m[i] + w * (d - m[i]) : d - (d - m[i]) * (1 - w);
        v[i] = v[i] * beta2 + (1 - beta2) * d * d;
        const denom = Math.sqrt(v[i]) / bc2Sqrt + eps;
        p[i] = p[i] - stepSize * (m[i] / denom);
      }
    }
  }

  describe() {
    return { lr: this.lr, betas: [this.beta1, this.beta2], eps: this.eps, ...(this.weightDecay ? { weightDecay: this.weightDecay } : {}) };
  }
}

export interface OptimizerSettings extends SgdOptions, AdamOptions {}

/** `sgd` (plain), `momentum` (SGD with momentum, 0.9 unless given) or `adam`, with PyTorch's defaults. */
export function makeOptimizer(name: OptimizerName, s: OptimizerSettings = {}): Optimizer {
  switch (name) {
    case 'sgd':
      return new SGD({ lr: s.lr, momentum: s.momentum, dampening: s.dampening, weightDecay: s.weightDecay, nesterov: s.nesterov }, 'sgd');
    case 'momentum':
      return new SGD({ lr: s.lr, momentum: s.momentum ?? 0.9, dampening: s.dampening, weightDecay: s.weightDecay, nesterov: s.nesterov }, 'momentum');
    case 'adam':
      return new Adam({ lr: s.lr, betas: s.betas, eps: s.eps, weightDecay: s.weightDecay });
  }
}
