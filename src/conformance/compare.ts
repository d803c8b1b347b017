/**
 * Comparing the core's spec state with a trace's: a fast equality for every replayed step, and a
 * variable-by-variable difference for the rare step that diverges.
 *
 * @module
 */
import { messageKey } from '../raft/bag.js';
import { canonicalJson, compareText } from '../raft/canonical.js';
import type { ClusterSnapshot } from '../raft/cluster.js';
import {
  fromSpecMessage,
  isStrictlySorted,
  NIL,
  SPEC_VARIABLES,
  SpecShapeError,
  toSpecMessage,
  toSpecState,
  type SpecBagEntry,
  type SpecLogEntry,
  type SpecState,
} from '../raft/spec-state.js';
import { RaftLog } from '../raft/log.js';
import type { NodeId } from '../raft/types.js';

/** One variable (or variable entry) that differs. */
export interface Difference {
  /** E.g. `votedFor[s2]`, `log[s1]`, `messages[RequestVoteResponse s2->s1 t1 granted]`. */
  readonly path: string;
  readonly expected: string;
  readonly actual: string;
}

/** Structural equality of plain data (what `toSpecState` produces). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  // for-in rather than Object.keys: no key arrays to allocate on every replayed step. Plain data has no
  // inherited enumerable keys, so for-in sees exactly the own keys.
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  let keys = 0;
  for (const k in ra) {
    if (!Object.hasOwn(rb, k) || !deepEqual(ra[k], rb[k])) return false;
    keys++;
  }
  for (const k in rb) if (Object.hasOwn(rb, k) && --keys < 0) return false;
  return true;
}

/** Equality of two records keyed by server, each entry compared with `same`. */
function sameByServer<T>(e: Readonly<Record<NodeId, T>>, a: Readonly<Record<NodeId, T>>, same: (x: T, y: T) => boolean): boolean {
  // for-in rather than Object.keys: no key arrays to allocate on every replayed step.
  let keys = 0;
  for (const k in e) {
    if (!Object.hasOwn(a, k) || !same(e[k] as T, a[k] as T)) return false;
    keys++;
  }
  for (const k in a) if (Object.hasOwn(a, k) && --keys < 0) return false;
  return true;
}

const identical = <T>(x: T, y: T): boolean => x === y;

/** The spec's log against another spec log or, on every replayed step, a node's log read in place. */
function sameLog(x: readonly SpecLogEntry[], y: readonly SpecLogEntry[] | RaftLog): boolean {
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) {
    const ex = x[i] as SpecLogEntry;
    const ey = (y instanceof RaftLog ? y.entry(i + 1) : y[i]) as SpecLogEntry;
    if (ex.term !== ey.term || ex.value !== ey.value) return false;
  }
  return true;
}

function sameIds(x: readonly NodeId[], y: readonly NodeId[]): boolean {
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

const sameIndexes = (x: Readonly<Record<NodeId, number>>, y: Readonly<Record<NodeId, number>>): boolean => sameByServer(x, y, identical);

function sameBag(x: readonly SpecBagEntry[], y: readonly SpecBagEntry[]): boolean {
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) {
    const ex = x[i] as SpecBagEntry;
    const ey = y[i] as SpecBagEntry;
    if (ex.count !== ey.count || !deepEqual(ex.message, ey.message)) return false;
  }
  return true;
}

/**
 * How each spec variable is compared, knowing its shape. A mapped type over the variables, so a variable
 * added to `SpecState` does not compile until it is compared here too.
 */
const SAME_VARIABLE: { readonly [V in keyof SpecState]: (expected: SpecState[V], actual: SpecState[V]) => boolean } = {
  currentTerm: (x, y) => sameByServer(x, y, identical),
  role: (x, y) => sameByServer(x, y, identical),
  votedFor: (x, y) => sameByServer(x, y, identical),
  log: (x, y) => sameByServer(x, y, sameLog),
  commitIndex: (x, y) => sameByServer(x, y, identical),
  votesGranted: (x, y) => sameByServer(x, y, sameIds),
  nextIndex: (x, y) => sameByServer(x, y, sameIndexes),
  matchIndex: (x, y) => sameByServer(x, y, sameIndexes),
  // Both sides list the bag in the same order (toSpecState and sortSpecBag agree), so lists compare.
  messages: sameBag,
};

