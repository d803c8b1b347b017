/**
 * ITF trace documents (ARCHITECTURE.md section 4): reading, validating and writing whole traces.
 *
 * A document is `{"#meta": {...}, "vars": [...], "states": [...]}`. Every state carries the spec's
 * variables plus Quint's model-based-testing keys `mbt::actionTaken` (the action's name) and
 * `mbt::nondetPicks` (a record of its parameters), so Quint-style drivers can read the traces too.
 * `#meta` says where the trace came from (model, TLC version, mode, seed) and which strings are
 * model values, since ITF itself has no model values.
 *
 * Reading is strict and every problem is reported once, naming the file and the state index: a
 * trace that does not parse or does not have the format's shape is refused before anything replays
 * it. A trace may come from someone else, so a file is size-checked before it is read
 * ({@link MAX_TRACE_BYTES}), a JSON error says where but never quotes the file, values nest at most
 * `MAX_ITF_DEPTH` levels, everything is looked up as an own property, and a variable or action
 * parameter named like a property every JavaScript object inherits (`constructor`, `__proto__`) is
 * refused rather than used as a key.
 *
 * @module
 */
import { match } from 'ts-pattern';
import { ExitCode, WorkbenchError } from '../errors.js';
import { FileReadError, JsonSyntaxError, MAX_INPUT_BYTES, parseJson, readTextFile } from '../files/read.js';
import { INHERITED_NAME, type TlaValue, isInheritedName, tla } from '../tla/value.js';
import { type ItfJson, ItfValueError, fromItf, toItf } from './itf-value.js';

/** Quint's key for the name of the action that produced a state. */
export const ACTION_TAKEN = 'mbt::actionTaken';
/** Quint's key for the record of that action's parameters. */
export const NONDET_PICKS = 'mbt::nondetPicks';

/** Where the ITF format is described; written into every trace's `#meta`. */
export const ITF_FORMAT_DESCRIPTION = 'https://apalache-mc.org/docs/adr/015adr-trace.html';

/** How a trace was produced. */
export type TraceMode = 'simulation' | 'scenario' | 'tour';

/** The trace modes, for validation and help texts. */
export const TRACE_MODES: readonly TraceMode[] = ['simulation', 'scenario', 'tour'];

/** `#meta` of a trace: enough to know what it is a trace of and to regenerate it. */
export interface TraceMeta {
  readonly format: 'ITF';
  readonly 'format-description': string;
  /** The protocol spec the model instantiates (`Raft`); replay harnesses are chosen by it. */
  readonly spec: string;
  /** The TLA+ module TLC ran, relative to the repository root. */
  readonly source: string;
  /** The model (config) name, e.g. `MCRaftTraceSim`. */
  readonly model: string;
  /** The model config TLC ran, relative to the repository root. */
  readonly config: string;
  /** TLC's version line, e.g. `2.18 of 20 March 2023`. */
  readonly tlcVersion: string;
  readonly mode: TraceMode;
  /** TLC's `-seed` (simulation). */
  readonly seed?: string;
  /** The scenario's goal (scenario mode). */
  readonly goal?: string;
  /** 1-based position of the trace in its batch (simulation and tour). */
  readonly index?: number;
  /** Strings in the states that stand for TLC model values (`s1`, `v1`, `Nil`). */
  readonly modelValues: readonly string[];
  /** One sentence: what the trace shows. */
  readonly description: string;
  /** The command that regenerates the batch this trace belongs to. */
  readonly regenerate: string;
}

/** One state of a trace: the spec's variables and the label of the step that produced it. */
export interface TraceState {
  /** 0-based position in the trace (the ITF `#meta.index`). */
  readonly index: number;
  /** Every variable of the trace's `vars`, by name. */
  readonly vars: Readonly<Record<string, TlaValue>>;
  /** `mbt::actionTaken`: the action's name (`Init` for the first state). */
  readonly actionTaken: string;
  /** `mbt::nondetPicks`: the action's parameters by name. */
  readonly nondetPicks: Readonly<Record<string, TlaValue>>;
}

/** A whole trace. */
export interface Trace {
  readonly meta: TraceMeta;
  /** The spec's variable names, in the order the trace lists them (without the `mbt::` keys). */
  readonly vars: readonly string[];
  readonly states: readonly TraceState[];
}

