// Messages between the extension and the derivation preview (types only: shared by both sides).

import type { CheckSummary, ResultParts } from '../core/workers/protocol.ts';
import type { CopyFormat } from '../core/diff/copy.ts';

export type { CheckSummary, ResultParts };

/** The derivative form a derivation is for, and its result: shown first, before the record arrives. */
export interface HeadlineMessage {
  type: 'headline';
  /** Identifies the form and document version: an equal key means an equal record. */
  key: string;
  /** e.g. `d(loss)/d(w)` in `neuron.mcalc`, line 10. */
  title: string;
  file: string;
  line: number;
  layout: string;
  /** The document's `layout` directive sets the layout (the setting does not apply). */
  pinned: boolean;
  /** The result's shape in that layout, e.g. `1×n`. */
  shape: string;
  result: ResultParts;
  /** When the form is the left side of a `check` claim: the claim's right side, typeset beside the result. */
  claim?: ClaimParts;
}

/** A claim's right side as the user wrote it, and typeset. */
export interface ClaimParts {
  text: string;
  latex: string;
  /** 1-based line of the claim. */
  line: number;
}

/** The whole derivation. `json` is the `Derivation` record as the worker serialised it (parsed only here). */
export interface DerivationMessage extends Omit<HeadlineMessage, 'type'> {
  type: 'derivation';
  json: string;
}

export type ToWebview =
  | HeadlineMessage
  | DerivationMessage
  /** The quick finite-difference check of the derivation with this key (absent: it could not be checked). */
  | { type: 'check'; key: string; check?: CheckSummary }
  /** A derivation is being computed (the shown one stays until it arrives). */
  | { type: 'computing'; what: string }
  /** The shown derivation is the one at the cursor again. */
  | { type: 'following' }
  /** The cursor left the derivative forms: the last derivation stays, marked as not following. */
  | { type: 'notFollowing'; message: string }
  | { type: 'error'; message: string }
  /** Where the preview points (kept by the webview for the panel serializer after a reload). */
  | { type: 'state'; state: Pick<WebviewState, 'uri' | 'offset'> };

export type FromWebview =
  | { type: 'ready' }
  /** The derivation with this key is on screen: `headline` (the result) first, then `steps`. */
  | { type: 'rendered'; key: string; part: 'headline' | 'steps' }
  /** A copy button: put the shown derivation on the clipboard in this format. */
  | { type: 'copy'; format: CopyFormat };

/** What the webview keeps with vscode.setState so a hidden or reloaded preview comes back as it was. */
export interface WebviewState {
  last?: DerivationMessage;
  /** The last derivation's quick check (null: it cannot be checked). */
  check?: CheckSummary | null;
  uri?: string;
  offset?: number;
}
