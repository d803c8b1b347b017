// The quorum store's definition: the invariant mirrors catch the spec's known violations on states the
// driver reaches (a negative control each), and a state of no known model is refused by name.
import { describe, expect, it } from 'vitest';
import { NoLostAckedWrite, NoStaleRead, HomeReplicasAgree, TypeOK } from '../../src/definitions/quorum-kv/invariants.js';
import { kvStateFromTla } from '../../src/definitions/quorum-kv/definition.js';
import { clusterOf, kvStateKey, observeCluster } from '../../src/definitions/quorum-kv/state.js';
import { SpecValueError } from '../../src/protocol/definition.js';
import { type Cluster, type ClusterConfig, type KVAction, type KVCore, KV_CORE, KV_DEFECTS, initialCluster, perform } from './support.js';

const cp: ClusterConfig = { walk: ['n1', 'n2', 'n3'], n: 3, r: 2, w: 2, mode: 'CP', resolution: 'VV', lossy: false, oneClient: false };

function run(c: Cluster, actions: readonly KVAction[], core: KVCore = KV_CORE): Cluster {
  return actions.reduce((cluster, a) => {
    const r = perform(cluster, a, core);
    if (r.refused !== undefined) throw new Error(`${a.type} refused: ${r.refused}`);
    return r.cluster;
  }, c);
}

describe('invariant mirrors', () => {
  const staleRead: KVAction[] = [
    { type: 'Write', node: 'n1', value: 'v1' },
    { type: 'Read', node: 'n2', read: 1 },
    { type: 'Answer', node: 'n3', peer: 'n2', read: 1, answered: true },
  ];

  it('NoStaleRead holds with W acks, and catches the read a coordinator acknowledging with W - 1 makes stale', () => {
    const start = initialCluster(cp, ['v1'], [1]);
    const short = observeCluster(run(start, staleRead, KV_DEFECTS['ack-short-of-w']!.core), ['v1'], [1]);
    expect(NoStaleRead(short)).toMatch(/read 1 returned \[\], missing v1/);
    const safe = observeCluster(run(start, staleRead), ['v1'], [1]);
    expect(safe.writes['v1']?.status).toBe('pending');
    expect(NoStaleRead(safe)).toBeNull();
    expect(TypeOK(safe)).toBeNull();
  });

  it('NoLostAckedWrite catches a lost acknowledged write; HomeReplicasAgree sees replicas that differ', () => {
    const s = observeCluster(run(initialCluster({ ...cp, w: 1 }, ['v1'], []), [{ type: 'Write', node: 'n1', value: 'v1' }]), ['v1'], []);
    expect(NoLostAckedWrite(s)).toBeNull();
    expect(HomeReplicasAgree(s)).toMatch(/n1 holds \[v1\] but n2 holds \[\]/);
    const lost = { ...s, store: { n1: [], n2: [], n3: [] } };
    expect(NoLostAckedWrite(lost)).toMatch(/v1 was acknowledged/);
  });

  it('the abstraction function and its inverse agree: a cluster rebuilt from its spec state has that state', () => {
    const c = run(initialCluster(cp, ['v1', 'v2'], [1]), [...staleRead.slice(0, 2), { type: 'Write', node: 'n3', value: 'v2' }]);
    const s = observeCluster(c, ['v1', 'v2'], [1]);
    expect(kvStateKey(observeCluster(clusterOf(s, KV_CORE), ['v1', 'v2'], [1]))).toBe(kvStateKey(s));
  });
});

describe('reading a trace state', () => {
  it('a state of no trace model of the protocol is refused, naming its nodes', () => {
    const fn = (entries: [string, unknown][]) => ({ kind: 'fn', entries: entries }) as never;
    const empty = { kind: 'set', elements: [] } as never;
    const vars = { store: fn([[{ kind: 'modelValue', name: 'x1' } as never, empty]]), writes: fn([]), reads: fn([]) } as never;
    expect(() => kvStateFromTla(vars)).toThrow(SpecValueError);
    expect(() => kvStateFromTla(vars)).toThrow(/no trace model of quorum-kv has nodes \{x1\}/);
  });
});
