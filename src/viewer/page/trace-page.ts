/// <reference lib="dom" />
/**
 * The trace page: a message-sequence chart and step list drawn only for the rows in view (a 10,000-step
 * trace is as quick to scroll as a 10-step one), and the state table of the selected step.
 *
 * @module
 */
import { DELETED, type LaneStatus, type TraceView } from '../model.js';
import { esc, svgEl } from './dom.js';

const ROW = 22;
const LIST_WIDTH = 360;
const LANE_WIDTH = 120;
// Rows drawn above and below the visible ones, so a short scroll shows no gap.
const OVERSCAN = 20;
// The page keeps the state of every CHECKPOINT-th step, so a state is at most that many deltas away.
const CHECKPOINT = 256;

/** Virtual time as the recording wrote it (to the microsecond), in milliseconds. */
const formatMs = (ms: number): string => `${ms.toFixed(3)} ms`;

const ROLE_CLASS: Readonly<Record<string, string>> = { Leader: 'role-leader', Candidate: 'role-candidate', Follower: 'role-follower' };

export function renderTrace(view: TraceView, root: HTMLElement): void {
  const last = view.steps.length - 1;
  const laneX = (node: string): number => LIST_WIDTH + LANE_WIDTH * (view.nodes.indexOf(node) + 0.5);
  const rowY = (step: number): number => step * ROW + ROW / 2;
  const width = LIST_WIDTH + LANE_WIDTH * view.nodes.length + 20;
  const flaggedPaths = new Set(view.highlight?.paths ?? []);

  root.innerHTML = `
    <header>
      <h1>${esc(view.title)}</h1>
      <dl class="facts">${view.facts.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`).join('')}</dl>
      ${view.highlight === null ? '' : `<div class="banner bad" id="highlight"><strong>${esc(view.highlight.title)}</strong>${view.highlight.lines.map((l) => `<div>${esc(l)}</div>`).join('')}<button id="goto-highlight">show step ${view.highlight.step}</button></div>`}
      <div class="controls">
        <span>${view.steps.length.toLocaleString('en-US')} states, ${view.nodes.length} nodes, ${view.messages.length.toLocaleString('en-US')} message copies</span>
        <label><input type="checkbox" id="show-unchanged"> show unchanged values</label>
        <span class="hint">← / → or click: move between steps</span>
        <span class="legend"><i class="lg delivered"></i>delivered <i class="lg dropped"></i>lost <i class="lg dup"></i>duplicated <i class="lg in-flight"></i>in flight</span>
      </div>
    </header>
    <main class="trace">
      <section id="chart" tabindex="0">
        <div id="lane-heads" style="width:${width}px">
          <div class="list-head" style="width:${LIST_WIDTH}px">step · action</div>
          ${view.nodes.map((n) => `<div class="lane-head" data-node="${esc(n)}" style="left:${laneX(n) - LANE_WIDTH / 2}px;width:${LANE_WIDTH}px">${esc(n)}</div>`).join('')}
        </div>
        <div id="canvas" style="height:${view.steps.length * ROW + ROW}px;width:${width}px">
          <div id="rows"></div>
        </div>
      </section>
      <section id="state"></section>
    </main>`;

  const chart = root.querySelector<HTMLElement>('#chart')!;
  const canvas = root.querySelector<HTMLElement>('#canvas')!;
  const rows = root.querySelector<HTMLElement>('#rows')!;
  const statePanel = root.querySelector<HTMLElement>('#state')!;
  const showUnchanged = root.querySelector<HTMLInputElement>('#show-unchanged')!;
  const svg = svgEl('svg', { id: 'msc', width: String(width) });
  canvas.appendChild(svg);

  let selected = view.highlight?.step ?? 0;

  // Lane status at a step: the last change at or before it (binary search over the lane's change points).
  const statusAt = (lane: number, step: number): LaneStatus | undefined => {
    const changes = view.lanes[lane] ?? [];
    let lo = 0;
    let hi = changes.length - 1;
    let found: LaneStatus | undefined;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const change = changes[mid]!;
      if (change.step <= step) {
        found = change.status;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  };

  const drawWindow = (): void => {
    const first = Math.max(0, Math.floor(chart.scrollTop / ROW) - OVERSCAN);
    const lastShown = Math.min(last, Math.ceil((chart.scrollTop + chart.clientHeight) / ROW) + OVERSCAN);
    const html: string[] = [];
    for (let k = first; k <= lastShown; k++) {
      const step = view.steps[k]!;
      const cls = ['step-row', k === selected ? 'selected' : '', view.highlight?.step === k ? 'flagged' : ''].join(' ');
      const at = step.atMs === undefined ? '' : `<span class="at">${esc(formatMs(step.atMs))}</span>`;
      const title = `${step.label}${step.note === undefined ? '' : ` (${step.note})`}`;
      html.push(`<div class="${cls}" data-step="${k}" style="top:${k * ROW}px;width:${width}px"><span class="idx">${k}</span>${at}<span class="lbl" title="${esc(title)}">${esc(step.label)}</span></div>`);
    }
    rows.innerHTML = html.join('');

    const top = first * ROW;
    const height = (lastShown - first + 1) * ROW;
    svg.setAttribute('height', String(height));
    svg.setAttribute('viewBox', `0 ${top} ${width} ${height}`);
    svg.style.top = `${top}px`;
    const parts: string[] = [
      '<defs><marker id="head" viewBox="0 0 10 10" refX="10" refY="5" markerUnits="userSpaceOnUse" markerWidth="9" markerHeight="9" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" class="head"/></marker></defs>',
    ];
    view.nodes.forEach((node, lane) => {
      const x = laneX(node);
      // Status bands: one rect per run of rows with the same status.
      let runStart = first;
      let runStatus = statusAt(lane, first);
      const flush = (end: number): void => {
        if (runStatus === undefined) return;
        const y = runStart * ROW;
        const h = (end - runStart + 1) * ROW;
        // Side 0 is everyone's side until a split: only the nodes split off are shaded.
        if (runStatus.side !== null && runStatus.side !== '0') parts.push(`<rect class="side side-${esc(runStatus.side)}" x="${x - LANE_WIDTH / 2 + 2}" y="${y}" width="${LANE_WIDTH - 4}" height="${h}"/>`);
        if (runStatus.down) parts.push(`<rect class="down" x="${x - LANE_WIDTH / 2 + 2}" y="${y}" width="${LANE_WIDTH - 4}" height="${h}"><title>${esc(node)} is down</title></rect>`);
        const role = runStatus.role === null ? 'role-none' : (ROLE_CLASS[runStatus.role] ?? 'role-other');
        parts.push(`<rect class="lane ${role}" x="${x - 3}" y="${y}" width="6" height="${h}"><title>${esc(node)}${runStatus.role === null ? '' : ` ${esc(runStatus.role)}`}${runStatus.term === null ? '' : `, term ${esc(runStatus.term)}`}</title></rect>`);
        if (runStatus.role !== null || runStatus.term !== null) {
          parts.push(`<text class="lane-note" x="${x + 6}" y="${y + 11}">${esc([runStatus.role ?? '', runStatus.term === null ? '' : `t${runStatus.term}`].join(' ').trim())}</text>`);
        }
      };
      for (let k = first + 1; k <= lastShown; k++) {
        const status = statusAt(lane, k);
        if (status !== runStatus) {
          flush(k - 1);
          runStart = k;
          runStatus = status;
        }
      }
      flush(lastShown);
    });
    for (const r of view.restarts) {
      if (r.step < first || r.step > lastShown || !view.nodes.includes(r.node)) continue;
      parts.push(`<text class="restart" x="${laneX(r.node) - 22}" y="${rowY(r.step) + 4}">⟲<title>${esc(r.name)} ${esc(r.node)}</title></text>`);
    }
    for (let k = first; k <= lastShown; k++) {
      const node = view.steps[k]!.node;
      if (node !== null && view.nodes.includes(node)) parts.push(`<circle class="event${k === selected ? ' selected' : ''}" cx="${laneX(node)}" cy="${rowY(k)}" r="5" data-step="${k}"/>`);
    }
    view.messages.forEach((m, i) => {
      const end = m.end ?? last + 1;
      if (end < first || m.sent > lastShown) return;
      const x1 = laneX(m.from);
      const x2 = laneX(m.to);
      const y1 = rowY(m.sent);
      const y2 = m.fate === 'dropped' ? rowY(end) : m.end === null ? (last + 1) * ROW : rowY(end);
      // A dropped copy stops halfway to its receiver, at an ×.
      const xEnd = m.fate === 'dropped' ? (x1 + x2) / 2 : x2;
      const active = m.sent === selected || m.end === selected;
      const cls = `msg ${m.fate}${m.duplicate ? ' dup' : ''}${active ? ' active' : ''}`;
      parts.push(
        `<line class="${cls}" data-msg="${i}" data-step="${m.end ?? m.sent}" x1="${x1}" y1="${y1}" x2="${xEnd}" y2="${y2}"${m.fate === 'delivered' ? ' marker-end="url(#head)"' : ''}><title>${esc(m.text)} (step ${m.sent}${m.end === null ? ', in flight' : ` → ${m.end}, ${m.fate}`}${m.duplicate ? ', a duplicate' : ''}${m.note === undefined ? '' : `: ${esc(m.note)}`})</title></line>`,
      );
      if (m.fate === 'dropped') parts.push(`<text class="lost" x="${xEnd - 5}" y="${y2 + 5}">×</text>`);
    });
    svg.innerHTML = parts.join('');
  };

  // States at checkpoints, filled in as they are first needed.
  const checkpoints: Map<number, number>[] = [];
  const initial = new Map<number, number>();
  for (let i = 0; i < view.initial.length; i += 2) initial.set(view.initial[i]!, view.initial[i + 1]!);
  checkpoints[0] = initial;
  const apply = (state: Map<number, number>, step: number): void => {
    const delta = view.deltas[step]!;
    for (let i = 0; i < delta.length; i += 2) {
      if (delta[i + 1] === DELETED) state.delete(delta[i]!);
      else state.set(delta[i]!, delta[i + 1]!);
    }
  };
  const stateAt = (step: number): Map<number, number> => {
    let c = Math.floor(step / CHECKPOINT);
    while (checkpoints[c] === undefined) c--;
    let from = c * CHECKPOINT;
    const state = new Map(checkpoints[c]);
    while (from < step) {
      from++;
      apply(state, from);
      if (from % CHECKPOINT === 0) checkpoints[from / CHECKPOINT] = new Map(state);
    }
    return state;
  };

  const drawState = (): void => {
    const after = stateAt(selected);
    const before = selected === 0 ? new Map<number, number>() : stateAt(selected - 1);
    const changed = new Map<number, number>();
    const delta = view.deltas[selected]!;
    for (let i = 0; i < delta.length; i += 2) changed.set(delta[i]!, delta[i + 1]!);
    const pathIds = new Set([...after.keys(), ...changed.keys()]);
    const ordered = [...pathIds].sort((a, b) => view.paths[a]!.localeCompare(view.paths[b]!, 'en', { numeric: true }));
    const counts = { added: 0, modified: 0, deleted: 0, unchanged: 0 };
    const body = ordered.map((id) => {
      const path = view.paths[id]!;
      const now = after.get(id);
      const was = before.get(id);
      const mark = selected === 0 ? 'unchanged' : !changed.has(id) ? 'unchanged' : changed.get(id) === DELETED ? 'deleted' : was === undefined ? 'added' : 'modified';
      counts[mark]++;
      const symbol = { added: '+', modified: '~', deleted: '−', unchanged: '' }[mark];
      const value =
        mark === 'modified'
          ? `<del>${esc(view.values[was!]!)}</del> → <ins>${esc(view.values[now!]!)}</ins>`
          : mark === 'deleted'
            ? `<del>${esc(view.values[was!]!)}</del>`
            : esc(view.values[now!]!);
      return `<tr class="${mark}${flaggedPaths.has(path) ? ' flagged-row' : ''}" data-path="${esc(path)}"><td class="mark">${symbol}</td><td class="path">${esc(path)}</td><td class="value">${value}</td></tr>`;
    });
    const step = view.steps[selected]!;
    statePanel.innerHTML = `
      <h2>State ${selected}<span class="of">/ ${last}</span></h2>
      <div class="action" id="selected-action">${esc(step.label)}</div>
      ${step.atMs === undefined && step.note === undefined ? '' : `<div class="step-note" id="selected-note">${[step.atMs === undefined ? '' : `at ${esc(formatMs(step.atMs))}`, step.note === undefined ? '' : esc(step.note)].filter((x) => x !== '').join(' · ')}</div>`}
      <div class="counts">${selected === 0 ? 'initial state' : `${counts.added} added, ${counts.modified} modified, ${counts.deleted} deleted, ${counts.unchanged} unchanged`}</div>
      <table id="state-table" class="${showUnchanged.checked || selected === 0 ? '' : 'hide-unchanged'}"><tbody>${body.join('')}</tbody></table>`;
  };

  const select = (step: number): void => {
    selected = Math.max(0, Math.min(last, step));
    const y = selected * ROW;
    if (y < chart.scrollTop + ROW || y > chart.scrollTop + chart.clientHeight - 2 * ROW) chart.scrollTop = Math.max(0, y - chart.clientHeight / 2);
    drawWindow();
    drawState();
    document.body.dataset.selected = String(selected);
  };

  let pending = false;
  chart.addEventListener('scroll', () => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      drawWindow();
    });
  });
  canvas.addEventListener('click', (event) => {
    const target = (event.target as Element).closest('[data-step]');
    if (target !== null) select(Number(target.getAttribute('data-step')));
  });
  showUnchanged.addEventListener('change', drawState);
  root.querySelector('#goto-highlight')?.addEventListener('click', () => select(view.highlight?.step ?? 0));
  document.addEventListener('keydown', (event) => {
    // A checkbox has no use for arrows; a text field would.
    if (event.target instanceof HTMLInputElement && event.target.type !== 'checkbox') return;
    const moves: Readonly<Record<string, number>> = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1, PageDown: 20, PageUp: -20 };
    if (event.key === 'Home') select(0);
    else if (event.key === 'End') select(last);
    else if (moves[event.key] !== undefined) select(selected + moves[event.key]!);
    else return;
    event.preventDefault();
  });
  select(selected);
}