/**
 * A trace file is unusable: it does not parse, does not have ITF's shape, is a trace of another model,
 * labels an unknown action, or holds a state that is not type-correct. Always names the file and,
 * when one is to blame, the state.
 */
export class TraceError extends WorkbenchError {
  constructor(
    readonly file: string,
    readonly step: number | undefined,
    readonly problem: string,
    hint = 'Regenerate the trace with `npm run traces`, or fix the file by hand (format: ARCHITECTURE.md section 4).',
  ) {
    super(`${file}${step === undefined ? '' : `, state ${step}`}: ${problem}`, ExitCode.SPEC_ERROR, hint);
    this.name = 'TraceError';
  }
}

/** The largest trace file read: 64 MiB (the committed traces are at most a few hundred KB). */
export const MAX_TRACE_BYTES = MAX_INPUT_BYTES;

function isObject(value: unknown): value is { [key: string]: ItfJson } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `object[key]` if it is the object's own property (never one inherited from Object.prototype). */
function own(object: { readonly [key: string]: ItfJson }, key: string): ItfJson | undefined {
  return Object.hasOwn(object, key) ? object[key] : undefined;
}

function metaString(meta: { [key: string]: ItfJson }, key: string, file: string, required = true): string | undefined {
  const value = own(meta, key);
  if (value === undefined && !required) return undefined;
  if (typeof value !== 'string') throw new TraceError(file, undefined, `#meta.${key} must be a string, got ${JSON.stringify(value ?? null)}`);
  return value;
}

function parseMeta(json: ItfJson | undefined, file: string): TraceMeta {
  if (!isObject(json)) throw new TraceError(file, undefined, '"#meta" is missing or not an object: it must say which model the trace belongs to');
  const mode = metaString(json, 'mode', file) as string;
  if (!(TRACE_MODES as readonly string[]).includes(mode)) {
    throw new TraceError(file, undefined, `#meta.mode is "${mode}", not one of ${TRACE_MODES.join(', ')}`);
  }
  const modelValues = own(json, 'modelValues');
  if (!Array.isArray(modelValues) || !modelValues.every((v) => typeof v === 'string')) {
    throw new TraceError(file, undefined, '#meta.modelValues must be an array of strings (the names of the model values)');
  }
  const index = own(json, 'index');
  if (index !== undefined && (typeof index !== 'number' || !Number.isSafeInteger(index) || index < 1)) {
    throw new TraceError(file, undefined, `#meta.index must be a positive integer, got ${JSON.stringify(index)}`);
  }
  const format = metaString(json, 'format', file);
  if (format !== 'ITF') throw new TraceError(file, undefined, `#meta.format is "${format}", not "ITF"`);
  const seed = metaString(json, 'seed', file, false);
  const goal = metaString(json, 'goal', file, false);
  return {
    format: 'ITF',
    'format-description': metaString(json, 'format-description', file, false) ?? ITF_FORMAT_DESCRIPTION,
    spec: metaString(json, 'spec', file) as string,
    source: metaString(json, 'source', file) as string,
    model: metaString(json, 'model', file) as string,
    config: metaString(json, 'config', file) as string,
    tlcVersion: metaString(json, 'tlcVersion', file) as string,
    mode: mode as TraceMode,
    ...(seed !== undefined ? { seed } : {}),
    ...(goal !== undefined ? { goal } : {}),
    ...(typeof index === 'number' ? { index } : {}),
    modelValues: modelValues as string[],
    description: metaString(json, 'description', file, false) ?? '',
    regenerate: metaString(json, 'regenerate', file, false) ?? '',
  };
}

function decodeRecord(value: TlaValue, file: string, step: number, key: string): Record<string, TlaValue> {
  // An empty record and an empty sequence are the same TLA+ value; `{}` decodes as a record already.
  if (value.kind === 'seq' && value.elements.length === 0) return {};
  if (value.kind !== 'record') throw new TraceError(file, step, `${key} must be a record of the action's parameters`);
  for (const name of value.fields.keys()) {
    if (isInheritedName(name)) throw new TraceError(file, step, `${key} has a parameter named ${JSON.stringify(name)}, ${INHERITED_NAME}; rename it`);
  }
  return Object.fromEntries(value.fields);
}

