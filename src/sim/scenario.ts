/**
 * A simulation scenario as plain JSON data: the cluster, the network and disk models, the fault schedule,
 * the client workload, and the seed for everything the scenario leaves to chance (each message's latency,
 * each election timeout, each loss). A scenario plus the code fixes a run completely, so a scenario (or the
 * fast-check seed and path that generate it) is a complete bug report.
 *
 * @module
 */

/** How long a one-way message (or a disk write) takes, in ms of virtual time. */
export type LatencyModel =
  | { readonly kind: 'constant'; readonly ms: number }
  | { readonly kind: 'uniform'; readonly minMs: number; readonly maxMs: number }
  /** `minMs` plus an exponential tail with mean `tailMeanMs`: a fixed propagation cost plus queueing. */
  | { readonly kind: 'shifted-exponential'; readonly minMs: number; readonly tailMeanMs: number }
  /** Log-normal around `medianMs`: heavier tails than the exponential, as measured in data centres. */
  | { readonly kind: 'lognormal'; readonly medianMs: number; readonly sigma: number };

/** The network's behaviour outside fault windows. */
export interface NetworkModel {
  readonly latency: LatencyModel;
  /** Probability that a message is lost. */
  readonly lossRate: number;
  /** Probability that a message is delivered twice (the copy with its own latency). */
  readonly duplicateRate: number;
}

/**
 * A node a fault applies to: `leader` is whoever leads (highest term) when the fault starts, `follower`
 * any other live node, a number is a node index (taken modulo the cluster size).
 */
export type NodeTarget = 'leader' | 'follower' | number;

/**
 * Partition shapes. `split`: the nodes fall into a minority and a majority side that cannot talk.
 * `one-way`: messages from one side to the other are lost, the reverse direction works. `isolate-node`:
 * one node against the rest. `isolate-leader`: the current leader against the rest. `leader-minority`: the
 * current leader and as many followers as still make a minority, against the rest (old leader keeps
 * accepting writes it can never commit: the situation behind the paper's Figure 8).
 */
export type PartitionShape = 'split' | 'one-way' | 'isolate-node' | 'isolate-leader' | 'leader-minority';

/** One scheduled fault. Every fault ends at its `atMs + forMs`, or at the heal time, whichever comes first. */
export type Fault =
  | { readonly kind: 'partition'; readonly shape: PartitionShape; readonly atMs: number; readonly forMs: number; readonly pick: number }
  | { readonly kind: 'crash'; readonly target: NodeTarget; readonly atMs: number; readonly downMs: number }
  /**
   * Crash `target` while its next durable write (after `atMs`) is in flight. `landed`: the write reached
   * the disk although the node never learnt so (the rename happened, the acknowledgement did not); else it is lost.
   */
  | { readonly kind: 'crash-mid-write'; readonly target: NodeTarget; readonly atMs: number; readonly downMs: number; readonly landed: boolean }
  /** Crash `target` right after its next durable write of this kind lands and the messages depending on it leave. */
  | {
      readonly kind: 'crash-after-write';
      readonly target: NodeTarget;
      readonly write: 'vote' | 'append' | 'any';
      readonly atMs: number;
      readonly downMs: number;
    }
  /** Crash the leader right after it next advances its commit index (before followers hear of it). */
  | { readonly kind: 'crash-after-commit'; readonly atMs: number; readonly downMs: number }
  | { readonly kind: 'loss'; readonly rate: number; readonly atMs: number; readonly forMs: number }
  | { readonly kind: 'duplicate'; readonly rate: number; readonly atMs: number; readonly forMs: number }
  /** A share `rate` of messages get an extra uniform delay in `[0, maxDelayMs)`, so they overtake each other. */
  | { readonly kind: 'reorder'; readonly rate: number; readonly maxDelayMs: number; readonly atMs: number; readonly forMs: number }
  /** Messages to and from `target` (or all, for `all`) take `extraMs` longer (a GC pause, a congested link). */
  | { readonly kind: 'delay-spike'; readonly target: NodeTarget | 'all'; readonly extraMs: number; readonly atMs: number; readonly forMs: number }
  /** `target`'s clock runs at `rate` times real speed (0.5: its timers take twice as long). */
  | { readonly kind: 'clock-drift'; readonly target: NodeTarget; readonly rate: number; readonly atMs: number; readonly forMs: number }
  /** The election timers of `count` nodes fire at the same instant (a clock jump): split votes. */
  | { readonly kind: 'timer-storm'; readonly count: number; readonly atMs: number };

/** The kinds of fault, for tallies and options. */
export type FaultKind = Fault['kind'];

// A record (not an array) so that the compiler insists on every kind of fault.
const FAULT_KIND_SET: Readonly<Record<FaultKind, true>> = {
  partition: true,
  crash: true,
  'crash-mid-write': true,
  'crash-after-write': true,
  'crash-after-commit': true,
  loss: true,
  duplicate: true,
  reorder: true,
  'delay-spike': true,
  'clock-drift': true,
  'timer-storm': true,
};

/** The fault kinds, in the order of {@link Fault}. */
export const FAULT_KINDS = Object.keys(FAULT_KIND_SET) as readonly FaultKind[];

/** One client operation to issue; values are generated (unique per write) so histories are easy to check. */
export type OpPlan =
  | { readonly kind: 'put'; readonly key: number }
  | { readonly kind: 'get'; readonly key: number }
  /** Compare-and-set from the value this client last read from `key` (or "absent") to a fresh value. */
  | { readonly kind: 'cas'; readonly key: number };

/** One sequential client. */
export interface ClientPlan {
  readonly startMs: number;
  /** Pause between an answer and the next operation. */
  readonly thinkMs: number;
  readonly ops: readonly OpPlan[];
}

/** The clients and how they retry. */
export interface ClientWorkload {
  readonly clients: readonly ClientPlan[];
  /** Resend (same request id) to the next node when no answer came within this time. */
  readonly retryAfterMs: number;
  /**
   * Before the heal time, give up (record a timeout) after this many attempts; after it, retry for ever,
   * so that liveness can be checked.
   */
  readonly maxAttempts: number;
}

/** Everything that determines a run. */
export interface Scenario {
  /** Seeds the latencies, timeouts, losses, and any random choice a fault leaves open. */
  readonly seed: number;
  readonly nodes: number;
  readonly network: NetworkModel;
  /** Time for one durable write (write, fsync, rename). */
  readonly disk: LatencyModel;
  /** Each node's clock rate is drawn once from `1 ± maxDrift` (e.g. 0.05 for 5 %). */
  readonly maxDrift: number;
  readonly faults: readonly Fault[];
  readonly workload: ClientWorkload;
  /** All faults stop and crashed nodes restart at this time. */
  readonly healAtMs: number;
  /** After healing, a leader must exist and every pending operation must complete within this bound. */
  readonly livenessBoundMs: number;
  /** A new leader appends a no-op (Raft section 8) so earlier-term entries commit without new writes. */
  readonly noopOnElection: boolean;
}

/** The LAN-like model used by the benchmark and as the default: 0.5 ms + Exp(mean 0.5 ms), mean 1 ms one way. */
export const LAN_LATENCY: LatencyModel = { kind: 'shifted-exponential', minMs: 0.5, tailMeanMs: 0.5 };

/** An SSD-like fsync: uniform 0.5–1.5 ms per durable write. */
export const SSD_WRITE: LatencyModel = { kind: 'uniform', minMs: 0.5, maxMs: 1.5 };
