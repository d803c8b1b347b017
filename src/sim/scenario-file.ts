/**
 * Reading a {@link Scenario} from a JSON file (`npm run sim -- --scenario file.json`). The file is
 * untrusted input: every field of the scenario is checked (type, range, known kinds, no unknown
 * fields), and the first problem is reported as one message naming its JSON path, e.g.
 * `faults[2].kind: unknown fault kind "meteor" (known: partition, crash, ...)`, so a hand-edited
 * scenario never reaches the simulator half-formed.
 *
 * Two shapes are accepted: a scenario itself (as printed after "scenario as JSON" in a failure report),
 * or the output of `npm run sim -- --json` (`{scenario, violation, stats, history}`), of which only
 * `scenario` is read, so a run's output can be fed back to replay it.
 *
 * @module
 */
import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { ExitCode, WorkbenchError } from '../errors.js';
import {
  type ClientPlan,
  type ClientWorkload,
  FAULT_KINDS,
  type Fault,
  type FaultKind,
  type LatencyModel,
  type NetworkModel,
  type NodeTarget,
  type OpPlan,
  type PartitionShape,
  type Scenario,
} from './scenario.js';

/** Largest scenario file read (a generated scenario is a few kB; the `--json` output with its history, tens of kB). */
export const MAX_SCENARIO_FILE_BYTES = 10 * 1024 * 1024;

/** The largest cluster the simulator runs (its node ids have two digits). */
export const MAX_SCENARIO_NODES = 99;

const LATENCY_KINDS: readonly LatencyModel['kind'][] = ['constant', 'uniform', 'shifted-exponential', 'lognormal'];
const PARTITION_SHAPES: readonly PartitionShape[] = ['split', 'one-way', 'isolate-node', 'isolate-leader', 'leader-minority'];
const WRITE_KINDS: readonly ('vote' | 'append' | 'any')[] = ['vote', 'append', 'any'];
const OP_KINDS: readonly OpPlan['kind'][] = ['put', 'get', 'cas'];

/** What the hint under every scenario-file error says. */
export const SCENARIO_FILE_HINT =
  'A scenario file holds the JSON printed after "scenario as JSON" in a failure report, or the output of `npm run sim -- --json`; src/sim/scenario.ts describes every field.';

/** The first problem found in a scenario value: where (a JSON path such as `faults[2].kind`) and what. */
export class ScenarioProblem extends Error {
  constructor(
    /** JSON path of the offending value; empty for the top level. */
    readonly path: string,
    /** What is wrong, e.g. `expected a non-negative integer, got "x"`. */
    readonly problem: string,
  ) {
    super(`${path === '' ? '(top level)' : path}: ${problem}`);
    this.name = 'ScenarioProblem';
  }
}

// ------------------------------------------------------------------ describing values

/** A short rendering of a JSON value for messages: `"x"`, `-1`, `null`, `an array`, `an object`. */
function shown(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  switch (typeof value) {
    case 'string':
      return value.length > 40 ? `${JSON.stringify(value.slice(0, 40))}... (a string)` : JSON.stringify(value);
    case 'number':
      // JSON.parse reads 1e999 as Infinity.
      return Number.isFinite(value) ? String(value) : 'a number too large to represent';
    case 'boolean':
      return String(value);
    case 'object':
      return 'an object';
    default:
      return typeof value;
  }
}

const list = (names: readonly string[]): string => names.join(', ');

function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

// ------------------------------------------------------------------ primitive checks

type Json = Readonly<Record<string, unknown>>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `value` as an object, or a problem naming what it should have been. */
function object(value: unknown, path: string, what: string): Json {
  if (!isObject(value)) throw new ScenarioProblem(path, `expected ${what}, got ${shown(value)}`);
  return value;
}

/**
 * The object's own field `key`. Missing: a problem that lists the fields `what` needs, and points at a
 * field spelled the same but for case (`lossrate` for `lossRate`).
 */
