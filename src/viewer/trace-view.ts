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
 * @module
 */
import { match } from 'ts-pattern';
import { type TlaValue, printTla } from '../tla/value.js';
import { DELETED, type Highlight, type LaneStatus, type MessageArrow, type StepEntry, type TraceView } from './model.js';

/** One state of the behaviour and the label of the step that reached it (`Init` for the first). */
export interface BehaviourState {
  readonly vars: Readonly<Record<string, TlaValue>>;
  readonly name: string;
  readonly params: Readonly<Record<string, TlaValue>>;
}

/** What {@link buildTraceView} draws. */
export interface BehaviourInput {
  readonly title: string;
  readonly facts: readonly (readonly [string, string])[];
  readonly states: readonly BehaviourState[];
  /** Variables left out of the state table (the action label, shown in the step list). */
  readonly hidden: readonly string[];
  readonly highlight?: Highlight;
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
    for (const [key, entry] of value.entries) flatten(entry, `${path}[${printTla(key)}]`, depth + 1, out);
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
  out.push([path, showValue(value)]);
}

interface MessageShape {
  readonly variable: string;
  readonly from: string;
  readonly to: string;
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

function messageText(message: TlaValue, shape: MessageShape | undefined): string {
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

function labelText(state: BehaviourState, shape: MessageShape | undefined): string {
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
  const variables = Object.keys(first.vars).filter((v) => !hidden.has(v));
  const shape = findMessageVariable(states, variables);

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
  const nodes = new Set<string>();

  states.forEach((state, index) => {
    const node = scalarName(state.params.node);
    steps.push({ name: state.name, label: labelText(state, shape), node });
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

  const messages = shape === undefined ? [] : messageArrows(states, shape, nodes);
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
    facts: input.facts,
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
