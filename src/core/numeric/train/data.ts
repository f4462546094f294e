// Training data: a CSV file with a header, mapped onto the document's data variables, or synthetic rows.
//
// Column mapping (the header names the columns; extra columns are ignored):
//   one value per row  (per-sample scalar y, or batch vector y: vector[N])   ↔ column `y`
//   k values per row   (per-sample x: vector[n], or batch X: matrix[N, n])   ↔ `x1…xn`, `x_1…x_n` or `x[1]…x[n]`
// A symbolic length n is read off the header (the longest run x1, x2, … present) unless it is already bound.
// Every problem names the file, line and column (1-based, as editors and compilers print them).

import { parse } from 'csv-parse/sync';
import type { Dim } from '../../shape.ts';
import type { Tensor } from '../tensor.ts';

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

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Column names of the k-th (1-based) element of a vector variable, in the accepted styles. */
function elementNames(name: string, k: number): string[] {
  return [`${name}${k}`, `${name}_${k}`, `${name}[${k}]`];
}

interface Located {
  line: number;
  column: number;
}

/** A CSV record with the positions of its fields. */
interface Row {
  fields: string[];
  /** Line and column of each field's first non-blank character; `end` is just past the last field. */
  at: Located[];
  end: Located;
}

function splitRecords(text: string, file: string): Row[] {
  let records: Array<{ record: string[]; raw: string; info: { lines: number } }>;
  try {
    records = parse(text, {
      info: true,
      raw: true,
      bom: true,
      relax_column_count: true,
      skip_empty_lines: true,
      record_delimiter: ['\r\n', '\n', '\r'],
    }) as unknown as typeof records;
  } catch (e) {
    const err = e as { message: string; lines?: number; code?: string };
    const msg = err.message.replace(/^[A-Za-z ]+: /, '');
    throw new DataError(file, err.lines ?? 1, 1, `not valid CSV: ${msg.charAt(0).toLowerCase()}${msg.slice(1)}`);
  }
  const rows: Row[] = [];
  for (const r of records) {
    // raw may start with skipped empty lines and ends with the record delimiter; positions come from it.
    const raw = r.raw.replace(/(\r\n|\n|\r)$/, '').replace(/^(\r\n|\n|\r)+/, '');
    const newlines = (raw.match(/\r\n|\n|\r/g) ?? []).length;
    const firstLine = r.info.lines - newlines;
    const starts = fieldStarts(raw);
    const locate = (offset: number): Located => {
      let line = firstLine;
      let lineStart = 0;
      for (let i = 0; i < offset; i++) {
        const c = raw.charCodeAt(i);
        if (c === 10 || (c === 13 && raw.charCodeAt(i + 1) !== 10)) {
          line++;
          lineStart = i + 1;
        }
      }
      return { line, column: offset - lineStart + 1 };
    };
    if (r.record.every((f) => f.trim() === '')) continue; // a blank line (possibly spaces only)
    rows.push({
      fields: r.record,
      at: r.record.map((_, k) => {
        let o = starts[k] ?? raw.length;
        while (o < raw.length && (raw[o] === ' ' || raw[o] === '\t')) o++;
        return locate(o);
      }),
      end: locate(raw.length),
    });
  }
  return rows;
}

/** Offsets where each comma-separated field of a raw record starts (quote-aware). */
function fieldStarts(raw: string): number[] {
  const starts = [0];
  let quoted = false;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (c === '"') quoted = !quoted;
    else if (c === ',' && !quoted) starts.push(i + 1);
  }
  return starts;
}

export interface CsvReadResult {
  dataset: Dataset;
  /** Lengths read off the header for dimensions that were not bound. */
  inferred: Map<string, number>;
}

/**
 * Reads `text` (the contents of `file`) into one rows × width tensor per spec. `dims` are the sizes bound so
 * far; unbound widths are inferred from the header.
 */
