// The dataflow graph's viewport: the drawing scaled to fit the panel's width (never enlarged), zoomed with the
// wheel around the pointer, panned by dragging, and put back by the Fit button. Until the reader zooms or pans,
// the drawing refits whenever the panel is resized.

import type { GraphDrawing } from './graph.ts';

const NS = 'http://www.w3.org/2000/svg';
/** The viewport is never taller than this (px): a tall graph is scaled down, or zoomed into by the reader. */
const MAX_HEIGHT = 420;
const MIN_SCALE = 0.05;
const MAX_SCALE = 4;
/** Zoom factor per pixel of wheel movement. */
const WHEEL_ZOOM = 0.0015;

interface View {
  scale: number;
  tx: number;
  ty: number;
}

let nextId = 0;

/** The drawing inside a zoomable, pannable svg, with a Fit button above it. */
export function graphView(draw: (markerId: string) => GraphDrawing): HTMLElement {
  const markerId = `arrow-${nextId++}`;
  const drawing = draw(markerId);
  const wrap = document.createElement('div');
  wrap.className = 'graph-view';
  const fitButton = document.createElement('button');
  fitButton.type = 'button';
  fitButton.className = 'fit';
  fitButton.textContent = 'Fit';
  fitButton.title = 'Fit the whole graph into the panel (wheel: zoom, drag: pan)';
  const svg = document.createElementNS(NS, 'svg');
  svg.classList.add('graph');
  svg.setAttribute('width', '100%');
  const defs = document.createElementNS(NS, 'defs');
  defs.append(drawing.marker);
  svg.append(defs, drawing.content);
  wrap.append(fitButton, svg);

  let view: View = { scale: 1, tx: 0, ty: 0 };
  let touched = false; // the reader zoomed or panned: resizing keeps their view
  const apply = () => drawing.content.setAttribute('transform', `translate(${view.tx} ${view.ty}) scale(${view.scale})`);
  const fit = () => {
    const width = svg.clientWidth || wrap.clientWidth;
    if (!width) return;
    const scale = Math.min(1, width / drawing.width, MAX_HEIGHT / drawing.height);
    const height = Math.ceil(drawing.height * scale);
    svg.setAttribute('height', String(height));
    view = { scale, tx: (width - drawing.width * scale) / 2, ty: 0 };
    apply();
  };
  new ResizeObserver(() => touched || fit()).observe(wrap);
  fitButton.addEventListener('click', () => {
    touched = false;
    fit();
  });
  svg.addEventListener('wheel', (e) => zoomAt(e), { passive: false });
  function zoomAt(e: WheelEvent): void {
    e.preventDefault();
    const box = svg.getBoundingClientRect();
    const px = e.clientX - box.left;
    const py = e.clientY - box.top;
    const scale = Math.min(MAX_SCALE, Math.max(MIN_SCALE, view.scale * Math.exp(-e.deltaY * WHEEL_ZOOM)));
    const k = scale / view.scale;
    view = { scale, tx: px - (px - view.tx) * k, ty: py - (py - view.ty) * k };
    touched = true;
    apply();
  }
  panOnDrag(svg, (dx, dy) => {
    view = { ...view, tx: view.tx + dx, ty: view.ty + dy };
    touched = true;
    apply();
  });
  return wrap;
}

/** Calls `move` with the pointer's movement while a button is held down on `target`. */
function panOnDrag(target: SVGSVGElement, move: (dx: number, dy: number) => void): void {
  let last: { x: number; y: number } | undefined;
  target.addEventListener('pointerdown', (e) => {
    last = { x: e.clientX, y: e.clientY };
    target.setPointerCapture(e.pointerId);
    target.classList.add('dragging');
  });
  target.addEventListener('pointermove', (e) => {
    if (!last) return;
    move(e.clientX - last.x, e.clientY - last.y);
    last = { x: e.clientX, y: e.clientY };
  });
  const end = (e: PointerEvent) => {
    last = undefined;
    if (target.hasPointerCapture(e.pointerId)) target.releasePointerCapture(e.pointerId);
    target.classList.remove('dragging');
  };
  target.addEventListener('pointerup', end);
  target.addEventListener('pointercancel', end);
}
