// Stage 5, code generation: the units in dependency order, each a statement, a kernel call or one loop with
// its fused members; then the outputs and the function head. Names from the document never reach the source:
// variables and index symbols are slots, nodes are numbered, numbers are checked literals.

import type { Tensor } from '../tensor.ts';
import { EvalError } from '../tensor.ts';
import type { Buffers } from './buffers.ts';
import type { Fusion } from './fusion.ts';
import { type Ctx, type L, isLoop } from './plan.ts';
import { unitsInOrder } from './schedule.ts';

export interface Generated {
  source: string;
  outputs: Tensor[];
  loops: number;
  kernels: number;
}

/** How the generated code reads values; `current` is the loop unit being written, if any. */
function readers(fusion: Fusion, bufs: Buffers, current: () => L | undefined): Ctx {
  const noBuffer = (l: L) => new EvalError(`internal: node ${l.id} has no buffer`);
  return {
    at(l, idx = 'i') {
      switch (l.kind) {
        case 'inline':
          // Templates splice the index into arithmetic (`idx % (n + 1)`), so it goes in as one operand.
          return l.inlineAt!(/^\w+$/.test(idx) ? idx : `(${idx})`);
        case 'input':
          return `x${l.slot}[${idx}]`;
        default:
          if (idx === 'i' && l.kind === 'map' && current() && fusion.unitOf(l) === current()) return `t${l.id}`;
          if (l.buffer === undefined) throw noBuffer(l);
          return `b${l.buffer}[${idx}]`;
      }
    },
    arr(l) {
      if (l.kind === 'input') return `x${l.slot}`;
      if (l.kind === 'inline') return bufs.constant(l);
      if (l.buffer === undefined) throw noBuffer(l);
      return `b${l.buffer}`;
    },
    sc(l) {
      if (l.kind === 'inline') {
        if (l.inlineScalar === undefined) throw new EvalError(`internal: node ${l.id} is not a scalar`);
        return l.inlineScalar;
      }
      return `s${l.id}`;
    },
    buf: (l) => `b${l.buffer!}`,
  };
}

/** One loop unit: the members' initialisations, the loop over their shared length, their finishing lines. */
function loopLines(u: L, fusion: Fusion, ctx: Ctx): string[] {
  const ms = [...fusion.members(u)!].sort((a, b) => a.order - b.order);
  const pre: string[] = [];
  const body: string[] = [];
  const post: string[] = [];
  for (const m of ms) {
    if (m.kind === 'map') {
      body.push(m.body!(ctx));
      if (m.buffer !== undefined) body.push(`b${m.buffer}[i] = t${m.id};`);
    } else {
      pre.push(m.init!(ctx));
      body.push(m.step!(ctx));
      const f = m.finish!(ctx);
      if (f) post.push(f);
    }
  }
  return [...pre.filter((p) => p).map((p) => `  ${p}`), `  for (let i = 0; i < ${ms[0].len}; i++) {`, ...body.map((b) => `    ${b}`), '  }', ...post.map((p) => `  ${p}`)];
}

/** Outputs: plan buffers where the value already lives in one, else a copy into an output buffer. */
function outputLines(roots: readonly L[], bufs: Buffers, ctx: Ctx): { lines: string[]; outputs: Tensor[] } {
  const lines: string[] = [];
  const outputs: Tensor[] = [];
  const outputOf = new Map<L, Tensor>();
  for (const l of roots) {
    let t = outputOf.get(l);
    if (!t) {
      if (l.buffer !== undefined) {
        t = { rows: l.rows, cols: l.cols, data: bufs.buffers[l.buffer] };
      } else {
        const k = bufs.add(l.size);
        t = { rows: l.rows, cols: l.cols, data: bufs.buffers[k] };
        if (l.scalar) lines.push(`  b${k}[0] = ${ctx.sc(l)};`);
        else if (l.kind === 'input') lines.push(`  b${k}.set(x${l.slot});`);
        else lines.push(`  b${k}.set(${ctx.arr(l)});`);
      }
      outputOf.set(l, t);
    }
    outputs.push(t);
  }
  return { lines, outputs };
}

export function generate(
  needed: readonly L[], roots: readonly L[], all: Iterable<L>, fusion: Fusion, bufs: Buffers, inputCount: number, indexNames: readonly string[],
): Generated {
  let current: L | undefined;
  const ctx = readers(fusion, bufs, () => current);
  const lines: string[] = [];
  let loops = 0;
  let kernels = 0;
  for (const u of unitsInOrder(needed, fusion)) {
    current = isLoop(u) ? u : undefined;
    if (!current) {
      lines.push(`  ${u.body!(ctx)}`);
      if (u.kind === 'kernel') kernels++;
      continue;
    }
    loops++;
    lines.push(...loopLines(u, fusion, ctx));
  }
  current = undefined;
  const out = outputLines(roots, bufs, ctx);

  const head: string[] = [];
  for (let k = 0; k < inputCount; k++) head.push(`  const x${k} = X[${k}];`);
  for (const l of needed) if (l.kind === 'input' && l.scalar) head.push(`  const s${l.id} = x${l.slot}[0];`);
  // Index symbols are registered while the lines are written (lowerings ask for them lazily).
  for (let k = 0; k < indexNames.length; k++) head.push(`  const J${k} = I[${k}];`);
  for (const l of all) {
    if (l.unitIndexBuffer) head.push(`  for (let i = 0; i < ${l.size}; i++) c${l.constBuffer}[i] = ${l.inlineAt!('i')};`);
  }
  const source = [
    "'use strict';",
    ...bufs.buffers.map((_, k) => `const b${k} = B[${k}];`),
    ...bufs.consts.map((_, k) => `const c${k} = C[${k}];`),
    'return function run(X, I) {',
    ...head,
    ...lines,
    ...out.lines,
    '};',
  ].join('\n');
  return { source, outputs: out.outputs, loops, kernels };
}
