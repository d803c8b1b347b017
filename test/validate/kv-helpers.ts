// Recording quorum-store simulator runs for the trace-validation tests, and an independent oracle for where
// a recorded run first leaves the spec: the logged labels replayed through the real core by the cluster
// driver (`perform`, which conformance holds to the spec), with every logged variable, client record and
// sent message compared with the driver's.
import { kvLabelFromTla } from '../../src/definitions/quorum-kv/definition.js';
import { QUORUM_KV } from '../../src/definitions/quorum-kv/definition.js';
import { observeCluster } from '../../src/definitions/quorum-kv/state.js';
import { type Cluster, type InFlight, type KVAction, KV_CORE, type KvSimOptions, type Version, DEFAULT_SIM, initialCluster, perform, runKvSim, simConfig } from '../../src/quorum-kv/index.js';
import { KvTraceRecorder } from '../../src/quorum-kv/recording.js';
import { type TlaValue, canonicalize, tla, tlaEquals } from '../../src/tla/value.js';
import { type ImplTrace, parseImplTrace } from '../../src/validate/format.js';
import { type Verdict, validateTrace } from '../../src/validate/validate.js';
import { SPECS, tlcToolchain } from '../support/tlc.js';

export interface KvRecording {
  readonly options: KvSimOptions;
  readonly lines: readonly string[];
  readonly trace: ImplTrace;
}

export type KvRunShape = Pick<KvSimOptions, 'mode' | 'resolution' | 'n' | 'r' | 'w' | 'nodes'> & Partial<KvSimOptions>;

/** One simulator run with the recorder on. */
export function recordKv(shape: KvRunShape, seed: number, defect?: string): KvRecording {
  const options: KvSimOptions = { ...DEFAULT_SIM, ...shape, seed, ...(defect === undefined ? {} : { defect }) };
  const recorder = new KvTraceRecorder(simConfig(options), { test: `seed ${seed}` });
  runKvSim({ ...options, observe: recorder.observe });
  const lines = recorder.finish();
  return { options, lines, trace: parseImplTrace(lines.join('\n'), `kv-${shape.mode}-${shape.resolution}-${seed}${defect === undefined ? '' : `-${defect}`}`) };
}

// The spec's forms of the driver's state, written here again rather than taken from the recorder.
const str = (s: string) => tla.str(s);
const nodeOrNone = (n: string | null): TlaValue => (n === null ? { kind: 'modelValue', name: 'None' } : str(n));
const strings = (xs: readonly string[]) => tla.set(...xs.map(str));
function versionValue(v: Version, walk: readonly string[]): TlaValue {
  const vv: TlaValue = { kind: 'record', fields: new Map(walk.map((n) => [n, tla.int(v.vv[n] ?? 0)])) };
  return { kind: 'record', fields: new Map([['val', str(v.value)], ['ts', tla.int(v.ts)], ['by', str(v.by)], ['vv', vv]]) };
}
function messageValue(m: InFlight, walk: readonly string[]): TlaValue {
  const fields: [string, TlaValue][] =
    m.type === 'Put'
      ? [['type', str('Put')], ['from', str(m.from)], ['to', str(m.to)], ['ver', versionValue(m.version, walk)], ['hint', nodeOrNone(m.hint)], ['repair', tla.bool(m.repair)]]
      : [['type', str('Get')], ['from', str(m.from)], ['to', str(m.to)], ['read', tla.int(m.read)]];
  return { kind: 'record', fields: new Map(fields) };
}
const rec = (fields: [string, TlaValue][]): TlaValue => ({ kind: 'record', fields: new Map(fields) });
const same = (a: TlaValue | undefined, b: TlaValue | undefined) => a !== undefined && b !== undefined && tlaEquals(canonicalize(a), canonicalize(b));

function entriesOf(v: TlaValue): [TlaValue, TlaValue][] {
  if (v.kind === 'fn') return v.entries.map(([k, x]) => [k, x]);
  if (v.kind === 'record') return [...v.fields].map(([k, x]) => [str(k), x]);
  return [];
}

