/**
 * TS mirrors of the spec's invariants and action properties, with the spec's operator names (ARCHITECTURE.md
 * section 6). Each returns a structured result: either it holds, or a violation whose text names the nodes
 * and indexes involved, so a failing simulation explains itself.
 *
 * @module
 */
import { bagEntries } from './bag.js';
import type { ClusterSnapshot } from './cluster.js';
import { type CommitHistory, recordCommits } from './history.js';
import type { ActionLabel } from './labels.js';
import { formatMessage } from './labels.js';
import { sameEntry } from './log.js';
import type { LogEntry, NodeId, NodeState } from './types.js';

/** The mirrored invariant names. */
export type InvariantName =
  | 'TypeOK'
  | 'ElectionSafety'
  | 'LogMatching'
  | 'StateMachineSafety'
  | 'LeaderCompleteness'
  | 'CommitIndexMonotonic'
  | 'LeaderAppendOnly';

/** The outcome of one invariant check. */
export type InvariantResult =
  | { readonly name: InvariantName; readonly holds: true }
  | { readonly name: InvariantName; readonly holds: false; readonly violation: string };

function holds(name: InvariantName): InvariantResult {
  return { name, holds: true };
}

function violated(name: InvariantName, violation: string): InvariantResult {
  return { name, holds: false, violation: `${name} violated: ${violation}` };
}

function fmt(e: LogEntry | undefined): string {
  return e === undefined ? 'no entry' : `t${e.term}:${e.value}`;
}

function members(snapshot: ClusterSnapshot): [NodeId, NodeState][] {
  const out: [NodeId, NodeState][] = [];
  for (const id of snapshot.servers) {
    const s = snapshot.nodes[id];
    if (s !== undefined) out.push([id, s]);
  }
  return out;
}

function pairs<T>(items: readonly T[]): [T, T][] {
  const out: [T, T][] = [];
  for (let i = 0; i < items.length; i++) for (let j = i + 1; j < items.length; j++) out.push([items[i]!, items[j]!]);
  return out;
}

const isNat = (n: number): boolean => Number.isSafeInteger(n) && n >= 0;

/**
 * `TypeOK`: every variable has the type the spec declares — terms, indexes and counts are naturals, roles
 * are one of the three, votes and vote sets name members, `nextIndex` is at least 1, and every message in
 * flight is well-formed, between two different members, with at most one entry. (Unlike the spec it cannot
 * check values against the `Value` constant, which the core does not know.)
 */
export function TypeOK(snapshot: ClusterSnapshot): InvariantResult {
  const servers = new Set(snapshot.servers);
  const missing = snapshot.servers.find((id) => snapshot.nodes[id] === undefined);
  if (missing !== undefined) return violated('TypeOK', `member ${missing} has no state`);
  for (const [, s] of members(snapshot)) {
    const problem = nodeTypeProblem(servers, snapshot.servers, s);
    if (problem !== null) return violated('TypeOK', problem);
  }
  for (const { message: m, count } of bagEntries(snapshot.messages)) {
    const what = formatMessage(m);
    if (!isNat(count) || count < 1) return violated('TypeOK', `${what} is in flight ${count} times`);
    if (!servers.has(m.from) || !servers.has(m.to)) return violated('TypeOK', `${what} is not between members`);
    if (m.from === m.to) return violated('TypeOK', `${what} goes from a server to itself`);
    if (!isNat(m.term)) return violated('TypeOK', `${what} has term ${m.term}`);
    if (m.type === 'AppendEntriesRequest' && m.entries.length > 1) {
      return violated('TypeOK', `${what} carries ${m.entries.length} entries, at most 1 allowed`);
    }
  }
  return holds('TypeOK');
}

/**
 * `TypeOK` for one server's variables: what is wrong with them, or null. `memberSet` is the spec's `Server`
 * as a set, `servers` the same in order. With `passed`, an earlier state of the same server known to pass,
 * a field still holding the very object it held then is not looked at again, nor are the log entries the
 * two logs share: the incremental checker's way of looking only at what a step changed.
 */
