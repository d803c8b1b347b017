/**
 * An implementation trace (NDJSON of `src/validate/format.ts`, as `npm run sim -- --record` writes it)
 * as a {@link TraceView}: step k is event k (step 0 is the start, before anything was logged), labelled
 * as the event's action, at its virtual time.
 *
 * An event logs only its own node's variables, and only those it has: the state of a step is, per
 * variable, a function from each node to the last value that node logged (a variable an event leaves
 * out keeps its value), so the table reads `currentTerm[s1]` as a spec trace does. A variable not
 * indexed by node (`globals`) shows as logged last; one the protocol logs by entries (`writes["v1"]`)
 * keeps the entries an event leaves out. Messages are drawn from what each event `sent` to the event whose label consumes them (see {@link buildTraceView}).
 * Nothing here names a protocol: lanes are the header's constant that holds every node the events name.
 *
 * @module
 */
import { type TlaValue, printTla, tla } from '../tla/value.js';
import type { ItfJson } from '../trace/itf-value.js';
import type { ImplTrace, ImplTraceHeader } from '../validate/format.js';
import type { TraceView } from './model.js';
import { type BehaviourState, buildTraceView } from './trace-view.js';

/** The step of a recording that a check found wrong. */
export interface RecordingFlag {
  /** The event's 1-based index (its step on the page). */
  readonly event: number;
  readonly title: string;
  readonly lines: readonly string[];
  /** Variables of the event's node to mark in the state table. */
  readonly variables: readonly string[];
}

function scalarText(value: TlaValue): string | null {
  if (value.kind === 'str') return value.value;
  if (value.kind === 'modelValue') return value.name;
  return null;
}

/** The names a header constant holds, when it is a set of names (`Server`). */
function nameSet(value: TlaValue): string[] | null {
  if (value.kind !== 'set') return null;
  const names = value.elements.map(scalarText);
  return names.every((n): n is string => n !== null) ? names : null;
}

/** The lanes: every header constant that is a set of names holding each node an event names. */
function laneNodes(header: ImplTraceHeader, named: ReadonlySet<string>): { nodes: string[]; constants: string[] } {
  const nodes: string[] = [];
  const constants: string[] = [];
  for (const [name, value] of header.constants) {
    const names = nameSet(value);
    if (names === null || named.size === 0 || ![...named].every((n) => names.includes(n))) continue;
    constants.push(name);
    nodes.push(...names);
  }
  return { nodes, constants };
}

const MAX_FACT = 100;

function shortened(text: string): string {
  return text.length <= MAX_FACT ? text : `${text.slice(0, MAX_FACT - 1)}…`;
}

function sourceFacts(source: ItfJson | undefined): [string, string][] {
  if (source === undefined) return [];
  if (typeof source === 'object' && source !== null && !Array.isArray(source)) {
    return Object.entries(source).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]);
  }
  return [['source', typeof source === 'string' ? source : JSON.stringify(source)]];
}

// One collator for every comparison: localeCompare with options builds one per call (seconds over a long trace).
const NODE_ORDER = new Intl.Collator('en', { numeric: true });

/**
 * The behaviour a recording shows: step 0 before any event, then one state per event. `byEntries` names the
 * global variables an event logs some entries of (the protocol's validation declares them).
 */
export function recordingStates(trace: ImplTrace, byEntries: ReadonlySet<string> = new Set()): BehaviourState[] {
  // Per variable, per node: the last value logged. A variable's function is rebuilt only when it changes.
  const logged = new Map<string, Map<string, TlaValue>>();
  const functions = new Map<string, TlaValue>();
  // One key per node, so that every function's entries share it (and it is printed once, see flatten).
  const keys = new Map<string, TlaValue>();
  const keyOf = (node: string): TlaValue => {
    let key = keys.get(node);
    if (key === undefined) {
      key = tla.modelValue(node);
      keys.set(node, key);
    }
    return key;
  };
  const states: BehaviourState[] = [{ vars: {}, name: 'Start', params: {} }];
  for (const event of trace.events) {
    if (event.node !== undefined) {
      for (const [variable, value] of event.vars ?? []) {
        const perNode = logged.get(variable) ?? new Map<string, TlaValue>();
        logged.set(variable, perNode);
        perNode.set(event.node, value);
        const entries = [...perNode].sort(([a], [b]) => NODE_ORDER.compare(a, b));
        functions.set(variable, tla.fn(entries.map(([node, v]) => [keyOf(node), v] as const)));
      }
    }
    for (const [variable, value] of event.globals ?? []) {
      const before = functions.get(variable);
      functions.set(variable, byEntries.has(variable) && before?.kind === 'fn' && value.kind === 'fn' ? mergeEntries(before, value) : value);
    }
    const params = event.action.kind === 'record' ? Object.fromEntries([...event.action.fields].filter(([field]) => field !== 'name')) : {};
    states.push({
      vars: Object.fromEntries(functions),
      name: event.name,
      params,
      sent: event.sent?.kind === 'set' ? event.sent.elements : [],
      ...(event.atMs === undefined ? {} : { atMs: event.atMs }),
      ...(event.note === undefined ? {} : { note: event.note }),
    });
  }
  return states;
}

/** `update`'s entries over `base`'s (keys compared as printed). */
function mergeEntries(base: Extract<TlaValue, { kind: 'fn' }>, update: Extract<TlaValue, { kind: 'fn' }>): TlaValue {
  const entries = new Map(base.entries.map(([k, v]) => [printTla(k), [k, v] as const]));
  for (const [k, v] of update.entries) entries.set(printTla(k), [k, v]);
  return tla.fn([...entries.values()]);
}

/**
 * The page's view of a recording, `shown` naming its file; `flag` marks and selects an event; `byEntries`
 * as for {@link recordingStates}.
 */
export function buildRecordingView(trace: ImplTrace, shown: string, flag?: RecordingFlag, byEntries: ReadonlySet<string> = new Set()): TraceView {
  const states = recordingStates(trace, byEntries);
  const named = new Set(trace.events.flatMap((e) => (e.node === undefined ? [] : [e.node])));
  const lanes = laneNodes(trace.header, named);
  const times = trace.events.flatMap((e) => (e.atMs === undefined ? [] : [e.atMs]));
  const facts: [string, string][] = [
    ['protocol', trace.header.protocol],
    ['events', trace.events.length.toLocaleString('en-US')],
    ...[...trace.header.constants].map(([name, value]): [string, string] => [name, shortened(printTla(value))]),
    ...(times.length === 0 ? [] : [['virtual time', `${times.reduce((a, b) => Math.min(a, b))} – ${times.reduce((a, b) => Math.max(a, b))} ms`] as [string, string]]),
    ...(trace.header.unlogged.length === 0 ? [] : [['unlogged actions', trace.header.unlogged.join(', ')] as [string, string]]),
    ...sourceFacts(trace.header.source),
  ];
  const view = buildTraceView({ title: `${trace.header.protocol} implementation trace: ${shown}`, facts, states, hidden: [], nodes: lanes.nodes });
  if (flag === undefined) return view;
  const node = trace.events[flag.event - 1]?.node;
  // A variable opens into rows (nextIndex[s1].s2): mark every row of the node's entry.
  const prefixes = node === undefined ? [] : flag.variables.map((v) => `${v}[${node}]`);
  const paths = view.paths.filter((p) => prefixes.some((prefix) => p === prefix || p.startsWith(`${prefix}.`) || p.startsWith(`${prefix}[`)));
  return { ...view, highlight: { step: flag.event, title: flag.title, lines: flag.lines, paths } };
}
