/**
 * A node joining or leaving the quorum store's cluster mid-run, the way Dynamo-style stores move a range
 * (Cassandra's pending ranges and bootstrap streaming, Riak's ownership handoff). The simulator (the
 * driver) owns the ring and the transition; the core only learns the key's walk (`Reconfigure`) and
 * streams what it holds (`Stream`). This module plans a change on the ring (`src/ring`), says when a
 * stream round has moved enough to switch, and checks what must hold afterwards.
 *
 * The transition, in three steps:
 * 1. At the change, every node learns the walk with the pending replica (the node entering the key's
 *    home set): coordinators send it their writes, but its acknowledgements do not count toward W.
 * 2. Stream rounds: each old home replica streams its versions (store and hints) to the pending replica,
 *    an atomic exchange that the network may lose, repeated every few ms.
 * 3. The first round in which the replica leaving the home set streamed switches reads and
 *    acknowledgements to the new home replicas in the same instant; a leaving node stops serving only
 *    then. That stream is the one that matters (Cassandra's consistent range movement, CASSANDRA-2434):
 *    a write acknowledged by W old home replicas is then held by W new ones, the entering replica
 *    standing in for the one that left, so every read quorum of the new home still meets it.
 *
 * Not in `specs/QuorumKV.tla`: the spec has a fixed preference list, and a TLA+ `Reconfigure` action is
 * future work.
 *
 * @module
 */
import { type MovedRange, type Ring, joinLayout, layoutOf, ownerAt, preferenceList, ringOfLayout, ringPosition, stepRing } from '../ring/index.js';
import { claimsOf, covers } from './checkers.js';
import type { Quorums } from './ring-config.js';
import { configForKey } from './ring-config.js';
import type { KvSimRun } from './sim.js';
import { homeReplicas } from './targets.js';
import type { KVConfig, NodeId } from './types.js';

/** The simulator's one key, and the vnodes per member of its ring. */
export const SIM_KEY = 'key';
export const SIM_VNODES = 64;

/** A node joins the ring at `atMs`, or a member leaves it. */
export type MembershipChange = { readonly kind: 'join'; readonly node: NodeId; readonly atMs: number } | { readonly kind: 'leave'; readonly node: NodeId; readonly atMs: number };

/** Deliberately wrong transitions, for negative controls. */
export type MembershipDefect = 'switch-before-stream' | 'stream-from-any-replica';

export const MEMBERSHIP_DEFECTS: Readonly<Record<MembershipDefect, { readonly breaks: string }>> = {
  'switch-before-stream': {
    breaks: 'reads and acknowledgements switch to the new home replicas only after the entering replica was streamed what the old ones hold (here they switch at once, and a leaving node stops without streaming)',
  },
  'stream-from-any-replica': {
    breaks: 'the entering replica is streamed by the replica leaving the home set (here by the first other old home replica that answers, as Cassandra did before consistent range movement)',
  },
};

export function isMembershipDefect(name: string): name is MembershipDefect {
  return Object.hasOwn(MEMBERSHIP_DEFECTS, name);
}

/** The name a joining node gets: the first of n{K+1}, n{K+2}, ... that is not a member. */
export function joinerName(members: readonly NodeId[]): NodeId {
  for (let i = members.length + 1; ; i++) if (!members.includes(`n${i}`)) return `n${i}`;
}

/** Ranges of the ring that changed primary owner between the same two members, summed. */
export interface MovedFlow {
  readonly from: NodeId | null;
  readonly to: NodeId | null;
  readonly ranges: number;
  /** Share of the ring's positions. */
  readonly share: number;
}

