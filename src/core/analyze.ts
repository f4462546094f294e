// Analysis of one .mcalc document: names, shapes of every subexpression, derivative forms and claims, and
// every problem as a diagnostic with a range. The editor (hover, diagnostics, outline, code lens) and the CLI
// read only from this. Never throws.

import { type ConstantExpr, type DerivativeExpr, type Expr, type LocalDefinition, type NameRef, type Span, type Statement } from './ast.ts';
import { Builder } from './builder.ts';
import type { Node } from './ir.ts';
import { type Diagnostic, LineMap, type Range, type Severity } from './source.ts';
import {
  type Dim, type Layout, type Shape, LAYOUTS, cols, rows, formatAsMatrix, formatJacobianDims, formatShape, matrixOf, sameAsMatrix, sameShape,
  transposeShape, vectorOf,
} from './shape.ts';
import { buildSurfaceBinary, type SurfaceBinary } from './ops/arithmetic.ts';
import { buildComparison } from './ops/elementwise.ts';
import { callableNames, surfaceFunction } from './ops/registry.ts';
import { derivativeShape, type DerivativeForm } from './ops/structure.ts';
import { closestName } from './suggest.ts';
import { notADefinition, notAVariable } from './commandNames.ts';
import { carryNameIndex } from './language/names.ts';
import { type EditedLines, ParsedText, type TextChange } from './parsedLines.ts';
import { completed, STEP, type Steps } from './steps.ts';
import { OrderPositions } from './orderPositions.ts';
import { child, childCount, children } from './exprChildren.ts';
import {
  type Define, type DefinitionOrder, type Definitions, type PatchedOrder, type RegisteredRun, dependencyOrder, orderProblem, patchedOrder, patchingAids,
  recomputedOrder, recount, sameDependencies,
} from './definitionOrder.ts';
import { firstAtOrAfter, moveDiagnostic, moveRange, planPatch, renamesDefinitions, type PatchPlan } from './analysisPatch.ts';
import { dimRefs, typeShape, variablesAfter, type VariablesAfterEdit } from './declarationPatch.ts';
import { type DerivativeCore, ExprNodes, type Outcome, type PendingDiagnostic, type Read, type Resolved, newOutcome, sameDerivative, sameResolved, trimOutcome } from './statementOutcome.ts';

export type { TextChange };

export interface DimInfo {
  name: string;
  range: Range;
  /** `dim n` (explicit) or first seen inside a type (implicit). */
  explicit: boolean;
}

export interface VariableInfo {
  name: string;
  shape: Shape;
  range: Range;
  node: Node;
}

export interface DerivativeInfo {
  form: DerivativeForm;
  syntax: DerivativeExpr['syntax'];
  /** Source text, e.g. `d(loss)/d(w)`. */
  text: string;
  range: Range;
  /** The differentiated expression (or definition) and its source text. */
  of: Node;
  ofText: string;
  wrt: VariableInfo;
  /** Result shape per layout: dims always, `shape` when it is at most a matrix. */
  shapes: Record<Layout, { dims: Dim[]; shape?: Shape }>;
  /** The definition this form is the whole right-hand side of, if any. */
  definition?: string;
  /** Placeholder node in expressions (absent for tensors of order ≥ 3). */
  node?: Node;
}

export interface DefinitionInfo {
  readonly name: string;
  readonly nameRange: Range;
  readonly range: Range;
  /** The defining expression's node, when it analysed cleanly. */
  node?: Node;
  shape?: Shape;
  /** Set when the definition is a derivative form. */
  derivative?: DerivativeInfo;
  /** Source text of the right-hand side. */
  readonly exprText: string;
}

/** The document's current text and parse, which definitions' records read (see DefinitionRecord). */
interface DocumentNow {
  lines: LineMap;
  parsed: ParsedText;
}

/**
 * A definition's record; its ranges and text are computed when asked for (most are never asked for), from its
 * statement's offsets and the document's current lines (`doc`, which a patched analysis moves to the new text:
 * see Analyzer.patchSteps), without moving its syntax trees. An analysis that a re-analysis consumed may thus answer
 * for the newer text.
 */
class DefinitionRecord implements DefinitionInfo {
  node?: Node;
  shape?: Shape;
  derivative?: DerivativeInfo;
  readonly name: string;
  constructor(
    private readonly stmt: Define,
    private readonly doc: DocumentNow,
  ) {
    this.name = stmt.name.name;
  }
  get nameRange(): Range {
    return this.rangeOf(this.stmt.name);
  }
  get range(): Range {
    return this.rangeOf(this.stmt);
  }
  get exprText(): string {
    const at = this.doc.parsed.offsetOf(this.stmt);
    return this.doc.lines.text.slice(this.stmt.expr.start + at, this.stmt.expr.end + at);
  }
  private rangeOf(span: Span): Range {
    const at = this.doc.parsed.offsetOf(this.stmt);
    return this.doc.lines.range(span.start + at, span.end + at);
  }
  /** Plain data (JSON.stringify and structured clone see getters' values). */
  toJSON(): object {
    return { name: this.name, nameRange: this.nameRange, range: this.range, exprText: this.exprText, ...(this.shape ? { shape: this.shape } : {}) };
  }
}

export interface ClaimInfo {
  range: Range;
  keywordRange: Range;
  /** The derivative being claimed (left side). */
  derivative?: DerivativeInfo;
  /** The user's formula (right side). */
  formula?: Node;
  formulaText: string;
  formulaRange: Range;
}

export interface HoverEntry {
  start: number;
  end: number;
  /** The hovered source text (filled in by hoverAt when not stored). */
  text?: string;
  shape?: Shape;
  derivative?: DerivativeInfo;
  /** Extra line (e.g. what a name refers to). */
  note?: string;
}

export interface Analysis {
  text: string;
  lines: LineMap;
  /** The effective layout: the document's `layout` directive if it has one, else the one asked for. */
  layout: Layout;
  /** The document's `layout` directive, when it pins the layout. */
  layoutDirective?: { layout: Layout; range: Range };
  builder: Builder;
  diagnostics: Diagnostic[];
  dims: DimInfo[];
  variables: VariableInfo[];
  definitions: DefinitionInfo[];
  derivatives: DerivativeInfo[];
  claims: ClaimInfo[];
  /** The innermost name or subexpression at an offset, with its shape (and derivative, if it is one). */
  hoverAt(offset: number): (HoverEntry & { text: string }) | undefined;
  variable(name: string): VariableInfo | undefined;
  definition(name: string): DefinitionInfo | undefined;
}

const RESERVED = new Set(['dim', 'check', 'scalar', 'vector', 'matrix', 'grad', 'jacobian', 'hessian']);

/** Whether a name is the language's own: a reserved word or a built-in function. */
function builtInName(name: string): boolean {
  return RESERVED.has(name) || surfaceFunction(name) !== undefined;
}

export interface AnalyzeOptions {
  layout?: Layout;
}

export function analyze(text: string, options: AnalyzeOptions = {}): Analysis {
  return completed(analysisSteps(text, options));
}

/** `analyze` in steps (see steps.ts): the editor analyses a long document it opens in slices. */
export function* analysisSteps(text: string, options: AnalyzeOptions = {}): Steps<Analysis> {
  const parsed = yield* ParsedText.parseSteps(text);
  return yield* analyzerSteps(new Analyzer(parsed, options.layout ?? 'numerator'));
}

/**
 * The analysis of `text` after an edit of the text `previous` analysed: equal to `analyze(text, options)` in
 * everything it reports, but only the lines the edit touched are parsed again, and only the definitions and
 * claims whose text changed or whose names now mean something else are analysed again. `previous` is consumed:
 * its syntax trees move to their new offsets, so it must not be used afterwards (a second call with it, or a
 * previous analysis that was not made by analyze/reanalyze, analyses in full). `change` bounds the edited region
 * when the caller knows it (see TextChange); without it the texts are compared.
 */
export function reanalyze(previous: Analysis, text: string, options: AnalyzeOptions = {}, change?: TextChange): Analysis {
  return completed(reanalysisSteps(previous, text, options, change));
}

/**
 * `reanalyze` in steps (see steps.ts): most edits take a fraction of one step, but one that reaches much of a long
 * document (a variable that thousands of lines use, taken out of its declaration) is analysed in slices too.
 * `previous` is consumed when the first step runs.
 */
export function* reanalysisSteps(previous: Analysis, text: string, options: AnalyzeOptions = {}, change?: TextChange): Steps<Analysis> {
  const state = states.get(previous);
  states.delete(previous);
  const layout = options.layout ?? 'numerator';
  // The node graph only grows while outcomes are reused; a full analysis now and then drops what is unused.
  if (!state || state.requestedLayout !== layout || state.builder.graph.size > 2 * state.fullGraphSize + 10_000) return yield* analysisSteps(text, options);
  const parsed = state.parsed.edit(text, change);
  let result: Analysis;
  try {
    result = (yield* patchAnalyzerSteps(new Analyzer(parsed, layout, state), previous)) ?? (yield* analyzerSteps(new Analyzer(parsed, layout, state)));
  } catch {
    // A patch that failed half-way has changed the state it adopted: only a fresh analysis is sure to be right.
    return yield* analysisSteps(text, options);
  }
  carryNameIndex(previous, result, parsed.change!);
  return result;
}

/** What a later reanalyze needs from an analysis. */
interface AnalyzerState {
  parsed: ParsedText;
  requestedLayout: Layout;
  /** The document's effective layout: when it changes, nothing is reused. */
  layout: Layout;
  builder: Builder;
  /** Node count of the graph after the last full analysis. */
  fullGraphSize: number;
  outcomes: Map<Statement, Outcome>;
  /** How many of the outcomes were made anew (the rest were reused). */
  analysed: number;
  /** The definitions (in the order they were registered) and the dependency order computed for them. */
  definitionOrder?: DefinitionOrder;
  /** What the names meant, to tell which changed meaning in the next analysis. */
  variables: ReadonlyMap<string, VariableInfo>;
  dims: ReadonlyMap<string, DimInfo>;
  definitions: ReadonlyMap<string, DefinitionEntry>;
  names: string;
  /** Whether a message of the document quotes a line number (see Analyzer.linesQuoted). */
  linesQuoted: boolean;
  /** What a patch (Analyzer.patchSteps) reuses besides: the statements, the derivative forms' infos, the lines' holder. */
  statements: Statement[];
  derivativeInfos: Map<DerivativeExpr, DerivativeInfo>;
  doc: DocumentNow;
  /** Made by the first patch after a full analysis, and kept up to date by the patches after it. */
  patchIndex?: PatchIndex;
  /** Whether this analysis was made by a patch. */
  patched: boolean;
}

/** What a patch needs to find the statements an edit reaches. */
interface PatchIndex {
  /** The statements whose outcome looked a name up (as a definition, or as a variable), by the name. */
  readers: Map<string, Set<Statement>>;
  /** The statements whose outcome read the list of all names (for a spelling suggestion). */
  nameListReaders: Set<Statement>;
  /** Each definition's place in the dependency order. */
  position: OrderPositions;
}

function* patchIndexSteps(state: AnalyzerState): Steps<PatchIndex> {
  const index: PatchIndex = { readers: new Map(), nameListReaders: new Set(), position: new OrderPositions(state.definitionOrder!.order) };
  let read = 0;
  for (const o of state.outcomes.values()) {
    addReader(index, o);
    if (++read % STEP === 0) yield;
  }
  return index;
}