function field(obj: Json, path: string, key: string, what: string, needs: readonly string[]): unknown {
  if (Object.hasOwn(obj, key)) return obj[key];
  const near = Object.keys(obj).find((k) => k !== key && k.toLowerCase() === key.toLowerCase());
  const spelled = near === undefined ? '' : `; there is a field ${JSON.stringify(near)}, but names are case-sensitive`;
  throw new ScenarioProblem(join(path, key), `missing (${what} needs ${list(needs)}${spelled})`);
}

/** The `kind` field of a tagged object; missing: a problem listing the kinds. */
function kindField(obj: Json, path: string, what: string, kinds: readonly string[]): unknown {
  if (Object.hasOwn(obj, 'kind')) return obj['kind'];
  throw new ScenarioProblem(join(path, 'kind'), `missing (${what} needs a kind: ${list(kinds)})`);
}

/** Rejects fields other than `known` (a misspelt optional field would otherwise pass unnoticed). */
function onlyFields(obj: Json, path: string, what: string, known: readonly string[]): void {
  for (const key of Object.keys(obj)) {
    if (!known.includes(key)) throw new ScenarioProblem(join(path, key), `unknown field (${what} has ${list(known)})`);
  }
}

interface NumberRule {
  /** Smallest allowed value (inclusive unless `above`). */
  readonly min?: number;
  /** The value must be strictly greater than `min`. */
  readonly above?: boolean;
  /** Largest allowed value (inclusive unless `below`). */
  readonly max?: number;
  /** The value must be strictly less than `max`. */
  readonly below?: boolean;
  readonly integer?: boolean;
  /** The unit, for messages: `ms`. */
  readonly unit?: string;
}

function describeRule(r: NumberRule): string {
  const noun = r.integer ? 'integer' : 'number';
  const unit = r.unit === undefined ? '' : ` (${r.unit})`;
  if (r.min !== undefined && r.max !== undefined) {
    if (r.integer && !r.above && !r.below) return `an integer in ${r.min}..${r.max}${unit}`;
    return `a number in ${r.above ? '(' : '['}${r.min}, ${r.max}${r.below ? ')' : ']'}${unit}`;
  }
  if (r.min === 0 && !r.above) return `a non-negative ${noun}${unit}`;
  if (r.min === 0 && r.above) return `a positive ${noun}${unit}`;
  if (r.min !== undefined) return `${r.integer ? 'an integer' : 'a number'} ${r.above ? '>' : '>='} ${r.min}${unit}`;
  return `${r.integer ? 'an integer' : 'a number'}${unit}`;
}

function number(value: unknown, path: string, rule: NumberRule): number {
  const fail = (): never => {
    throw new ScenarioProblem(path, `expected ${describeRule(rule)}, got ${shown(value)}`);
  };
  // JSON.parse turns 1e999 into Infinity, so finiteness is checked too.
  if (typeof value !== 'number' || !Number.isFinite(value)) return fail();
  if (rule.integer && !Number.isSafeInteger(value)) return fail();
  if (rule.min !== undefined && (rule.above ? value <= rule.min : value < rule.min)) return fail();
  if (rule.max !== undefined && (rule.below ? value >= rule.max : value > rule.max)) return fail();
  return value;
}

function boolean(value: unknown, path: string): boolean {
  if (typeof value !== 'boolean') throw new ScenarioProblem(path, `expected true or false, got ${shown(value)}`);
  return value;
}

function oneOf<T extends string>(value: unknown, path: string, known: readonly T[], noun: string): T {
  if (typeof value !== 'string') throw new ScenarioProblem(path, `expected ${/^[aeiou]/.test(noun) ? 'an' : 'a'} ${noun} (${list(known)}), got ${shown(value)}`);
  const found = known.find((k) => k === value);
  if (found === undefined) throw new ScenarioProblem(path, `unknown ${noun} ${shown(value)} (known: ${list(known)})`);
  return found;
}

