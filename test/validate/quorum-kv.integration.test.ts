// TLC validates traces recorded from the quorum store's simulator against specs/QuorumKV.tla: a seeded batch
// of faulty runs in CP and AP is valid, and each deliberately broken core's run is rejected at the first
// event the real core, driven by the logged labels, does not reproduce (negative controls, one per defect).
import { describe, expect, it } from 'vitest';
import { DEFAULT_SIM, KV_DEFECTS, type KvSimObservation, runKvSim, simConfig } from '../../src/quorum-kv/index.js';
import { KvTraceRecorder, UnrecordableRunError } from '../../src/quorum-kv/recording.js';
import { printTla } from '../../src/tla/value.js';
import { type KvRunShape, firstKvDivergence, recordKv, validateKv } from './kv-helpers.js';

const CP: KvRunShape = { mode: 'CP', resolution: 'VV', n: 3, r: 2, w: 2, nodes: 3 };
const AP: KvRunShape = { mode: 'AP', resolution: 'VV', n: 3, r: 1, w: 2, nodes: 5 };
const CP_LWW: KvRunShape = { mode: 'CP', resolution: 'LWW', n: 3, r: 2, w: 2, nodes: 3 };
const AP_LWW: KvRunShape = { mode: 'AP', resolution: 'LWW', n: 3, r: 2, w: 2, nodes: 5 };
// W = 4 of 5: several acknowledgements of one write count, and may arrive in another order than their Puts.
const CP_WIDE: KvRunShape = { mode: 'CP', resolution: 'VV', n: 5, r: 2, w: 4, nodes: 5 };

const names = (rec: ReturnType<typeof recordKv>) => new Set(rec.trace.events.map((e) => e.name));

describe('a seeded batch of faulty quorum-store runs', () => {
  // Per shape, the first seed whose run has a partition, a crash and a lost message (AP: and a hand-off; the
  // last shape: a partition and a lost message).
  const batch = [CP, AP, CP_LWW, AP_LWW, CP_WIDE].map((shape, i) => {
    for (let seed = 1; seed <= 40; seed++) {
      const rec = recordKv(shape, seed);
      const has = names(rec);
      if (has.has('Split') && has.has('DropMessage') && (i === 4 || has.has('Crash')) && (shape.mode === 'CP' || has.has('HandOff'))) return { shape, seed, rec };
    }
    throw new Error(`no seed of 1..40 has the faults for ${JSON.stringify(shape)}`);
  });

  it('holds partitions, crashes, lost messages, hand-offs, anti-entropy, read repair and LWW ticks, and the real core reproduces every event', () => {
    const all = new Set(batch.flatMap(({ rec }) => [...names(rec)]));
    for (const name of ['Write', 'Read', 'Replicate', 'Answer', 'DropMessage', 'HandOff', 'AntiEntropy', 'Split', 'Heal', 'Crash', 'Restart', 'Tick']) expect(all, name).toContain(name);
    expect(batch.some(({ rec }) => rec.trace.events.some((e) => e.name === 'Replicate' && printTla(e.action).includes('repair |-> TRUE')))).toBe(true);
    for (const { rec } of batch) expect(firstKvDivergence(rec.trace)).toBeNull();
  });

  it.each(batch.map(({ shape, seed, rec }) => [`${shape.mode} ${shape.resolution} N=${shape.n} R=${shape.r} W=${shape.w}`, seed, rec] as const))(
    '%s seed %i is a behaviour of specs/QuorumKV.tla',
    async (_shape, _seed, rec) => {
      const verdict = await validateKv(rec.trace);
      expect(verdict.kind).toBe('valid');
      expect(verdict.distinctStates).toBe(rec.trace.events.length + 1);
    },
  );
});

describe('the recorder', () => {
  it('writes logs the real core reproduces, over more seeds (checked by the oracle, without TLC)', () => {
    for (const shape of [CP, AP, AP_LWW]) {
      for (let seed = 100; seed < 105; seed++) expect(firstKvDivergence(recordKv(shape, seed).trace), `${shape.mode} ${shape.resolution} seed ${seed}`).toBeNull();
    }
  });

  it('changes nothing of the run it observes', () => {
    const options = { ...DEFAULT_SIM, ...AP_LWW, seed: 5 };
    const observed: KvSimObservation[] = [];
    const plain = runKvSim(options);
    const recorded = runKvSim({ ...options, observe: (o) => observed.push(o) });
    const { options: _a, ...a } = plain;
    const { options: _b, ...b } = recorded;
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
    expect(observed.length).toBeGreaterThan(100);
  });

  it('refuses a run with a membership change, which the spec does not have', () => {
    const options = { ...DEFAULT_SIM, ...CP, nodes: 4, seed: 1, workloadMs: 40, membership: { kind: 'join', node: 'n5', atMs: 10 } as const };
    const recorder = new KvTraceRecorder(simConfig(options), { test: 'join' });
    expect(() => runKvSim({ ...options, observe: recorder.observe })).toThrow(UnrecordableRunError);
  });
});

// For each defect, a run that reaches its bug, and the kind of step where it first shows.
const NEGATIVE_CONTROLS: readonly (readonly [string, KvRunShape, number, readonly string[]])[] = [
  ['lww-where-vv', CP, 1, ['Write', 'Replicate', 'AntiEntropy', 'HandOff']],
  ['ack-short-of-w', AP, 1, ['Write', 'Replicate']],
  ['read-skips-version-compare', CP, 1, ['Answer']],
];

describe("negative controls: a broken core's recorded run is rejected where it leaves the spec", () => {
  it('covers every defect of KV_DEFECTS', () => {
    expect(NEGATIVE_CONTROLS.map(([d]) => d).sort()).toEqual(Object.keys(KV_DEFECTS).sort());
  });

  it.each(NEGATIVE_CONTROLS)('%s', async (defect, shape, seed, kinds) => {
    const rec = recordKv(shape, seed, defect);
    const diverges = firstKvDivergence(rec.trace);
    expect(diverges, 'the run no longer reaches the bug').not.toBeNull();
    const verdict = await validateKv(rec.trace);
    expect(verdict.kind).toBe('rejected');
    if (verdict.kind !== 'rejected') return;
    expect(verdict.event.index, `rejected ${printTla(verdict.event.action)}`).toBe(diverges);
    expect(kinds).toContain(verdict.event.name);
  });
});
