/// <reference lib="dom" />
/**
 * The history page: one lane per client, each operation a bar from its call to its return, numbered by
 * its place in its key's linearization; a failing history shows its minimal witness and fades the rest.
 *
 * @module
 */
import type { HistoryOp, HistoryView } from '../model.js';
import { esc } from './dom.js';

const LANE = 44;
const LEFT = 80;
const PLOT_WIDTH = 1100;
const PALETTE = ['#2b6cb0', '#2f855a', '#b7791f', '#6b46c1', '#c05621', '#2c7a7b', '#97266d', '#4a5568'];

export function renderHistory(view: HistoryView, root: HTMLElement): void {
  const ops = [...view.ops].sort((a, b) => a.call - b.call || a.id - b.id);
  const finite = ops.flatMap((o) => (o.ret === null ? [o.call] : [o.call, o.ret]));
  const start = finite.length === 0 ? 0 : finite.reduce((a, b) => Math.min(a, b), Number.POSITIVE_INFINITY);
  const end = Math.max(finite.reduce((a, b) => Math.max(a, b), Number.NEGATIVE_INFINITY), start + 1);
  const scale = PLOT_WIDTH / (end - start);
  const x = (t: number): number => LEFT + (t - start) * scale;
  const parts = [...new Set(ops.map((o) => o.part))].sort();
  const colour = (part: string): string => PALETTE[parts.indexOf(part) % PALETTE.length]!;
  const core = new Set(view.core);
  const position = new Map<number, number>();
  for (const order of Object.values(view.orders)) order.forEach((id, i) => position.set(id, i + 1));
  const failing = view.verdict.outcome === 'not-linearizable';
  const height = view.processes.length * LANE + 40;

  const bars = ops.map((o) => {
    const lane = view.processes.indexOf(o.process);
    const x1 = x(o.call);
    const x2 = o.ret === null ? LEFT + PLOT_WIDTH + 10 : Math.max(x(o.ret), x1 + 3);
    const y = 20 + lane * LANE + 6;
    const cls = ['op', o.status, core.has(o.id) ? 'core' : failing ? 'faded' : ''].join(' ').trim();
    const order = position.get(o.id);
    return `<g class="${cls}" data-op="${o.id}">
      <rect x="${x1}" y="${y}" width="${x2 - x1}" height="${LANE - 14}" rx="3" style="fill:${colour(o.part)}"><title>${esc(`${o.process}: ${o.text} ${o.result}`)}</title></rect>
      ${order === undefined ? '' : `<text class="order" x="${x1 + 2}" y="${y - 1}">#${order}</text>`}
      <text class="op-text" x="${x1 + 4}" y="${y + 19}">${esc(`${o.text} ${o.result}`)}</text>
    </g>`;
  });
  const ticks = Array.from({ length: 11 }, (_, i) => start + ((end - start) * i) / 10).map(
    (t) => `<line class="tick" x1="${x(t)}" x2="${x(t)}" y1="14" y2="${height - 10}"/><text class="tick-label" x="${x(t)}" y="10">${t.toFixed(1)} ms</text>`,
  );
  const lanes = view.processes.map((p, i) => `<text class="proc" x="6" y="${20 + i * LANE + 26}">${esc(p)}</text><line class="proc-line" x1="${LEFT}" x2="${LEFT + PLOT_WIDTH + 10}" y1="${20 + (i + 1) * LANE}" y2="${20 + (i + 1) * LANE}"/>`);

  const verdictClass = view.verdict.outcome === 'linearizable' ? 'good' : view.verdict.outcome === 'not-linearizable' ? 'bad' : 'unknown';
  root.innerHTML = `
    <header>
      <h1>${esc(view.title)}</h1>
      <dl class="facts">${view.facts.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`).join('')}</dl>
      <div class="banner ${verdictClass}" id="verdict"><strong>${esc(view.verdict.outcome)}</strong><pre>${esc(view.verdict.text)}</pre></div>
      <div class="controls">
        <span>${view.ops.length} operations, ${view.processes.length} clients, keys: ${parts.map((p) => `<i class="lg" style="background:${colour(p)}"></i>${esc(p)}`).join(' ')}</span>
        <span class="hint">#n: place in its key's ${failing ? 'longest valid order of the witness' : 'linearization'}${failing ? '; outlined: the minimal non-linearizable witness' : ''}. ← / → or click: move between operations</span>
      </div>
    </header>
    <main class="history">
      <section id="timeline"><svg id="history-svg" width="${LEFT + PLOT_WIDTH + 20}" height="${height}">${ticks.join('')}${lanes.join('')}${bars.join('')}</svg></section>
      <section id="state"></section>
    </main>`;

  const panel = root.querySelector<HTMLElement>('#state')!;
  let selected = 0;
  const show = (o: HistoryOp): string =>
    `<tr><td class="path">client</td><td>${esc(o.process)}</td></tr><tr><td class="path">operation</td><td>${esc(o.text)}</td></tr><tr><td class="path">result</td><td>${esc(o.result)}</td></tr>
     <tr><td class="path">status</td><td>${o.status}</td></tr><tr><td class="path">call</td><td>${o.call.toFixed(3)} ms</td></tr><tr><td class="path">return</td><td>${o.ret === null ? 'never' : `${o.ret.toFixed(3)} ms`}</td></tr>
     <tr><td class="path">key</td><td>${esc(o.part)}</td></tr><tr><td class="path">order</td><td>${position.has(o.id) ? `#${position.get(o.id)}` : 'not placed'}</td></tr>
     <tr><td class="path">witness</td><td>${core.has(o.id) ? 'part of the minimal non-linearizable witness' : '—'}</td></tr>`;
  const select = (index: number): void => {
    selected = Math.max(0, Math.min(ops.length - 1, index));
    const op = ops[selected];
    root.querySelectorAll('.op.selected').forEach((e) => e.classList.remove('selected'));
    if (op === undefined) return;
    root.querySelector(`.op[data-op="${op.id}"]`)?.classList.add('selected');
    panel.innerHTML = `<h2>Operation ${op.id}</h2><table id="op-table"><tbody>${show(op)}</tbody></table>`;
    document.body.dataset.selected = String(op.id);
  };
  root.querySelector('#history-svg')!.addEventListener('click', (event) => {
    const g = (event.target as Element).closest('[data-op]');
    if (g !== null) select(ops.findIndex((o) => o.id === Number(g.getAttribute('data-op'))));
  });
  document.addEventListener('keydown', (event) => {
    if (event.key === 'ArrowRight' || event.key === 'ArrowDown') select(selected + 1);
    else if (event.key === 'ArrowLeft' || event.key === 'ArrowUp') select(selected - 1);
    else return;
    event.preventDefault();
  });
  select(0);
}
