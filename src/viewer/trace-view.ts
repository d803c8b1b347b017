/**
 * A behaviour (states reached by labelled steps) as a {@link TraceView}: the state table's rows, the
 * message-sequence chart's arrows and the lanes' roles, terms, crashes and sides.
 *
 * Nothing here names a protocol. The chart reads what the states show:
 * - the message variable is the one holding a bag (a function from records to counts, Raft's
 *   `messages`) or a set of records (quorum-kv's `msgs`) whose records name a sender and a receiver
 *   (`msource`/`mdest`, `from`/`to`, ...);
 * - a copy appears when its count grows (a duplicate when the step is a `DuplicateMessage` of it) and
 *   is consumed when its count shrinks: dropped when the step is a `DropMessage`, delivered otherwise.
 *   Copies of one message are consumed oldest first;
 * - lanes show `role`, `currentTerm`, `up` and `side` when the spec has such per-node variables.
 *
 * A recording (an implementation trace) says what each step sent, and does not log the network: there a
 * copy appears at the step whose `sent` holds it and is consumed by the next step whose label's
 * `message` equals it (copies of one message oldest first): lost by a `DropMessage`, copied by a
 * `DuplicateMessage`, delivered by any other step.
 *
 * @module
 */
import { match } from 'ts-pattern';
import { type TlaValue, canonicalize, printTla } from '../tla/value.js';
import { DELETED, type Highlight, type LaneStatus, type MessageArrow, type StepEntry, type TraceView } from './model.js';

/** One state of the behaviour and the label of the step that reached it (`Init` for the first). */
export interface BehaviourState {
  readonly vars: Readonly<Record<string, TlaValue>>;
  readonly name: string;
  readonly params: Readonly<Record<string, TlaValue>>;
  /** The messages the step put on the network, when the behaviour records them (a recording). */
  readonly sent?: readonly TlaValue[];
  /** The step's virtual time in milliseconds, when recorded. */
  readonly atMs?: number;
  /** Why the step happened, when recorded (what lost a message). */
  readonly note?: string;
}

/** What {@link buildTraceView} draws. */
export interface BehaviourInput {
  readonly title: string;
  readonly facts: readonly (readonly [string, string])[];
  readonly states: readonly BehaviourState[];
  /** Variables left out of the state table (the action label, shown in the step list). */
  readonly hidden: readonly string[];
  readonly highlight?: Highlight;
  /** Lanes to draw even if no step names them (a recording's servers); more are added as steps name them. */
  readonly nodes?: readonly string[];
}

const ENDPOINTS: readonly (readonly [string, string])[] = [
  ['msource', 'mdest'],
  ['from', 'to'],
  ['source', 'dest'],
  ['src', 'dst'],
  ['sender', 'receiver'],
];
const TYPE_FIELDS = ['mtype', 'type'];
// Nested functions and records deeper than this are one row (matchIndex[s1][s2] is depth 2).
const MAX_ROW_DEPTH = 3;

/** A value as text in the page: TLA+ syntax, model values bare. */
export function showValue(value: TlaValue): string {
  return printTla(value);
}

function scalarName(value: TlaValue | undefined): string | null {
  if (value === undefined) return null;
  return match(value)
    .with({ kind: 'str' }, (v) => v.value)
    .with({ kind: 'modelValue' }, (v) => v.name)
    .with({ kind: 'int' }, (v) => v.value.toString())
    .with({ kind: 'bool' }, (v) => String(v.value))
    .with({ kind: 'set' }, { kind: 'seq' }, { kind: 'record' }, { kind: 'fn' }, () => null)
    .exhaustive();
}

function isComposite(value: TlaValue): boolean {
  return value.kind === 'record' || value.kind === 'fn';
}

/** Appends the rows of `value` at `path` (functions and records open into one row per entry). */
function flatten(value: TlaValue, path: string, depth: number, out: [string, string][]): void {
  if (depth < MAX_ROW_DEPTH && value.kind === 'fn' && value.entries.length > 0) {
    for (const [key, entry] of value.entries) flatten(entry, `${path}[${printedOnce(key)}]`, depth + 1, out);
    return;
  }
  if (depth < MAX_ROW_DEPTH && value.kind === 'record' && value.fields.size > 0) {
    for (const [field, entry] of value.fields) flatten(entry, `${path}.${field}`, depth + 1, out);
    return;
  }
  // A set of records (a message set) gets a row per element, so a step marks the ones it added or removed.
  if (value.kind === 'set' && value.elements.length > 0 && value.elements.every(isComposite)) {
    out.push([path, `${value.elements.length} element${value.elements.length === 1 ? '' : 's'}`]);
    for (const element of value.elements) out.push([`${path} ∋ ${printTla(element)}`, '∈']);
    return;
  }
  out.push([path, printedOnce(value)]);
}

