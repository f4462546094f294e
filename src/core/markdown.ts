// ```mcalc fenced blocks inside Markdown, joined into one virtual document (blocks share names, like the
// cells of a notebook). Lines are copied verbatim, so columns are unchanged and only lines need mapping.

export interface EmbeddedDocument {
  /** The blocks' lines joined with newlines. */
  text: string;
  /** Virtual line → line in the Markdown file. */
  toReal: number[];
}

const OPEN = /^(\s*)(`{3,}|~{3,})\s*mcalc(?:[\s{].*)?$/i;

export function extractMcalcBlocks(markdown: string): EmbeddedDocument {
  const lines = markdown.split(/\r?\n/);
  const out: string[] = [];
  const toReal: number[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = OPEN.exec(lines[i]);
    if (!open) {
      // Skip over other fenced blocks so an ```mcalc inside them is not taken for a block.
      const other = /^\s*(`{3,}|~{3,})/.exec(lines[i]);
      if (other) {
        const fence = other[1];
        for (i++; i < lines.length && !isClose(lines[i], fence); i++);
      }
      continue;
    }
    const fence = open[2];
    for (i++; i < lines.length && !isClose(lines[i], fence); i++) {
      out.push(lines[i]);
      toReal.push(i);
    }
  }
  return { text: out.join('\n'), toReal };
}

function isClose(line: string, fence: string): boolean {
  const m = /^\s*(`{3,}|~{3,})\s*$/.exec(line);
  return !!m && m[1][0] === fence[0] && m[1].length >= fence.length;
}

/** Markdown line → virtual line, or -1 outside every block. */
export function virtualLine(doc: EmbeddedDocument, realLine: number): number {
  let lo = 0;
  let hi = doc.toReal.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const v = doc.toReal[mid];
    if (v === realLine) return mid;
    if (v < realLine) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}
