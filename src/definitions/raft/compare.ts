/**
 * Comparing the core's cluster with a Raft trace's state. Two spec states are equal when their
 * canonical forms are ({@link canonicalJson}: object keys sorted, lists in the order `toSpecState`
 * writes them); {@link clusterMatches} gives that answer for every replayed step without building the
 * cluster's spec state, and {@link diffSpecStates} says where two states differ once they do.
 *
 * @module
 */
import {
  canonicalJson,
  type ClusterSnapshot,
  compareText,
  isStrictlySorted,
  messageFromSpec,
  messageKey,
  NIL,
  type NodeId,
  RaftLog,
  SPEC_VARIABLES,
  type SpecBagEntry,
  type SpecLogEntry,
  type SpecState,
  toSpecMessage,
  toSpecState,
} from '../../raft/index.js';
import type { Difference } from '../../protocol/definition.js';

/** A plain value in TLA+-like notation, for divergence reports. */
export function showPlain(value: unknown): string {
  if (Array.isArray(value)) return `<<${value.map(showPlain).join(', ')}>>`;
  if (value !== null && typeof value === 'object') {
    return `[${Object.entries(value).map(([k, v]) => `${k} |-> ${showPlain(v)}`).join(', ')}]`;
  }
  return typeof value === 'string' ? (/^[A-Za-z_][A-Za-z0-9_]*$/.test(value) && !['Follower', 'Candidate', 'Leader'].includes(value) ? value : JSON.stringify(value)) : String(value);
}

const same = (a: unknown, b: unknown): boolean => canonicalJson(a) === canonicalJson(b);

/** Every difference between two spec states, variable by variable, down to the entry that differs. */
export function diffSpecStates(expected: SpecState, actual: SpecState): Difference[] {
  const out: Difference[] = [];
  for (const name of SPEC_VARIABLES) {
    if (name === 'messages') {
      const byMessage = (bag: readonly SpecBagEntry[]) => new Map(bag.map((e) => [canonicalJson(e.message), e] as const));
      const e = byMessage(expected.messages);
      const a = byMessage(actual.messages);
      for (const key of new Set([...e.keys(), ...a.keys()])) {
        const ec = e.get(key)?.count ?? 0;
        const ac = a.get(key)?.count ?? 0;
        if (ec === ac) continue;
        const m = (e.get(key) ?? a.get(key))?.message;
        out.push({ path: `messages[${showPlain(m)}]`, expected: `${ec} cop${ec === 1 ? 'y' : 'ies'}`, actual: `${ac} cop${ac === 1 ? 'y' : 'ies'}` });
      }
      continue;
    }
    const ev = expected[name] as Readonly<Record<string, unknown>>;
    const av = actual[name] as Readonly<Record<string, unknown>>;
    for (const server of new Set([...Object.keys(ev), ...Object.keys(av)])) {
      const x = ev[server];
      const y = av[server];
      if (same(x, y)) continue;
      if ((name === 'nextIndex' || name === 'matchIndex') && x && y && typeof x === 'object' && typeof y === 'object') {
        for (const peer of new Set([...Object.keys(x), ...Object.keys(y)])) {
          const xp = (x as Record<string, unknown>)[peer];
          const yp = (y as Record<string, unknown>)[peer];
          if (!same(xp, yp)) out.push({ path: `${name}[${server}][${peer}]`, expected: showPlain(xp), actual: showPlain(yp) });
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
  /** Its canonical form: what the comparison means, and its slow path. */
  readonly canonical: string;
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
  // A message the core would write differently (an extra field) has no key that stands for it.
  const messagesRepresentable = spec.messages.every((e) => same(toSpecMessage(messageFromSpec(e.message)), e.message));
  const bagKeys = spec.messages.map((e) => messageKey(messageFromSpec(e.message)));
  const regular =
    messagesRepresentable &&
    // Strictly increasing keys: in the order toSpecState sorts the bag, and no message listed twice.
    bagKeys.every((k, i) => i === 0 || compareText(bagKeys[i - 1] as string, k) < 0) &&
    perServer.every((r) => keyedBy(r, servers)) &&
    indexes.every((r) => keyedBy(r, servers));
  return { spec, canonical: canonicalJson(spec), regular, servers, bagKeys };
}

function sameIds(x: readonly NodeId[], y: readonly NodeId[]): boolean {
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

/** The spec's log against a node's log, read in place. */
function sameLog(x: readonly SpecLogEntry[], y: RaftLog): boolean {
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) {
    const ex = x[i] as SpecLogEntry;
    const ey = y.entry(i + 1) as SpecLogEntry;
    if (ex.term !== ey.term || ex.value !== ey.value) return false;
  }
  return true;
}

/** `toSpecState` fills a peer missing from the core's record with 0. */
function sameIndexesOf(expected: Readonly<Record<NodeId, number>>, actual: Readonly<Record<NodeId, number>>, servers: readonly NodeId[]): boolean {
  for (const p of servers) if (expected[p] !== (actual[p] ?? 0)) return false;
  return true;
}

/**
 * Whether `toSpecState(cluster)` equals the prepared state: the same answer as comparing their canonical
 * forms (a property test holds it to that), reached without building the spec state. Replay asks this
 * once per step, so it reads the core's values in place: about ten times cheaper than building and
 * comparing, and no garbage. Anything unusual takes the slow path.
 */
export function clusterMatches(expected: PreparedState, cluster: ClusterSnapshot): boolean {
  const servers = expected.servers;
  if (!expected.regular || !sameIds(cluster.servers, servers)) return expected.canonical === canonicalJson(toSpecState(cluster));
  const spec = expected.spec;
  for (const id of servers) {
    const node = cluster.nodes[id];
    // A missing node or an unsorted vote list: let toSpecState report or normalise it.
    if (node === undefined || !isStrictlySorted(node.votesGranted)) return expected.canonical === canonicalJson(toSpecState(cluster));
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
