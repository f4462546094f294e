// The loss curve: one uPlot chart with a series per run (the first run, plus any Compare runs overlaid on the
// same axes), drawn in the theme's colours and redrawn at most once per animation frame as epochs arrive.

import uPlot from 'uplot';
import type { RunView } from './protocol.ts';
import { alignedData } from './state.ts';

/** VS Code's chart palette (theme variables), in the order runs get them. */
const SERIES_COLOURS = ['--vscode-charts-blue', '--vscode-charts-orange', '--vscode-charts-green', '--vscode-charts-purple', '--vscode-charts-red', '--vscode-charts-yellow'];
const FALLBACK = ['#3794ff', '#d18616', '#89d185', '#b180d7', '#f14c4c', '#cca700'];

function themeColour(variable: string, fallback: string): string {
  return getComputedStyle(document.body).getPropertyValue(variable).trim() || fallback;
}

export class LossChart {
  private plot: uPlot | undefined;
  private frame = 0;
  private runs: readonly RunView[] = [];
  private logScale = false;

  /** `onDrawn` runs after every redraw (the caption counts the points the chart really holds). */
  constructor(
    private readonly container: HTMLElement,
    private readonly onDrawn: () => void,
  ) {
    new ResizeObserver(() => this.plot?.setSize(this.size())).observe(container);
    // VS Code swaps the body's theme class when the colour theme changes.
    new MutationObserver(() => this.rebuild()).observe(document.body, { attributes: true, attributeFilter: ['class'] });
  }

  /**
   * Shows `runs`; rebuilds the chart when the set of series or the scale changed, else only its data: at
   * the next animation frame while epochs stream in, or at once (`now`) for a finished state.
   */
  show(runs: readonly RunView[], logScale: boolean, now = false): void {
    const rebuild = !this.plot || logScale !== this.logScale || runs.length !== this.runs.length || runs.some((r, i) => r.label !== this.runs[i].label);
    this.runs = runs;
    this.logScale = logScale;
    if (rebuild) return this.rebuild();
    if (now) return this.redraw();
    if (!this.frame) this.frame = requestAnimationFrame(() => this.redraw());
  }

  private redraw(): void {
    cancelAnimationFrame(this.frame);
    this.frame = 0;
    this.plot?.setData(alignedData(this.runs, this.logScale));
    this.onDrawn();
  }

  /**
   * Says what the canvas shows, for screen readers (and the tests): the loss axis's scale, its range and the
   * value at its middle, read back from uPlot (the arithmetic mean of the ends on a linear axis, the geometric on a log one).
   */
  private describe(plot: uPlot): void {
    const { min, max } = plot.scales.y;
    if (min === undefined || max === undefined || min === null || max === null) return;
    const mid = plot.posToVal(plot.over.clientHeight / 2, 'y');
    const distr = this.logScale ? 'log' : 'linear';
    this.container.setAttribute('role', 'img');
    this.container.setAttribute('aria-label', `Loss curve of ${this.runs.length} run${this.runs.length === 1 ? '' : 's'}; ${distr} loss axis from ${min.toPrecision(3)} to ${max.toPrecision(3)}, ${mid.toPrecision(3)} at its middle`);
    Object.assign(this.container.dataset, { yScale: distr, yMin: String(min), yMax: String(max), yMid: String(mid) });
  }

  /** Points drawn for series `i` (the test and the caption read it from the chart itself). */
  pointCount(i: number): number {
    const ys = this.plot?.data[i + 1] ?? [];
    let n = 0;
    for (let k = 0; k < ys.length; k++) if (ys[k] !== null && ys[k] !== undefined) n++;
    return n;
  }

  private size(): { width: number; height: number } {
    return { width: Math.max(240, this.container.clientWidth), height: 280 };
  }

  private rebuild(): void {
    this.plot?.destroy();
    const fg = themeColour('--vscode-foreground', '#ccc');
    const grid = themeColour('--vscode-panel-border', 'rgba(128,128,128,0.35)');
    const axis = (label: string): uPlot.Axis => ({ label, stroke: fg, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } });
    const opts: uPlot.Options = {
      ...this.size(),
      scales: { x: { time: false }, y: { distr: this.logScale ? 3 : 1 } },
      axes: [axis('epoch'), { ...axis(this.logScale ? 'mean loss (log scale)' : 'mean loss'), size: 70 }],
      series: [
        { label: 'epoch' },
        ...this.runs.map((r, i) => ({ label: r.label, stroke: themeColour(SERIES_COLOURS[i % SERIES_COLOURS.length], FALLBACK[i % FALLBACK.length]), width: 2, points: { show: false } })),
      ],
      legend: { show: true },
      // uPlot settles its scales when it draws (batched after setData), so the description is written then.
      hooks: { draw: [(plot) => this.describe(plot)] },
    };
    this.plot = new uPlot(opts, alignedData(this.runs, this.logScale), this.container);
    this.onDrawn();
  }
}