/**
 * Makes ahead of time, in steps, what the first patch after `a` would otherwise make at the first keystroke: the
 * index of who reads what, and the dependency order's aids. The editor runs it in slices once it has analysed a
 * long document. Nothing is kept if `a` is re-analysed meanwhile.
 */
export function* prepareForEdits(a: Analysis): Steps<void> {
  const st = states.get(a);
  if (!st || st.patchIndex || !st.definitionOrder || st.definitionOrder.cycles.length) return;
  const index = yield* patchIndexSteps(st);
  if (states.get(a) !== st) return;
  st.definitionOrder.aids ??= patchingAids(st.definitionOrder);
  st.patchIndex = index;
}

function addReader({ readers, nameListReaders }: PatchIndex, o: Outcome): void {
  for (const r of o.reads) {
    if (r.kind === 'names') nameListReaders.add(o.stmt);
    if (r.kind !== 'definition' && r.kind !== 'variable') continue;
    let set = readers.get(r.name);
    if (!set) readers.set(r.name, (set = new Set()));
    set.add(o.stmt);
  }
}

function removeReader({ readers, nameListReaders }: PatchIndex, o: Outcome): void {
  for (const r of o.reads) {
    if (r.kind === 'definition' || r.kind === 'variable') readers.get(r.name)?.delete(o.stmt);
    if (r.kind === 'names') nameListReaders.delete(o.stmt);
  }
}

/** The patched analysis (see Analyzer.patchSteps), or undefined when the edit is not one a patch can follow. */
function* patchAnalyzerSteps(a: Analyzer, previous: Analysis): Steps<Analysis | undefined> {
  const result = yield* a.patchSteps(previous);
  if (result) states.set(result, a.state());
  return result;
}

/**
 * The names whose answer to a look-up differs from the previous analysis's; only look-ups of these (and those
 * made before their definition was analysed) need replaying. Without cycles, a definition is analysed before
 * every definition that refers to it, in any dependency order, so its change is known when they are checked;
 * `cycles`: this analysis or the previous one has definition cycles, and every look-up is replayed.
 */
interface Changes {
  variables: Set<string>;
  dims: Set<string>;
  definitions: Set<string>;
  names: boolean;
  cycles: boolean;
  /** readBits of every change above: an outcome whose reads share none of them is still valid (stillValid). */
  bits: number;
}

/** The keys present in only one of the maps, or whose values differ by `same`. */
function changedKeys<V>(a: ReadonlyMap<string, V>, b: ReadonlyMap<string, V>, same: (x: V, y: V) => boolean): Set<string> {
  const out = new Set<string>();
  for (const [k, v] of a) {
    const w = b.get(k);
    if (w === undefined || !same(v, w)) out.add(k);
  }
  for (const k of b.keys()) if (!a.has(k)) out.add(k);
  return out;
}

const states = new WeakMap<Analysis, AnalyzerState>();

// Bits of look-ups, for stillValid's quick test: a name sets one of 29 bits by a hash (variables, definitions
// and dimensions alike: a collision only costs the full test), the list of names its own bit, and a look-up
// that is replayed at every analysis (a definition read before it was analysed, in a cycle) the sign bit.
// Look-ups of cycles need no bit: with cycles in either analysis the quick test is skipped.
const NAMES_BIT = 1 << 30;
const ALWAYS_BIT = 1 << 31;

function nameBit(name: string): number {
  let h = name.length;
  for (let i = 0; i < name.length; i++) h = (h * 31 + name.charCodeAt(i)) | 0;
  return 1 << ((h >>> 0) % 29);
}

/** The bits of an outcome's reads that an edit's changes can meet (see Changes.bits). */
function readBits(reads: readonly Read[]): number {
  let bits = 0;
  for (const r of reads) {
    if (r.kind === 'names') bits |= NAMES_BIT;
    else if (r.kind !== 'cyclic') bits |= nameBit(r.name) | (r.kind === 'definition' && r.found && !r.value ? ALWAYS_BIT : 0);
  }
  return bits;
}

/**
 * How much of an analysis was made anew: definitions and claims analysed, of all of them; `patched` when it was
 * made by patching the previous one (see Analyzer.patchSteps) rather than by visiting every statement.
 */
export function analysisWork(a: Analysis): { statements: number; analysed: number; patched: boolean } | undefined {
  const state = states.get(a);
  return state && { statements: state.outcomes.size, analysed: state.analysed, patched: state.patched };
}

function* analyzerSteps(a: Analyzer): Steps<Analysis> {
  try {
    yield* a.steps();
  } catch (e) {
    // Last line of defence: report instead of crashing the editor.
    a.report({ start: 0, end: 0 }, `Internal error while analysing this document: ${(e as Error).message}`, 'internal', 'error');
  }
  const result = yield* a.resultSteps();
  states.set(result, a.state());
  return result;
}

interface FixSpec {
  title: string;
  edits: { span: Span; text: string }[];
}

type DefinitionEntry = { stmt: Define; info: DefinitionRecord; value?: Resolved; derivative?: DerivativeCore };

class Analyzer {
  readonly text: string;
  readonly lines: LineMap;
  readonly b: Builder;
  /** Diagnostics of the document as a whole (parsing, declarations, cycles), in absolute offsets. */
  private readonly documentDiagnostics: PendingDiagnostic[] = [];
  dims = new Map<string, DimInfo>();
  variables = new Map<string, VariableInfo>();
  defs = new Map<string, DefinitionEntry>();
  /** Start offsets of references that close a definition cycle (already reported). */
  private readonly cyclic = new Set<number>();
  /** The outcome of every definition and claim analysed or reused, in the order a full analysis makes them. */
  private outcomes = new Map<Statement, Outcome>();
  /** The outcome being made: reports and look-ups go to it. */
  private current?: Outcome;
  private analysed = 0;
  /** Filled in by result(): the derivative forms with their ranges. */
  private derivativeInfos = new Map<DerivativeExpr, DerivativeInfo>();
  /** The lines the definitions' records read their ranges from (moved to the new text by a patch). */
  private doc: DocumentNow;
  private patchIndex?: PatchIndex;
  private readonly variableReads = new Map<string, Extract<Read, { kind: 'variable' }>>();
  /** The where-clause of the claim being analysed: its names are visible to that claim's formula only. */
  private locals?: Map<string, { def: LocalDefinition; node?: Node }>;
  private definitionOrderMemo?: DefinitionOrder;
  /** Set when outcomes may be reused: which names changed meaning since the previous analysis. */
  private changes?: Changes;
  /** All names, as spelling suggestions read them (computed when first asked for). */
  private nameList?: string;
  /** The suggestions made for that list of names (see suggestion). */
  private suggestions: { names?: string; closest: Map<string, string | undefined> } = { closest: new Map() };
  /** Whether a message about the document's names quotes a line number (the duplicate-name ones do). */
  private linesQuoted = false;
  private statements: Statement[] = [];
  /** buildExpr's stacks, kept between calls: the expressions to visit, whether each was expanded, the nodes built. */
  private readonly scratch = { frames: [] as Expr[], expanded: [] as boolean[], values: [] as (Node | undefined)[] };
  /** How many of scratch.values are in use. */
  private valuesTop = 0;

  private directive?: { layout: Layout; range: Range };
  private readonly requestedLayout: Layout;
  /** The previous analysis's outcomes, when they were made for the same layout. */
  private reusable?: Map<Statement, Outcome>;

  constructor(
    private readonly parsed: ParsedText,
    /** The requested layout until steps() reads the document's directive. */
    public layout: Layout,
    /** The previous analysis of an earlier version of this document, whose outcomes may be reused. */
    private readonly previous?: AnalyzerState,
  ) {
    this.text = parsed.text;
    this.lines = parsed.lines;
    this.requestedLayout = layout;
    this.b = previous?.builder ?? new Builder();
    this.doc = { lines: parsed.lines, parsed };
  }

  state(): AnalyzerState {
    return {
      parsed: this.parsed,
      requestedLayout: this.requestedLayout,
      layout: this.layout,
      builder: this.b,
      fullGraphSize: this.previous?.fullGraphSize ?? this.b.graph.size,
      outcomes: this.outcomes,
      analysed: this.analysed,
      ...(this.definitionOrderMemo ? { definitionOrder: this.definitionOrderMemo } : {}),
      variables: this.variables,
      dims: this.dims,
      definitions: this.defs,
      names: this.names(),
      linesQuoted: this.linesQuoted,
      statements: this.statements,
      derivativeInfos: this.derivativeInfos,
      doc: this.doc,
      ...(this.patchIndex ? { patchIndex: this.patchIndex } : {}),
      patched: this.patchIndex !== undefined,
    };
  }

  report(span: Span, message: string, code: string, severity: Severity = 'error', hint?: string, fixes?: FixSpec[]): void {
    const base = this.current?.stmt.start ?? 0;
    const rel = (sp: Span): Span => ({ start: sp.start - base, end: sp.end - base });
    const fix = fixes?.length ? { fixes: fixes.map((f) => ({ title: f.title, edits: f.edits.map((e) => ({ span: rel(e.span), text: e.text })) })) } : {};
    (this.current?.diagnostics ?? this.documentDiagnostics).push({ severity, message, code, span: rel(span), ...(hint ? { hint } : {}), ...fix });
  }

  /** Replace `span` with `text`. */
  private replace(title: string, span: Span, text: string): FixSpec {
    return { title, edits: [{ span, text }] };
  }

  /** `e` transposed: `xᵀ` for a name or bracketed expression, `(a + b)ᵀ` otherwise, `x` for `xᵀ`. */
  private transposed(e: Expr): string {
    if (e.kind === 'transpose') return this.src(e.operand);
    const t = this.src(e);
    return /^[\p{L}_][\p{L}\p{N}_]*$/u.test(t) || /^\(.*\)$/.test(t) ? `${t}ᵀ` : `(${t})ᵀ`;
  }

  private src(span: Span): string {
    return this.text.slice(span.start, span.end);
  }

  /** The analysis, in steps (see steps.ts): it yields between runs of STEP definitions or claims. */
  *steps(): Steps<void> {
    for (const p of this.parsed.problems()) this.report(p.span, p.message, p.code, 'error', p.hint);
    this.statements = this.parsed.statements();
    yield;
    this.readLayoutDirective();
    if (this.previous?.layout === this.layout) this.reusable = this.previous.outcomes;
    yield* this.collectDeclarations();
    this.linesQuoted = this.documentDiagnostics.some((d) => d.code === 'duplicate-name' || d.code === 'duplicate-layout');
    const order = yield* this.definitionOrder();
    if (this.reusable) this.changes = this.changesSince(this.previous!);
    let done = 0;
    for (const name of order) {
      this.analyseDefinition(this.defs.get(name)!);
      if (++done % STEP === 0) yield;
    }
    for (const s of this.statements) {
      if (s.kind !== 'claim') continue;
      this.analyseStatement(s, this.buildClaim);
      if (++done % STEP === 0) yield;
    }
  }