/** The 1-based index of the first event the real core, driven by the logged labels, does not reproduce; or null. */
export function firstKvDivergence(trace: ImplTrace): number | null {
  const header = trace.header.constants;
  const setOf = (name: string) => {
    const v = header.get(name);
    return v?.kind === 'set' ? v.elements : [];
  };
  const walk = (header.get('Pref') as Extract<TlaValue, { kind: 'seq' }>).elements.map((e) => (e as Extract<TlaValue, { kind: 'str' }>).value);
  const int = (name: string) => Number((header.get(name) as Extract<TlaValue, { kind: 'int' }>).value);
  const text = (name: string) => (header.get(name) as Extract<TlaValue, { kind: 'str' }>).value;
  const values = setOf('Value').map((v) => (v as Extract<TlaValue, { kind: 'str' }>).value);
  const readIds = setOf('Reads').map((v) => Number((v as Extract<TlaValue, { kind: 'int' }>).value));
  const config = {
    walk,
    n: int('N'),
    r: int('R'),
    w: int('W'),
    mode: text('Mode') as 'CP' | 'AP',
    resolution: text('Resolution') as 'LWW' | 'VV',
    lossy: (header.get('Lossy') as Extract<TlaValue, { kind: 'bool' }>).value,
    oneClient: false,
  };
  let cluster: Cluster = initialCluster(config, values, readIds);
  for (const event of trace.events) {
    const label = kvLabelFromTla(event.action);
    if (label.type === 'Init') return event.index;
    const result = perform(cluster, label satisfies KVAction, KV_CORE);
    if (result.refused !== undefined) return event.index;
    const before = cluster;
    cluster = result.cluster;
    const state = observeCluster(cluster, values, readIds);
    const n = event.node;
    if (n !== undefined && event.vars !== undefined) {
      const actual = new Map<string, TlaValue>([
        ['store', tla.set(...(state.store[n] ?? []).map((v) => versionValue(v, walk)))],
        ['hints', tla.set(...(state.hints[n] ?? []).map((h) => rec([['for', str(h.for)], ['ver', versionValue(h.version, walk)]])))],
        ['clock', tla.int(state.clock[n] ?? 0)],
        ['up', tla.bool(state.up[n] === true)],
      ]);
      for (const [name, logged] of event.vars) if (!same(actual.get(name), logged)) return event.index;
    }
    for (const [name, logged] of event.globals ?? []) {
      for (const [key, value] of entriesOf(logged)) {
        let actual: TlaValue | undefined;
        if (name === 'writes' && key.kind === 'str') {
          const w = state.writes[key.value];
          actual = w === undefined ? undefined : rec([['status', str(w.status)], ['coord', nodeOrNone(w.coord)], ['acks', strings(w.acks)]]);
        } else if (name === 'reads' && key.kind === 'int') {
          const r = state.reads[Number(key.value)];
          const fields = new Map<string, TlaValue>(
            r === undefined
              ? []
              : [['status', str(r.status)], ['coord', nodeOrNone(r.coord)], ['from', strings(r.from)], ['result', tla.set(...r.result.map((v) => versionValue(v, walk)))], ['ackedBefore', strings(r.ackedBefore)]],
          );
          // A read's record may give only some fields.
          if (value.kind !== 'record' || ![...value.fields].every(([f, x]) => same(fields.get(f), x))) return event.index;
          continue;
        }
        if (!same(actual, value)) return event.index;
      }
    }
    const sent = event.sent;
    if (sent !== undefined && sent.kind === 'set') {
      const inFlight = (c: Cluster) => c.network.map((m) => messageValue(m, walk));
      const now = inFlight(cluster);
      const was = inFlight(before);
      const has = (xs: TlaValue[], x: TlaValue) => xs.some((y) => same(x, y));
      if (!sent.elements.every((m) => has(now, m))) return event.index;
      if (!now.filter((m) => !has(was, m)).every((m) => has([...sent.elements], m))) return event.index;
    }
  }
  return null;
}

export async function validateKv(trace: ImplTrace): Promise<Verdict> {
  return validateTrace(trace, QUORUM_KV, { toolchain: await tlcToolchain(), specsDir: SPECS });
}