function array(value: unknown, path: string, what: string): readonly unknown[] {
  if (!Array.isArray(value)) throw new ScenarioProblem(path, `expected an array of ${what}, got ${shown(value)}`);
  return value;
}

const MS: NumberRule = { min: 0, unit: 'ms' };
const POSITIVE_MS: NumberRule = { min: 0, above: true, unit: 'ms' };
const PROBABILITY: NumberRule = { min: 0, max: 1 };
const NATURAL: NumberRule = { min: 0, integer: true };

/**
 * Reads the fields of one object in a fixed order, so that the first problem reported does not depend
 * on the order of the fields in the file, and then rejects any other field.
 */
class Fields {
  private readonly names: string[];

  constructor(
    private readonly obj: Json,
    private readonly path: string,
    /** `the network`, `a crash fault`: for messages. */
    private readonly what: string,
    names: readonly string[],
  ) {
    this.names = [...names];
  }

  get(key: string): { readonly value: unknown; readonly path: string } {
    return { value: field(this.obj, this.path, key, this.what, this.names), path: join(this.path, key) };
  }

  number(key: string, rule: NumberRule): number {
    const f = this.get(key);
    return number(f.value, f.path, rule);
  }

  /** Call after reading every field. */
  done(): void {
    onlyFields(this.obj, this.path, this.what, this.names);
  }
}

// ------------------------------------------------------------------ the scenario's parts

function latencyModel(value: unknown, path: string): LatencyModel {
  const obj = object(value, path, `a latency model (an object with a kind: ${list(LATENCY_KINDS)})`);
  const kind = oneOf(kindField(obj, path, 'a latency model', LATENCY_KINDS), join(path, 'kind'), LATENCY_KINDS, 'latency model');
  const names: Record<LatencyModel['kind'], readonly string[]> = {
    constant: ['kind', 'ms'],
    uniform: ['kind', 'minMs', 'maxMs'],
    'shifted-exponential': ['kind', 'minMs', 'tailMeanMs'],
    lognormal: ['kind', 'medianMs', 'sigma'],
  };
  const f = new Fields(obj, path, `a ${kind} latency model`, names[kind]);
  let model: LatencyModel;
  switch (kind) {
    case 'constant':
      model = { kind, ms: f.number('ms', MS) };
      break;
    case 'uniform': {
      const minMs = f.number('minMs', MS);
      model = { kind, minMs, maxMs: f.number('maxMs', { min: minMs, unit: `ms, at least minMs` }) };
      break;
    }
    case 'shifted-exponential':
      model = { kind, minMs: f.number('minMs', MS), tailMeanMs: f.number('tailMeanMs', MS) };
      break;
    case 'lognormal':
      // A zero median times an overflowing exp(sigma * z) would be NaN: the median must be positive.
      model = { kind, medianMs: f.number('medianMs', POSITIVE_MS), sigma: f.number('sigma', { min: 0 }) };
      break;
  }
  f.done();
  return model;
}

function networkModel(value: unknown, path: string): NetworkModel {
  const f = new Fields(object(value, path, 'an object {latency, lossRate, duplicateRate}'), path, 'the network', ['latency', 'lossRate', 'duplicateRate']);
  const latency = f.get('latency');
  const network: NetworkModel = {
    latency: latencyModel(latency.value, latency.path),
    lossRate: f.number('lossRate', PROBABILITY),
    duplicateRate: f.number('duplicateRate', PROBABILITY),
  };
  f.done();
  return network;
}

const TARGET_NAMES = '"leader", "follower" or a node index (a non-negative integer)';

const isNodeIndex = (value: unknown): value is number => typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;

function nodeTarget(value: unknown, path: string): NodeTarget {
  if (value === 'leader' || value === 'follower' || isNodeIndex(value)) return value;
  throw new ScenarioProblem(path, `expected ${TARGET_NAMES}, got ${shown(value)}`);
}

