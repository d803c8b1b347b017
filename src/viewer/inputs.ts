/**
 * Reading what `npm run view` is given into views: an ITF trace (through the strict trace reader and
 * the protocol registry), a counterexample (a check-spec summary, its `--json` output, or a saved
 * counterexample ITF file), a conformance report (`--json`), a simulator run (`npm run sim -- --json`,
 * its client history), or an implementation trace (NDJSON, `npm run sim -- --record`, told by its header
 * line). The kind is told by the content, not the file name.
 *
 * @module
 */
import { existsSync } from 'node:fs';
import { basename, isAbsolute, resolve } from 'node:path';
import { ExitCode, WorkbenchError } from '../errors.js';
import { JsonSyntaxError, MAX_INPUT_BYTES, parseJson, readTextFile } from '../files/read.js';
import type { KvOp, KvResult } from '../kv/command.js';
import { REPO_ROOT } from '../paths.js';
import { PROTOCOLS, protocolForSpec } from '../protocol/registry.js';
import type { TlaValue } from '../tla/value.js';
import { ACTION_TAKEN, NONDET_PICKS, TRACE_MODES, parseTrace, splitActionLabel } from '../trace/itf-trace.js';
import { type ItfJson, ItfValueError, fromItf } from '../trace/itf-value.js';
import { IMPL_TRACE_FORMAT, parseImplTrace } from '../validate/format.js';
import { type KvOperation, buildHistoryView } from './history-view.js';
import type { Highlight, View } from './model.js';
import { buildRecordingView } from './recording-view.js';
import { type BehaviourState, buildTraceView } from './trace-view.js';

/** One page to write: a short name (for file names when an input holds several) and its view. */
export interface NamedView {
  readonly name: string;
  readonly view: View;
}

type JsonObject = { readonly [key: string]: ItfJson };

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function field(object: JsonObject, key: string): ItfJson | undefined {
  return Object.hasOwn(object, key) ? object[key] : undefined;
}

function unusable(file: string, problem: string): WorkbenchError {
  return new WorkbenchError(
    `${file}: ${problem}`,
    ExitCode.SPEC_ERROR,
    'Give an ITF trace (traces/), a check-spec summary or --json output, a conformance --json report, a sim --json run, or an implementation trace (sim --record).',
  );
}

/** Reads `file` (shown as `shown` in messages) and returns the views it holds, at least one. */
export async function loadViews(file: string, shown = file): Promise<NamedView[]> {
  const text = await readTextFile(file, { maxBytes: MAX_INPUT_BYTES, what: 'input', shown });
  const stem = inputStem(file);
  if (isImplTrace(text)) {
    const trace = parseImplTrace(text, shown);
    return [{ name: stem, view: buildRecordingView(trace, shown, undefined, globalsByEntries(trace.header.protocol)) }];
  }
  let json: unknown;
  try {
    json = parseJson(text);
  } catch (error) {
    if (error instanceof JsonSyntaxError) throw unusable(shown, error.message);
    throw error;
  }
  if (!isObject(json)) throw unusable(shown, 'not a JSON object');
  if (Object.hasOwn(json, '#meta') && Object.hasOwn(json, 'states')) return [{ name: stem, view: await itfView(text, json, shown) }];
  if (field(json, 'tool') === 'check-spec' && Array.isArray(field(json, 'models'))) return summaryViews(json, shown);
  if (Array.isArray(field(json, 'protocols')) && typeof field(json, 'passed') === 'boolean') return conformanceViews(json, shown);
  if (Array.isArray(field(json, 'history'))) return [{ name: stem, view: simView(json, shown) }];
  throw unusable(shown, 'not a kind of input the viewer knows');
}

/** A file's name without its input extension (`.itf.json`, `.json`, `.ndjson`): the page's default name. */
export function inputStem(file: string): string {
  return basename(file).replace(/(\.itf)?\.json$|\.ndjson$/, '');
}

/** The global variables a protocol's recordings log by entries (as its validation declares). */
export function globalsByEntries(protocol: string): Set<string> {
  const declared = PROTOCOLS.find((p) => p.name === protocol)?.validation?.globalVariables ?? {};
  return new Set(Object.entries(declared).flatMap(([name, how]) => (how === 'entries' ? [name] : [])));
}

/** Whether the first line is an implementation trace's header (`"format": "workbench-impl-trace/1"`). */
function isImplTrace(text: string): boolean {
  const newline = text.indexOf('\n');
  const first = (newline < 0 ? text : text.slice(0, newline)).trim();
  if (!first.startsWith('{')) return false;
  try {
    const header: unknown = JSON.parse(first);
    return isObject(header) && field(header, 'format') === IMPL_TRACE_FORMAT;
  } catch {
    return false;
  }
}

function metaFacts(meta: JsonObject, keys: readonly string[]): [string, string][] {
  return keys.flatMap((k) => {
    const v = field(meta, k);
    return typeof v === 'string' || typeof v === 'number' ? [[k, String(v)] as [string, string]] : [];
  });
}

