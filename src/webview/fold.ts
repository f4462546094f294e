// Which lines of a long step list the preview shows and which it folds (pure, unit-tested). A run of many
// lines made by the same rule shows its first two and last lines around "… k more, same rule"; beyond the
// budget of visible lines, the rest of the list folds into one "show all N".

export type Segment =
  | { kind: 'lines'; from: number; to: number }
  /** Lines [from, to) hidden; `group` is the rule they share (absent for the fold after the budget). */
  | { kind: 'fold'; from: number; to: number; group?: string };

export const VISIBLE_BUDGET = 40;
/** A run of this many lines of the same group or more is folded. */
export const LONG_RUN = 8;

/** Segments covering lines [0, groups.length) in order; `budget` visible lines at most (plus folds). */
export function foldPlan(groups: readonly (string | undefined)[], budget = VISIBLE_BUDGET): Segment[] {
  const runs: Segment[] = [];
  const lines = (from: number, to: number) => {
    const last = runs[runs.length - 1];
    if (last?.kind === 'lines' && last.to === from) last.to = to;
    else runs.push({ kind: 'lines', from, to });
  };
  for (let i = 0; i < groups.length; ) {
    let j = i + 1;
    while (j < groups.length && groups[i] !== undefined && groups[j] === groups[i]) j++;
    if (j - i >= LONG_RUN) {
      lines(i, i + 2);
      runs.push({ kind: 'fold', from: i + 2, to: j - 1, group: groups[i]! });
      lines(j - 1, j);
    } else lines(i, j);
    i = j;
  }
  return withinBudget(runs, groups.length, budget);
}

function withinBudget(runs: Segment[], total: number, budget: number): Segment[] {
  const out: Segment[] = [];
  let visible = 0;
  for (const s of runs) {
    if (s.kind === 'fold') {
      out.push(s);
      continue;
    }
    const room = budget - visible;
    if (s.to - s.from <= room) {
      out.push(s);
      visible += s.to - s.from;
      continue;
    }
    if (room > 0) out.push({ kind: 'lines', from: s.from, to: s.from + room });
    out.push({ kind: 'fold', from: s.from + Math.max(room, 0), to: total });
    return out;
  }
  return out;
}
