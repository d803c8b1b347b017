/**
 * Paths that cover a state graph: every path starts at an initial state and follows edges, and
 * together they traverse every edge (hence visit every reachable state) at least once. This is the
 * state-graph coverage that model-based test generation from a model checker's graph aims for
 * (the MongoDB team's "eXtreme modelling in practice", VLDB 2020).
 *
 * Greedy, not optimal (the optimum is a Chinese-postman-like problem on a graph that is rarely
 * strongly connected): a path starts with a shortest path from an initial state to the nearest
 * uncovered edge, then keeps taking uncovered edges, walking to the nearest one through covered
 * edges when stuck, until none is reachable or the length limit is hit.
 *
 * @module
 */

/** A directed graph over states `0 .. stateCount-1`. */
export interface Digraph {
  readonly stateCount: number;
  readonly initial: readonly number[];
  /** Edges as `[from, to]`; duplicates are ignored. */
  readonly edges: readonly (readonly [number, number])[];
}

/** Options of {@link coverPaths}. */
export interface CoverOptions {
  /**
   * No path is extended beyond this many edges (a path may still be longer by the shortest way to
   * its first uncovered edge, plus that edge). Default: unlimited.
   */
  readonly maxLength?: number;
}

/** A path is unreachable-free: the graph has states no initial state reaches. */
export class UnreachableStatesError extends Error {
  constructor(readonly states: readonly number[]) {
    super(`${states.length} state(s) cannot be reached from an initial state (first: ${states[0]})`);
    this.name = 'UnreachableStatesError';
  }
}

/**
 * Paths (as state sequences) from initial states that together traverse every edge and visit every
 * state. Throws {@link UnreachableStatesError} when some state is not reachable from `initial`.
 */
export function coverPaths(graph: Digraph, options: CoverOptions = {}): number[][] {
  const maxLength = options.maxLength ?? Number.POSITIVE_INFINITY;
  const n = graph.stateCount;
  const out: number[][] = Array.from({ length: n }, () => []);
  const seenEdge = new Set<number>();
  for (const [a, b] of graph.edges) {
    if (a < 0 || a >= n || b < 0 || b >= n) throw new RangeError(`edge ${a} -> ${b} is outside 0..${n - 1}`);
    const key = a * n + b;
    if (seenEdge.has(key)) continue;
    seenEdge.add(key);
    (out[a] as number[]).push(b);
  }
  // Uncovered out-edges per state, as a count plus a per-state cursor-free set.
  const uncovered: Set<number>[] = out.map((targets) => new Set(targets));
  let remaining = seenEdge.size;
  const take = (a: number, b: number) => {
    if ((uncovered[a] as Set<number>).delete(b)) remaining--;
  };

  const initial = [...new Set(graph.initial)];
  const reach = bfs(initial, out, () => false);
  const unreachable = [...Array(n).keys()].filter((s) => !reach.seen[s]);
  if (unreachable.length > 0) throw new UnreachableStatesError(unreachable);

  const paths: number[][] = [];
  const visited = new Uint8Array(n);
  while (remaining > 0) {
    const start = bfs(initial, out, (s) => (uncovered[s] as Set<number>).size > 0).path;
    if (start === undefined) break; // cannot happen: every state is reachable
    const path = [...start];
    for (let i = 1; i < path.length; i++) take(path[i - 1] as number, path[i] as number);
    let current = path[path.length - 1] as number;
    // The start ends at a state with an uncovered edge: take it whatever the limit, so every path
    // covers at least one new edge and the loop ends.
    let first = true;
    for (;;) {
      if (!first && path.length - 1 >= maxLength) break;
      first = false;
      const next = (uncovered[current] as Set<number>).values().next();
      if (!next.done) {
        take(current, next.value);
        path.push(next.value);
        current = next.value;
        continue;
      }
      const detour = bfs([current], out, (s) => (uncovered[s] as Set<number>).size > 0).path;
      if (detour === undefined || path.length - 1 + detour.length - 1 > maxLength) break;
      for (let i = 1; i < detour.length; i++) {
        take(detour[i - 1] as number, detour[i] as number);
        path.push(detour[i] as number);
      }
      current = path[path.length - 1] as number;
    }
    for (const s of path) visited[s] = 1;
    paths.push(path);
  }
  // Initial states without edges are covered by a path of length 0.
  for (const s of initial) if (!visited[s]) paths.push([s]);
  return paths;
}

function bfs(
  sources: readonly number[],
  out: readonly (readonly number[])[],
  isTarget: (s: number) => boolean,
): { seen: Uint8Array; path: number[] | undefined } {
  const seen = new Uint8Array(out.length);
  const previous = new Int32Array(out.length).fill(-1);
  const queue: number[] = [];
  for (const s of sources) {
    if (seen[s]) continue;
    seen[s] = 1;
    queue.push(s);
  }
  for (let head = 0; head < queue.length; head++) {
    const s = queue[head] as number;
    if (isTarget(s)) {
      const path = [s];
      for (let p = previous[s] as number; p !== -1; p = previous[p] as number) path.push(p);
      return { seen, path: path.reverse() };
    }
    for (const t of out[s] as number[]) {
      if (seen[t]) continue;
      seen[t] = 1;
      previous[t] = s;
      queue.push(t);
    }
  }
  return { seen, path: undefined };
}
