// Shared by the viewer tests: traces read as behaviours, a label-based account of a Raft trace's
// messages (independent of the chart's bag diffing), and a synthetic behaviour of any length.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../src/paths.js';
import { type TlaValue, printTla, tla } from '../../src/tla/value.js';
import { parseTrace } from '../../src/trace/itf-trace.js';
import type { KvOperation } from '../../src/viewer/history-view.js';
import { DELETED, type MessageArrow, type TraceView } from '../../src/viewer/model.js';
import type { BehaviourState } from '../../src/viewer/trace-view.js';

export function readBehaviour(file: string): BehaviourState[] {
  const trace = parseTrace(readFileSync(join(REPO_ROOT, file), 'utf8'), file);
  return trace.states.map((s) => ({ vars: s.vars, name: s.actionTaken, params: s.nondetPicks }));
}

/** A node as the chart names its lane: a model value (spec traces) or a string (recordings), unquoted. */
const nodeName = (node: TlaValue): string => (node.kind === 'str' ? node.value : printTla(node));

/** What the labels of a Raft trace say about its messages: a receive action names the message it consumes. */
export function labelledMessages(states: readonly BehaviourState[]): { delivered: { step: number; to: string; message: string }[]; dropped: number; duplicated: number } {
  const delivered: { step: number; to: string; message: string }[] = [];
  let dropped = 0;
  let duplicated = 0;
  states.forEach((s, step) => {
    const message = s.params.message;
    if (message === undefined) return;
    if (s.name === 'DropMessage') dropped++;
    else if (s.name === 'DuplicateMessage') duplicated++;
    else delivered.push({ step, to: nodeName(s.params.node!), message: printTla(message) });
  });
  return { delivered, dropped, duplicated };
}

/** Where the chart's arrows disagree with the labels (empty when they agree). */
export function arrowProblems(arrows: readonly MessageArrow[], states: readonly BehaviourState[]): string[] {
  const expected = labelledMessages(states);
  const problems: string[] = [];
  const delivered = arrows.filter((a) => a.fate === 'delivered');
  if (delivered.length !== expected.delivered.length) problems.push(`${delivered.length} delivered arrows, labels deliver ${expected.delivered.length}`);
  for (const d of expected.delivered) {
    if (!delivered.some((a) => a.end === d.step && a.to === d.to)) problems.push(`no arrow delivered to ${d.to} at step ${d.step}`);
  }
  const dropped = arrows.filter((a) => a.fate === 'dropped').length;
  if (dropped !== expected.dropped) problems.push(`${dropped} lost arrows, labels drop ${expected.dropped}`);
  const duplicated = arrows.filter((a) => a.duplicate).length;
  if (duplicated !== expected.duplicated) problems.push(`${duplicated} duplicate arrows, labels duplicate ${expected.duplicated}`);
  return problems;
}

const NODES = ['s1', 's2', 's3'];

function ping(from: string, to: string, seq: number): TlaValue {
  return tla.record({ mtype: tla.str('Ping'), msource: tla.modelValue(from), mdest: tla.modelValue(to), mseq: tla.int(seq) });
}

/**
 * `steps` steps over three nodes: at each step one node receives the oldest message in flight and sends
 * a ping to the next node; its term grows every 7 of its steps and its role changes with it.
 */
export function syntheticBehaviour(steps: number): BehaviourState[] {
  const terms = new Map(NODES.map((n) => [n, 0]));
  const inFlight: { to: string; message: TlaValue }[] = [];
  const vars = (): Record<string, TlaValue> => ({
    currentTerm: tla.fn(NODES.map((n) => [tla.modelValue(n), tla.int(terms.get(n)!)] as const)),
    role: tla.fn(NODES.map((n) => [tla.modelValue(n), tla.str(terms.get(n)! % 2 === 0 ? 'Follower' : 'Leader')] as const)),
    messages: tla.fn(inFlight.map((m) => [m.message, tla.int(1)] as const)),
  });
  const states: BehaviourState[] = [{ vars: vars(), name: 'Init', params: {} }];
  for (let k = 1; k < steps; k++) {
    // The receiver of the oldest message acts once three are in flight; before that, the nodes take turns.
    const received = inFlight.length > 2 ? inFlight.shift() : undefined;
    const node = received?.to ?? NODES[k % NODES.length]!;
    const next = NODES[(NODES.indexOf(node) + 1) % NODES.length]!;
    inFlight.push({ to: next, message: ping(node, next, k) });
    if (k % 7 === 0) terms.set(node, terms.get(node)! + 1);
    states.push({ vars: vars(), name: received === undefined ? 'Send' : 'Receive', params: { node: tla.modelValue(node), ...(received === undefined ? {} : { message: received.message }) } });
  }
  return states;
}

/** put(k, v) by c1 completes before c2's get(k) starts, yet the get reads nothing: a stale read. */
export const STALE_READ: KvOperation[] = [
  { id: 0, process: 'c1', input: { type: 'put', key: 'k', value: 'v1' }, status: 'ok', output: { type: 'put' }, call: 0, ret: 10 },
  { id: 1, process: 'c2', input: { type: 'get', key: 'k' }, status: 'ok', output: { type: 'get', value: null }, call: 20, ret: 30 },
  { id: 2, process: 'c3', input: { type: 'get', key: 'j' }, status: 'ok', output: { type: 'get', value: null }, call: 5, ret: 25 },
];

/** The rows of step k as the page rebuilds them: the first state, then every delta up to k. */
export function rowsAt(v: TraceView, step: number): Map<string, string> {
  const state = new Map<number, number>();
  for (let i = 0; i < v.initial.length; i += 2) state.set(v.initial[i]!, v.initial[i + 1]!);
  for (let k = 1; k <= step; k++) {
    const d = v.deltas[k]!;
    for (let i = 0; i < d.length; i += 2) (d[i + 1] === DELETED ? state.delete(d[i]!) : state.set(d[i]!, d[i + 1]!));
  }
  return new Map([...state].map(([p, x]) => [v.paths[p]!, v.values[x]!]));
}