  /** The outcome of a definition or claim: the previous one when every read gives the same answer, else made anew. */
  private analyseStatement(stmt: Statement, analyse: (outcome: Outcome) => void): Outcome {
    const old = this.reusable?.get(stmt);
    if (old && this.stillValid(old)) {
      this.outcomes.set(stmt, old);
      return old;
    }
    this.parsed.settle(stmt);
    const outcome = newOutcome(stmt);
    this.analysed++;
    const outer = this.current;
    this.current = outcome;
    try {
      analyse(outcome);
    } finally {
      this.current = outer;
    }
    trimOutcome(outcome);
    this.outcomes.set(stmt, outcome);
    return outcome;
  }

  private changesSince(previous: AnalyzerState): Changes {
    const c: Changes = {
      variables: changedKeys(this.variables, previous.variables, (x, y) => x.node === y.node),
      dims: changedKeys(this.dims, previous.dims, () => true),
      // Definitions whose value changes are added as they are analysed (see changedDefinition).
      definitions: changedKeys(this.defs, previous.definitions, () => true),
      names: this.names() !== previous.names,
      cycles: (this.definitionOrderMemo?.cycles.length ?? 0) > 0 || (previous.definitionOrder?.cycles.length ?? 0) > 0,
      bits: 0,
    };
    for (const set of [c.variables, c.dims, c.definitions]) for (const name of set) c.bits |= nameBit(name);
    if (c.names) c.bits |= NAMES_BIT;
    return c;
  }

  private changedDefinition(name: string): void {
    if (!this.changes) return;
    this.changes.definitions.add(name);
    this.changes.bits |= nameBit(name);
  }

  /**
   * Whether a previous outcome still holds: every look-up whose answer may have changed answers the same. Most
   * outcomes read none of the few names an edit changes, and their bits tell so without visiting their reads.
   */
  private stillValid(outcome: Outcome): boolean {
    const c = this.changes!;
    if (!c.cycles && ((outcome.readBits ??= readBits(outcome.reads)) & (c.bits | ALWAYS_BIT)) === 0) return true;
    for (const r of outcome.reads) if (this.mayHaveChanged(r) && !this.answersSame(r)) return false;
    return true;
  }

  private mayHaveChanged(r: Read): boolean {
    const c = this.changes!;
    switch (r.kind) {
      case 'variable':
        return c.variables.has(r.name);
      case 'definition':
        // A look-up made before the definition was analysed (in a cycle) is always replayed.
        return c.definitions.has(r.name) || (r.found && !r.value) || c.cycles;
      case 'dim':
        return c.dims.has(r.name);
      case 'cyclic':
        return c.cycles;
      case 'names':
        return c.names;
    }
  }

  private answersSame(r: Read): boolean {
    switch (r.kind) {
      case 'variable':
        return this.variables.get(r.name)?.node === r.node;
      case 'definition': {
        const d = this.defs.get(r.name);
        if (!d) return !r.found;
        return r.found && r.form === (d.stmt.expr.kind === 'derivative') && sameResolved(d.value, r.value) && sameDerivative(d.derivative, r.derivative);
      }
      case 'dim':
        return this.dims.has(r.name) === r.found;
      case 'cyclic':
        return this.cyclic.has(r.ref.start) === r.cyclic;
      case 'names':
        return this.names() === r.names;
    }
  }

  // ---- look-ups (recorded in the outcome being made) ----------------------------------------------------------

  private variable(name: string): VariableInfo | undefined {
    const v = this.variables.get(name);
    if (this.mustRecord('variable', name)) this.current!.reads.push(this.variableRead(name, v?.node));
    return v;
  }

  /**
   * The record of a variable's look-up, one per variable and answer, shared by every outcome that makes it (records
   * are never changed): a full analysis of the 5,000-line document makes 14,000 of these look-ups.
   */
  private variableRead(name: string, node: Node | undefined): Read {
    let r = this.variableReads.get(name);
    if (!r || r.node !== node) this.variableReads.set(name, (r = { kind: 'variable', name, node }));
    return r;
  }

  private definition(name: string): DefinitionEntry | undefined {
    const d = this.defs.get(name);
    if (this.mustRecord('definition', name)) {
      this.current!.reads.push({ kind: 'definition', name, found: !!d, form: d?.stmt.expr.kind === 'derivative', value: d?.value, derivative: d?.derivative });
    }
    return d;
  }

  private hasDim(name: string): boolean {
    const found = this.dims.has(name);
    if (this.mustRecord('dim', name)) this.current!.reads.push({ kind: 'dim', name, found });
    return found;
  }

  /**
   * Whether a look-up must be recorded: while making an outcome, and not if the same look-up was just made (an
   * answer cannot change within a statement; if it did, the first answer is the one that fails on replay).
   */
  private mustRecord(kind: 'variable' | 'definition' | 'dim', name: string): boolean {
    const reads = this.current?.reads;
    if (!reads) return false;
    for (let i = reads.length - 1; i >= Math.max(0, reads.length - 8); i--) {
      const r = reads[i];
      if (r.kind === kind && r.name === name) return false;
    }
    return true;
  }

  private isCyclic(ref: Span): boolean {
    const cyclic = this.cyclic.has(ref.start);
    this.current?.reads.push({ kind: 'cyclic', ref, cyclic });
    return cyclic;
  }

  /**
   * The document's name closest to a misspelt one, among the kinds `kinds` picks (a read of the list of all names).
   * Remembered while that list stays the same: a variable taken out of a declaration makes every use of it ask.
   */
  private suggestion(name: string, kinds: { variables?: boolean; definitions?: boolean; dims?: boolean }): string | undefined {
    const names = this.names();
    this.current?.reads.push({ kind: 'names', names });
    if (this.suggestions.names !== names) this.suggestions = { names, closest: new Map() };
    const key = `${kinds.variables ? 'v' : ''}${kinds.definitions ? 'd' : ''}${kinds.dims ? 'n' : ''} ${name}`;
    const { closest } = this.suggestions;
    if (!closest.has(key)) {
      const candidates = [...(kinds.variables ? this.variables.keys() : []), ...(kinds.definitions ? this.defs.keys() : []), ...(kinds.dims ? this.dims.keys() : [])];
      closest.set(key, closestName(name, candidates));
    }
    return closest.get(key);
  }

  private names(): string {
    this.nameList ??= [[...this.variables.keys()].join(' '), [...this.defs.keys()].join(' '), [...this.dims.keys()].join(' ')].join('|');
    return this.nameList;
  }

  /** The analysis, assembled from the outcomes: ranges are computed here, from the syntax trees' offsets. */
  *resultSteps(): Steps<Analysis> {
    const variables = this.variables;
    const defs = this.defs;
    const diagnostics = this.documentDiagnostics.map((d) => this.diagnostic(d, 0));
    const derivatives: DerivativeInfo[] = [];
    let seen = 0;
    for (const o of this.outcomes.values()) {
      if (++seen % STEP === 0) yield;
      for (const d of o.diagnostics) diagnostics.push(this.diagnostic(d, o.stmt.start));
      for (const { expr, core } of o.derivatives) {
        const info = this.derivativeInfo(expr, core);
        this.derivativeInfos.set(expr, info);
        derivatives.push(info);
      }
    }
    for (const d of defs.values()) this.completeDefinition(d);
    yield;
    return {
      ...this.resultBase(),
      diagnostics: diagnostics.sort(byStart),
      dims: [...this.dims.values()],
      variables: [...variables.values()],
      definitions: [...defs.values()].map((d) => d.info),
      derivatives: byLine(derivatives),
      claims: yield* this.claimInfos(),
    };
  }

  /** What every analysis answers the same way, patched or not. */
  private resultBase(): Pick<Analysis, 'text' | 'lines' | 'layout' | 'layoutDirective' | 'builder' | 'hoverAt' | 'variable' | 'definition'> {
    const { variables, defs } = this;
    return {
      text: this.text,
      lines: this.lines,
      layout: this.layout,
      ...(this.directive ? { layoutDirective: this.directive } : {}),
      builder: this.b,
      hoverAt: (offset) => this.hoverAt(offset),
      variable: (name) => variables.get(name),
      definition: (name) => defs.get(name)?.info,
    };
  }

  private diagnostic(d: PendingDiagnostic, base: number): Diagnostic {
    const range = (sp: Span) => this.lines.range(base + sp.start, base + sp.end);
    const fixes = d.fixes ? { fixes: d.fixes.map((f) => ({ title: f.title, edits: f.edits.map((e) => ({ range: range(e.span), newText: e.text })) })) } : {};
    return { severity: d.severity, message: d.message, range: range(d.span), code: d.code, ...(d.hint ? { hint: d.hint } : {}), ...fixes };
  }

  private derivativeInfo(e: DerivativeExpr, core: DerivativeCore): DerivativeInfo {
    return {
      form: core.form,
      syntax: core.syntax,
      text: core.text,
      range: this.lines.range(e.start, e.end),
      of: core.of,
      ofText: core.ofText,
      // The variable as declared now (its range may have moved since the outcome was made).
      wrt: this.variables.get(core.wrt.name)!,
      shapes: core.shapes,
      ...(core.definition ? { definition: core.definition } : {}),
      ...(core.node ? { node: core.node } : {}),
    };
  }

  private completeDefinition(d: DefinitionEntry): void {
    const outcome = this.outcomes.get(d.stmt);
    const form = d.stmt.expr.kind === 'derivative' && outcome?.derivative ? this.derivativeInfos.get(d.stmt.expr) : undefined;
    if (form) d.info.derivative = form;
    if (d.value?.kind === 'value') {
      d.info.node = d.value.node;
      d.info.shape = d.value.node.shape;
    }
  }

  private *claimInfos(): Steps<ClaimInfo[]> {
    const claims: ClaimInfo[] = [];
    for (const s of this.statements) {
      if (s.kind !== 'claim') continue;
      claims.push(this.claimInfo(s));
      if (claims.length % STEP === 0) yield;
    }
    return claims;
  }

  private claimInfo(s: Extract<Statement, { kind: 'claim' }>): ClaimInfo {
    this.parsed.settle(s);
    const c = this.outcomes.get(s)!.claim!;
    const derivative = c.left ? this.derivativeInfos.get(c.left) : c.leftDefinition ? this.defs.get(c.leftDefinition)!.info.derivative : undefined;
    return {
      range: this.lines.range(s.start, s.end),
      keywordRange: this.lines.range(s.keywordSpan.start, s.keywordSpan.end),
      formulaText: this.text.slice(s.right.start, s.end),
      formulaRange: this.lines.range(s.right.start, s.end),
      ...(derivative ? { derivative } : {}),
      ...(c.formula ? { formula: c.formula } : {}),
    };
  }

  /**
   * The first `layout` line pins the layout for the whole document (the claims were written for it); a second
   * one is an error and ignored. Placed after a definition or claim it still applies, but a reader would take
   * the lines above it for the other layout, so it is a warning.
   */
  private readLayoutDirective(): void {
    let used = false;
    for (const s of this.statements) {
      if (s.kind === 'define' || s.kind === 'claim') used = true;
      if (s.kind !== 'layout') continue;
      if (this.directive) {
        const line = this.directive.range.start.line + 1;
        this.report(s, `The layout is already set on line ${line}; a document has one layout.`, 'duplicate-layout', 'error', `Remove this line, or change the one on line ${line}.`);
        continue;
      }
      this.directive = { layout: s.layout, range: this.lines.range(s.start, s.end) };
      this.layout = s.layout;
      if (used) this.report(s, 'The layout directive comes after definitions or claims that depend on it.', 'layout-after-use', 'warning', 'Move it above the first definition, next to `dim` and the declarations.');
    }
  }

