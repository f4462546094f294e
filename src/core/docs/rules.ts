// docs/rules.md — the paper's "Matrix Calculus Reference" for our operators — generated from the operator
// registry: each operator's description, derivative rule, and worked examples differentiated by the engine
// itself in both layouts. A test fails when the committed file is out of date (`npm run docs` regenerates).

import { analyze, derivativeOf } from '../analyze.ts';
import { deriveResult, formatResult } from '../diff/derivation.ts';
import { ALL_OPS, surfaceFunction } from '../ops/registry.ts';
import { formatJacobianDims, formatShape, LAYOUTS } from '../shape.ts';

export const EXAMPLE_PRELUDE = 'dim m, n\ns, t: scalar\nx, y, a, b: vector[n]\nA: matrix[m, n]\nB, X: matrix[n, n]\n';

const FAMILY_ORDER = ['arithmetic', 'products', 'element-wise functions', 'comparisons', 'reductions', 'softmax', 'matrix functions', 'structure'];

function cell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function example(expr: string, wrt: string): string {
  const a = analyze(`${EXAMPLE_PRELUDE}__f = ${expr}\n`);
  const errors = a.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) throw new Error(`docs example ${expr}: ${errors[0].message}`);
  const def = a.definition('__f')!;
  const cols = LAYOUTS.map((layout) => {
    const info = derivativeOf(a, '__f', wrt);
    if (typeof info === 'string') throw new Error(info);
    const { f, result } = deriveResult(a, info, layout);
    const text = formatResult(a, info, f, result).text.replace(/∂__f\//g, '∂f/');
    return `\`${text}\` (${formatJacobianDims(info.shapes[layout].dims)})`;
  });
  return `| \`${cell(expr)}\` | ${formatShape(def.shape!)} | \`${wrt}\` | ${cols.map(cell).join(' | ')} |`;
}

export function renderRulesMarkdown(): string {
  const out: string[] = [];
  out.push('# Matrix calculus reference');
  out.push('');
  out.push('<!-- Generated from the operator registry by `npm run docs`; do not edit by hand. -->');
  out.push('');
  out.push('Every operator the language knows, its derivative rule, and worked examples differentiated by the engine in');
  out.push('both layouts. **Numerator layout** (the default, as in Parr & Howard): the Jacobian of f: ℝⁿ → ℝᵐ is m×n,');
  out.push('so ∂(scalar)/∂x is a row. **Denominator layout** is its transpose. `grad(f, x)` always has x\'s shape.');
  out.push('');
  out.push('Results are kept in a normal form owned by the operators (listed under each): products collect powers and');
  out.push('diagonal factors, sums collect terms with a common factor, negations and scalars move outward. That is why');
  out.push('classic results read as a textbook prints them: the Hessian of logistic regression is Xᵀ·diag(…)·X.');
  out.push('');
  out.push(`Examples use: \`${EXAMPLE_PRELUDE.trim().split('\n').join('`, `')}\`.`);
  out.push('');
  const families = [...new Set(ALL_OPS.map((d) => d.family))].filter((f) => f !== 'leaves');
  families.sort((p, q) => FAMILY_ORDER.indexOf(p) - FAMILY_ORDER.indexOf(q));
  for (const family of families) {
    out.push(`## ${family[0].toUpperCase()}${family.slice(1)}`);
    out.push('');
    for (const def of ALL_OPS.filter((d) => d.family === family)) {
      if (!def.rule) continue;
      const f = def.syntax ?? (def.spelledBy ? surfaceFunction(def.spelledBy) : undefined);
      const spelled = f ? ` — \`${f.signature}\`${f.aliases?.length ? ` (also ${f.aliases.map((x) => `\`${x}\``).join(', ')})` : ''}` : '';
      out.push(`### \`${def.op}\`${spelled}`);
      out.push('');
      out.push(def.doc);
      out.push('');
      out.push(`**${def.rule.name}:** ${def.rule.text}`);
      out.push('');
      if (def.domain) {
        out.push(`**Defined for** ${def.domain.text}.`);
        out.push('');
      }
      if (def.normalForms?.length) {
        out.push('**Normal form** (applied whenever a result is built):');
        out.push('');
        for (const rule of def.normalForms) out.push(`- ${rule}`);
        out.push('');
      }
      if (def.examples?.length) {
        out.push('| expression | shape | w.r.t. | numerator layout | denominator layout |');
        out.push('|---|---|---|---|---|');
        for (const e of def.examples) out.push(example(e.expr, e.wrt));
        out.push('');
      }
    }
  }
  out.push(...ADDING_AN_OPERATOR);
  return out.join('\n');
}

const ADDING_AN_OPERATOR = [
  '## Adding an operator',
  '',
  'An operator is one entry (`OpDef`, `src/core/ops/types.ts`) in one file of `src/core/ops/`; compile, the batch',
  'rewrite for training, the gradient checks and the Python export read the entry and know no operator by name.',
  'An element-wise function of one argument is one item of `UNARY` in `src/core/ops/elementwise.ts` (and its name in',
  '`UnaryName`): its derivative, LaTeX, reference and compiled kernels, Python, range and domain. Other operators',
  'give their entry:',
  '',
  '- `syntax` (name, aliases, arity, builder, grammar scope), `shape`, `simplify` and `normalForms`, `prec` and `format`;',
  '- `jvp` and `vjp` (forward derivative and its transpose), `rule` and `examples` (worked here by the engine);',
  '- `evaluate` (the reference kernel) and `emitElement` or `lowerJs` (compiled JavaScript, bit for bit the same);',
  '- `batch` (`\'elementwise\'`, a rule, or why there is no batch form) and `python` (or why it is never exported);',
  '- for kinks `kinkDistance`, `kinkNote`, `branch`, `sides`, `range` (and `hinge` for ReLU-like ones); `domain` where it is not',
  '  defined everywhere; `conditioning` when it inverts a matrix or goes through its determinant.',
  '',
  'Then `npm run docs` regenerates this file, the function table of docs/language.md and the grammar\'s names, and',
  '`test/unit/operators.conformance.test.ts` checks every piece, naming the operator and what is missing:',
  'derivatives against central differences in both modes, compiled against reference, batched against per-row,',
  'KaTeX, grammar, docs, and that the property tests generate it. `softplus` was added this way, in one file.',
];
