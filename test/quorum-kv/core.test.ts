// The quorum store's core, node by node and through its cluster driver: reconciliation, CP refusals,
// AP's sloppy targets and hints, read repair, restarts, and a key's config from a ring layout.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type Cluster,
  type ClusterConfig,
  type KVAction,
  type KVConfig,
  type KVNode,
  type Version,
  KV_CORE,
  KV_DEFECTS,
  configForKey,
  descends,
  freshNode,
  initialCluster,
  perform,
  preferenceListOf,
  reconcile,
} from './support.js';

const WALK = ['n1', 'n2', 'n3', 'n4'];
const config = (over: Partial<KVConfig> = {}): KVConfig => ({ walk: WALK, n: 3, r: 2, w: 2, mode: 'CP', resolution: 'VV', ...over });
const version = (value: string, ts: number, by: string, vv: Record<string, number>): Version => ({ value, ts, by, vv: Object.fromEntries(WALK.map((n) => [n, vv[n] ?? 0])) });
const values = (xs: readonly Version[]) => xs.map((x) => x.value);

function run(c: Cluster, actions: readonly KVAction[], core = KV_CORE): Cluster {
  return actions.reduce((cluster, a) => {
    const r = perform(cluster, a, core);
    if (r.refused !== undefined) throw new Error(`${a.type} refused: ${r.refused}`);
    return r.cluster;
  }, c);
}

describe('reconcile', () => {
  it('LWW keeps the newest by clock, and on a clock tie the writer later in the walk', () => {
    const lww = config({ resolution: 'LWW' });
    expect(values(reconcile(lww, [version('a', 2, 'n1', {}), version('b', 1, 'n3', {})]))).toEqual(['a']);
    expect(values(reconcile(lww, [version('a', 1, 'n3', {}), version('b', 1, 'n2', {})]))).toEqual(['a']);
    expect(values(reconcile(lww, [version('a', 1, 'n1', {}), version('b', 1, 'n2', {})]))).toEqual(['b']);
  });

  it('VV keeps concurrent versions as siblings, and a version descending from both replaces them', () => {
    const a = version('a', 1, 'n1', { n1: 1 });
    const b = version('b', 1, 'n2', { n2: 1 });
    expect(values(reconcile(config(), [a, b]))).toEqual(['a', 'b']);
    const merged = version('c', 2, 'n1', { n1: 2, n2: 1 });
    expect(values(reconcile(config(), [a, b, merged]))).toEqual(['c']);
    expect(values(reconcile(config(), [b, version('d', 2, 'n1', { n1: 2 })]))).toEqual(['b', 'd']);
  });

  it('a write after siblings merges them: its vector covers everything its coordinator holds', () => {
    let node: KVNode = { ...freshNode('n1', config()), store: [version('a', 1, 'n1', { n1: 1 }), version('b', 1, 'n2', { n2: 1 })], clock: 1 };
    const r = KV_CORE.step(node, { type: 'ClientWrite', value: 'c', reachable: ['n1', 'n2', 'n3'] });
    if (r.refused !== undefined) throw new Error(r.refused);
    node = r.node;
    expect(values(node.store)).toEqual(['c']);
    expect(node.store[0]?.vv).toMatchObject({ n1: 2, n2: 1 });
    expect(r.outputs.persist?.clock).toBe(2);
  });

  it('property: VV reconciliation keeps exactly the versions nothing else descends from, whatever the order (seeded)', () => {
    const seed = 20261130;
    const vv = fc.record({ n1: fc.nat(3), n2: fc.nat(3), n3: fc.nat(3), n4: fc.nat(3) });
    const versions = fc.uniqueArray(vv, { maxLength: 6, selector: (v) => JSON.stringify(v) }).map((vvs) => vvs.map((v, i) => version(`v${i}`, i, 'n1', v)));
    fc.assert(
      fc.property(versions, (xs) => {
        const kept = reconcile(config(), xs);
        const again = reconcile(config(), [...xs].reverse());
        expect(values(again)).toEqual(values(kept));
        for (const x of xs) {
          const dominated = xs.some((y) => y !== x && descends(y, x, WALK));
          expect(values(kept).includes(x.value)).toBe(!dominated);
        }
        // Idempotent: reconciling what was kept keeps it all.
        expect(values(reconcile(config(), kept))).toEqual(values(kept));
      }),
      { seed, numRuns: 300, verbose: true },
    );
  });
});

