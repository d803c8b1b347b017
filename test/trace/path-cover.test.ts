// The path cover behind the state-graph tour: every state and every edge, paths from initial states only.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Digraph, UnreachableStatesError, coverPaths } from '../../src/trace/path-cover.js';
import { FC_SEED } from '../support/arbitraries.js';

/** A random digraph in which every state is reachable: a random tree from the initial states plus random edges. */
const reachableGraph: fc.Arbitrary<Digraph> = fc
  .integer({ min: 1, max: 40 })
  .chain((n) =>
    fc.record({
      n: fc.constant(n),
      initialCount: fc.integer({ min: 1, max: Math.min(3, n) }),
      parents: fc.array(fc.nat(), { minLength: n, maxLength: n }),
      extra: fc.array(fc.tuple(fc.nat({ max: n - 1 }), fc.nat({ max: n - 1 })), { maxLength: 3 * n }),
    }),
  )
  .map(({ n, initialCount, parents, extra }) => {
    const initial = [...Array(initialCount).keys()];
    const tree: [number, number][] = [];
    for (let s = initialCount; s < n; s++) tree.push([(parents[s] as number) % s, s]);
    return { stateCount: n, initial, edges: [...tree, ...extra] };
  });

function check(graph: Digraph, paths: number[][]): void {
  const edges = new Set(graph.edges.map(([a, b]) => `${a} ${b}`));
  const coveredEdges = new Set<string>();
  const coveredStates = new Set<number>();
  for (const path of paths) {
    expect(path.length).toBeGreaterThan(0);
    expect(graph.initial).toContain(path[0]);
    path.forEach((s) => coveredStates.add(s));
    for (let i = 1; i < path.length; i++) {
      const e = `${path[i - 1]} ${path[i]}`;
      expect(edges.has(e), `path follows a non-edge ${e}`).toBe(true);
      coveredEdges.add(e);
    }
  }
  expect(coveredEdges.size).toBe(edges.size);
  expect(coveredStates.size).toBe(graph.stateCount);
}

describe('coverPaths', () => {
  it('covers every state and every edge with paths that start at initial states and follow edges', () => {
    fc.assert(
      fc.property(reachableGraph, (graph) => check(graph, coverPaths(graph))),
      { seed: FC_SEED, numRuns: 300 },
    );
  });

  it('still covers everything with a length limit, and extends no path past it', () => {
    fc.assert(
      fc.property(reachableGraph, fc.integer({ min: 1, max: 6 }), (graph, maxLength) => {
        const paths = coverPaths(graph, { maxLength });
        check(graph, paths);
        // A path may exceed the limit only by the shortest way to its first uncovered edge.
        const depth = Math.max(...shortestDepths(graph));
        for (const p of paths) expect(p.length - 1).toBeLessThanOrEqual(Math.max(maxLength, depth + 1));
      }),
      { seed: FC_SEED, numRuns: 200 },
    );
  });

  it('a chain is one path; a diamond needs two; a self-loop is an edge; a lone initial state is a path of length 0', () => {
    expect(coverPaths({ stateCount: 3, initial: [0], edges: [[0, 1], [1, 2]] })).toEqual([[0, 1, 2]]);
    const diamond = coverPaths({ stateCount: 4, initial: [0], edges: [[0, 1], [0, 2], [1, 3], [2, 3]] });
    expect(diamond).toHaveLength(2);
    expect(coverPaths({ stateCount: 1, initial: [0], edges: [[0, 0]] })).toEqual([[0, 0]]);
    expect(coverPaths({ stateCount: 1, initial: [0], edges: [] })).toEqual([[0]]);
  });

  it('refuses a graph with states no initial state reaches', () => {
    expect(() => coverPaths({ stateCount: 3, initial: [0], edges: [[0, 1], [2, 1]] })).toThrow(UnreachableStatesError);
  });
});

function shortestDepths(graph: Digraph): number[] {
  const depth = new Array<number>(graph.stateCount).fill(-1);
  const queue = [...graph.initial];
  for (const s of queue) depth[s] = 0;
  for (let h = 0; h < queue.length; h++) {
    const s = queue[h] as number;
    for (const [a, b] of graph.edges) if (a === s && depth[b] === -1) {
      depth[b] = (depth[s] as number) + 1;
      queue.push(b);
    }
  }
  return depth;
}