  // ---- declarations ----------------------------------------------------------------------------------------

  private reservedName(name: string, span: Span): boolean {
    if (RESERVED.has(name)) {
      this.report(span, `'${name}' is a reserved word and cannot be used as a name.`, 'reserved-name');
      return true;
    }
    if (surfaceFunction(name)) {
      this.report(span, `'${name}' is a built-in function and cannot be used as a name.`, 'reserved-name', 'error', `Choose another name, e.g. '${name}_1'.`);
      return true;
    }
    return false;
  }

  private declareDim(name: string, span: Span, explicit: boolean): void {
    const existing = this.dims.get(name);
    if (existing) {
      if (explicit && existing.explicit) this.report(span, `Dimension '${name}' is already declared on line ${existing.range.start.line + 1}.`, 'duplicate-name', 'warning');
      return;
    }
    if (this.variables.has(name)) {
      this.report(span, `'${name}' is a variable, so it cannot also be a dimension.`, 'name-conflict', 'error', 'Use another name for the dimension.');
      return;
    }
    this.dims.set(name, { name, range: this.lines.range(span.start, span.end), explicit });
  }

  private variableInfo(n: NameRef, shape: Shape): VariableInfo {
    return { name: n.name, shape, range: this.lines.range(n.start, n.end), node: this.b.variable(n.name, shape) };
  }

  private *collectDeclarations(): Steps<void> {
    let seen = 0;
    for (const s of this.statements) {
      if (++seen % STEP === 0) yield;
      if (s.kind === 'dim') {
        for (const n of s.names) if (!this.reservedName(n.name, n)) this.declareDim(n.name, n, true);
      } else if (s.kind === 'declare') {
        const t = s.type;
        for (const d of dimRefs(t)) if (d.kind === 'name') this.declareDim(d.name, d, false);
        const shape = typeShape(t);
        for (const n of s.names) {
          if (this.reservedName(n.name, n)) continue;
          const prev = this.variables.get(n.name);
          if (prev) {
            this.report(n, `'${n.name}' is already declared on line ${prev.range.start.line + 1}.`, 'duplicate-name');
            continue;
          }
          if (this.dims.has(n.name)) {
            this.report(n, `'${n.name}' is a dimension, so it cannot also be a variable.`, 'name-conflict');
            continue;
          }
          this.variables.set(n.name, this.variableInfo(n, shape));
        }
      } else if (s.kind === 'define') {
        const name = s.name.name;
        if (this.reservedName(name, s.name)) continue;
        const variable = this.variables.get(name);
        if (variable) {
          this.report(s.name, `'${name}' is already declared as a variable on line ${variable.range.start.line + 1}; a definition needs a new name.`, 'duplicate-name');
          continue;
        }
        if (this.dims.has(name)) {
          this.report(s.name, `'${name}' is a dimension, so it cannot also be defined.`, 'name-conflict');
          continue;
        }
        const prev = this.defs.get(name);
        if (prev) {
          this.report(s.name, `'${name}' is already defined on line ${prev.info.nameRange.start.line + 1}.`, 'duplicate-name');
          continue;
        }
        this.defs.set(name, this.entry(s));
      }
    }
  }

  // ---- definitions (any order; cycles reported) -----------------------------------------------------------

  /**
   * Definitions in dependency order (an iterative depth-first search, so long chains cannot overflow the
   * stack). A reference that closes a cycle is reported once and then reads as an error.
   */
  private *definitionOrder(): Steps<string[]> {
    const statements = [...this.defs.values()].map((d) => d.stmt);
    const previous = this.previous?.definitionOrder;
    const same = previous && sameDependencies(previous.statements, statements);
    const patched = previous && !same ? patchedOrder(previous, statements, (name) => this.defs.has(name), (name) => this.defs.get(name)?.stmt.refs ?? []) : undefined;
    patched?.countReferences();
    const reused = same ? { ...previous, statements } : patched?.order;
    if (!reused) {
      // (A full analysis does not keep the ends of the search: a patch of the order makes them with its aids.)
      const { order, cycles } = yield* dependencyOrder(this.defs.keys(), (name) => this.defs.get(name)?.stmt.refs);
      this.definitionOrderMemo = { statements, order, cycles };
    } else this.definitionOrderMemo = reused;
    const { order, cycles } = this.definitionOrderMemo;
    for (const c of cycles) this.reportCycle(this.defs.get(c.owner)!.stmt.refs[c.refIndex], c.message);
    return order;
  }

  /** A definition's entry, before its analysis (value and derivative are listed so that they live in the object). */
  private entry(stmt: Define): DefinitionEntry {
    return { stmt, info: new DefinitionRecord(stmt, this.doc), value: undefined, derivative: undefined };
  }

  private reportCycle(ref: NameRef, message: string): void {
    this.report(ref, message, 'cycle');
    this.cyclic.add(ref.start);
  }

  private analyseDefinition(d: DefinitionEntry): void {
    const outcome = this.analyseStatement(d.stmt, this.buildDefinition);
    d.value = outcome.value;
    d.derivative = outcome.derivative;
    const before = this.previous?.definitions.get(d.stmt.name.name);
    const same = before && before.stmt.expr.kind === d.stmt.expr.kind && sameResolved(before.value, d.value) && sameDerivative(before.derivative, d.derivative);
    if (!same) this.changedDefinition(d.stmt.name.name);
  }

  /** A definition's outcome: its value, and its derivative form when it is one. */
  private readonly buildDefinition = (o: Outcome): void => {
    const { expr, name } = o.stmt as Define;
    const node = this.buildExpr(expr, name.name);
    const derivative = expr.kind === 'derivative' ? o.derivatives.find((f) => f.expr === expr)?.core : undefined;
    if (derivative) o.derivative = derivative;
    o.value = node ? { kind: 'value', node } : derivative ? { kind: 'tensor', dims: derivative.shapes[this.layout].dims } : { kind: 'failed' };
  };

  // ---- expressions ------------------------------------------------------------------------------------------

  /** Records the node of an expression, for hovers. */
  private hover(e: Expr, node: Node): Node {
    this.current?.nodes.set(e, node);
    return node;
  }

  private fromShapeError(span: Span, r: Node | { error: string; hint?: string }): Node | undefined {
    if ('error' in r) {
      this.report(span, r.error, 'shape-mismatch', 'error', r.hint);
      return undefined;
    }
    return r;
  }

  /**
   * Builds the node of an expression bottom-up with an explicit stack (any nesting depth), reporting every
   * problem; undefined when it has errors. `definition` names the definition whose whole right side this is.
   */
  private buildExpr(root: Expr, definition?: string): Node | undefined {
    // The analyser's scratch stacks, above what an enclosing build (a definition reached out of order) keeps.
    const { frames, expanded, values } = this.scratch;
    const base = frames.length;
    const valuesBase = this.valuesTop;
    frames.push(root);
    expanded.push(false);
    while (frames.length > base) {
      const i = frames.length - 1;
      const e = frames[i];
      const count = childCount(e);
      if (!expanded[i]) {
        expanded[i] = true;
        for (let k = count - 1; k >= 0; k--) {
          frames.push(child(e, k));
          expanded.push(false);
        }
        continue;
      }
      frames.pop();
      expanded.pop();
      // The children's nodes are the top `count` values (kept in use while combining them: a definition reached
      // out of order builds above them), replaced by the node they make.
      const at = this.valuesTop - count;
      values[at] = this.combine(e, values, at, count, e === root ? definition : undefined);
      this.valuesTop = at + 1;
    }
    const node = values[valuesBase];
    values[valuesBase] = undefined;
    this.valuesTop = valuesBase;
    return node;
  }

  /**
   * One expression from its children's nodes, `args[at, at + count)` (undefined children already reported
   * their problems).
   */
  private combine(e: Expr, args: readonly (Node | undefined)[], at: number, count: number, definition: string | undefined): Node | undefined {
    switch (e.kind) {
      case 'error':
        return undefined;
      case 'number':
        return this.hover(e, this.b.constant(e.value));
      case 'name':
        return this.name(e);
      case 'vector':
        return this.literal(e, args.slice(at, at + count));
      case 'constant':
        return this.constant(e);
      case 'index': {
        const target = args[at];
        if (!target) return undefined;
        if (target.shape.kind !== 'vector' && target.shape.kind !== 'row') {
          this.report(e, `Only vectors can be indexed with x[i], but this is ${formatShape(target.shape)}.`, 'shape-mismatch');
          return undefined;
        }
        const ix = e.index;
        if (ix.kind !== 'number' || !Number.isInteger(ix.value) || ix.value < 1) {
          this.report(ix, 'An index must be a whole number from 1 up, like x[2].', 'bad-index');
          return undefined;
        }
        const n = target.shape.n;
        if (typeof n === 'number' && ix.value > n) {
          this.report(ix, `Index ${ix.value} is out of range for ${formatShape(target.shape)} (indices run from 1 to ${n}).`, 'index-out-of-range');
          return undefined;
        }
        return this.hover(e, this.b.raw('index', [target], ix.value));
      }
      case 'transpose':
        return args[at] && this.hover(e, this.b.raw('transpose', [args[at]!]));
      case 'neg':
        return args[at] && this.hover(e, this.b.raw('neg', [args[at]!]));
      case 'binary': {
        const l = args[at];
        const r = args[at + 1];
        if (!l || !r) return undefined;
        const op = e.op;
        const built = op === '>' || op === '<' || op === '>=' || op === '<=' ? buildComparison(this.b, op, l, r) : buildSurfaceBinary(this.b, op as SurfaceBinary, l, r);
        if ('error' in built) {
          this.report(e, built.error, 'shape-mismatch', 'error', built.hint, this.binaryFixes(e, l, r));
          return undefined;
        }
        return this.hover(e, built);
      }
      case 'call':
        return this.call(e, args.slice(at, at + count));
      case 'derivative': {
        const info = this.derivative(e, args[at], definition);
        if (!info) return undefined;
        if (!info.node && definition === undefined) {
          this.report(e, `${info.text} is ${tensorPhrase(info.shapes[this.layout].dims)}, which cannot be used inside an expression.`, 'tensor-in-expression', 'error', 'Give it its own definition to see its shape and value.');
        }
        return info.node;
      }
    }
  }

  /** `[a, b, c]`: a column of scalars; `[aᵀ; bᵀ]`: a matrix stacked from rows of one length (or scalars: a column). */
  private literal(e: Extract<Expr, { kind: 'vector' }>, args: (Node | undefined)[]): Node | undefined {
    if (args.some((x) => !x)) return undefined;
    const nodes = args as Node[];
    const first = nodes[0].shape;
    const stacked = e.rows && first.kind === 'row';
    const bad = nodes.findIndex((x) => (stacked ? !(x.shape.kind === 'row' && x.shape.n === (first as { n: Dim }).n) : x.shape.kind !== 'scalar'));
    if (bad >= 0) {
      const message = stacked
        ? `The rows of a matrix literal must be row vectors of one length (${formatShape(first)}), but this one is ${formatShape(nodes[bad].shape)}.`
        : `The elements of a vector literal must be scalars, but this one is ${formatShape(nodes[bad].shape)}.`;
      this.report(e.elements[bad], message, 'shape-mismatch', 'error', stacked || e.rows ? undefined : 'Separate rows with `;` to stack row vectors into a matrix: [xᵀ; yᵀ].');
      return undefined;
    }
    return this.hover(e, this.b.raw('vec', nodes));
  }