/** A trace of the corpus goes through the strict reader; anything else ITF-shaped (a counterexample) is decoded value by value. */
async function itfView(text: string, json: JsonObject, shown: string, highlight?: Highlight): Promise<View> {
  const meta = field(json, '#meta');
  if (!isObject(meta)) throw unusable(shown, '"#meta" is not an object');
  const mode = field(meta, 'mode');
  const facts = metaFacts(meta, ['spec', 'model', 'mode', 'violation', 'goal', 'seed', 'index', 'description', 'regenerate']);
  const title = `${typeof field(meta, 'model') === 'string' ? String(field(meta, 'model')) : 'trace'}: ${shown}`;
  if (typeof mode === 'string' && (TRACE_MODES as readonly string[]).includes(mode)) {
    const trace = parseTrace(text, shown);
    const labelVariable = protocolForSpec(trace.meta.spec)?.labelVariable ?? 'action';
    return buildTraceView({
      title,
      facts,
      hidden: [labelVariable],
      states: trace.states.map((s) => ({ vars: s.vars, name: s.actionTaken, params: s.nondetPicks })),
      ...(highlight === undefined ? {} : { highlight }),
    });
  }
  const modelValues = field(meta, 'modelValues');
  const options = { modelValues: new Set(Array.isArray(modelValues) ? modelValues.filter((v): v is string => typeof v === 'string') : []) };
  const rawStates = field(json, 'states');
  if (!Array.isArray(rawStates) || rawStates.length === 0) throw unusable(shown, '"states" must be a non-empty array');
  const states = rawStates.map((raw, index) => {
    if (!isObject(raw)) throw unusable(shown, `state ${index} is not an object`);
    const vars = Object.fromEntries(Object.keys(raw).filter((k) => !k.startsWith('#') && k !== ACTION_TAKEN && k !== NONDET_PICKS).map((k) => [k, raw[k]!] as const));
    return { vars, step: undefined };
  });
  const violation = field(meta, 'violation');
  return buildTraceView({
    title,
    facts,
    hidden: ['action'],
    states: decodeStates(states, options, shown),
    highlight: highlight ?? lastStep(states.length, `Counterexample: ${typeof violation === 'string' ? violation : 'violation'}`, []),
  });
}

function lastStep(count: number, title: string, lines: readonly string[]): Highlight {
  return { step: count - 1, title, lines, paths: [] };
}

/** ITF variables to values, each state labelled by its `action` variable (or by TLC's step text when the spec keeps none). */
function decodeStates(states: readonly { readonly vars: JsonObject; readonly step: string | undefined }[], options: { readonly modelValues: ReadonlySet<string> }, shown: string): BehaviourState[] {
  return states.map(({ vars, step }, index) => {
    const decoded: Record<string, TlaValue> = {};
    for (const [name, raw] of Object.entries(vars)) {
      try {
        decoded[name] = fromItf(raw, options);
      } catch (error) {
        if (error instanceof ItfValueError) throw unusable(shown, `state ${index}, ${name}: ${error.message}`);
        throw error;
      }
    }
    const label = splitActionLabel(decoded.action);
    return { vars: decoded, name: label?.actionTaken ?? (index === 0 ? 'Init' : (step ?? 'Step')), params: label?.nondetPicks ?? {} };
  });
}

/** The model values of a saved counterexample (the summary's own states do not say which strings are model values). */
async function modelValuesOf(counterexampleFile: ItfJson | undefined): Promise<Set<string>> {
  if (typeof counterexampleFile !== 'string') return new Set();
  const path = isAbsolute(counterexampleFile) ? counterexampleFile : resolve(REPO_ROOT, counterexampleFile);
  if (!existsSync(path)) return new Set();
  try {
    const doc = parseJson(await readTextFile(path, { maxBytes: MAX_INPUT_BYTES, what: 'counterexample' }));
    const meta = isObject(doc) ? field(doc, '#meta') : undefined;
    const values = isObject(meta) ? field(meta, 'modelValues') : undefined;
    return new Set(Array.isArray(values) ? values.filter((v): v is string => typeof v === 'string') : []);
  } catch {
    // Only the quoting of names depends on it.
    return new Set();
  }
}

