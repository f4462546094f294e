// Small formatting helpers shared by operator printers.

import type { Shape } from '../shape.ts';

const GREEK: Record<string, string> = {
  α: 'alpha', β: 'beta', γ: 'gamma', δ: 'delta', ε: 'epsilon', ζ: 'zeta', η: 'eta', θ: 'theta', ι: 'iota',
  κ: 'kappa', λ: 'lambda', μ: 'mu', ν: 'nu', ξ: 'xi', π: 'pi', ρ: 'rho', σ: 'sigma', τ: 'tau', υ: 'upsilon',
  φ: 'phi', χ: 'chi', ψ: 'psi', ω: 'omega', Γ: 'Gamma', Δ: 'Delta', Θ: 'Theta', Λ: 'Lambda', Ξ: 'Xi',
  Π: 'Pi', Σ: 'Sigma', Φ: 'Phi', Ψ: 'Psi', Ω: 'Omega', ϵ: 'epsilon', ϑ: 'vartheta', ϕ: 'varphi',
};

const SUBSCRIPT_DIGITS: Record<string, string> = { '₀': '0', '₁': '1', '₂': '2', '₃': '3', '₄': '4', '₅': '5', '₆': '6', '₇': '7', '₈': '8', '₉': '9' };

function latexIdentPart(s: string): string {
  let out = '';
  for (const ch of s) {
    if (GREEK[ch]) out += `\\${GREEK[ch]} `;
    else if (SUBSCRIPT_DIGITS[ch]) out += SUBSCRIPT_DIGITS[ch];
    else if (/[A-Za-z0-9]/.test(ch)) out += ch;
    else out += `\\text{${ch.replace(/[\\{}$&#^_%~]/g, '')}}`;
  }
  return out.trim();
}

/** LaTeX for a user name: `w_1` → `w_{1}`, `θ` → `\theta`, `loss` → `\mathrm{loss}`, vectors bold. */
export function latexName(name: string, shape?: Shape): string {
  const trailingSub = /^(.+?)([₀-₉]+)$/u.exec(name);
  const [base, sub] = name.includes('_')
    ? [name.slice(0, name.indexOf('_')), name.slice(name.indexOf('_') + 1)]
    : trailingSub
      ? [trailingSub[1], trailingSub[2]]
      : [name, ''];
  const b = latexIdentPart(base);
  const single = [...base].length === 1;
  const bold = shape !== undefined && shape.kind !== 'scalar';
  let head: string;
  if (single) head = bold ? (GREEK[base] ? `\\boldsymbol{${b}}` : `\\mathbf{${b}}`) : b;
  else head = bold ? `\\mathbf{${b}}` : `\\mathrm{${b}}`;
  return sub ? `${head}_{${latexIdentPart(sub.replace(/_/g, ''))}}` : head;
}

/** Numbers print as short as they can without losing meaning. */
export function numberText(v: number): string {
  if (Number.isInteger(v) && Math.abs(v) < 1e15) return String(v);
  const s = String(Number(v.toPrecision(12)));
  return s;
}

export function numberLatex(v: number): string {
  const s = numberText(v);
  const m = /^(-?[\d.]+)e([+-]\d+)$/.exec(s);
  if (m) return `${m[1]} \\times 10^{${Number(m[2])}}`;
  return s;
}

const SUPERSCRIPTS: Record<string, string> = { '0': '⁰', '1': '¹', '2': '²', '3': '³', '4': '⁴', '5': '⁵', '6': '⁶', '7': '⁷', '8': '⁸', '9': '⁹', '-': '⁻' };

/** `2` → `²` when every character has a superscript form, else undefined. */
export function superscript(s: string): string | undefined {
  let out = '';
  for (const ch of s) {
    const sup = SUPERSCRIPTS[ch];
    if (!sup) return undefined;
    out += sup;
  }
  return out;
}

const SUBSCRIPTS = '₀₁₂₃₄₅₆₇₈₉';

/** `12` → `₁₂` (the index of a unit vector, 𝐞₁₂). */
export function subscriptDigits(k: number): string {
  return String(k).replace(/\d/g, (d) => SUBSCRIPTS[Number(d)]);
}

/** The size of a constant in the brackets of the type syntax: `[n]` for vectors and rows, `[m, n]` for matrices. */
export function sizeText(shape: Shape): string {
  if (shape.kind === 'matrix') return `[${shape.m}, ${shape.n}]`;
  return shape.kind === 'scalar' ? '' : `[${shape.n}]`;
}