  /** `𝟎[m, n]`, `𝟏[n]`, `𝐈[n]`, `𝐞₂[n]`: sizes are dimension names or literals, as in types. */
  private constant(e: ConstantExpr): Node | undefined {
    const dims: Dim[] = [];
    for (const d of e.dims) {
      if (d.kind === 'literal') dims.push(d.value);
      else if (this.hasDim(d.name)) dims.push(d.name);
      else {
        const close = this.suggestion(d.name, { dims: true });
        this.report(d, `Unknown dimension '${d.name}'.`, 'unknown-name', 'error', close ? `Did you mean '${close}'?` : `Declare it with \`dim ${d.name}\`.`, close ? [this.replace(`Change to '${close}'`, d, close)] : undefined);
        return undefined;
      }
    }
    const shape = dims.length === 2 ? matrixOf(dims[0], dims[1]) : vectorOf(dims[0]);
    if (e.constant === 'zeros' || e.constant === 'ones') return this.hover(e, this.b.constant(e.constant === 'ones' ? 1 : 0, shape));
    if (e.constant === 'identity') return this.hover(e, this.b.identity(dims[0]));
    const index = e.index!;
    if (typeof index !== 'number' || index < 1 || (typeof dims[0] === 'number' && index > dims[0])) {
      this.report(e, typeof index === 'number' ? `The unit vector ${this.src(e)} needs an index from 1 to its length.` : `${this.src(e)} has a symbolic index: it belongs to an index-form result and cannot be evaluated.`, 'bad-index', 'error', 'Write 𝐞₂[n] for the second unit vector of length n.');
      return undefined;
    }
    return this.hover(e, this.b.unit(index, dims[0]));
  }

  /** Mechanical fixes for a mis-shaped binary operation, matching the hints of the operator rules. */
  private binaryFixes(e: Extract<Expr, { kind: 'binary' }>, l: Node, r: Node): FixSpec[] {
    const lk = l.shape.kind;
    const rk = r.shape.kind;
    if (e.op === '*' && lk === 'vector' && rk === 'vector') {
      return [
        this.replace('Use the element-wise product ⊗', e.opSpan, '⊗'),
        this.replace('Use the dot product ·', e.opSpan, '·'),
        this.replace('Transpose the left side (xᵀ * y)', e.left, this.transposed(e.left)),
      ];
    }
    if (e.op === '/' && rk !== 'scalar') return [this.replace('Use element-wise division ⊘', e.opSpan, '⊘')];
    if (e.op === '^' && lk !== 'scalar' && sameShape(l.shape, r.shape)) return [this.replace('Use the element-wise power .^', e.opSpan, '.^')];
    if (e.op === '*' && lk !== 'scalar' && rk !== 'scalar') {
      const [lr, lc] = [rows(l.shape), cols(l.shape)];
      const [rr, rc] = [rows(r.shape), cols(r.shape)];
      if (lr === rr && lc !== rr) return [this.replace('Transpose the left side', e.left, this.transposed(e.left))];
      if (lc === rc && lc !== rr) return [this.replace('Transpose the right side', e.right, this.transposed(e.right))];
    }
    if ((e.op === '+' || e.op === '-' || e.op === 'hadamard' || e.op === 'ediv') && ((lk === 'vector' && rk === 'row') || (lk === 'row' && rk === 'vector'))) {
      return [this.replace('Transpose the right side', e.right, this.transposed(e.right))];
    }
    return [];
  }

  private name(e: Extract<Expr, { kind: 'name' }>): Node | undefined {
    const local = this.locals?.get(e.name);
    // A where-clause's cycles lie within its claim: not a look-up outside the statement.
    if (local) return this.cyclic.has(e.start) || !local.node ? undefined : this.hover(e, local.node);
    const v = this.variable(e.name);
    if (v) return this.hover(e, v.node);
    let d = this.definition(e.name);
    if (d) {
      if (this.isCyclic(e)) return undefined;
      if (!d.value) {
        this.analyseDefinition(d); // only if reached outside the dependency order
        d = this.definition(e.name)!;
      }
      const r = d.value!;
      if (r.kind === 'value') return this.hover(e, r.node);
      if (r.kind === 'tensor') this.report(e, `'${e.name}' is ${tensorPhrase(r.dims)}, which cannot be used inside an expression.`, 'tensor-in-expression');
      return undefined;
    }
    if (this.hasDim(e.name)) return this.hover(e, this.b.size(e.name));
    if (surfaceFunction(e.name)) {
      this.report(e, `'${e.name}' is a function: call it with arguments, e.g. ${surfaceFunction(e.name)!.signature}.`, 'function-as-value');
      return undefined;
    }
    const close = this.suggestion(e.name, { variables: true, definitions: true, dims: true });
    this.report(e, `Unknown name '${e.name}'.`, 'unknown-name', 'error', close ? `Did you mean '${close}'?` : `Declare it (\`${e.name}: scalar\`) or define it (\`${e.name} = …\`).`, close ? [this.replace(`Change to '${close}'`, e, close)] : undefined);
    return undefined;
  }

  private call(e: Extract<Expr, { kind: 'call' }>, args: (Node | undefined)[]): Node | undefined {
    const fn = surfaceFunction(e.callee);
    if (!fn) {
      if (this.variable(e.callee) || this.definition(e.callee)) {
        this.report(e.calleeSpan, `'${e.callee}' is not a function.`, 'not-a-function', 'error', `To multiply, write \`${e.callee} * (…)\`.`);
        return undefined;
      }
      const close = closestName(e.callee, callableNames());
      const hint = close ? `Did you mean '${close}'?` : 'The built-in functions are listed in docs/language.md (and offered by completion); to multiply, write a * (…).';
      this.report(e.calleeSpan, `Unknown function '${e.callee}'.`, 'unknown-function', 'error', hint, close ? [this.replace(`Change to '${close}'`, e.calleeSpan, close)] : undefined);
      return undefined;
    }
    const arities = fn.arities ?? [fn.arity];
    if (!arities.includes(args.length)) {
      const takes = `${arities.join(' or ')} argument${arities.length === 1 && fn.arity === 1 ? '' : 's'}`;
      this.report(e, `${e.callee} takes ${takes}, but ${args.length} ${args.length === 1 ? 'was' : 'were'} given.`, 'arity', 'error', `Write ${fn.signature}.`);
      return undefined;
    }
    if (args.some((x) => !x)) {
      if (fn.sizeArguments) this.hintSizeNames(e);
      return undefined;
    }
    const node = this.fromShapeError(e, fn.build(this.b, args as Node[]));
    return node && this.hover(e, node);
  }

  /** An unknown name given as a size (`ones(p, q)`) wants a dimension: say so in its diagnostic's hint. */
  private hintSizeNames(e: Extract<Expr, { kind: 'call' }>): void {
    const base = this.current?.stmt.start ?? 0;
    const diagnostics = this.current?.diagnostics ?? this.documentDiagnostics;
    for (const a of e.args) {
      if (a.kind !== 'name') continue;
      const d = diagnostics.find((x) => x.code === 'unknown-name' && x.span.start === a.start - base && x.span.end === a.end - base);
      if (d && !d.fixes) d.hint = `Sizes are dimensions: declare it with \`dim ${a.name}\` (or give a number, e.g. ${e.callee}(3)).`;
    }
  }

  // ---- derivative forms -------------------------------------------------------------------------------------

  private derivative(e: DerivativeExpr, of: Node | undefined, definition?: string): DerivativeCore | undefined {
    const wrtName = e.wrt.name;
    const v = this.variable(wrtName);
    if (!v) {
      const d = this.definition(wrtName);
      if (d) {
        const uses = d.value?.kind === 'value' ? [...d.value.node.vars].filter((x) => this.variable(x)) : [];
        this.report(e.wrt, `'${wrtName}' is a definition, not a variable: you can only differentiate with respect to a declared variable.`, 'wrt-not-variable', 'error', uses.length ? `Differentiate with respect to one of the variables it uses: ${uses.join(', ')}.` : undefined);
      } else if (this.hasDim(wrtName)) {
        this.report(e.wrt, `'${wrtName}' is a dimension, not a variable.`, 'wrt-not-variable');
      } else {
        const close = this.suggestion(wrtName, { variables: true });
        this.report(e.wrt, `Unknown variable '${wrtName}'.`, 'unknown-name', 'error', close ? `Did you mean '${close}'?` : `Declare it, e.g. \`${wrtName}: vector[n]\`.`, close ? [this.replace(`Change to '${close}'`, e.wrt, close)] : undefined);
      }
      return undefined;
    }
    if (!of) return undefined;
    const shapes = {} as DerivativeInfo['shapes'];
    for (const layout of LAYOUTS) {
      const r = derivativeShape(e.form, of.shape, v.shape, layout);
      if (r.error) {
        const hint = e.form === 'grad' ? `Use jacobian(f, ${wrtName}) or d(f)/d(${wrtName}) for a non-scalar f.` : e.form === 'hessian' && of.shape.kind === 'scalar' ? 'Hessians are available with respect to scalars and vectors.' : undefined;
        this.report(e, r.error, 'shape-mismatch', 'error', hint);
        return undefined;
      }
      shapes[layout] = { dims: r.dims, ...(r.shape ? { shape: r.shape } : {}) };
    }
    const active = shapes[this.layout];
    const info: DerivativeCore = {
      form: e.form,
      syntax: e.syntax,
      text: this.src(e),
      of,
      ofText: this.src(e.of),
      wrt: v,
      shapes,
      ...(definition ? { definition } : {}),
      ...(active.shape ? { node: this.b.raw('deriv', [of, v.node], `${e.form}|${this.layout}`) } : {}),
    };
    this.current!.derivatives.push({ expr: e, core: info });
    if (!of.vars.has(wrtName)) {
      this.report(e, `${info.ofText} does not depend on ${wrtName}, so this derivative is zero.`, 'zero-derivative', 'information');
    }
    return info;
  }

  // ---- claims ---------------------------------------------------------------------------------------------

  private readonly buildClaim = (o: Outcome): void => this.claim(o.stmt as Extract<Statement, { kind: 'claim' }>, o);