/** Parses and validates an ITF trace document (already read from `file`, which only names it in errors). */
export function parseTrace(text: string, file: string): Trace {
  let json: ItfJson;
  try {
    json = parseJson(text) as ItfJson;
  } catch (error) {
    // The error says where, never what the file holds (it may not be a trace at all).
    if (error instanceof JsonSyntaxError) throw new TraceError(file, undefined, error.message);
    throw error;
  }
  if (!isObject(json)) throw new TraceError(file, undefined, 'an ITF trace is a JSON object with "#meta", "vars" and "states"');
  const meta = parseMeta(own(json, '#meta'), file);
  const rawVars = own(json, 'vars');
  if (!Array.isArray(rawVars) || !rawVars.every((v) => typeof v === 'string')) {
    throw new TraceError(file, undefined, '"vars" must be an array of variable names');
  }
  const vars = (rawVars as string[]).filter((v) => v !== ACTION_TAKEN && v !== NONDET_PICKS);
  const inherited = vars.find(isInheritedName);
  if (inherited !== undefined) {
    throw new TraceError(file, undefined, `"vars" lists ${JSON.stringify(inherited)}, ${INHERITED_NAME}; rename the variable`);
  }
  const rawStates = own(json, 'states');
  if (!Array.isArray(rawStates) || rawStates.length === 0) throw new TraceError(file, undefined, '"states" must be a non-empty array');
  const options = { modelValues: new Set(meta.modelValues) };
  const states = rawStates.map((raw, i): TraceState => {
    if (!isObject(raw)) throw new TraceError(file, i, 'a state must be a JSON object');
    const stateMeta = own(raw, '#meta');
    const stateIndex = isObject(stateMeta) ? own(stateMeta, 'index') : stateMeta;
    if (stateMeta !== undefined && (!isObject(stateMeta) || (stateIndex !== undefined && stateIndex !== i))) {
      throw new TraceError(file, i, `#meta.index of the state is ${JSON.stringify(stateIndex)}, expected ${i}`);
    }
    const decoded: Record<string, TlaValue> = {};
    try {
      for (const name of vars) {
        const value = own(raw, name);
        if (value === undefined) throw new TraceError(file, i, `variable ${name} is missing (the trace's "vars" lists it)`);
        decoded[name] = fromItf(value, options, `/${name}`);
      }
    } catch (error) {
      if (error instanceof ItfValueError) throw new TraceError(file, i, `not an ITF value: ${error.message}`);
      throw error;
    }
    const extra = Object.keys(raw).filter((k) => k !== '#meta' && k !== ACTION_TAKEN && k !== NONDET_PICKS && !vars.includes(k));
    if (extra.length > 0) throw new TraceError(file, i, `variable ${extra.join(', ')} is not in the trace's "vars"`);
    const taken = own(raw, ACTION_TAKEN);
    if (typeof taken !== 'string') throw new TraceError(file, i, `${ACTION_TAKEN} must be the action's name`);
    const picks = own(raw, NONDET_PICKS);
    if (picks === undefined) throw new TraceError(file, i, `${NONDET_PICKS} is missing`);
    let pickValue: TlaValue;
    try {
      pickValue = fromItf(picks, options, `/${NONDET_PICKS}`);
    } catch (error) {
      if (error instanceof ItfValueError) throw new TraceError(file, i, `not an ITF value: ${error.message}`);
      throw error;
    }
    return { index: i, vars: decoded, actionTaken: taken, nondetPicks: decodeRecord(pickValue, file, i, NONDET_PICKS) };
  });
  return { meta, vars, states };
}

/**
 * Reads and validates a trace file: a regular file of at most {@link MAX_TRACE_BYTES}, checked
 * before it is read (a missing file, a folder, a FIFO, a file too large is a {@link TraceError}).
 */
export async function readTrace(file: string, displayName = file): Promise<Trace> {
  let text: string;
  try {
    text = await readTextFile(file, { maxBytes: MAX_TRACE_BYTES, what: 'trace file', shown: displayName });
  } catch (error) {
    if (!(error instanceof FileReadError)) throw error;
    const hint =
      error.reason === 'too-large'
        ? 'Traces TLC writes for these models are far smaller; is this really a trace?'
        : 'Check the path; `npm run traces` writes traces into traces/.';
    throw new TraceError(displayName, undefined, error.problem, hint);
  }
  return parseTrace(text, displayName);
}