/** A membership change planned on the ring: the key's configs before, during and after the move. */
export interface MembershipPlan {
  readonly change: MembershipChange;
  /** The key's position on the ring. */
  readonly keyPosition: number;
  readonly before: KVConfig;
  /** Old walk (a joiner appended), with the pending replicas. */
  readonly during: KVConfig;
  /** New walk from the new ring (a leaver appended, never reachable again: its vector counters stay in every version). */
  readonly after: KVConfig;
  readonly moved: readonly MovedRange[];
  readonly flows: readonly MovedFlow[];
  /** The share of the ring's positions whose primary owner changed. */
  readonly movedShare: number;
  /** The key's primary owner changed (its preference list can change without that). */
  readonly keyOwnerMoved: boolean;
  readonly oldHome: readonly NodeId[];
  readonly newHome: readonly NodeId[];
  /** The replica entering the key's home set (none when the change does not touch the key's home). */
  readonly entering: readonly NodeId[];
  /** The replica leaving the key's home set. */
  readonly leavingHome: readonly NodeId[];
}

const RING_SIZE = 2 ** 32;

/** The key's config on the ring of `members`. */
export function ringConfig(members: readonly NodeId[], quorums: Quorums): KVConfig {
  return configForKey(layoutOf(members, SIM_VNODES), SIM_KEY, quorums);
}

/** Plans `change` on the ring of `members`. Throws a `RangeError` for a change the cluster cannot take. */
export function planMembership(members: readonly NodeId[], quorums: Quorums, change: MembershipChange): MembershipPlan {
  if (!(Number.isFinite(change.atMs) && change.atMs >= 0)) throw new RangeError(`a membership change at ${change.atMs} ms: expected a time >= 0`);
  const layout = layoutOf(members, SIM_VNODES);
  const ring = ringOfLayout(layout);
  const before = configForKey(layout, SIM_KEY, quorums);
  let after: Ring;
  let moved: readonly MovedRange[];
  if (change.kind === 'join') {
    if (members.includes(change.node)) throw new RangeError(`${change.node} cannot join: it is already a member`);
    const step = joinLayout(ring, layout, change.node);
    if (step.refused !== undefined) throw new RangeError(step.refused);
    ({ ring: after, moved } = step);
  } else {
    if (!members.includes(change.node)) throw new RangeError(`${change.node} cannot leave: it is not a member (members: ${members.join(', ')})`);
    if (members.length - 1 < quorums.n) throw new RangeError(`${change.node} cannot leave: ${members.length - 1} nodes would be left for N = ${quorums.n} replicas`);
    const step = stepRing(ring, { type: 'Leave', node: change.node });
    if (step.refused !== undefined) throw new RangeError(step.refused);
    ({ ring: after, moved } = step);
  }
  const newWalk = preferenceList(after, SIM_KEY, after.members.length);
  const afterConfig: KVConfig = { ...before, walk: change.kind === 'leave' ? [...newWalk, change.node] : newWalk };
  const oldHome = homeReplicas(before);
  const newHome = homeReplicas(afterConfig);
  const entering = newHome.filter((n) => !oldHome.includes(n));
  const during: KVConfig = { ...before, walk: change.kind === 'join' ? [...before.walk, change.node] : before.walk, ...(entering.length > 0 ? { pending: entering } : {}) };
  const keyPosition = ringPosition(SIM_KEY);
  return {
    change,
    keyPosition,
    before,
    during,
    after: afterConfig,
    moved,
    flows: flowsOf(moved),
    movedShare: moved.reduce((s, r) => s + (r.last - r.first + 1), 0) / RING_SIZE,
    keyOwnerMoved: ownerAt(ring, keyPosition) !== ownerAt(after, keyPosition),
    oldHome,
    newHome,
    entering,
    leavingHome: oldHome.filter((n) => !newHome.includes(n)),
  };
}

function flowsOf(moved: readonly MovedRange[]): MovedFlow[] {
  const flows = new Map<string, { from: NodeId | null; to: NodeId | null; ranges: number; positions: number }>();
  for (const r of moved) {
    const key = `${r.from} ${r.to}`;
    const f = flows.get(key) ?? { from: r.from, to: r.to, ranges: 0, positions: 0 };
    f.ranges++;
    f.positions += r.last - r.first + 1;
    flows.set(key, f);
  }
  return [...flows.values()].map((f) => ({ from: f.from, to: f.to, ranges: f.ranges, share: f.positions / RING_SIZE })).sort((a, b) => b.share - a.share);
}