  private claim(s: Extract<Statement, { kind: 'claim' }>, outcome: Outcome): void {
    if (s.where) this.bindWhereClause(s.where);
    const formula = this.buildExpr(s.right);
    this.locals = undefined;
    let left: DerivativeCore | undefined;
    outcome.claim = formula ? { formula } : {};
    if (s.left.kind === 'derivative') {
      // A claim may be about a tensor-shaped derivative; that is reported below, not as "inside an expression".
      this.buildExpr(s.left, '');
      left = outcome.derivatives.find((f) => f.expr === s.left)?.core;
      if (left) outcome.claim.left = s.left;
    } else if (s.left.kind === 'name' && this.definition(s.left.name)?.stmt.expr.kind === 'derivative') {
      const d = this.defs.get(s.left.name)!;
      left = d.derivative;
      if (left) outcome.claim.leftDefinition = s.left.name;
    } else {
      this.buildExpr(s.left);
      this.report(s.left, "A claim's left side must be a derivative, like d(f)/d(x) or grad(f, x).", 'claim-not-derivative', 'error', 'Write `check d(f)/d(x) = <your formula>`.');
    }
    if (!left || !formula) return;
    const active = left.shapes[this.layout];
    if (!active.shape) {
      this.report(s.left, `${left.text} is ${tensorPhrase(active.dims)}; claims can only be checked for derivatives that are at most matrices.`, 'claim-tensor');
      return;
    }
    if (sameAsMatrix(formula.shape, active.shape)) return;
    const hints: string[] = [];
    if (sameAsMatrix(transposeShape(formula.shape), active.shape)) hints.push('transpose it');
    const other = left.shapes[this.layout === 'numerator' ? 'denominator' : 'numerator'].shape;
    if (other && sameAsMatrix(formula.shape, other)) hints.push(`use the ${this.layout === 'numerator' ? 'denominator' : 'numerator'} layout`);
    if (left.form === 'jacobian' && left.of.shape.kind === 'scalar' && sameAsMatrix(formula.shape, left.wrt.shape)) hints.push(`grad(${left.ofText}, ${left.wrt.name})`);
    const shown = (sh: Shape) => (sh.kind === 'scalar' || sh.kind === 'vector' || sh.kind === 'matrix' ? formatShape(sh) : `${formatShape(sh)} (${formatAsMatrix(sh)})`);
    const fixes: FixSpec[] = [];
    if (hints.includes('transpose it')) fixes.push(this.replace('Transpose the claimed formula', s.right, this.transposed(s.right)));
    if (hints.some((h) => h.startsWith('grad('))) fixes.push(this.replace(`Claim grad(${left.ofText}, ${left.wrt.name}) instead`, s.left, `grad(${left.ofText}, ${left.wrt.name})`));
    this.report(
      s.right,
      // A gradient's and a Hessian's shapes are the same in both layouts; a Jacobian's is the layout's.
      `The claim is ${shown(formula.shape)} but ${left.text} is ${shown(active.shape)}${left.form === 'jacobian' ? ` in ${this.layout} layout` : ''}.`,
      'claim-shape',
      'error',
      hints.length ? `${capitalise(hints.join(', or '))}.` : undefined,
      fixes,
    );
  }

  /**
   * A where-clause's definitions, built in dependency order (they may come in any order). Their names must be
   * new: a local name that hid a variable or definition would make the claim mean something else than it reads.
   */
  private bindWhereClause(where: LocalDefinition[]): void {
    const locals = new Map<string, { def: LocalDefinition; node?: Node }>();
    for (const def of where) {
      const { name } = def.name;
      if (this.reservedName(name, def.name)) continue;
      if (locals.has(name)) {
        this.report(def.name, `'${name}' is defined twice in this where-clause.`, 'duplicate-name');
        continue;
      }
      const taken = this.variable(name) ? 'a variable' : this.definition(name) ? 'a definition' : this.hasDim(name) ? 'a dimension' : undefined;
      if (taken) {
        this.report(def.name, `'${name}' is ${taken} of the document: the names of a where-clause must be new.`, 'duplicate-name', 'error', 'Rename it here and where the formula uses it.');
        continue;
      }
      locals.set(name, { def });
    }
    this.locals = locals;
    const { order, cycles } = completed(dependencyOrder(locals.keys(), (n) => locals.get(n)?.def.refs));
    for (const c of cycles) this.reportCycle(locals.get(c.owner)!.def.refs[c.refIndex], c.message);
    for (const name of order) {
      const local = locals.get(name)!;
      local.node = this.buildExpr(local.def.expr);
    }
  }

  // ---- patching: an edit that keeps the document's names and dependency order ---------------------------------

  /**
   * The analysis after an edit that keeps the document's names and dependency order — its lines, before and
   * after, hold only blank lines, parse problems, claims and definitions, each definition keeping its name and
   * the names it refers to (see planPatch) — made from `prev` (consumed) without visiting the rest of the
   * document. A full analysis would then differ only in the outcomes of the edited lines' statements and of
   * those that look up a definition whose value changed, and in where the lines below the edit now are: these
   * outcomes are made, in dependency order, the previous lists are patched where they came from them, and the
   * ranges below the edit move. Undefined, having changed nothing, for any other edit (the document is then
   * analysed statement by statement).
   */
  *patchSteps(prev: Analysis): Steps<Analysis | undefined> {
    const st = this.previous;
    const edit = this.parsed.edited;
    const before = st?.definitionOrder;
    if (!st || !edit || !before || before.cycles.length) return undefined;
    const plan = planPatch(edit, (name) => st.definitions.get(name)?.stmt);
    if (!plan || !patchKeepsTheRest(st, prev, edit, plan)) return undefined;
    const at = statementIndex(this.parsed, edit.first);
    const statements = statementsAfter(st.statements, at, plan);
    const index = st.patchIndex ?? completed(patchIndexSteps(st));
    const renamed = renamesDefinitions(plan);
    const declares = [...plan.removed, ...plan.added].some((s) => s.kind === 'declare');
    // Names defined and declared in one edit (a paste, say) may clash with each other: the full path sorts them out.
    if (renamed && declares) return undefined;
    if (plan.rereferenced.length && renamed) return undefined;
    // Definitions retyped to refer to others keep the order while each still comes after what it reads.
    const retyped = plan.rereferenced.length > 0 && !orderHoldsAfterRetyping(st, index, plan);
    const reordered = renamed ? orderAfterRenaming(st, plan, statements, at) : retyped ? recomputedOrder(st.definitionOrder!, retypedDefinitions(st, plan), keptRefs(st)) : undefined;
    if ((renamed || retyped) && !reordered) return undefined;
    const declared = declares ? this.variablesAfterEdit(st, edit, plan, statements) : undefined;
    if (declared === null) return undefined;
    this.adopt(st, prev, plan, statements, reordered?.order);
    if (declared) this.adoptVariables(declared);
    this.patchIndex = index;
    if (reordered) {
      index.position = reordered.placesAfter(index.position);
      reordered.countReferences();
    }
    const { remade, dropped } = yield* this.reanalyseReachedSteps(st, index, plan);
    return this.patchedResult(prev, index, edit, plan, remade, dropped, declared, reordered?.run);
  }

  /**
   * The variables after an edit of declaration lines (see variablesAfter); null when the patch cannot follow it:
   * a message quotes a line (a duplicate's would change), or the edit does more than change variables.
   */
  private variablesAfterEdit(st: AnalyzerState, edit: EditedLines, plan: PatchPlan, statements: readonly Statement[]): VariablesAfterEdit | null {
    if (st.linesQuoted) return null;
    const scope = {
      before: st.variables,
      dims: st.dims,
      taken: (name: string) => builtInName(name) || st.definitions.has(name),
      first: edit.first,
      oldEnd: edit.first + edit.removed.length,
      variable: (n: NameRef, shape: Shape) => this.variableInfo(n, shape),
    };
    return variablesAfter(plan.removed, plan.added, statements, scope) ?? null;
  }

  /** Takes the variables after a declaration edit: the changed names' look-ups are replayed, and the list of names. */
  private adoptVariables({ variables, changed, renamed }: VariablesAfterEdit): void {
    this.variables = variables;
    for (const name of changed) {
      this.changes!.variables.add(name);
      this.changes!.bits |= nameBit(name);
    }
    if (renamed) {
      this.nameList = undefined;
      this.changes!.names = true;
      this.changes!.bits |= NAMES_BIT;
    }
  }

  /**
   * Takes over the previous analysis's names, order, outcomes and statements, with the edited lines' statements
   * replaced by the new ones. The maps are taken as they are, not copied (copying them would cost most of a
   * patch): the previous analysis is consumed (see reanalyze), and its look-ups answer for the new text from now on.
   * `order`: the dependency order after an edit that added, removed or retyped definitions, when it changed.
   */
  private adopt(st: AnalyzerState, prev: Analysis, plan: PatchPlan, statements: Statement[], order?: DefinitionOrder): void {
    this.layout = st.layout;
    if (prev.layoutDirective) this.directive = prev.layoutDirective;
    this.variables = st.variables as Map<string, VariableInfo>;
    this.dims = st.dims as Map<string, DimInfo>;
    this.defs = st.definitions as Map<string, DefinitionEntry>;
    this.nameList = st.names;
    this.linesQuoted = st.linesQuoted;
    this.outcomes = st.outcomes;
    this.reusable = st.outcomes;
    this.derivativeInfos = st.derivativeInfos;
    // Every record reads the new lines: those of the lines the edit did not touch answer as before.
    this.doc = st.doc;
    this.doc.lines = this.lines;
    this.doc.parsed = this.parsed;
    this.changes = { variables: new Set(), dims: new Set(), definitions: new Set(), names: false, cycles: false, bits: 0 };
    this.statements = statements;
    if (renamesDefinitions(plan)) {
      // Names came or went: the added definitions with new entries (and records, which read the adopted lines),
      // every name's look-ups and the list of all names to be replayed. (In place: the map's order is not the
      // definitions' order after this; the result lists them in order.)
      for (const d of plan.removedDefinitions) this.defs.delete(d.name.name);
      for (const d of plan.addedDefinitions) this.defs.set(d.name.name, this.entry(d));
      this.nameList = undefined;
      this.changes.names = true;
      this.changes.bits |= NAMES_BIT;
      for (const d of [...plan.addedDefinitions, ...plan.removedDefinitions]) this.changedDefinition(d.name.name);
    }
    if (order) {
      // Names came or went, or definitions now refer to ones ordered after them: the order patched or made again.
      this.definitionOrderMemo = order;
      return;
    }
    countRereferences(st.definitionOrder!, plan);
    this.definitionOrderMemo = { ...st.definitionOrder!, statements: retypedDefinitions(st, plan) };
  }

