// Raft replay's per-step comparison, clusterMatches, reads the core's values in place instead of building
// toSpecState. It must give exactly the answer of comparing canonical forms, canonicalJson(expected) ===
// canonicalJson(toSpecState(cluster)), on every state of the corpus and on clusters that differ from it in
// any one variable. A mutated cluster that the fast path wrongly accepted would be a divergence replay misses.
import { join } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { type TypedTrace, loadTrace } from '../../../src/conformance/replay.js';
import { clusterMatches, diffSpecStates, prepareExpected } from '../../../src/definitions/raft/compare.js';
import { RAFT_DEFINITION, type RaftTypes } from '../../../src/definitions/raft/definition.js';
import { clusterFromSpecState } from '../../../src/definitions/raft/trace-values.js';
import { REPO_ROOT } from '../../../src/paths.js';
import { bagAdd, bagEntries, bagRemove, canonicalJson, clusterStep, type ClusterSnapshot, type Message, type NodeState, RaftLog, type SpecState, toSpecState } from '../../../src/raft/index.js';
import { readManifest } from '../../../src/trace/manifest.js';
import { readTrace } from '../../../src/trace/itf-trace.js';
import { FC_SEED } from '../../support/arbitraries.js';

interface Visited {
  readonly cluster: ClusterSnapshot;
  readonly expected: SpecState;
}

let visited: Visited[] = [];

beforeAll(async () => {
  const dir = join(REPO_ROOT, 'traces');
  const files = ((await readManifest(dir))?.batches ?? []).filter((b) => b.protocol === 'raft').flatMap((b) => b.traces.map((t) => t.file));
  const traces = await Promise.all(files.map(async (f) => loadTrace(RAFT_DEFINITION, await readTrace(join(dir, f)), f)));
  visited = traces.flatMap((t: TypedTrace<RaftTypes>) => {
    let cluster = clusterFromSpecState(t.initial);
    return t.typedSteps.map((s) => {
      cluster = clusterStep(cluster, s.label).cluster;
      return { cluster, expected: s.expected };
    });
  });
});

const slow = (expected: SpecState, cluster: ClusterSnapshot): boolean => canonicalJson(expected) === canonicalJson(toSpecState(cluster));

function withNode(cluster: ClusterSnapshot, id: string, change: (s: NodeState) => NodeState): ClusterSnapshot {
  const node = cluster.nodes[id] as NodeState;
  return { ...cluster, nodes: { ...cluster.nodes, [id]: change(node) } };
}

/** One small change to one variable of one node, or to the bag. */
type Mutation = (c: ClusterSnapshot, id: string, peer: string) => ClusterSnapshot;

const MUTATIONS: Record<string, Mutation> = {
  currentTerm: (c, id) => withNode(c, id, (s) => ({ ...s, currentTerm: s.currentTerm + 1 })),
  role: (c, id) => withNode(c, id, (s) => ({ ...s, role: s.role === 'Leader' ? 'Follower' : 'Leader' })),
  votedFor: (c, id, peer) => withNode(c, id, (s) => ({ ...s, votedFor: s.votedFor === peer ? null : peer })),
  commitIndex: (c, id) => withNode(c, id, (s) => ({ ...s, commitIndex: s.commitIndex + 1 })),
  logAppend: (c, id) => withNode(c, id, (s) => ({ ...s, log: s.log.append({ term: 1, value: 'v1' }) })),
  logTerm: (c, id) => withNode(c, id, (s) => ({ ...s, log: RaftLog.from(Array.from(s.log, (e, i) => (i === 0 ? { ...e, term: e.term + 1 } : e))) })),
  logValue: (c, id) => withNode(c, id, (s) => ({ ...s, log: RaftLog.from(Array.from(s.log, (e, i) => (i === 0 ? { ...e, value: `${e.value}x` } : e))) })),
  votesGranted: (c, id, peer) =>
    withNode(c, id, (s) => ({ ...s, votesGranted: s.votesGranted.includes(peer) ? s.votesGranted.filter((v) => v !== peer) : [...s.votesGranted, peer].sort() })),
  votesUnsorted: (c, id) => withNode(c, id, (s) => ({ ...s, votesGranted: [...s.votesGranted].reverse() })),
  nextIndex: (c, id, peer) => withNode(c, id, (s) => ({ ...s, nextIndex: { ...s.nextIndex, [peer]: (s.nextIndex[peer] ?? 0) + 1 } })),
  matchIndexMissing: (c, id, peer) =>
    withNode(c, id, (s) => {
      const { [peer]: _dropped, ...rest } = s.matchIndex;
      return { ...s, matchIndex: rest };
    }),
  leaderHint: (c, id, peer) => withNode(c, id, (s) => ({ ...s, leaderHint: peer })),
  duplicateMessage: (c) => {
    const first = bagEntries(c.messages)[0];
    return first === undefined ? c : { ...c, messages: bagAdd(c.messages, first.message) };
  },
  dropMessage: (c) => {
    const first = bagEntries(c.messages)[0];
    return first === undefined ? c : { ...c, messages: bagRemove(c.messages, first.message) };
  },
  extraMessage: (c, id, peer) => {
    const m: Message = { type: 'RequestVoteResponse', term: 9, from: peer, to: id, voteGranted: true };
    return { ...c, messages: bagAdd(c.messages, m) };
  },
};

describe('clusterMatches (the per-step comparison of replay)', () => {
  it('accepts the after-state of every step of the corpus', () => {
    expect(visited.length).toBeGreaterThan(2000);
    const rejected = visited.filter((v) => !clusterMatches(prepareExpected(v.expected), v.cluster));
    expect(rejected.length).toBe(0);
  });

  it('agrees with comparing canonical forms on clusters changed in any one variable', () => {
    const names = Object.keys(MUTATIONS);
    fc.assert(
      fc.property(fc.nat(), fc.constantFrom(...names), fc.nat(), fc.nat(), (which, mutation, a, b) => {
        const v = visited[which % visited.length] as Visited;
        const servers = v.cluster.servers;
        const id = servers[a % servers.length] as string;
        const peer = servers[b % servers.length] as string;
        const changed = (MUTATIONS[mutation] as Mutation)(v.cluster, id, peer);
        const prepared = prepareExpected(v.expected);
        const fast = clusterMatches(prepared, changed);
        expect(fast).toBe(slow(v.expected, changed));
        // And a rejection always has a difference to show.
        if (!fast) expect(diffSpecStates(v.expected, toSpecState(changed)).length).toBeGreaterThan(0);
      }),
      { seed: FC_SEED, numRuns: 3000 },
    );
  });

  it('takes the slow path, with the same answer, for an expected state that is not keyed the regular way', () => {
    const v = visited.find((x) => x.expected.messages.length > 0) as Visited;
    const extraKey: SpecState = { ...v.expected, currentTerm: { ...v.expected.currentTerm, s9: 0 } };
    expect(prepareExpected(extraKey).regular).toBe(false);
    expect(clusterMatches(prepareExpected(extraKey), v.cluster)).toBe(false);
    const [first, ...rest] = v.expected.messages;
    if (first === undefined) throw new Error('the corpus has a state with a message in flight');
    const withExtraField = { ...first.message, extra: 1 } as unknown as typeof first.message;
    const odd: SpecState = { ...v.expected, messages: [{ ...first, message: withExtraField }, ...rest] };
    expect(prepareExpected(odd).regular).toBe(false);
    expect(clusterMatches(prepareExpected(odd), v.cluster)).toBe(false);
    expect(slow(odd, v.cluster)).toBe(false);
    expect(prepareExpected(v.expected).regular).toBe(true);
  });
});