async function summaryViews(json: JsonObject, shown: string): Promise<NamedView[]> {
  const views: NamedView[] = [];
  for (const model of field(json, 'models') as ItfJson[]) {
    if (!isObject(model)) continue;
    const counterexample = field(model, 'counterexample');
    const name = field(model, 'name');
    if (!Array.isArray(counterexample) || counterexample.length === 0 || typeof name !== 'string') continue;
    const states = counterexample.map((entry, index) => {
      const vars = isObject(entry) ? field(entry, 'vars') : undefined;
      if (!isObject(entry) || !isObject(vars)) throw unusable(shown, `${name}: counterexample state ${index} has no "vars" object`);
      const step = field(entry, 'step');
      return { vars, step: typeof step === 'string' ? step : undefined };
    });
    const violation = field(model, 'violation');
    const what = isObject(violation) ? [field(violation, 'kind'), field(violation, 'name')].filter((v) => typeof v === 'string').join(' ') : String(field(model, 'outcome'));
    const modelValues = await modelValuesOf(field(model, 'counterexampleFile'));
    const facts: [string, string][] = [['model', name], ...metaFacts(model, ['module', 'config', 'outcome', 'expected', 'description', 'checkedAt'])];
    views.push({
      name,
      view: buildTraceView({
        title: `${name}: counterexample (${what})`,
        facts,
        hidden: ['action'],
        states: decodeStates(states, { modelValues }, shown),
        highlight: lastStep(states.length, `Violation: ${what}`, [`TLC's counterexample for ${name} ends in this state.`]),
      }),
    });
  }
  if (views.length === 0) throw unusable(shown, 'the summary holds no counterexample (every model passed, or none was run)');
  return views;
}

/** The views of a conformance report (as `npm run conformance -- --json` prints it), at most `max` divergences. */
export async function conformanceReportViews(report: unknown, max = Number.POSITIVE_INFINITY): Promise<NamedView[]> {
  const json = JSON.parse(JSON.stringify(report)) as unknown;
  if (!isObject(json)) throw unusable('conformance report', 'not an object');
  return (await conformanceViews(json, 'conformance report', max));
}

async function conformanceViews(json: JsonObject, shown: string, max = Number.POSITIVE_INFINITY): Promise<NamedView[]> {
  const views: NamedView[] = [];
  for (const protocol of field(json, 'protocols') as ItfJson[]) {
    const divergences = isObject(protocol) ? field(protocol, 'divergences') : undefined;
    if (!Array.isArray(divergences)) continue;
    for (const d of divergences) {
      if (!isObject(d) || views.length >= max) continue;
      const file = field(d, 'file');
      const step = field(d, 'step');
      const action = field(d, 'action');
      if (typeof file !== 'string' || typeof step !== 'number') throw unusable(shown, 'a divergence needs "file" and "step"');
      const differences = (Array.isArray(field(d, 'differences')) ? (field(d, 'differences') as ItfJson[]) : []).filter(isObject);
      const reason = field(d, 'reason');
      const lines = [
        ...(typeof reason === 'string' ? [`the implementation refused the step: ${reason}`] : []),
        ...differences.map((x) => `${String(field(x, 'path'))}: spec ${String(field(x, 'expected'))}, implementation ${String(field(x, 'actual'))}`),
      ];
      const defect = field(json, 'defect');
      const highlight: Highlight = {
        step,
        title: `Divergence at step ${step}: ${typeof action === 'string' ? action : ''}${typeof defect === 'string' ? ` (defect ${defect})` : ''}`,
        lines,
        paths: differences.map((x) => String(field(x, 'path'))),
      };
      const path = [resolve(REPO_ROOT, file), resolve(file)].find((p) => existsSync(p)) ?? resolve(REPO_ROOT, file);
      const text = await readTextFile(path, { maxBytes: MAX_INPUT_BYTES, what: 'trace file', shown: file });
      const trace = parseJson(text);
      if (!isObject(trace)) throw unusable(file, 'not an ITF trace');
      views.push({ name: `${basename(file).replace(/(\.itf)?\.json$/, '')}-step-${step}`, view: await itfView(text, trace, file, highlight) });
    }
  }
  if (views.length === 0) throw unusable(shown, 'the report holds no divergence (conformance passed)');
  return views;
}

function simView(json: JsonObject, shown: string): View {
  const history = field(json, 'history') as ItfJson[];
  const ops: KvOperation[] = history.map((raw, index) => {
    if (!isObject(raw)) throw unusable(shown, `history[${index}] is not an object`);
    const { id, process, input, status, output, call, ret } = raw as Record<string, unknown>;
    if (typeof id !== 'number' || typeof process !== 'string' || !isObject(input) || typeof call !== 'number') {
      throw unusable(shown, `history[${index}] needs id, process, input and call`);
    }
    if (status !== 'ok' && status !== 'fail' && status !== 'timeout') throw unusable(shown, `history[${index}].status must be ok, fail or timeout`);
    return {
      id,
      process,
      input: input as unknown as KvOp,
      status,
      output: isObject(output) ? (output as unknown as KvResult) : undefined,
      call,
      ret: typeof ret === 'number' ? ret : Number.POSITIVE_INFINITY,
    };
  });
  const scenario = field(json, 'scenario');
  const violation = field(json, 'violation');
  const facts: [string, string][] = [
    ...(isObject(scenario) && typeof field(scenario, 'seed') === 'number' ? [['seed', String(field(scenario, 'seed'))] as [string, string]] : []),
    ['operations', String(ops.length)],
    ['simulator verdict', isObject(violation) ? String(field(violation, 'kind')) : 'no violation'],
  ];
  return buildHistoryView(`client history: ${shown}`, facts, ops);
}