/** A trace as ITF JSON (model values become strings; `#meta` lists them). */
export function traceToItf(trace: Trace): ItfDocumentJson {
  return {
    '#meta': metaToJson(trace.meta),
    vars: [...trace.vars, ACTION_TAKEN, NONDET_PICKS],
    states: trace.states.map((s) => stateToItf(s, trace.vars)),
  };
}

function metaToJson(meta: TraceMeta): { [key: string]: ItfJson } {
  const out: { [key: string]: ItfJson } = {};
  for (const [k, v] of Object.entries(meta)) if (v !== undefined) out[k] = Array.isArray(v) ? [...(v as string[])] : (v as ItfJson);
  return out;
}

function stateToItf(state: TraceState, vars: readonly string[]): { [key: string]: ItfJson } {
  const out: { [key: string]: ItfJson } = { '#meta': { index: state.index } };
  for (const name of vars) {
    const value = state.vars[name];
    if (value === undefined) throw new RangeError(`state ${state.index} has no value for ${name}`);
    out[name] = toItf(value);
  }
  out[ACTION_TAKEN] = state.actionTaken;
  out[NONDET_PICKS] = toItf({ kind: 'record', fields: new Map(Object.entries(state.nondetPicks)) });
  return out;
}

/**
 * The text of a trace file: `#meta` indented, then one state per line, so a file diffs and greps
 * well and stays small.
 */
export function serializeTrace(trace: Trace): string {
  return serializeItf(traceToItf(trace));
}

/** An ITF document as JSON. */
export interface ItfDocumentJson {
  readonly '#meta': ItfJson;
  readonly vars: ItfJson;
  readonly states: readonly ItfJson[];
}

/** Any ITF document in the layout of {@link serializeTrace}. */
export function serializeItf(json: ItfDocumentJson): string {
  const meta = JSON.stringify(json['#meta'], null, 2).replace(/\n/g, '\n  ');
  const states = json.states.map((s) => `    ${JSON.stringify(s)}`).join(',\n');
  return `{\n  "#meta": ${meta},\n  "vars": ${JSON.stringify(json.vars)},\n  "states": [\n${states}\n  ]\n}\n`;
}

/**
 * Splits a spec's action-label record (`[name |-> "Timeout", node |-> s1]`) into Quint's
 * `mbt::actionTaken` and `mbt::nondetPicks`. A label without a string `name` yields `undefined`.
 */
export function splitActionLabel(label: TlaValue | undefined): { actionTaken: string; nondetPicks: Record<string, TlaValue> } | undefined {
  if (label?.kind !== 'record') return undefined;
  const name = label.fields.get('name');
  if (name?.kind !== 'str') return undefined;
  // fromEntries defines own properties: a field named `__proto__` cannot set the prototype (reading
  // such a trace back refuses the name, see decodeRecord).
  const nondetPicks: Record<string, TlaValue> = Object.fromEntries([...label.fields].filter(([k]) => k !== 'name'));
  return { actionTaken: name.value, nondetPicks };
}

/** The action label record rebuilt from Quint's two keys (for traces that lack an `action` variable). */
export function joinActionLabel(state: Pick<TraceState, 'actionTaken' | 'nondetPicks'>): TlaValue {
  return tla.record({ name: tla.str(state.actionTaken), ...state.nondetPicks });
}

/** Names of every model value occurring in the values, sorted (for `#meta.modelValues`). */
export function collectModelValues(values: Iterable<TlaValue>): string[] {
  const names = new Set<string>();
  const visit = (v: TlaValue): void =>
    match(v)
      .with({ kind: 'modelValue' }, (m) => void names.add(m.name))
      .with({ kind: 'set' }, { kind: 'seq' }, (c) => c.elements.forEach(visit))
      .with({ kind: 'record' }, (r) => r.fields.forEach(visit))
      .with({ kind: 'fn' }, (f) => f.entries.forEach(([k, e]) => (visit(k), visit(e))))
      .with({ kind: 'bool' }, { kind: 'int' }, { kind: 'str' }, () => undefined)
      .exhaustive();
  for (const v of values) visit(v);
  return [...names].sort();
}
