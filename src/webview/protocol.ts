// Messages from the extension to the derivation preview (types only: shared by both sides).

import type { Derivation } from '../core/diff/derivation.ts';

export interface CheckSummary {
  passed: boolean;
  status: string;
  maxAbsErr: number;
  maxRelErr: number;
  note?: string;
}

export type ToWebview =
  | {
      type: 'derivation';
      /** e.g. `d(loss)/d(w)` in `neuron.mcalc`, line 10. */
      title: string;
      file: string;
      line: number;
      derivation: Derivation;
      check?: CheckSummary;
    }
  | { type: 'empty'; message: string }
  /** Where the preview points (kept by the webview for the panel serializer after a reload). */
  | { type: 'state'; state: WebviewState };

/** What the webview keeps with vscode.setState so a hidden or reloaded preview comes back as it was. */
export interface WebviewState {
  last?: Extract<ToWebview, { type: 'derivation' | 'empty' }>;
  uri?: string;
  offset?: number;
}