/**
 * Whether two spec states are equal in every compared variable: the same answer as `deepEqual` on each
 * variable (a test holds it to that), several times faster because it knows each variable's shape.
 */
export function sameSpecState(expected: SpecState, actual: SpecState): boolean {
  for (const name of SPEC_VARIABLES) {
    const same = SAME_VARIABLE[name] as (x: SpecState[typeof name], y: SpecState[typeof name]) => boolean;
    if (!same(expected[name], actual[name])) return false;
  }
  return true;
}

/** A plain value in TLA+-like notation, for divergence reports. */
export function showPlain(value: unknown): string {
  if (Array.isArray(value)) return `<<${value.map(showPlain).join(', ')}>>`;
  if (value !== null && typeof value === 'object') {
    return `[${Object.entries(value).map(([k, v]) => `${k} |-> ${showPlain(v)}`).join(', ')}]`;
  }
  return typeof value === 'string' ? (/^[A-Za-z_][A-Za-z0-9_]*$/.test(value) && !['Follower', 'Candidate', 'Leader'].includes(value) ? value : JSON.stringify(value)) : String(value);
}

function showMessage(m: SpecBagEntry['message']): string {
  return showPlain(m);
}

/** Every difference between two spec states, variable by variable, down to the entry that differs. */
export function diffSpecStates(expected: SpecState, actual: SpecState): Difference[] {
  const out: Difference[] = [];
  for (const name of SPEC_VARIABLES) {
    if (name === 'messages') {
      const count = (bag: readonly SpecBagEntry[]) => new Map(bag.map((e) => [canonicalJson(e.message), e] as const));
      const e = count(expected.messages);
      const a = count(actual.messages);
      for (const key of new Set([...e.keys(), ...a.keys()])) {
        const ec = e.get(key)?.count ?? 0;
        const ac = a.get(key)?.count ?? 0;
        if (ec === ac) continue;
        const m = (e.get(key) ?? a.get(key))?.message;
        out.push({ path: `messages[${showMessage(m as SpecBagEntry['message'])}]`, expected: `${ec} cop${ec === 1 ? 'y' : 'ies'}`, actual: `${ac} cop${ac === 1 ? 'y' : 'ies'}` });
      }
      continue;
    }
    const ev = expected[name] as Readonly<Record<string, unknown>>;
    const av = actual[name] as Readonly<Record<string, unknown>>;
    for (const server of new Set([...Object.keys(ev), ...Object.keys(av)])) {
      const x = ev[server];
      const y = av[server];
      if (deepEqual(x, y)) continue;
      if ((name === 'nextIndex' || name === 'matchIndex') && x && y && typeof x === 'object' && typeof y === 'object') {
        for (const peer of new Set([...Object.keys(x), ...Object.keys(y)])) {
          const xp = (x as Record<string, unknown>)[peer];
          const yp = (y as Record<string, unknown>)[peer];
          if (!deepEqual(xp, yp)) out.push({ path: `${name}[${server}][${peer}]`, expected: showPlain(xp), actual: showPlain(yp) });
        }
        continue;
      }
      out.push({ path: `${name}[${server}]`, expected: x === undefined ? '(none)' : showPlain(x), actual: y === undefined ? '(none)' : showPlain(y) });
    }
  }
  return out;
}


/**
 * A trace state made ready for {@link clusterMatches}: the servers it is keyed by and the `messageKey` of
 * each bag entry, worked out once when the trace is loaded rather than on every replay of it.
 */
export interface PreparedState {
  readonly spec: SpecState;
  /** False when the state is not keyed the regular way; `clusterMatches` then takes the slow path. */
  readonly regular: boolean;
  /** The servers every per-server variable is keyed by, sorted. */
  readonly servers: readonly NodeId[];
  /** `messageKey` of each entry of `spec.messages`, in the same order. */
  readonly bagKeys: readonly string[];
}