describe('the coordinator', () => {
  it('CP refuses a write when fewer than W home replicas are reachable, and changes nothing', () => {
    const node = freshNode('n1', config({ w: 3 }));
    const r = KV_CORE.step(node, { type: 'ClientWrite', value: 'a', reachable: ['n1', 'n2', 'n4'] });
    if (r.refused !== undefined) throw new Error(r.refused);
    expect(r.outputs.replies).toEqual([{ type: 'WriteUnavailable', value: 'a' }]);
    expect(r.outputs.messages).toEqual([]);
    expect(r.outputs.persist).toBeNull();
    expect(r.node).toBe(node);
  });

  it('AP writes to the first N reachable nodes; the fallback keeps the version as a hint for the missing home replica', () => {
    const node = freshNode('n1', config({ mode: 'AP', w: 3 }));
    const r = KV_CORE.step(node, { type: 'ClientWrite', value: 'a', reachable: ['n1', 'n3', 'n4'] });
    if (r.refused !== undefined) throw new Error(r.refused);
    expect(r.outputs.replies).toEqual([]);
    expect(r.outputs.messages.map((m) => (m.type === 'Put' ? [m.to, m.hint] : []))).toEqual([
      ['n3', null],
      ['n4', 'n2'],
    ]);
    expect(r.node.pendingWrites).toEqual([{ value: 'a', acks: ['n1'] }]);
  });

  it('only a home replica coordinates', () => {
    expect(KV_CORE.step(freshNode('n4', config()), { type: 'ClientWrite', value: 'a', reachable: WALK }).refused).toMatch(/not a home replica/);
  });

  it('acknowledges with W acks and not before; the defect ack-short-of-w acknowledges with W - 1', () => {
    const cc: ClusterConfig = { ...config({ w: 3 }), lossy: false, oneClient: false };
    const start = initialCluster(cc, ['a'], []);
    const written = run(start, [{ type: 'Write', node: 'n1', value: 'a' }, { type: 'Replicate', node: 'n2', peer: 'n1', value: 'a', repair: false, answered: true }]);
    expect(written.writes['a']?.status).toBe('pending');
    const done = run(written, [{ type: 'Replicate', node: 'n3', peer: 'n1', value: 'a', repair: false, answered: true }]);
    expect(done.writes['a']).toEqual({ status: 'acked', coord: 'n1', acks: ['n1', 'n2', 'n3'] });
    const short = run(start, [{ type: 'Write', node: 'n1', value: 'a' }, { type: 'Replicate', node: 'n2', peer: 'n1', value: 'a', repair: false, answered: true }], KV_DEFECTS['ack-short-of-w']!.core);
    expect(short.writes['a']?.status).toBe('acked');
  });
});