  /**
   * Analyses the edited lines' statements and, whenever a definition's value changes, the statements that look
   * it up: definitions by their place in the dependency order (a reader comes after what it reads), then claims.
   * The outcomes of claims the edit removed are dropped.
   */
  private *reanalyseReachedSteps(st: AnalyzerState, index: PatchIndex, plan: PatchPlan): Steps<{ remade: Remade[]; dropped: Outcome[] }> {
    const order = this.definitionOrderMemo!.order;
    const pending = new Uint8Array(order.length);
    let last = -1;
    const reach = (name: string) => {
      const p = index.position.get(name)!;
      pending[p] = 1;
      last = Math.max(last, p);
    };
    const rewritten = new Map<string, Define>();
    for (const [, now] of plan.definitions) {
      const d = now as Define;
      rewritten.set(d.name.name, d);
      reach(d.name.name);
    }
    /** Claims to analyse, each with the statement it replaces (none for a new claim). */
    const claims = new Map<Statement, Statement | undefined>();
    const rewrittenClaims = new Map<Statement, Statement>();
    for (const [old, now] of plan.claims) {
      claims.set(now, old);
      rewrittenClaims.set(old, now);
    }
    for (const now of plan.addedClaims) claims.set(now, undefined);
    // Dropped first, so that no reader of a changed value leads back to them.
    const dropped: Outcome[] = [];
    for (const old of [...plan.removedClaims, ...plan.removedDefinitions]) {
      const o = st.outcomes.get(old);
      if (!o) continue;
      removeReader(index, o);
      this.outcomes.delete(old);
      dropped.push(o);
    }
    /** A statement whose look-ups may now answer otherwise: a definition is reached, a claim analysed. */
    const reread = (reader: Statement) => {
      if (reader.kind === 'define') reach(reader.name.name);
      else {
        const now = rewrittenClaims.get(reader) ?? reader;
        if (!claims.has(now)) claims.set(now, reader);
      }
    };
    for (const d of plan.addedDefinitions) reach(d.name.name);
    for (const name of this.changes!.variables) for (const reader of index.readers.get(name) ?? []) reread(reader);
    if (this.changes!.names) {
      for (const d of [...plan.addedDefinitions, ...plan.removedDefinitions]) for (const reader of index.readers.get(d.name.name) ?? []) reread(reader);
      for (const reader of index.nameListReaders) reread(reader);
    }
    const remade: Remade[] = [];
    /** The outcome of `stmt` (replacing `oldStmt`) when it was made anew; undefined when the old one still holds. */
    const remake = (oldStmt: Statement | undefined, stmt: Statement, build: (o: Outcome) => void, oldInfo?: DefinitionRecord): Outcome | undefined => {
      const old = oldStmt && st.outcomes.get(oldStmt);
      if (oldStmt && stmt !== oldStmt) this.outcomes.delete(oldStmt);
      const outcome = this.analyseStatement(stmt, build);
      if (outcome === old) return undefined;
      if (old) removeReader(index, old);
      addReader(index, outcome);
      remade.push({ outcome, ...(old ? { old } : {}), ...(oldInfo ? { oldInfo } : {}) });
      return outcome;
    };
    let visited = 0;
    for (let p = pending.indexOf(1); p >= 0 && p <= last; p++) {
      if (!pending[p]) continue;
      const name = order[p];
      const was = this.defs.get(name)!;
      const stmt = rewritten.get(name) ?? was.stmt;
      // (A definition never looks itself up without a cycle, so its entry can wait until it is analysed.)
      if (++visited % STEP === 0) yield;
      const outcome = remake(was.stmt, stmt, this.buildDefinition, was.info);
      if (!outcome) continue;
      // A definition made anew gets a new entry and record, which completeDefinition fills in.
      const d: DefinitionEntry = { stmt, info: new DefinitionRecord(stmt, this.doc), value: outcome.value, derivative: outcome.derivative };
      this.defs.set(name, d);
      if (was.stmt.expr.kind === stmt.expr.kind && sameResolved(was.value, d.value) && sameDerivative(was.derivative, d.derivative)) continue;
      this.changedDefinition(name);
      for (const reader of index.readers.get(name) ?? []) reread(reader);
    }
    for (const [stmt, oldStmt] of claims) {
      if (++visited % STEP === 0) yield;
      remake(oldStmt, stmt, this.buildClaim);
    }
    return { remade, dropped };
  }

  /**
   * The previous analysis's lists with what the remade outcomes changed in them, the edited lines' claims and
   * parse problems in, those of the lines it replaced out, and what lies below the edit moved to its new lines.
   */
  private patchedResult(prev: Analysis, index: PatchIndex, edit: EditedLines, plan: PatchPlan, remade: readonly Remade[], dropped: readonly Outcome[], declared?: VariablesAfterEdit, run?: RegisteredRun): Analysis {
    // The derivative forms of the outcomes dropped or remade go; those of the remade ones come, in line order.
    const gone = new Set<DerivativeInfo>();
    const made: DerivativeInfo[] = [];
    const forget = (o: Outcome | undefined) => {
      for (const f of o?.derivatives ?? []) {
        gone.add(this.derivativeInfos.get(f.expr)!);
        this.derivativeInfos.delete(f.expr);
      }
    };
    dropped.forEach(forget);
    for (const { outcome, old } of remade) {
      forget(old);
      for (const { expr, core } of outcome.derivatives) {
        const info = this.derivativeInfo(expr, core);
        this.derivativeInfos.set(expr, info);
        made.push(info);
      }
    }
    const records = new Map<DefinitionInfo, DefinitionInfo>();
    for (const { outcome, oldInfo } of remade) {
      if (outcome.stmt.kind !== 'define') continue;
      const d = this.defs.get(outcome.stmt.name.name)!;
      this.completeDefinition(d);
      records.set(oldInfo!, d.info);
    }
    // The lines of the edit (from `first`, before: to `oldEnd`, after: to `newEnd`), and those below it, moved.
    const { first } = edit;
    const oldEnd = first + edit.removed.length;
    const newEnd = first + edit.added.length;
    const lineOf = (c: ClaimInfo) => c.range.start.line;
    const [lo, hi] = [firstAtOrAfter(prev.claims, first, lineOf), firstAtOrAfter(prev.claims, oldEnd, lineOf)];
    const below = prev.claims.slice(hi);
    const delta = plan.lineDelta;
    if (delta) {
      for (const c of below) for (const r of [c.range, c.keywordRange, c.formulaRange]) moveRange(r, oldEnd, delta);
      for (const f of prev.derivatives) moveRange(f.range, oldEnd, delta);
      for (const v of prev.variables) moveRange(v.range, oldEnd, delta);
      for (const d of prev.dims) moveRange(d.range, oldEnd, delta);
    }
    // (After the move: these ranges are the new lines' already.)
    for (const [v, range] of declared?.moved ?? []) v.range = range;
    const edited = plan.added.filter((s): s is Extract<Statement, { kind: 'claim' }> => s.kind === 'claim').map((s) => this.claimInfo(s));
    const claims = [...prev.claims.slice(0, lo), ...edited, ...below];
    const completed = new Set([...records.values()].map((r) => r.name));
    const refresh = new Set<Statement>(remade.filter((r) => r.outcome.stmt.kind === 'claim').map((r) => r.outcome.stmt));
    for (const name of completed) for (const s of index.readers.get(name) ?? []) if (s.kind === 'claim' && this.outcomes.get(s)?.claim?.leftDefinition === name) refresh.add(s);
    for (const s of refresh) {
      const line = this.lines.positionAt(this.parsed.settle(s).start).line;
      if (line < first || line >= newEnd) claims[firstAtOrAfter(claims, line, lineOf)] = this.claimInfo(s as Extract<Statement, { kind: 'claim' }>);
    }
    return {
      ...this.resultBase(),
      diagnostics: this.patchedDiagnostics(prev, remade, plan, first, oldEnd),
      dims: prev.dims,
      variables: declared ? [...this.variables.values()] : prev.variables,
      definitions: this.definitionsAfter(prev.definitions, records, run),
      derivatives: mergedByLine(gone.size ? prev.derivatives.filter((f) => !gone.has(f)) : prev.derivatives, byLine(made)),
      claims,
    };
  }

  /**
   * The definitions' records in the order they were registered: the previous ones, those remade replaced, and
   * when definitions came or went (`run`, in the order of registration), the edited lines' ones in their place.
   */
  private definitionsAfter(prev: readonly DefinitionInfo[], records: ReadonlyMap<DefinitionInfo, DefinitionInfo>, run?: RegisteredRun): DefinitionInfo[] {
    let out: DefinitionInfo[];
    if (records.size > 16) out = prev.map((r) => records.get(r) ?? r);
    else {
      // A few records, each found by a scan for its object: quicker than a look-up per definition.
      out = prev.slice();
      for (const [was, now] of records) {
        const i = out.indexOf(was);
        if (i >= 0) out[i] = now;
      }
    }
    if (run) out.splice(run.head, run.removed, ...run.added.map((name) => this.defs.get(name)!.info));
    return out;
  }

  /**
   * The previous diagnostics without those of the edited lines (first…oldEnd before the edit) and of the remade
   * outcomes, those below the edit moved to their new lines, and the new lines' parse problems and the remade
   * outcomes' diagnostics added.
   */
  private patchedDiagnostics(prev: Analysis, remade: readonly Remade[], plan: PatchPlan, first: number, oldEnd: number): Diagnostic[] {
    const kept: Diagnostic[] = [];
    for (const d of prev.diagnostics) {
      const line = d.range.start.line;
      if (line >= first && line < oldEnd) continue;
      if (plan.lineDelta && line >= oldEnd) moveDiagnostic(d, oldEnd, plan.lineDelta);
      kept.push(d);
    }
    const lines = new Set<number>();
    const added: Diagnostic[] = [];
    for (const p of plan.problems) this.report(p.span, p.message, p.code, 'error', p.hint);
    for (const d of this.documentDiagnostics) added.push(this.diagnostic(d, 0));
    for (const { outcome } of remade) {
      lines.add(this.lines.positionAt(outcome.stmt.start).line);
      for (const d of outcome.diagnostics) added.push(this.diagnostic(d, outcome.stmt.start));
    }
    return [...(lines.size ? kept.filter((d) => !lines.has(d.range.start.line)) : kept), ...added].sort(byStart);
  }

  // ---- hovers (answered from the annotated syntax tree: nothing is stored per subexpression) ---------------

  hoverAt(offset: number): (HoverEntry & { text: string }) | undefined {
    if (offset < 0 || offset > this.text.length) return undefined;
    const s = this.parsed.statementAt(this.lines.positionAt(offset).line);
    if (!s || offset < s.start || offset >= Math.max(s.end, s.start + 1)) return undefined;
    const h = this.hoverIn(s, offset);
    return h && { ...h, text: h.text ?? this.text.slice(h.start, h.end) };
  }

  private hoverIn(s: Statement, offset: number): HoverEntry | undefined {
    const nodes = this.outcomes.get(s)?.nodes ?? NO_NODES;
    const at = (sp: Span) => sp.start <= offset && offset < Math.max(sp.end, sp.start + 1);
    switch (s.kind) {
      case 'dim':
        return undefined;
      case 'declare': {
        const n = s.names.find((x) => at(x));
        const v = n && this.variables.get(n.name);
        return v && this.lines.offsetAt(v.range.start) === n.start ? { start: n.start, end: n.end, text: n.name, shape: v.shape } : undefined;
      }
      case 'define': {
        const d = this.defs.get(s.name.name);
        if (at(s.name)) {
          if (!d || d.stmt !== s) return undefined;
          const info = d.info.derivative;
          const base = { start: s.name.start, end: s.name.end, text: s.name.name };
          if (d.info.shape) return { ...base, shape: d.info.shape, ...(info ? { derivative: info } : {}) };
          return info ? { ...base, derivative: info } : undefined;
        }
        return at(s.expr) ? this.hoverInExpr(s.expr, offset, nodes) : undefined;
      }
      case 'claim': {
        if (at(s.left)) {
          if (s.left.kind === 'name') {
            const info = this.defs.get(s.left.name)?.info.derivative;
            if (info) return { start: s.left.start, end: s.left.end, text: s.left.name, derivative: info, ...(info.node ? { shape: info.node.shape } : {}) };
          }
          return this.hoverInExpr(s.left, offset, nodes);
        }
        if (at(s.right)) return this.hoverInExpr(s.right, offset, nodes);
        const local = s.where?.find((w) => at(w.name) || at(w.expr));
        if (!local) return undefined;
        if (!at(local.name)) return this.hoverInExpr(local.expr, offset, nodes);
        const node = nodes.get(local.expr);
        return node && { start: local.name.start, end: local.name.end, text: local.name.name, shape: node.shape };
      }
    }
  }