// Values are immutable and a recording's states share the ones a step did not change (a node's log, the
// node keys): printing each once about halved the time to build the view of an 8,000-event recording.
const printed = new WeakMap<TlaValue, string>();

function printedOnce(value: TlaValue): string {
  let text = printed.get(value);
  if (text === undefined) {
    text = showValue(value);
    printed.set(value, text);
  }
  return text;
}

/** The fields of a message record naming its sender and its receiver. */
interface Endpoints {
  readonly from: string;
  readonly to: string;
}

interface MessageShape extends Endpoints {
  readonly variable: string;
}

function endpointsOf(record: TlaValue): readonly [string, string] | undefined {
  if (record.kind !== 'record') return undefined;
  return ENDPOINTS.find(([f, t]) => scalarName(record.fields.get(f)) !== null && scalarName(record.fields.get(t)) !== null);
}

/** The records a message variable holds, each with its count (1 for a set). */
function messageCounts(value: TlaValue): (readonly [TlaValue, number])[] | undefined {
  if (value.kind === 'fn') {
    const out: (readonly [TlaValue, number])[] = [];
    for (const [key, count] of value.entries) {
      if (count.kind !== 'int' || endpointsOf(key) === undefined) return undefined;
      out.push([key, Number(count.value)]);
    }
    return out;
  }
  if (value.kind === 'set') return value.elements.every((e) => endpointsOf(e) !== undefined) ? value.elements.map((e) => [e, 1] as const) : undefined;
  if (value.kind === 'seq' && value.elements.length === 0) return [];
  return undefined;
}

/** The variable that holds the messages in flight: the first whose every state is a bag or set of addressed records. */
function findMessageVariable(states: readonly BehaviourState[], candidates: readonly string[]): MessageShape | undefined {
  for (const variable of candidates) {
    let endpoints: readonly [string, string] | undefined;
    const fits = states.every((s) => {
      const value = s.vars[variable];
      const counts = value === undefined ? undefined : messageCounts(value);
      if (counts === undefined) return false;
      endpoints ??= counts.length > 0 ? endpointsOf(counts[0]![0]) : undefined;
      return true;
    });
    if (fits && endpoints !== undefined) return { variable, from: endpoints[0], to: endpoints[1] };
  }
  return undefined;
}

/** The endpoints of the first addressed record a recorded step sends or consumes. */
function recordedEndpoints(states: readonly BehaviourState[]): Endpoints | undefined {
  for (const state of states) {
    for (const message of [...(state.sent ?? []), ...(state.params.message === undefined ? [] : [state.params.message])]) {
      const endpoints = endpointsOf(message);
      if (endpoints !== undefined) return { from: endpoints[0], to: endpoints[1] };
    }
  }
  return undefined;
}

function messageText(message: TlaValue, shape: Endpoints | undefined): string {
  if (message.kind !== 'record') return printTla(message);
  const from = scalarName(message.fields.get(shape?.from ?? 'msource')) ?? '?';
  const to = scalarName(message.fields.get(shape?.to ?? 'mdest')) ?? '?';
  const typeField = TYPE_FIELDS.find((f) => message.fields.has(f));
  const type = typeField === undefined ? 'message' : (scalarName(message.fields.get(typeField)) ?? printTla(message.fields.get(typeField)!));
  const rest = [...message.fields]
    .filter(([k]) => k !== typeField && k !== shape?.from && k !== shape?.to)
    .map(([k, v]) => `${k}=${printTla(v)}`)
    .join(' ');
  return `${type} ${from}→${to}${rest === '' ? '' : ` ${rest}`}`;
}

const FIRST_PARAMS = ['node', 'peer'];

function labelText(state: BehaviourState, shape: Endpoints | undefined): string {
  const names = Object.keys(state.params).sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  if (names.length === 0) return state.name;
  const params = names.map((n) => {
    const v = state.params[n]!;
    return n === 'message' ? messageText(v, shape) : `${n}: ${printTla(v)}`;
  });
  return `${state.name}(${params.join(', ')})`;
}

function rank(param: string): number {
  const i = FIRST_PARAMS.indexOf(param);
  return i < 0 ? FIRST_PARAMS.length : i;
}

function naturalCompare(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}

function perNode(value: TlaValue | undefined, node: string): TlaValue | undefined {
  if (value?.kind !== 'fn') return undefined;
  return value.entries.find(([k]) => scalarName(k) === node)?.[1];
}