describe('the cluster driver', () => {
  const ap: ClusterConfig = { ...config({ mode: 'AP', r: 2, w: 2 }), lossy: true, oneClient: false };

  it('a hint is handed over once its home replica is back, and a handoff to a node still away is refused', () => {
    let c = run(initialCluster(ap, ['a'], []), [
      { type: 'Split', nodes: ['n2'] },
      { type: 'Write', node: 'n1', value: 'a' },
      { type: 'Replicate', node: 'n4', peer: 'n1', value: 'a', repair: false, answered: true },
    ]);
    expect(c.writes['a']?.status).toBe('acked');
    expect(c.nodes['n4']?.hints.map((h) => [h.for, h.version.value])).toEqual([['n2', 'a']]);
    expect(perform(c, { type: 'HandOff', node: 'n4', peer: 'n2', value: 'a' }, KV_CORE).refused).toMatch(/cannot talk/);
    c = run(c, [{ type: 'Heal' }, { type: 'HandOff', node: 'n4', peer: 'n2', value: 'a' }]);
    expect(values(c.nodes['n2']!.store)).toEqual(['a']);
    expect(c.nodes['n4']!.hints).toEqual([]);
  });

  it('read repair sends the merged result to a replica that answered with less; the defect keeps the stale answer too', () => {
    const lww: ClusterConfig = { ...ap, resolution: 'LWW' };
    const setup: KVAction[] = [
      { type: 'Write', node: 'n1', value: 'old' },
      { type: 'Replicate', node: 'n2', peer: 'n1', value: 'old', repair: false, answered: true },
      { type: 'Write', node: 'n1', value: 'new' },
      { type: 'DropMessage', message: { type: 'Put', from: 'n1', to: 'n2', version: version('new', 2, 'n1', { n1: 2 }), hint: null, repair: false } },
      { type: 'Read', node: 'n1', read: 1 },
      { type: 'Answer', node: 'n2', peer: 'n1', read: 1, answered: true },
    ];
    const c = run(initialCluster(lww, ['old', 'new'], [1]), setup);
    expect(c.reads[1]).toMatchObject({ status: 'done', from: ['n1', 'n2'] });
    expect(values(c.reads[1]!.result)).toEqual(['new']);
    const repairs = c.network.filter((m) => m.type === 'Put' && m.repair);
    expect(repairs.map((m) => (m.type === 'Put' ? [m.to, m.version.value] : []))).toEqual([['n2', 'new']]);
    const repaired = run(c, [{ type: 'Replicate', node: 'n2', peer: 'n1', value: 'new', repair: true, answered: false }]);
    expect(values(repaired.nodes['n2']!.store)).toEqual(['new']);
    const skipped = run(initialCluster(lww, ['old', 'new'], [1]), setup, KV_DEFECTS['read-skips-version-compare']!.core);
    expect(values(skipped.reads[1]!.result)).toEqual(['new', 'old']);
  });

  it('a restart keeps the store, hints and clock from disk and loses what the node coordinated', () => {
    let c = run(initialCluster({ ...ap, resolution: 'LWW' }, ['a', 'b'], [1]), [
      { type: 'Split', nodes: ['n2'] },
      { type: 'Write', node: 'n3', value: 'a' },
      { type: 'Replicate', node: 'n4', peer: 'n3', value: 'a', repair: false, answered: false },
      { type: 'Tick', node: 'n3' },
      { type: 'Write', node: 'n1', value: 'b' },
      { type: 'Read', node: 'n1', read: 1 },
      { type: 'Crash', node: 'n1' },
    ]);
    expect(c.writes['b']).toMatchObject({ status: 'unknown', coord: 'n1', acks: ['n1'] });
    expect(c.reads[1]).toMatchObject({ status: 'unknown', coord: 'n1', from: ['n1'] });
    expect(perform(c, { type: 'Write', node: 'n1', value: 'a' }, KV_CORE).refused).toMatch(/down/);
    const disk = c.disks['n1']!;
    c = run(c, [{ type: 'Restart', node: 'n1' }]);
    const n1 = c.nodes['n1']!;
    expect([values(n1.store), n1.clock, n1.pendingWrites, n1.pendingReads]).toEqual([values(disk.store), 1, [], []]);
    expect(values(n1.store)).toEqual(['b']);
    expect(c.nodes['n4']!.hints.map((h) => h.for)).toEqual(['n2']);
    expect(c.nodes['n3']!.clock).toBe(2);
    // The write's late ack finds no pending write: the record stays unknown.
    c = run(c, [{ type: 'Replicate', node: 'n3', peer: 'n1', value: 'b', repair: false, answered: true }]);
    expect(c.writes['b']?.status).toBe('unknown');
  });

  it('anti-entropy merges two home replicas, and is refused when they already agree', () => {
    const vv: ClusterConfig = { ...config({ n: 2, w: 1, r: 1 }), walk: ['n1', 'n2'], lossy: false, oneClient: false };
    let c = run(initialCluster(vv, ['a', 'b'], []), [
      { type: 'Write', node: 'n1', value: 'a' },
      { type: 'Write', node: 'n2', value: 'b' },
    ]);
    c = run(c, [{ type: 'AntiEntropy', node: 'n1', peer: 'n2' }]);
    expect([values(c.nodes['n1']!.store), values(c.nodes['n2']!.store)]).toEqual([
      ['a', 'b'],
      ['a', 'b'],
    ]);
    expect(perform(c, { type: 'AntiEntropy', node: 'n2', peer: 'n1' }, KV_CORE).refused).toMatch(/same versions/);
  });
});

describe('a key of a ring layout', () => {
  it("takes the ring's preference walk: its first N nodes are the key's home replicas", () => {
    const layout = { format: 'hash-ring/1', hash: 'murmur3-x86-32', vnodes: 16, members: ['a', 'b', 'c', 'd'].map((node) => ({ node, weight: 1 })) } as const;
    const cfg = configForKey(layout, 'user:42', { n: 3, r: 2, w: 2, mode: 'AP', resolution: 'VV' });
    expect(cfg.walk).toEqual(preferenceListOf(layout, 'user:42'));
    expect([...cfg.walk].sort()).toEqual(['a', 'b', 'c', 'd']);
    const home = cfg.walk.slice(0, 3);
    const r = KV_CORE.step(freshNode(home[0]!, cfg), { type: 'ClientWrite', value: 'x', reachable: cfg.walk });
    if (r.refused !== undefined) throw new Error(r.refused);
    expect(r.outputs.messages.map((m) => m.to)).toEqual(home.slice(1));
    expect(() => configForKey(layout, 'k', { n: 5, r: 1, w: 1, mode: 'CP', resolution: 'VV' })).toThrow(/N = 5/);
  });
});
