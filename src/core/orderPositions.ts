// Each definition's place in the dependency order, as the patches of an incremental analysis need it (which
// definitions a changed value reaches, visited in order). An edit that adds or removes definitions replaces one
// run of the order (see patchedOrder in definitionOrder.ts), which moves every place after the run: rather than mapping
// all names again at each such keystroke (a 5,000-line document has thousands), the runs are kept and applied
// to the few places looked up, and the map is made again only after MAX_RUNS of them.

/**
 * How an order was patched from the one before: at `at`, `removed` names were replaced by `added`; in the list of
 * definitions in the order they were registered, the same replacement happened at `head`.
 */
export interface OrderRun {
  at: number;
  head: number;
  removed: number;
  added: readonly string[];
}

const MAX_RUNS = 32;

export class OrderPositions {
  private base: Map<string, number>;
  private runs: { at: number; end: number; shift: number; added: Map<string, number> }[] = [];

  constructor(order: readonly string[]) {
    this.base = mapped(order);
  }

  /** The place of a name the order holds now (undefined for one it never held). */
  get(name: string): number | undefined {
    const { runs } = this;
    let p = this.base.get(name);
    let from = 0;
    // A name added by a run has its place from the latest such run (it may have been removed and added again).
    for (let i = runs.length - 1; i >= 0; i--) {
      const k = runs[i].added.get(name);
      if (k !== undefined) {
        p = runs[i].at + k;
        from = i + 1;
        break;
      }
    }
    if (p === undefined) return undefined;
    for (let i = from; i < runs.length; i++) if (p >= runs[i].end) p += runs[i].shift;
    return p;
  }

  /** Follows the order `order`, made from the one before by `run`. */
  follow(run: OrderRun, order: readonly string[]): void {
    if (this.runs.length >= MAX_RUNS) {
      this.base = mapped(order);
      this.runs = [];
      return;
    }
    this.runs.push({ at: run.at, end: run.at + run.removed, shift: run.added.length - run.removed, added: mapped(run.added) });
  }
}

function mapped(names: readonly string[]): Map<string, number> {
  return new Map(names.map((name, i) => [name, i]));
}