function spikeTarget(value: unknown, path: string): NodeTarget | 'all' {
  if (value === 'all' || value === 'leader' || value === 'follower' || isNodeIndex(value)) return value;
  throw new ScenarioProblem(path, `expected "all", ${TARGET_NAMES}, got ${shown(value)}`);
}

const FAULT_FIELDS: { readonly [K in FaultKind]: readonly string[] } = {
  partition: ['kind', 'shape', 'atMs', 'forMs', 'pick'],
  crash: ['kind', 'target', 'atMs', 'downMs'],
  'crash-mid-write': ['kind', 'target', 'atMs', 'downMs', 'landed'],
  'crash-after-write': ['kind', 'target', 'write', 'atMs', 'downMs'],
  'crash-after-commit': ['kind', 'atMs', 'downMs'],
  loss: ['kind', 'rate', 'atMs', 'forMs'],
  duplicate: ['kind', 'rate', 'atMs', 'forMs'],
  reorder: ['kind', 'rate', 'maxDelayMs', 'atMs', 'forMs'],
  'delay-spike': ['kind', 'target', 'extraMs', 'atMs', 'forMs'],
  'clock-drift': ['kind', 'target', 'rate', 'atMs', 'forMs'],
  'timer-storm': ['kind', 'count', 'atMs'],
};

function fault(value: unknown, path: string): Fault {
  const obj = object(value, path, `a fault (an object with a kind: ${list(FAULT_KINDS)})`);
  const kind = oneOf(kindField(obj, path, 'a fault', FAULT_KINDS), join(path, 'kind'), FAULT_KINDS, 'fault kind');
  const f = new Fields(obj, path, `a ${kind} fault`, FAULT_FIELDS[kind]);
  const target = (): NodeTarget => {
    const t = f.get('target');
    return nodeTarget(t.value, t.path);
  };
  let result: Fault;
  switch (kind) {
    case 'partition': {
      const shape = f.get('shape');
      result = {
        kind,
        shape: oneOf(shape.value, shape.path, PARTITION_SHAPES, 'partition shape'),
        atMs: f.number('atMs', MS),
        forMs: f.number('forMs', MS),
        pick: f.number('pick', NATURAL),
      };
      break;
    }
    case 'crash':
      result = { kind, target: target(), atMs: f.number('atMs', MS), downMs: f.number('downMs', MS) };
      break;
    case 'crash-mid-write': {
      const t = target();
      const atMs = f.number('atMs', MS);
      const downMs = f.number('downMs', MS);
      const landed = f.get('landed');
      result = { kind, target: t, atMs, downMs, landed: boolean(landed.value, landed.path) };
      break;
    }
    case 'crash-after-write': {
      const t = target();
      const write = f.get('write');
      result = { kind, target: t, write: oneOf(write.value, write.path, WRITE_KINDS, 'write kind'), atMs: f.number('atMs', MS), downMs: f.number('downMs', MS) };
      break;
    }
    case 'crash-after-commit':
      result = { kind, atMs: f.number('atMs', MS), downMs: f.number('downMs', MS) };
      break;
    case 'loss':
    case 'duplicate':
      result = { kind, rate: f.number('rate', PROBABILITY), atMs: f.number('atMs', MS), forMs: f.number('forMs', MS) };
      break;
    case 'reorder':
      result = { kind, rate: f.number('rate', PROBABILITY), maxDelayMs: f.number('maxDelayMs', MS), atMs: f.number('atMs', MS), forMs: f.number('forMs', MS) };
      break;
    case 'delay-spike': {
      const t = f.get('target');
      result = { kind, target: spikeTarget(t.value, t.path), extraMs: f.number('extraMs', MS), atMs: f.number('atMs', MS), forMs: f.number('forMs', MS) };
      break;
    }
    case 'clock-drift':
      // The rate divides every timer of the node: it must be positive.
      result = { kind, target: target(), rate: f.number('rate', { min: 0, above: true }), atMs: f.number('atMs', MS), forMs: f.number('forMs', MS) };
      break;
    case 'timer-storm':
      result = { kind, count: f.number('count', { min: 1, integer: true }), atMs: f.number('atMs', MS) };
      break;
  }
  f.done();
  return result;
}