export function nodeTypeProblem(memberSet: ReadonlySet<NodeId>, servers: readonly NodeId[], s: NodeState, passed?: NodeState): string | null {
  const id = s.id;
  if (!isNat(s.currentTerm)) return `${id}.currentTerm is ${s.currentTerm}, not a natural`;
  if (s.role !== 'Follower' && s.role !== 'Candidate' && s.role !== 'Leader') return `${id}.role is ${String(s.role)}`;
  if (s.votedFor !== null && !memberSet.has(s.votedFor)) return `${id}.votedFor is ${s.votedFor}, neither Nil nor a member`;
  if (!isNat(s.commitIndex)) return `${id}.commitIndex is ${s.commitIndex}, not a natural`;
  if (passed?.log !== s.log) {
    for (let i = passed === undefined ? 1 : passed.log.commonPrefixLength(s.log) + 1; i <= s.log.length; i++) {
      const e = s.log.entry(i)!;
      if (!isNat(e.term) || typeof e.value !== 'string') return `${id}.log[${i}] is ${JSON.stringify(e)}`;
    }
  }
  if (passed?.votesGranted !== s.votesGranted) {
    const stranger = s.votesGranted.find((v) => !memberSet.has(v));
    if (stranger !== undefined) return `${id}.votesGranted contains ${stranger}, not a member`;
  }
  if (passed?.nextIndex === s.nextIndex && passed.matchIndex === s.matchIndex) return null;
  for (const peer of servers) {
    const next = s.nextIndex[peer];
    const match = s.matchIndex[peer];
    if (next === undefined || !isNat(next) || next < 1) return `${id}.nextIndex[${peer}] is ${String(next)}, not a natural >= 1`;
    if (match === undefined || !isNat(match)) return `${id}.matchIndex[${peer}] is ${String(match)}, not a natural`;
  }
  return null;
}

/** `ElectionSafety`: at most one server is Leader in any given term. */
export function ElectionSafety(snapshot: ClusterSnapshot): InvariantResult {
  const leaderOf = new Map<number, NodeId>();
  for (const [id, s] of members(snapshot)) {
    if (s.role !== 'Leader') continue;
    const other = leaderOf.get(s.currentTerm);
    if (other !== undefined) {
      return violated('ElectionSafety', `${other} and ${id} are both Leader in term ${s.currentTerm}`);
    }
    leaderOf.set(s.currentTerm, id);
  }
  return holds('ElectionSafety');
}

/**
 * `LogMatching`: if two logs hold an entry with the same index and term, the logs are identical in every
 * entry up to and including that index.
 */
export function LogMatching(snapshot: ClusterSnapshot): InvariantResult {
  for (const [[a, sa], [b, sb]] of pairs(members(snapshot))) {
    const common = Math.min(sa.log.length, sb.log.length);
    // The highest index where the terms agree covers every lower one: its prefix includes theirs.
    let k = common;
    while (k > 0 && sa.log.termAt(k) !== sb.log.termAt(k)) k--;
    const agreed = sa.log.commonPrefixLength(sb.log);
    if (agreed < k) {
      const i = agreed + 1;
      return violated(
        'LogMatching',
        `${a} and ${b} both hold a term-${sa.log.termAt(k)} entry at index ${k}, but differ at index ${i} (${a}: ${fmt(sa.log.entry(i))}, ${b}: ${fmt(sb.log.entry(i))})`,
      );
    }
  }
  return holds('LogMatching');
}

/**
 * `StateMachineSafety`: servers never disagree on a committed entry — for any two servers, every index up
 * to both their commitIndexes holds the same entry in both logs (so they apply the same commands in the
 * same order). A commitIndex beyond the server's own log also counts as a violation.
 */
export function StateMachineSafety(snapshot: ClusterSnapshot): InvariantResult {
  const all = members(snapshot);
  for (const [id, s] of all) {
    if (s.commitIndex > s.log.length) {
      return violated('StateMachineSafety', `${id} has commitIndex ${s.commitIndex} but only ${s.log.length} entries`);
    }
  }
  for (const [[a, sa], [b, sb]] of pairs(all)) {
    const upTo = Math.min(sa.commitIndex, sb.commitIndex);
    const agreed = sa.log.commonPrefixLength(sb.log);
    if (agreed < upTo) {
      const i = agreed + 1;
      return violated(
        'StateMachineSafety',
        `${a} and ${b} both committed index ${i} with different entries (${a}: ${fmt(sa.log.entry(i))}, ${b}: ${fmt(sb.log.entry(i))})`,
      );
    }
  }
  return holds('StateMachineSafety');
}

