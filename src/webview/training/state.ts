// What the training panel shows, as a function of the messages it was sent. The extension keeps the same
// state (so a webview that was hidden or reloaded gets a snapshot of everything), and the webview keeps it
// with vscode.setState (so it shows at once after a window reload); and the chart's data drawn from it.
// Pure: no DOM, no vscode.

import type { RunView, ToTrainingPanel, TrainingPanelState } from './protocol.ts';

export function emptyPanelState(): TrainingPanelState {
  return { runs: [], logScale: false };
}

/** The state after message `m` (the runs' point arrays are extended in place: epochs arrive often). */
export function applyMessage(state: TrainingPanelState, m: ToTrainingPanel): TrainingPanelState {
  const run = 'runId' in m ? state.runs.find((r) => r.id === m.runId) : undefined;
  switch (m.type) {
    case 'run-start':
      return { ...state, uri: m.uri, file: m.file, runs: [...(m.replace ? [] : state.runs), { ...m.run, points: [] }] };
    case 'epochs':
      run?.points.push(...m.points);
      return state;
    case 'run-end':
      if (run) run.summary = m.summary;
      return state;
    case 'run-error':
      if (run) run.error = m.message;
      return state;
    case 'idle':
      for (const r of state.runs) if (!r.summary && !r.error) r.error = `Interrupted after ${r.points.length} epochs (the window reloaded while it ran): Rerun to start again.`;
      return state;
    case 'snapshot':
      // The log-scale toggle belongs to the view, not to the runs.
      return { ...m.state, logScale: state.logScale };
    case 'note':
      return state;
  }
}

/** The runs' curves on one x axis (epochs 1…max); a run without that epoch, or a loss ≤ 0 on a log axis, is a gap. */
export function alignedData(runs: readonly RunView[], logScale: boolean): [number[], ...Array<Array<number | null>>] {
  const last = Math.max(0, ...runs.map((r) => (r.points.length ? r.points[r.points.length - 1][0] : 0)));
  const xs = Array.from({ length: last }, (_, i) => i + 1);
  const ys = runs.map((r) => {
    const y: Array<number | null> = new Array(last).fill(null);
    for (const [epoch, loss] of r.points) y[epoch - 1] = Number.isFinite(loss) && (!logScale || loss > 0) ? loss : null;
    return y;
  });
  return [xs, ...ys];
}