function opPlan(value: unknown, path: string): OpPlan {
  const f = new Fields(object(value, path, 'an operation {kind, key}'), path, 'an operation', ['kind', 'key']);
  const kind = f.get('kind');
  const op: OpPlan = { kind: oneOf(kind.value, kind.path, OP_KINDS, 'operation kind'), key: f.number('key', NATURAL) };
  f.done();
  return op;
}

function clientPlan(value: unknown, path: string): ClientPlan {
  const f = new Fields(object(value, path, 'a client {startMs, thinkMs, ops}'), path, 'a client', ['startMs', 'thinkMs', 'ops']);
  const startMs = f.number('startMs', MS);
  const thinkMs = f.number('thinkMs', MS);
  const ops = f.get('ops');
  const plan: ClientPlan = { startMs, thinkMs, ops: array(ops.value, ops.path, 'operations').map((o, i) => opPlan(o, `${ops.path}[${i}]`)) };
  f.done();
  return plan;
}

function clientWorkload(value: unknown, path: string): ClientWorkload {
  const f = new Fields(object(value, path, 'an object {clients, retryAfterMs, maxAttempts}'), path, 'the workload', ['clients', 'retryAfterMs', 'maxAttempts']);
  const clients = f.get('clients');
  const workload: ClientWorkload = {
    clients: array(clients.value, clients.path, 'clients').map((c, i) => clientPlan(c, `${clients.path}[${i}]`)),
    // A zero retry interval would resend at the same instant for ever once faults stop.
    retryAfterMs: f.number('retryAfterMs', POSITIVE_MS),
    maxAttempts: f.number('maxAttempts', { min: 1, integer: true }),
  };
  f.done();
  return workload;
}

const SCENARIO_FIELDS = ['seed', 'nodes', 'network', 'disk', 'maxDrift', 'faults', 'workload', 'healAtMs', 'livenessBoundMs', 'noopOnElection'] as const;

function scenarioAt(value: unknown, path: string): Scenario {
  const f = new Fields(object(value, path, 'a scenario object'), path, 'a scenario', SCENARIO_FIELDS);
  const seed = f.number('seed', { integer: true });
  const nodes = f.number('nodes', { min: 1, max: MAX_SCENARIO_NODES, integer: true });
  const network = f.get('network');
  const disk = f.get('disk');
  const networkModelValue = networkModel(network.value, network.path);
  const diskModel = latencyModel(disk.value, disk.path);
  // Each clock runs at 1 ± maxDrift: a drift of 1 or more would stop a clock or run it backwards.
  const maxDrift = f.number('maxDrift', { min: 0, max: 1, below: true });
  const faults = f.get('faults');
  const faultList = array(faults.value, faults.path, 'faults').map((x, i) => fault(x, `${faults.path}[${i}]`));
  const workload = f.get('workload');
  const noop = (): boolean => {
    const x = f.get('noopOnElection');
    return boolean(x.value, x.path);
  };
  const scenario: Scenario = {
    seed,
    nodes,
    network: networkModelValue,
    disk: diskModel,
    maxDrift,
    faults: faultList,
    workload: clientWorkload(workload.value, workload.path),
    healAtMs: f.number('healAtMs', MS),
    livenessBoundMs: f.number('livenessBoundMs', MS),
    noopOnElection: noop(),
  };
  f.done();
  return scenario;
}

/** Fields only the `npm run sim -- --json` output has. */
const SIM_OUTPUT_FIELDS = ['violation', 'stats', 'history'];

/**
 * The scenario in a parsed JSON value: the value itself, or its `scenario` field when it is the output
 * of `npm run sim -- --json`. Throws {@link ScenarioProblem} with the path of the first problem.
 */