export function readCsv(text: string, file: string, specs: readonly ColumnSpec[], dims: ReadonlyMap<string, number>): CsvReadResult {
  const rows = splitRecords(text, file);
  if (rows.length === 0) throw new DataError(file, 1, 1, 'the file is empty: expected a header line naming the columns');
  const header = rows[0];
  const names = header.fields.map((f) => f.trim());
  const index = new Map<string, number>();
  names.forEach((n, i) => {
    if (n === '') return;
    if (index.has(n)) throw new DataError(file, header.at[i].line, header.at[i].column, `the column '${n}' appears twice in the header`);
    index.set(n, i);
  });
  const lower = new Map<string, number[]>();
  names.forEach((n, i) => lower.set(n.toLowerCase(), [...(lower.get(n.toLowerCase()) ?? []), i]));
  /** Exact header match, else a unique case-insensitive one (X1 for x1). */
  const find = (n: string): number | undefined => {
    const exact = index.get(n);
    if (exact !== undefined) return exact;
    const ci = lower.get(n.toLowerCase());
    return ci && ci.length === 1 ? ci[0] : undefined;
  };
  const headerList = names.filter((n) => n !== '').join(', ');
  const missing = (what: string, hint = ''): never => {
    throw new DataError(file, header.at[0].line, 1, `missing column ${what}${hint} (the header has: ${headerList || 'no names'})`);
  };

  const inferred = new Map<string, number>();
  const plan: Array<{ spec: ColumnSpec; width: number; cols: number[] }> = [];
  for (const spec of specs) {
    if (!spec.multi) {
      const c = find(spec.name);
      if (c === undefined) missing(`'${spec.name}'`, ` for the variable ${spec.name}`);
      plan.push({ spec, width: 1, cols: [c!] });
      continue;
    }
    // Which naming style does this file use for the variable?
    const style = [0, 1, 2].find((s) => find(elementNames(spec.name, 1)[s]) !== undefined);
    if (style === undefined) {
      const [a, b, c] = elementNames(spec.name, 1);
      missing(`'${a}' (or '${b}', '${c}')`, ` for the first element of ${spec.name}`);
    }
    let width: number;
    if (typeof spec.width === 'number') width = spec.width;
    else if (dims.has(spec.width)) width = dims.get(spec.width)!;
    else if (inferred.has(spec.width)) width = inferred.get(spec.width)!;
    else {
      width = 0;
      while (find(elementNames(spec.name, width + 1)[style!]) !== undefined) width++;
      inferred.set(spec.width, width);
    }
    const cols: number[] = [];
    for (let k = 1; k <= width; k++) {
      const c = find(elementNames(spec.name, k)[style!]);
      if (c === undefined) {
        const why = typeof spec.width === 'string' ? ` (${spec.width} = ${width})` : '';
        missing(`'${elementNames(spec.name, k)[style!]}'`, ` for element ${k} of ${spec.name}${why}`);
      }
      cols.push(c!);
    }
    plan.push({ spec, width, cols });
  }

  const body = rows.slice(1);
  const n = body.length;
  if (n === 0) throw new DataError(file, header.end.line, 1, 'no data rows after the header');
  const values = new Map<string, Tensor>();
  for (const p of plan) values.set(p.spec.name, { rows: n, cols: p.width, data: new Float64Array(n * p.width) });
  for (let i = 0; i < n; i++) {
    const row = body[i];
    if (row.fields.length < names.length) {
      // Name the first column the row is missing.
      const c = row.fields.length;
      throw new DataError(file, row.end.line, row.end.column, `this row has ${row.fields.length} value${row.fields.length === 1 ? '' : 's'} but the header has ${names.length}: no value for column '${names[c]}'`);
    }
    if (row.fields.length > names.length) {
      const at = row.at[names.length];
      throw new DataError(file, at.line, at.column, `this row has ${row.fields.length} values but the header has ${names.length}`);
    }
    for (const p of plan) {
      const out = values.get(p.spec.name)!.data;
      for (let k = 0; k < p.width; k++) {
        const c = p.cols[k];
        const raw = (row.fields[c] ?? '').trim();
        const at = c < row.fields.length ? row.at[c] : row.end;
        if (raw === '') throw new DataError(file, at.line, at.column, `empty value in column '${names[c]}'`);
        if (!NUMBER.test(raw)) throw new DataError(file, at.line, at.column, `'${raw.length > 40 ? raw.slice(0, 40) + '…' : raw}' in column '${names[c]}' is not a number`);
        const v = Number(raw);
        if (!Number.isFinite(v)) throw new DataError(file, at.line, at.column, `'${raw}' in column '${names[c]}' is too large for a double`);
        out[i * p.width + k] = v;
      }
    }
  }
  return { dataset: { rows: n, values }, inferred };
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
