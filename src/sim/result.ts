/**
 * What a simulation run reports.
 *
 * @module
 */
import type { KvOp, KvResult } from '../kv/command.js';
import type { Explanation } from '../lin/explain.js';
import type { Operation } from '../lin/history.js';

/** Why a run failed. The first violation stops the run (later state is built on a broken one). */
export type Violation =
  /** A TS mirror of a spec invariant broke after a step (`name` is the spec's operator name). */
  | { readonly kind: 'invariant'; readonly name: string; readonly message: string; readonly atMs: number; readonly event: number }
  /** A check of what a node keeps on disk broke (`name` is a check of `src/sim/durability.ts`). */
  | { readonly kind: 'durability'; readonly name: string; readonly message: string; readonly atMs: number; readonly event: number }
  /** Two replicas applied different commands at the same log index (StateMachineSafety as the KV sees it). */
  | { readonly kind: 'applied-agreement'; readonly message: string; readonly atMs: number; readonly event: number }
  /** The client history has no linearization. */
  | { readonly kind: 'linearizability'; readonly message: string; readonly explanation: Explanation<KvOp, KvResult> | null }
  /** After healing, no progress within the bound. */
  | { readonly kind: 'liveness'; readonly message: string; readonly atMs: number }
  /** The driver's own sanity checks (a bug in the simulator or a core returning impossible outputs). */
  | { readonly kind: 'internal'; readonly message: string; readonly atMs: number; readonly event: number };

/** Counters, mostly to show that the generators reach the interesting parts of the protocol. */
export interface SimStats {
  /** Events processed. */
  events: number;
  /** Raft messages handed to a live, reachable node. */
  delivered: number;
  /** Client requests and answers delivered. */
  clientMessages: number;
  /** Messages put on the network (before loss). */
  sent: number;
  /** Messages lost: loss, partition, or a crashed receiver. */
  dropped: number;
  /** Extra copies made by duplication. */
  duplicated: number;
  /** `BecomeLeader` steps. */
  elections: number;
  /** Elections started (`Timeout` steps) after the faults stopped. */
  electionsAfterHeal: number;
  maxTerm: number;
  /** Highest commit index any node reached. */
  maxCommit: number;
  /** Log writes that replaced existing entries (log repair). */
  truncations: number;
  crashes: number;
  /** Crashes that hit a durable write in flight. */
  crashesMidWrite: number;
  faultsStarted: number;
  /** Invariant evaluations. */
  checks: number;
  opsOk: number;
  opsTimedOut: number;
  /** Virtual time at the end of the run. */
  endMs: number;
}

/** The outcome of one run. */
export interface SimResult {
  readonly violation: Violation | null;
  readonly stats: SimStats;
  /** The client history (probe included). */
  readonly history: readonly Operation<KvOp, KvResult>[];
  /** Client-observed latency (invoke to answer, ms) of every successful put and cas, in completion order. */
  readonly writeLatencies: readonly number[];
}
