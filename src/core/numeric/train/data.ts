// Training data: a CSV file with a header, mapped onto the document's data variables, or synthetic rows.
//
// Column mapping (the header names the columns; extra columns are ignored, and named in a warning):
//   one value per row  (per-sample scalar y, or batch vector y: vector[N])   ↔ column `y`
//   k values per row   (per-sample x: vector[n], or batch X: matrix[N, n])   ↔ `x1…xn`, `x_1…x_n` or `x[1]…x[n]`
// A symbolic length n is read off the header (x1, x2, … with no gaps) unless it is already bound, and a bound
// size must agree with the header: columns x1…x3 with n = 2 from the initial values stop the run.
// Rows stream into typed arrays as they are read (no array of rows, no copy of the file).
// Every problem names the file, line and column (1-based, as editors and compilers print them).

import type { Dim } from '../../shape.ts';
import type { Tensor } from '../tensor.ts';
import { type CsvRecord, CsvScanner, CsvSyntaxError, streamFile } from './csv.ts';

/** A problem with the training input (exit code 1): `file:line:col: message`. */
export class DataError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly column: number,
    readonly detail: string,
  ) {
    super(`${file}:${line}:${column}: ${detail}`);
  }
}

/** One data variable as stored: `width` numbers per row. */
export interface ColumnSpec {
  /** Variable name. */
  name: string;
  /** Number of values per row: 1 for per-row scalars, else the vector length (a literal or a dimension name). */
  width: Dim;
  /** Whether the variable takes several columns (name1…namek) even when the width is 1. */
  multi: boolean;
}

/** Rows × width values per data variable (row-major: row i is sample i). */
export interface Dataset {
  rows: number;
  values: Map<string, Tensor>;
}

/** CSV files larger than this are refused (1,000,000 rows of 100 columns fit). */
export const MAX_CSV_BYTES = 1024 * 1024 * 1024;

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Column names of the k-th (1-based) element of a vector variable, in the accepted styles. */
function elementNames(name: string, k: number): string[] {
  return [`${name}${k}`, `${name}_${k}`, `${name}[${k}]`];
}

/** Which k appear as element columns of `name` in naming style `style` (case-insensitive, like `find`). */
function elementIndices(names: readonly string[], name: string, style: number): number[] {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const pattern = new RegExp(`^${escaped}${['', '_', '\\['][style]}(\\d+)${style === 2 ? '\\]' : ''}$`, 'i');
  return names.flatMap((n) => {
    const m = pattern.exec(n);
    return m ? [Number(m[1])] : [];
  });
}

export interface CsvReadResult {
  dataset: Dataset;
  /** Lengths read off the header for dimensions that were not bound. */
  inferred: Map<string, number>;
  /** Header columns that no data variable reads (extra columns are allowed, but said). */
  unused: string[];
}

/** Where a bound size came from (`--dim n=2`, `init.json`), for messages about disagreements. */
export type SizeSources = ReadonlyMap<string, string>;

/**
 * Reads `text` (the contents of `file`) into one rows × width tensor per spec. `dims` are the sizes bound so
 * far; unbound widths are inferred from the header.
 */
export function readCsv(text: string, file: string, specs: readonly ColumnSpec[], dims: ReadonlyMap<string, number>, sources: SizeSources = new Map()): CsvReadResult {
  const table = new CsvTable(file, specs, dims, sources);
  const scanner = new CsvScanner((r) => table.add(r));
  scan(file, () => {
    scanner.feed(text);
    scanner.end();
  });
  return table.finish();
}

/** Like readCsv, streaming the file at `path` (refused over MAX_CSV_BYTES). */
export function readCsvFile(path: string, file: string, specs: readonly ColumnSpec[], dims: ReadonlyMap<string, number>, sources: SizeSources = new Map(), limit = MAX_CSV_BYTES): CsvReadResult {
  const table = new CsvTable(file, specs, dims, sources);
  const scanner = new CsvScanner((r) => table.add(r));
  const tooLarge = () => new DataError(file, 1, 1, `the file is larger than ${Math.round(limit / (1024 * 1024))} MB, the limit for data files`);
  scan(file, () => streamFile(path, scanner, limit, tooLarge));
  return table.finish();
}

function scan(file: string, run: () => void): void {
  try {
    run();
  } catch (e) {
    if (e instanceof CsvSyntaxError) throw new DataError(file, e.line, e.column, `not valid CSV: ${e.message}`);
    throw e;
  }
}

/** Where each variable's values come from: its columns, and the typed array the rows stream into. */
interface Target {
  spec: ColumnSpec;
  width: number;
  cols: number[];
  data: Float64Array;
}

/** The header, then the rows: each record is checked and its numbers appended as it arrives. */
class CsvTable {
  private names: string[] | undefined;
  private targets: Target[] = [];
  private rows = 0;
  private headerEnd = 1;
  readonly inferred = new Map<string, number>();

  constructor(
    private readonly file: string,
    private readonly specs: readonly ColumnSpec[],
    private readonly dims: ReadonlyMap<string, number>,
    private readonly sources: SizeSources,
  ) {}

  add(r: CsvRecord): void {
    if (!this.names) this.header(r);
    else this.row(r);
  }

  finish(): CsvReadResult {
    if (!this.names) throw new DataError(this.file, 1, 1, 'the file is empty: expected a header line naming the columns');
    if (this.rows === 0) throw new DataError(this.file, this.headerEnd, 1, 'no data rows after the header');
    const values = new Map<string, Tensor>();
    for (const t of this.targets) {
      const used = this.rows * t.width;
      const data = t.data.length > used * 1.25 ? t.data.slice(0, used) : t.data.subarray(0, used);
      values.set(t.spec.name, { rows: this.rows, cols: t.width, data });
    }
    const read = new Set(this.targets.flatMap((t) => t.cols));
    const unused = this.names.filter((n, i) => n !== '' && !read.has(i));
    return { dataset: { rows: this.rows, values }, inferred: this.inferred, unused };
  }