function statusOf(vars: Readonly<Record<string, TlaValue>>, node: string): LaneStatus {
  const up = perNode(vars.up, node);
  return {
    role: scalarName(perNode(vars.role, node)),
    term: scalarName(perNode(vars.currentTerm, node)),
    down: up?.kind === 'bool' && !up.value,
    side: scalarName(perNode(vars.side, node)),
  };
}

function sameStatus(a: LaneStatus, b: LaneStatus): boolean {
  return a.role === b.role && a.term === b.term && a.down === b.down && a.side === b.side;
}

const RESTART_ACTIONS = new Set(['Restart', 'Crash', 'Recover']);

/** The view of a behaviour; see the module comment for what the chart reads. */
export function buildTraceView(input: BehaviourInput): TraceView {
  const { states } = input;
  const first = states[0];
  if (first === undefined) throw new RangeError('a behaviour has at least its initial state');
  const hidden = new Set(input.hidden);
  // A recording's first state logs nothing yet: the variables are those any state has, in order of appearance.
  const variables = [...new Set(states.flatMap((s) => Object.keys(s.vars)))].filter((v) => !hidden.has(v));
  const recorded = states.some((s) => s.sent !== undefined);
  const shape = recorded ? recordedEndpoints(states) : findMessageVariable(states, variables);

  const pathIds = new Map<string, number>();
  const valueIds = new Map<string, number>();
  const intern = (table: Map<string, number>, key: string): number => {
    let id = table.get(key);
    if (id === undefined) {
      id = table.size;
      table.set(key, id);
    }
    return id;
  };

  const steps: StepEntry[] = [];
  const deltas: number[][] = [];
  let initial: number[] = [];
  let previous = new Map<number, number>();
  const nodes = new Set<string>(input.nodes);

  states.forEach((state, index) => {
    const node = scalarName(state.params.node);
    steps.push({
      name: state.name,
      label: labelText(state, shape),
      node,
      ...(state.atMs === undefined ? {} : { atMs: state.atMs }),
      ...(state.note === undefined ? {} : { note: state.note }),
    });
    for (const p of ['node', 'peer']) {
      const n = scalarName(state.params[p]);
      if (n !== null) nodes.add(n);
    }
    const group = state.params.nodes;
    if (group?.kind === 'set') for (const e of group.elements) nodes.add(scalarName(e) ?? printTla(e));

    const rows: [string, string][] = [];
    for (const variable of variables) {
      const value = state.vars[variable];
      if (value !== undefined) flatten(value, variable, 0, rows);
    }
    const current = new Map<number, number>();
    for (const [path, value] of rows) current.set(intern(pathIds, path), intern(valueIds, value));
    if (index === 0) {
      initial = [...current].flat();
      deltas.push([]);
    } else {
      const delta: number[] = [];
      for (const [path, value] of current) if (previous.get(path) !== value) delta.push(path, value);
      for (const path of previous.keys()) if (!current.has(path)) delta.push(path, DELETED);
      deltas.push(delta);
    }
    previous = current;
  });

  const flow = shape === undefined ? { arrows: [], unsent: 0 } : recorded ? recordedArrows(states, shape, nodes) : { arrows: messageArrows(states, shape as MessageShape, nodes), unsent: 0 };
  const messages = flow.arrows;
  const roles = first.vars.role;
  if (roles?.kind === 'fn') for (const [k] of roles.entries) nodes.add(scalarName(k) ?? printTla(k));
  const nodeList = [...nodes].sort(naturalCompare);

  const lanes = nodeList.map((node) => {
    const changes: { step: number; status: LaneStatus }[] = [];
    states.forEach((state, step) => {
      const status = statusOf(state.vars, node);
      const last = changes[changes.length - 1];
      if (last === undefined || !sameStatus(last.status, status)) changes.push({ step, status });
    });
    return changes;
  });
  const restarts = states.flatMap((s, step) => {
    const node = scalarName(s.params.node);
    return RESTART_ACTIONS.has(s.name) && node !== null ? [{ step, node, name: s.name }] : [];
  });

  return {
    kind: 'trace',
    title: input.title,
    facts: [...input.facts, ...flowFacts(recorded, states, flow)],
    nodes: nodeList,
    steps,
    paths: [...pathIds.keys()],
    values: [...valueIds.keys()],
    initial,
    deltas,
    messages,
    lanes,
    restarts,
    highlight: input.highlight ?? null,
  };
}

