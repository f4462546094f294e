// `mcalc shapes FILE…`: every definition's and derivative form's shape, and all diagnostics.

import type { Analysis } from '../core/analyze.ts';
import { derivativeShapeText } from '../core/presentation.ts';
import { type Layout, LAYOUTS, formatShape } from '../core/shape.ts';
import type { Range } from '../core/source.ts';
import type { Io } from './io.ts';
import { analyzeFile, jsonDiagnostic, jsonRange } from './document.ts';

export function shapesJson(file: string, a: Analysis, toReal: (r: Range) => Range) {
  return {
    file,
    layout: a.layout,
    definitions: a.definitions.map((d) => ({
      name: d.name,
      shape: d.derivative ? derivativeShapeText(d.derivative, a.layout) : d.shape ? formatShape(d.shape) : null,
      range: jsonRange(toReal(d.range)),
    })),
    derivatives: a.derivatives.map((d) => ({
      text: d.text,
      form: d.form,
      of: d.ofText,
      wrt: d.wrt.name,
      shape: derivativeShapeText(d, a.layout),
      dims: d.shapes[a.layout].dims,
      shapes: Object.fromEntries(LAYOUTS.map((l) => [l, derivativeShapeText(d, l)])),
      ...(d.definition ? { definition: d.definition } : {}),
      range: jsonRange(toReal(d.range)),
    })),
    diagnostics: a.diagnostics.map((d) => jsonDiagnostic(d, toReal)),
  };
}

export function shapesCommand(io: Io, files: string[], opts: { layout?: Layout; json?: boolean }): number {
  let errors = 0;
  const reports = files.map((file) => {
    const { analysis, toReal } = analyzeFile(io, file, opts.layout);
    errors += analysis.diagnostics.filter((d) => d.severity === 'error').length;
    return shapesJson(file, analysis, toReal);
  });
  if (opts.json) {
    io.out(JSON.stringify(reports.length === 1 ? reports[0] : reports, null, 2) + '\n');
  } else {
    for (const r of reports) {
      io.out(`${r.file} (${r.layout} layout)\n`);
      const width = Math.max(0, ...r.definitions.map((d) => d.name.length));
      for (const d of r.definitions) io.out(`  ${d.name.padEnd(width)} : ${d.shape ?? '?'}\n`);
      for (const d of r.derivatives) io.out(`  ${d.text} : ${d.shape}   (line ${d.range.start.line}; ${LAYOUTS.map((l) => `${l} ${d.shapes[l]}`).join(', ')})\n`);
      for (const d of r.diagnostics) {
        io.out(`${r.file}:${d.range.start.line}:${d.range.start.column}: ${d.severity}: ${d.message}\n`);
        if (d.hint) io.out(`  hint: ${d.hint}\n`);
      }
    }
  }
  return errors > 0 ? 1 : 0;
}
