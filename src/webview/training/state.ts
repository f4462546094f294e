// What the training panel shows, as a function of the messages it was sent. The extension keeps the same
// state (so a webview that was hidden or reloaded gets a snapshot of everything), and the webview keeps it
// with vscode.setState (so it shows at once after a window reload). Pure: no DOM, no vscode.

import type { ToTrainingPanel, TrainingPanelState } from './protocol.ts';

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