  /** The innermost analysed node of `root` containing the offset. */
  private hoverInExpr(root: Expr, offset: number, nodes: ExprNodes): HoverEntry | undefined {
    const at = (sp: Span) => sp.start <= offset && offset < Math.max(sp.end, sp.start + 1);
    let best: HoverEntry | undefined;
    for (let e: Expr | undefined = root; e; e = children(e).find((c) => at(c))) {
      if (e.kind === 'derivative') {
        const info = this.derivativeInfos.get(e);
        if (at(e.wrt)) {
          const v = this.variables.get(e.wrt.name);
          return v ? { start: e.wrt.start, end: e.wrt.end, text: e.wrt.name, shape: v.shape } : best;
        }
        if (info) best = { start: e.start, end: e.end, text: info.text, derivative: info, ...(info.node ? { shape: info.node.shape } : {}) };
      } else {
        const node = nodes.get(e);
        if (node) best = { start: e.start, end: e.end, shape: node.shape, ...this.noteFor(e) };
      }
    }
    return best;
  }

  private noteFor(e: Expr): { note?: string } {
    if (e.kind !== 'name' || this.variables.has(e.name)) return {};
    const d = this.defs.get(e.name);
    if (d) return { note: `defined as ${d.info.exprText}` };
    return this.dims.has(e.name) ? { note: 'a dimension, used as its size' } : {};
  }
}

function byStart(x: Diagnostic, y: Diagnostic): number {
  return x.range.start.line - y.range.start.line || x.range.start.character - y.range.start.character;
}

/** An outcome a patch made anew, with the one it replaces (and, for a rewritten definition, its record before). */
interface Remade {
  outcome: Outcome;
  old?: Outcome;
  oldInfo?: DefinitionRecord;
}

/**
 * Whether the parts of the previous analysis a patch keeps still hold after the edit `plan` follows: no
 * message quotes a line number that moves (the duplicate-name ones do), and the layout directive, when the edit
 * is above it, neither moves nor gets a definition or claim added above it or removed (its warning says
 * whether definitions or claims come first).
 */
function patchKeepsTheRest(st: AnalyzerState, prev: Analysis, edit: EditedLines, plan: PatchPlan): boolean {
  const moves = plan.lineDelta !== 0;
  // A message quotes the line of a name's first definition or declaration: those of the edited lines must stay.
  if (st.linesQuoted && (moves || namingLines(edit.removed) !== namingLines(edit.added))) return false;
  const directive = prev.layoutDirective;
  const added = plan.addedClaims.length + plan.addedDefinitions.length;
  const removed = plan.removedClaims.length + plan.removedDefinitions.length;
  return !directive || directive.range.start.line < edit.first || (!moves && !added && !removed);
}

/** What each of some lines defines or declares, line by line. */
function namingLines(lines: EditedLines['added']): string {
  return lines.map(({ statement: s }) => (s?.kind === 'define' ? s.name.name : s?.kind === 'declare' ? s.names.map((n) => n.name).join(',') : '')).join('\n');
}

/**
 * Derivative forms in line order (a stable sort: the forms of one statement, which has a line of its own, keep
 * the order its analysis found them in). Full and patched analyses list them so.
 */
function byLine(forms: DerivativeInfo[]): DerivativeInfo[] {
  return forms.sort((a, b) => a.range.start.line - b.range.start.line);
}

/** Two lists in line order as one, in line order (no line is in both: each is one statement's). */
function mergedByLine(a: readonly DerivativeInfo[], b: readonly DerivativeInfo[]): DerivativeInfo[] {
  if (!b.length) return a.slice();
  const out: DerivativeInfo[] = [];
  let j = 0;
  for (const f of a) {
    while (j < b.length && b[j].range.start.line < f.range.start.line) out.push(b[j++]);
    out.push(f);
  }
  while (j < b.length) out.push(b[j++]);
  return out;
}

/** How many statements the lines before `line` hold. */
function statementIndex(parsed: ParsedText, line: number): number {
  let at = 0;
  for (let l = 0; l < line; l++) if (parsed.entries[l].statement) at++;
  return at;
}

/** The statements after the edit: the edited lines' (from statement `at` on) replaced by the new lines'. */
function statementsAfter(before: readonly Statement[], at: number, plan: PatchPlan): Statement[] {
  if (plan.removed.some((s, k) => before[at + k] !== s)) throw new Error('The edited statements are not where the previous analysis has them.');
  const out = before.slice();
  out.splice(at, plan.removed.length, ...plan.added);
  return out;
}

/** What each definition of the analysis kept in `st` refers to (undefined for other names). */
function keptRefs(st: AnalyzerState): (name: string) => readonly NameRef[] | undefined {
  return (name) => st.definitions.get(name)?.stmt.refs;
}

/**
 * The dependency order after an edit that adds or removes definitions (see planPatch), when a patch can follow
 * it: no message quotes a line (a duplicate's would change), the added names are new (not variables, dimensions,
 * built-in or reserved names, nor defined elsewhere), and the order has no cycle: patched where it can be (see
 * patchedOrder), else computed again. Undefined otherwise. (The definitions and claims that look an added or removed name up are analysed again: the list of
 * names changed.)
 */
function orderAfterRenaming(st: AnalyzerState, plan: PatchPlan, statements: readonly Statement[], at: number): PatchedOrder | undefined {
  if (st.linesQuoted) return undefined;
  const gone = new Set(plan.removedDefinitions.map((d) => d.name.name));
  for (const { name: { name } } of plan.addedDefinitions) {
    if (builtInName(name) || st.variables.has(name) || st.dims.has(name) || (st.definitions.has(name) && !gone.has(name))) return undefined;
  }
  const added = new Set(plan.addedDefinitions.map((d) => d.name.name));
  const definesNow = (name: string) => added.has(name) || (st.definitions.has(name) && !gone.has(name));
  const now = registeredAfter(st, plan, statements, at);
  return patchedOrder(st.definitionOrder!, now, definesNow, (name) => keptRefs(st)(name) ?? []) ?? recomputedOrder(st.definitionOrder!, now, keptRefs(st));
}

/**
 * Whether the dependency order still holds after definitions were retyped to refer to other names (see
 * PatchPlan.rereferenced): each definition they now refer to comes before them in it (so there is no cycle
 * either). The patch then keeps the order as it is: any order in which every definition comes after those it
 * refers to gives the same analysis. A reference to a later definition, or to itself, needs the order computed
 * again.
 */
function orderHoldsAfterRetyping(st: AnalyzerState, { position }: PatchIndex, plan: PatchPlan): boolean {
  for (const [, now] of plan.rereferenced) {
    const d = now as Define;
    const own = position.get(d.name.name)!;
    for (const r of d.refs) if (st.definitions.has(r.name) && !(position.get(r.name)! < own)) return false;
  }
  return true;
}

/** The registered definitions after an edit that keeps their names: the edited lines' ones in their place. */
function retypedDefinitions(st: AnalyzerState, plan: PatchPlan): Definitions {
  const definitions = st.definitionOrder!.statements.slice();
  for (const [old, now] of plan.definitions) definitions[definitions.indexOf(old as Define)] = now as Define;
  return definitions;
}

/** Brings the count of references to each name that an order keeps for patching (see patchingAids) up to date. */
function countRereferences(order: DefinitionOrder, plan: PatchPlan): void {
  if (!order.aids) return;
  recount(order.aids.referrers, plan.rereferenced.map(([old]) => old as Define), plan.rereferenced.map(([, now]) => now as Define));
}

/**
 * The definitions registered after the edit (in line order, duplicates left out): the previous ones with those of
 * the edited lines replaced by the new lines' (which begin at statement `at` of `statements`).
 */
function registeredAfter(st: AnalyzerState, plan: PatchPlan, statements: readonly Statement[], at: number): Definitions {
  const registered = (s: Statement): s is Define => s.kind === 'define' && st.definitions.get(s.name.name)?.stmt === s;
  const before = st.definitionOrder!.statements;
  const kept = new Set<Statement>([...plan.definitions.map(([, now]) => now), ...plan.addedDefinitions]);
  const removed = plan.removed.filter(registered);
  const added = plan.added.filter((s): s is Define => s.kind === 'define' && kept.has(s));
  // Where the edited lines' definitions are in the list: where the first of them was, else before the next one.
  let next: Statement | undefined = removed[0];
  for (let k = at + plan.added.length; !next && k < statements.length; k++) if (registered(statements[k])) next = statements[k];
  const i = next ? before.indexOf(next as Define) : before.length;
  return [...before.slice(0, i), ...added, ...before.slice(i + removed.length)];
}

const NO_NODES = new ExprNodes();

/** "a third-order tensor (m×p×q)". */
export function tensorPhrase(dims: Dim[]): string {
  const order = ['scalar', 'first', 'second', 'third', 'fourth'][dims.length] ?? `${dims.length}th`;
  return `a ${order}-order tensor (${formatJacobianDims(dims)})`;
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/**
 * A derivative form built outside the document's text (for `mcalc derive --of NAME --wrt VAR`): the named
 * definition differentiated w.r.t. the named variable. Returns an error message when that is not possible.
 */
export function derivativeOf(a: Analysis, ofName: string, wrtName: string, form: DerivativeForm = 'jacobian'): DerivativeInfo | string {
  const def = a.definition(ofName);
  if (!def) return notADefinition(a, ofName)!;
  if (!def.node) return def.derivative ? `'${ofName}' is itself a derivative (${def.exprText}) of order ≥ 3 and cannot be differentiated again.` : `'${ofName}' has errors; fix them first.`;
  const wrt = a.variable(wrtName);
  if (!wrt) return notAVariable(a, wrtName)!;
  const shapes = {} as DerivativeInfo['shapes'];
  for (const layout of LAYOUTS) {
    const r = derivativeShape(form, def.node.shape, wrt.shape, layout);
    if (r.error) return r.error;
    shapes[layout] = { dims: r.dims, ...(r.shape ? { shape: r.shape } : {}) };
  }
  const text = form === 'jacobian' ? `d(${ofName})/d(${wrtName})` : `${form}(${ofName}, ${wrtName})`;
  return { form, syntax: form === 'jacobian' ? 'd' : 'call', text, range: def.range, of: def.node, ofText: ofName, wrt, shapes };
}

/** The innermost hover entry at an offset (with its source text), or undefined. */
export function hoverAt(a: Analysis, offset: number): (HoverEntry & { text: string }) | undefined {
  return a.hoverAt(offset);
}

/**
 * What a later patch of `a` relies on, checked (for the tests: a patch that kept a wrong order or count could still
 * give the right analysis, and a wrong one only edits later): the kept dependency order holds every registered
 * definition once, after those it refers to; the references it counts are those its definitions make; the places
 * the patch index has for them are theirs. A description of the first thing found wrong, or undefined.
 */
export function keptStateProblem(a: Analysis): string | undefined {
  const st = states.get(a);
  const kept = st?.definitionOrder;
  if (!st || !kept) return undefined;
  const problem = orderProblem(kept, st.definitions);
  if (problem || !st.patchIndex) return problem;
  for (const [i, name] of kept.order.entries()) if (st.patchIndex.position.get(name) !== i) return `the patch index places ${name} at ${st.patchIndex.position.get(name)}, the order at ${i}`;
  return undefined;
}