function messageArrows(states: readonly BehaviourState[], shape: MessageShape, nodes: Set<string>): MessageArrow[] {
  const arrows: { from: string; to: string; sent: number; end: number | null; fate: MessageArrow['fate']; duplicate: boolean; text: string }[] = [];
  // Open copies of each message (by its printed form), oldest first.
  const open = new Map<string, number[]>();
  let previous = new Map<string, { message: TlaValue; count: number }>();
  states.forEach((state, step) => {
    const current = new Map<string, { message: TlaValue; count: number }>();
    for (const [message, count] of messageCounts(state.vars[shape.variable]!) ?? []) {
      const key = printTla(message);
      const seen = current.get(key);
      current.set(key, { message, count: (seen?.count ?? 0) + count });
    }
    const labelled = state.params.message;
    const labelledKey = labelled === undefined ? undefined : printTla(labelled);
    for (const [key, { message, count }] of current) {
      const added = count - (previous.get(key)?.count ?? 0);
      for (let i = 0; i < added; i++) {
        const from = scalarName((message as Extract<TlaValue, { kind: 'record' }>).fields.get(shape.from)) ?? '?';
        const to = scalarName((message as Extract<TlaValue, { kind: 'record' }>).fields.get(shape.to)) ?? '?';
        nodes.add(from).add(to);
        const duplicate = state.name === 'DuplicateMessage' && labelledKey === key;
        const queue = open.get(key) ?? [];
        queue.push(arrows.length);
        open.set(key, queue);
        arrows.push({ from, to, sent: step, end: null, fate: 'in-flight', duplicate, text: messageText(message, shape) });
      }
    }
    for (const [key, { count }] of previous) {
      const removed = count - (current.get(key)?.count ?? 0);
      for (let i = 0; i < removed; i++) {
        const copy = open.get(key)?.shift();
        if (copy === undefined) continue;
        const arrow = arrows[copy]!;
        arrow.end = step;
        arrow.fate = state.name === 'DropMessage' ? 'dropped' : 'delivered';
      }
    }
    previous = current;
  });
  return arrows;
}

/** What the chart of a recording could not draw, as facts of the page. */
function flowFacts(recorded: boolean, states: readonly BehaviourState[], flow: { readonly arrows: readonly MessageArrow[]; readonly unsent: number }): [string, string][] {
  if (!recorded) return [];
  const facts: [string, string][] = [];
  if (flow.unsent > 0) facts.push(['consumed, never sent in the log', `${flow.unsent} message${flow.unsent === 1 ? '' : 's'} (no arrow)`]);
  const receives = states.some((s) => s.params.message !== undefined && s.name !== 'DropMessage' && s.name !== 'DuplicateMessage');
  if (flow.arrows.length > 0 && !receives) facts.push(['deliveries', 'no label names the message it consumes: arrows run on to the end']);
  return facts;
}

/** The arrows of a recording: from the step whose `sent` holds a copy to the step whose label consumes it. */
function recordedArrows(states: readonly BehaviourState[], shape: Endpoints, nodes: Set<string>): { arrows: MessageArrow[]; unsent: number } {
  const arrows: { from: string; to: string; sent: number; end: number | null; fate: MessageArrow['fate']; duplicate: boolean; text: string; note?: string }[] = [];
  // Open copies of each message (by its canonical printed form), oldest first.
  const open = new Map<string, number[]>();
  let unsent = 0;
  const put = (message: TlaValue, step: number, duplicate: boolean): void => {
    const key = printTla(canonicalize(message));
    const from = message.kind === 'record' ? (scalarName(message.fields.get(shape.from)) ?? '?') : '?';
    const to = message.kind === 'record' ? (scalarName(message.fields.get(shape.to)) ?? '?') : '?';
    nodes.add(from).add(to);
    const queue = open.get(key) ?? [];
    queue.push(arrows.length);
    open.set(key, queue);
    arrows.push({ from, to, sent: step, end: null, fate: 'in-flight', duplicate, text: messageText(message, shape) });
  };
  states.forEach((state, step) => {
    // A step consumes before it sends: what it sends cannot be what it consumed.
    const consumed = state.params.message;
    if (consumed !== undefined) {
      if (state.name === 'DuplicateMessage') put(consumed, step, true);
      else {
        const copy = open.get(printTla(canonicalize(consumed)))?.shift();
        if (copy === undefined) unsent++;
        else {
          const arrow = arrows[copy]!;
          arrow.end = step;
          arrow.fate = state.name === 'DropMessage' ? 'dropped' : 'delivered';
          if (state.note !== undefined) arrow.note = state.note;
        }
      }
    }
    for (const message of state.sent ?? []) put(message, step, false);
  });
  return { arrows, unsent };
}
