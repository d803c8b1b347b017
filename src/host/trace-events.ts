/**
 * What a node host reports to a recorder, in the order the rest of the cluster could have observed it:
 * a step once everything it wrote is durable, and each message lost or copied on its way. The simulator
 * records these as an implementation trace (`src/sim/recording.ts`); a real runtime records them the same
 * way, so TLC can check either against the spec.
 *
 * @module
 */
import type { ActionLabel, Message, NodeId, NodeState } from '../raft/index.js';

/** One node step: the spec action it was, the node's state after it and the messages it sent. */
export interface RecordedStep {
  readonly kind: 'step';
  /** When the step was taken, on the driver's clock (virtual or wall milliseconds). */
  readonly atMs: number;
  readonly label: ActionLabel;
  readonly node: NodeId;
  readonly state: NodeState;
  readonly sent: readonly Message[];
}

/** A message the network (or a node) lost, or a copy the network made. */
export interface RecordedNetworkEvent {
  readonly kind: 'network';
  readonly atMs: number;
  readonly label: Extract<ActionLabel, { name: 'DropMessage' | 'DuplicateMessage' }>;
  /** Why, in words: for the reader of the trace, not for TLC. */
  readonly why: string;
}

/** One event of a run, as a driver reports it to a recorder. */
export type NodeTraceEvent = RecordedStep | RecordedNetworkEvent;

/** Receives the events of a run (writes a trace, keeps them for a test). */
export type TraceRecorder = (event: NodeTraceEvent) => void;