export function parseScenario(value: unknown): Scenario {
  if (isObject(value) && !Object.hasOwn(value, 'nodes')) {
    if (Object.hasOwn(value, 'scenario')) return scenarioAt(value['scenario'], 'scenario');
    if (SIM_OUTPUT_FIELDS.some((k) => Object.hasOwn(value, k))) {
      throw new ScenarioProblem('scenario', 'missing (this looks like the output of `npm run sim -- --json`, which holds the scenario in its "scenario" field)');
    }
  }
  return scenarioAt(value, '');
}

// ------------------------------------------------------------------ the file

function specError(message: string): WorkbenchError {
  return new WorkbenchError(message, ExitCode.SPEC_ERROR, SCENARIO_FILE_HINT);
}

/** At most `limit + 1` bytes of the open file (so a file that grew past the limit after `stat` is noticed). */
function readCapped(fd: number, limit: number): Buffer {
  const chunks: Buffer[] = [];
  let total = 0;
  for (;;) {
    const chunk = Buffer.alloc(Math.min(1 << 20, limit + 1 - total));
    const n = readSync(fd, chunk, 0, chunk.length, null);
    if (n === 0) break;
    chunks.push(chunk.subarray(0, n));
    total += n;
    if (total > limit) break;
  }
  return Buffer.concat(chunks, total);
}

/** `10 MB`, or the exact byte count for a limit that is not a whole number of MB. */
function formatLimit(bytes: number): string {
  const mb = bytes / (1024 * 1024);
  return Number.isInteger(mb) ? `${mb} MB` : `${bytes} bytes`;
}

/**
 * Read and check the scenario in `file` (shown in messages as given; opened relative to `cwd` when
 * relative). Every failure is a {@link WorkbenchError} with one message, exit code 4 (spec error): no
 * such file, a folder, a file over `maxBytes` (default {@link MAX_SCENARIO_FILE_BYTES}, checked before
 * reading), bytes that are not UTF-8, text that is not JSON, or JSON that is not a scenario, the last
 * naming the JSON path of the first bad field.
 */
export function readScenarioFile(file: string, options: { readonly cwd?: string; readonly maxBytes?: number } = {}): Scenario {
  const maxBytes = options.maxBytes ?? MAX_SCENARIO_FILE_BYTES;
  const path = resolve(options.cwd ?? process.cwd(), file);
  const folder = (): WorkbenchError => specError(`--scenario ${file} is a folder, not a scenario file.`);
  const tooLarge = (): WorkbenchError => specError(`The scenario file ${file} is larger than ${formatLimit(maxBytes)}; a scenario is a few kB.`);
  const unreadable = (e: unknown): WorkbenchError => specError(`Cannot read the scenario file ${file}: ${(e as Error).message}.`);
  let size: number;
  try {
    const st = statSync(path);
    if (st.isDirectory()) throw folder();
    // A pipe (--scenario <(...)) has no size to check beforehand; the capped read below guards it.
    size = st.isFile() ? st.size : 0;
  } catch (e) {
    if (e instanceof WorkbenchError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw specError(`No scenario file ${file}: it does not exist.`);
    throw unreadable(e);
  }
  if (size > maxBytes) throw tooLarge();
  let bytes: Buffer;
  try {
    const fd = openSync(path, 'r');
    try {
      if (fstatSync(fd).isDirectory()) throw folder();
      bytes = readCapped(fd, maxBytes);
    } finally {
      closeSync(fd);
    }
  } catch (e) {
    if (e instanceof WorkbenchError) throw e;
    throw unreadable(e);
  }
  // The file may have grown since it was measured.
  if (bytes.length > maxBytes) throw tooLarge();
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw specError(`The scenario file ${file} is not UTF-8 text.`);
  }
  if (text.trim() === '') throw specError(`The scenario file ${file} is empty.`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw specError(`The scenario file ${file} is not JSON: ${(e as Error).message}.`);
  }
  try {
    return parseScenario(value);
  } catch (e) {
    if (e instanceof ScenarioProblem) throw specError(`The scenario in ${file} is not valid: ${e.message}.`);
    throw e;
  }
}