  private fail(line: number, column: number, detail: string): never {
    throw new DataError(this.file, line, column, detail);
  }

  private header(r: CsvRecord): void {
    const names = r.fields.map((f) => f.trim());
    this.names = names;
    this.headerEnd = r.endLine;
    const index = new Map<string, number>();
    const lower = new Map<string, number[]>();
    names.forEach((n, i) => {
      if (n === '') return;
      if (index.has(n)) this.fail(r.lines[i], r.columns[i], `the column '${n}' appears twice in the header`);
      index.set(n, i);
      lower.set(n.toLowerCase(), [...(lower.get(n.toLowerCase()) ?? []), i]);
    });
    /** Exact header match, else a unique case-insensitive one (X1 for x1). */
    const find = (n: string): number | undefined => {
      const exact = index.get(n);
      if (exact !== undefined) return exact;
      const ci = lower.get(n.toLowerCase());
      return ci && ci.length === 1 ? ci[0] : undefined;
    };
    const headerList = names.filter((n) => n !== '').join(', ');
    const missing = (what: string, hint = ''): never => this.fail(r.lines[0], 1, `missing column ${what}${hint} (the header has: ${headerList || 'no names'})`);
    for (const spec of this.specs) {
      if (!spec.multi) {
        const c = find(spec.name);
        if (c === undefined) missing(`'${spec.name}'`, ` for the variable ${spec.name}`);
        this.targets.push({ spec, width: 1, cols: [c!], data: new Float64Array(1024) });
        continue;
      }
      // Which naming style does this file use for the variable?
      const style = [0, 1, 2].find((s) => find(elementNames(spec.name, 1)[s]) !== undefined);
      if (style === undefined) {
        const [a, b, c] = elementNames(spec.name, 1);
        missing(`'${a}' (or '${b}', '${c}')`, ` for the first element of ${spec.name}`);
      }
      const present = elementIndices(names, spec.name, style!);
      const inHeader = Math.max(...present);
      const column = (k: number) => elementNames(spec.name, k)[style!];
      const width = this.widthOf(spec, inHeader, column, r);
      const cols: number[] = [];
      for (let k = 1; k <= width; k++) {
        const c = find(column(k));
        if (c === undefined) {
          const why = typeof spec.width === 'string' ? ` (${spec.width} = ${width})` : '';
          missing(`'${column(k)}'`, ` for element ${k} of ${spec.name}${why}`);
        }
        cols.push(c!);
      }
      this.targets.push({ spec, width, cols, data: new Float64Array(1024 * width) });
    }
  }

  /** The number of columns of a vector variable: its bound size, which the header must not exceed, or the header's. */
  private widthOf(spec: ColumnSpec, inHeader: number, column: (k: number) => string, r: CsvRecord): number {
    const dim = spec.width;
    const bound = typeof dim === 'number' ? dim : (this.dims.get(dim) ?? this.inferred.get(dim));
    if (bound === undefined) {
      this.inferred.set(dim as string, inHeader);
      return inHeader;
    }
    if (inHeader > bound) {
      const size = typeof dim === 'number' ? `${spec.name} has ${dim} elements` : `${dim} = ${bound}${this.sources.has(dim) ? ` (from ${this.sources.get(dim)})` : ''}`;
      this.fail(r.lines[0], 1, `the header has columns ${column(1)}…${column(inHeader)} for ${spec.name}, but ${size}: make the columns and the sizes agree`);
    }
    return bound;
  }

  private row(r: CsvRecord): void {
    const names = this.names!;
    const n = r.fields.length;
    if (n < names.length) {
      this.fail(r.endLine, r.endColumn, `this row has ${n} value${n === 1 ? '' : 's'} but the header has ${names.length}: no value for column '${names[n]}'`);
    }
    if (n > names.length) this.fail(r.lines[names.length], r.columns[names.length], `this row has ${n} values but the header has ${names.length}`);
    const i = this.rows;
    for (const t of this.targets) {
      if (t.data.length < (i + 1) * t.width) {
        const grown = new Float64Array(t.data.length * 2);
        grown.set(t.data);
        t.data = grown;
      }
      for (let k = 0; k < t.width; k++) {
        const c = t.cols[k];
        const raw = r.fields[c].trim();
        if (raw === '') this.fail(r.lines[c], r.columns[c], `empty value in column '${names[c]}'`);
        if (!NUMBER.test(raw)) this.fail(r.lines[c], r.columns[c], `'${raw.length > 40 ? raw.slice(0, 40) + '…' : raw}' in column '${names[c]}' is not a number`);
        const v = Number(raw);
        if (!Number.isFinite(v)) this.fail(r.lines[c], r.columns[c], `'${raw}' in column '${names[c]}' is too large for a double`);
        t.data[i * t.width + k] = v;
      }
    }
    this.rows++;
  }
}

/** A dataset's rows `idx[start..end)` gathered into preallocated tensors (one per data variable). */
export function gatherRows(src: Dataset, idx: Int32Array, start: number, end: number, into: Map<string, Tensor>): void {
  const k = end - start;
  for (const [name, t] of src.values) {
    const out = into.get(name)!;
    const w = t.cols;
    const s = t.data;
    const d = out.data;
    if (w === 1) {
      for (let r = 0; r < k; r++) d[r] = s[idx[start + r]];
    } else {
      for (let r = 0; r < k; r++) {
        const from = idx[start + r] * w;
        d.set(s.subarray(from, from + w), r * w);
      }
    }
  }
}
