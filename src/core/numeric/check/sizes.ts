// The sizes a check gives the document's symbolic dimensions. A claim is compared at one size per dimension, so
// two dimensions drawn the same size — or a dimension drawn the size of a number the document writes — let a
// claim that confuses them pass: `-2/n * Xᵀ * …` for `-2/N * Xᵀ * …` when N = n = 2, or `/3` for `/N` when N = 3.
// The sizes drawn therefore differ from one another, from the sizes bound with --dim and the literal sizes of
// the declarations, and from the document's whole numbers; they are the smallest such sizes from 3 up, with a
// few to spare, in a random order. Not 2: some identities hold for every 2 × 2 matrix and fail beyond (E⁻ᵀ ⊗ E is
// symmetric for every invertible 2 × 2 E, so a claim of its transpose passed at n = 2).

import type { Analysis } from '../../analyze.ts';
import { tokenize } from '../../lexer.ts';
import { dimsOf } from '../../shape.ts';
import type { Rng } from '../random.ts';

/** The smallest size drawn. */
const SMALLEST = 3;
/** How many sizes more than the dimensions to draw from (3–6 for one dimension). */
const SPARE = 3;
/** Whole numbers larger than this are never drawn anyway: the document's need not be avoided. */
const LARGEST_AVOIDED = 64;

/** The sizes no drawn dimension may take: bound ones, literal sizes of declarations, whole numbers of the text. */
export function sizesToAvoid(a: Analysis, bound: ReadonlyMap<string, number>): Set<number> {
  const avoid = new Set<number>(bound.values());
  for (const v of a.variables) for (const d of dimsOf(v.shape)) if (typeof d === 'number') avoid.add(d);
  for (const t of tokenize(a.text)) if (t.kind === 'number' && Number.isInteger(t.value) && t.value! <= LARGEST_AVOIDED) avoid.add(t.value!);
  return avoid;
}

/** A size for each dimension of `a`: the bound one, or one drawn apart from every other (see above). */
export function checkSizes(a: Analysis, bound: ReadonlyMap<string, number>, avoid: ReadonlySet<number>, rng: Rng): Map<string, number> {
  const free = a.dims.filter((d) => !bound.has(d.name));
  const pool: number[] = [];
  for (let size = SMALLEST; pool.length < free.length + SPARE; size++) if (!avoid.has(size)) pool.push(size);
  for (let i = pool.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [pool[i], pool[j]] = [pool[j], pool[i]];
  }
  const sizes = new Map<string, number>();
  let next = 0;
  for (const d of a.dims) sizes.set(d.name, bound.get(d.name) ?? pool[next++]);
  return sizes;
}