/**
 * Whether a stream round that reached `streamed` (old home replicas whose stream arrived, at one instant)
 * lets the key switch: the replica leaving the home set streamed, since nobody reads it afterwards.
 */
export function streamComplete(plan: MembershipPlan, streamed: ReadonlySet<NodeId>): boolean {
  return plan.entering.length === 0 || plan.leavingHome.every((x) => streamed.has(x));
}

/** What a run's membership change did, for the report and `--json`. */
export interface MembershipReport {
  readonly change: MembershipChange;
  readonly defect: MembershipDefect | null;
  readonly keyPosition: number;
  readonly movedRanges: number;
  readonly movedShare: number;
  readonly flows: readonly MovedFlow[];
  readonly keyOwnerMoved: boolean;
  readonly oldHome: readonly NodeId[];
  readonly newHome: readonly NodeId[];
  readonly entering: readonly NodeId[];
  readonly leavingHome: readonly NodeId[];
  /** When reads and acknowledgements switched to the new home replicas; null if the stream never finished. */
  switchedAtMs: number | null;
  /** Stream rounds run, and single streams lost by the network or not possible (an end down or split away). */
  streamRounds: number;
  streamsSent: number;
  streamsLost: number;
  streamsUnreachable: number;
  /** Versions the streams carried (counted per stream). */
  versionsStreamed: number;
  /** Client writes a coordinator also sent to the pending replica, and how many of those Puts were lost. */
  writesToPending: number;
  /** When a leaving node stopped serving. */
  leftAtMs: number | null;
}

export function reportOf(plan: MembershipPlan, defect: MembershipDefect | null): MembershipReport {
  return {
    change: plan.change,
    defect,
    keyPosition: plan.keyPosition,
    movedRanges: plan.moved.length,
    movedShare: plan.movedShare,
    flows: plan.flows,
    keyOwnerMoved: plan.keyOwnerMoved,
    oldHome: plan.oldHome,
    newHome: plan.newHome,
    entering: plan.entering,
    leavingHome: plan.leavingHome,
    switchedAtMs: null,
    streamRounds: 0,
    streamsSent: 0,
    streamsLost: 0,
    streamsUnreachable: 0,
    versionsStreamed: 0,
    writesToPending: 0,
    leftAtMs: null,
  };
}

/**
 * Acknowledged writes that, after a membership change and the quiet period, no home replica of the new
 * walk holds or supersedes and no hint is bound to deliver: the data stayed behind on a node nobody reads.
 * Stronger than `NoLostAckedWrite`, which counts any serving node's store.
 */
export function strandedAckedWrites(run: KvSimRun): string[] {
  if (run.membership === null) return [];
  const home = homeReplicas(run.config);
  const held = [...home.map((h) => run.finalStores[h] ?? []), ...Object.values(run.finalHints).map((hs) => hs.map((h) => h.version))].map((vs) => vs.map((v) => v.value));
  return run.history.flatMap((op) => (op.kind === 'write' && op.outcome === 'ok' && !held.some((values) => covers(values, op.value, run.seen)) ? [op.value] : []));
}

/** What the membership change broke, as sentences (empty when it kept everything). */
export function membershipViolations(run: KvSimRun): string[] {
  const m = run.membership;
  if (m === null) return [];
  const out: string[] = [];
  if (m.switchedAtMs === null) out.push(`MembershipCompletes: the key's range never finished moving to ${m.entering.join(', ')} (${m.streamRounds} stream rounds)`);
  if (claimsOf(run.config).noLostAckedWrite) {
    const stranded = strandedAckedWrites(run);
    if (stranded.length > 0) out.push(`NoStrandedAckedWrite: acknowledged ${stranded.join(', ')} held by no home replica of ${home(run)} nor bound for one by a hint`);
  }
  return out;
}

const home = (run: KvSimRun) => homeReplicas(run.config).join(' ');