function keyedBy(record: Readonly<Record<NodeId, unknown>>, servers: readonly NodeId[]): boolean {
  let keys = 0;
  for (const k in record) if (Object.hasOwn(record, k)) keys++;
  return keys === servers.length && servers.every((s) => Object.hasOwn(record, s));
}

/** Prepares a spec state for {@link clusterMatches}. */
export function prepareExpected(spec: SpecState): PreparedState {
  const servers = Object.keys(spec.currentTerm).sort();
  const perServer = [spec.currentTerm, spec.role, spec.votedFor, spec.log, spec.commitIndex, spec.votesGranted, spec.nextIndex, spec.matchIndex];
  const indexes = [...Object.values(spec.nextIndex), ...Object.values(spec.matchIndex)];
  const bagKeys: string[] = [];
  // A message the core cannot represent exactly (an extra field, a bad shape) has no key that stands for it.
  let messagesRepresentable = true;
  for (const e of spec.messages) {
    try {
      const message = fromSpecMessage(e.message);
      if (!deepEqual(toSpecMessage(message), e.message)) messagesRepresentable = false;
      bagKeys.push(messageKey(message));
    } catch (error) {
      if (!(error instanceof SpecShapeError)) throw error;
      messagesRepresentable = false;
    }
  }
  const regular =
    messagesRepresentable &&
    // Strictly increasing keys: in the order toSpecState sorts the bag, and no message listed twice.
    bagKeys.every((k, i) => i === 0 || compareText(bagKeys[i - 1] as string, k) < 0) &&
    perServer.every((r) => keyedBy(r, servers)) &&
    indexes.every((r) => keyedBy(r, servers));
  return { spec, regular, servers, bagKeys };
}

/**
 * Whether `toSpecState(cluster)` equals the prepared state: the same answer as
 * `sameSpecState(expected.spec, toSpecState(cluster))` (a property test holds it to that), reached without
 * building the spec state. Replay asks this once per step, so it reads the core's values in place: about
 * ten times cheaper than building and comparing, and no garbage. Anything unusual takes the slow path.
 */
export function clusterMatches(expected: PreparedState, cluster: ClusterSnapshot): boolean {
  const servers = expected.servers;
  if (!expected.regular || !sameIds(cluster.servers, servers)) return sameSpecState(expected.spec, toSpecState(cluster));
  const spec = expected.spec;
  for (const id of servers) {
    const node = cluster.nodes[id];
    // A missing node or an unsorted vote list: let toSpecState report or normalise it.
    if (node === undefined || !isStrictlySorted(node.votesGranted)) return sameSpecState(spec, toSpecState(cluster));
    if (
      spec.currentTerm[id] !== node.currentTerm ||
      spec.role[id] !== node.role ||
      spec.votedFor[id] !== (node.votedFor ?? NIL) ||
      spec.commitIndex[id] !== node.commitIndex ||
      !sameLog(spec.log[id] as readonly SpecLogEntry[], node.log) ||
      !sameIds(spec.votesGranted[id] as readonly NodeId[], node.votesGranted) ||
      !sameIndexesOf(spec.nextIndex[id] as Readonly<Record<NodeId, number>>, node.nextIndex, servers) ||
      !sameIndexesOf(spec.matchIndex[id] as Readonly<Record<NodeId, number>>, node.matchIndex, servers)
    ) {
      return false;
    }
  }
  const bag = cluster.messages;
  if (bag.size !== expected.bagKeys.length) return false;
  for (let i = 0; i < expected.bagKeys.length; i++) {
    if (bag.get(expected.bagKeys[i] as string)?.count !== (spec.messages[i] as SpecBagEntry).count) return false;
  }
  return true;
}

/** `toSpecState` fills a peer missing from the core's record with 0. */
function sameIndexesOf(expected: Readonly<Record<NodeId, number>>, actual: Readonly<Record<NodeId, number>>, servers: readonly NodeId[]): boolean {
  for (const p of servers) if (expected[p] !== (actual[p] ?? 0)) return false;
  return true;
}