/**
 * `LeaderCompleteness`: an entry committed in some term is present, at the same index, in the log of every
 * leader of a later term. Needs the spec's `commitHistory` (see `recordCommits`), because "was committed" is
 * a fact about the past.
 */
export function LeaderCompleteness(snapshot: ClusterSnapshot, history: CommitHistory): InvariantResult {
  for (const [id, s] of members(snapshot)) {
    if (s.role !== 'Leader') continue;
    for (const r of history) {
      if (s.currentTerm <= r.commitTerm) continue;
      const have = s.log.entry(r.index);
      if (!sameEntry(have, r.entry)) {
        return violated(
          'LeaderCompleteness',
          `${fmt(r.entry)} at index ${r.index} was committed in term ${r.commitTerm}, but ${id}, Leader of term ${s.currentTerm}, has ${fmt(have)} there`,
        );
      }
    }
  }
  return holds('LeaderCompleteness');
}

/**
 * `CommitIndexMonotonic` (action property): no server's commitIndex ever decreases, except the server
 * that restarts in this step (commitIndex is volatile and restarts from 0).
 */
export function CommitIndexMonotonic(before: ClusterSnapshot, after: ClusterSnapshot, action: ActionLabel): InvariantResult {
  for (const [id, now] of members(after)) {
    const was = before.nodes[id];
    if (was === undefined || now.commitIndex >= was.commitIndex) continue;
    if (action.name === 'Restart' && action.node === id) continue;
    return violated(
      'CommitIndexMonotonic',
      `${id}.commitIndex went from ${was.commitIndex} to ${now.commitIndex} in a ${action.name} step`,
    );
  }
  return holds('CommitIndexMonotonic');
}

/**
 * `LeaderAppendOnly` (action property): a server that is Leader before and after a step only appends to
 * its log; it never deletes or overwrites its own entries.
 */
export function LeaderAppendOnly(before: ClusterSnapshot, after: ClusterSnapshot, action: ActionLabel): InvariantResult {
  for (const [id, now] of members(after)) {
    const was = before.nodes[id];
    if (was === undefined || was.role !== 'Leader' || now.role !== 'Leader') continue;
    const kept = was.log.commonPrefixLength(now.log);
    if (kept < was.log.length) {
      const at = kept + 1;
      return violated(
        'LeaderAppendOnly',
        `Leader ${id} changed its log at index ${at} (${fmt(was.log.entry(at))} -> ${fmt(now.log.entry(at))}) in a ${action.name} step`,
      );
    }
  }
  return holds('LeaderAppendOnly');
}

/** All state invariants of one snapshot, in a fixed order. */
export function checkStateInvariants(snapshot: ClusterSnapshot, history: CommitHistory): InvariantResult[] {
  return [
    TypeOK(snapshot),
    ElectionSafety(snapshot),
    LogMatching(snapshot),
    StateMachineSafety(snapshot),
    LeaderCompleteness(snapshot, history),
  ];
}

/** Both action properties of one step. */
export function checkStepInvariants(before: ClusterSnapshot, after: ClusterSnapshot, action: ActionLabel): InvariantResult[] {
  return [CommitIndexMonotonic(before, after, action), LeaderAppendOnly(before, after, action)];
}

/** The violations among `results` (empty when everything holds). */
export function violations(results: readonly InvariantResult[]): Extract<InvariantResult, { holds: false }>[] {
  return results.filter((r): r is Extract<InvariantResult, { holds: false }> => !r.holds);
}

/** What one step did to the invariants: the spec's commit history after it, and what it broke. */
export interface StepCheck {
  readonly history: CommitHistory;
  readonly broken: readonly Extract<InvariantResult, { holds: false }>[];
}

/**
 * The check every driver runs after each step (the simulator's monitor, random schedules, story tests):
 * record the step in the spec's commit history, then check every state invariant and action property.
 */
export function checkStep(history: CommitHistory, before: ClusterSnapshot, after: ClusterSnapshot, label: ActionLabel): StepCheck {
  const next = recordCommits(history, before, after, label);
  return { history: next, broken: violations([...checkStateInvariants(after, next), ...checkStepInvariants(before, after, label)]) };
}
