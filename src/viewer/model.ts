/**
 * The data a viewer page embeds: what the builders in this folder compute in Node and the page script
 * (`page/`) draws in the browser. Plain JSON, no TLA+ value model: values arrive already printed.
 *
 * A trace's states are not embedded whole (10,000 Raft states would be tens of megabytes): every row
 * path (`currentTerm[s1]`) and every printed value is interned once, the first state is a list of
 * (path, value) pairs, and each later step is the list of pairs it changed. The page rebuilds the state
 * of a step from the nearest checkpoint it keeps.
 *
 * @module
 */

/** A value removed by a step (its row is deleted). */
export const DELETED = -1;

/** What happened to a message copy in the end. */
export type MessageFate = 'delivered' | 'dropped' | 'in-flight';

/** One copy of a message: an arrow of the message-sequence chart. */
export interface MessageArrow {
  readonly from: string;
  readonly to: string;
  /** The step that put the copy in the network (for a duplicate: the step that duplicated it). */
  readonly sent: number;
  /** The step that took it out (delivery or drop); `null` while in flight at the end. */
  readonly end: number | null;
  readonly fate: MessageFate;
  /** The copy was made by the network duplicating a message. */
  readonly duplicate: boolean;
  /** One line: the message's type and fields. */
  readonly text: string;
  /** Why it was lost, when a recording says. */
  readonly note?: string;
}

/** A node's condition from a step on, as the spec's variables show it (fields absent: not modelled). */
export interface LaneStatus {
  readonly role: string | null;
  readonly term: string | null;
  /** Crashed (the `up` variable says so). */
  readonly down: boolean;
  /** The side of a partition it is on, when the spec models sides. */
  readonly side: string | null;
}

/** One row of the step list. */
export interface StepEntry {
  /** The action's name (`Timeout`). */
  readonly name: string;
  /** The label as one line, parameters included. */
  readonly label: string;
  /** The node that acts, when the label names one. */
  readonly node: string | null;
  /** Virtual time in milliseconds (a recording's steps). */
  readonly atMs?: number;
  /** Why the step happened, when a recording says (what lost a message). */
  readonly note?: string;
}

/** A step singled out: the state a check found wrong. */
export interface Highlight {
  readonly step: number;
  readonly title: string;
  readonly lines: readonly string[];
  /** Row paths to mark (a divergence's differences). */
  readonly paths: readonly string[];
}

/** A trace, counterexample, divergence or recording: states reached by labelled steps. */
export interface TraceView {
  readonly kind: 'trace';
  readonly title: string;
  /** Where it came from, as `label: value` lines. */
  readonly facts: readonly (readonly [string, string])[];
  readonly nodes: readonly string[];
  /** Step 0 is the initial state. */
  readonly steps: readonly StepEntry[];
  readonly paths: readonly string[];
  readonly values: readonly string[];
  /** The first state, as flat (path id, value id) pairs. */
  readonly initial: readonly number[];
  /** `deltas[k]`: the (path id, value id or {@link DELETED}) pairs step k changed; `deltas[0]` is empty. */
  readonly deltas: readonly (readonly number[])[];
  readonly messages: readonly MessageArrow[];
  /** Per node (same order as `nodes`), the steps where its status changes, the first at step 0. */
  readonly lanes: readonly (readonly { readonly step: number; readonly status: LaneStatus }[])[];
  /** Steps at which the label says a node restarted or crashed (drawn as a mark on its lane). */
  readonly restarts: readonly { readonly step: number; readonly node: string; readonly name: string }[];
  readonly highlight: Highlight | null;
}

/** One client operation of a history. */
export interface HistoryOp {
  readonly id: number;
  readonly process: string;
  /** The independent part it belongs to (the key). */
  readonly part: string;
  readonly text: string;
  readonly result: string;
  readonly status: 'ok' | 'fail' | 'timeout';
  readonly call: number;
  /** `null` for an operation that never returned. */
  readonly ret: number | null;
}

/** A KV client history and its linearizability verdict. */
export interface HistoryView {
  readonly kind: 'history';
  readonly title: string;
  readonly facts: readonly (readonly [string, string])[];
  readonly processes: readonly string[];
  readonly ops: readonly HistoryOp[];
  readonly verdict: { readonly outcome: 'linearizable' | 'not-linearizable' | 'unknown'; readonly text: string };
  /** Per part, a linearization as operation ids: the whole order, or the longest valid prefix of a failing witness. */
  readonly orders: Readonly<Record<string, readonly number[]>>;
  /** The minimal non-linearizable witness (operation ids); empty when linearizable. */
  readonly core: readonly number[];
}

export type View = TraceView | HistoryView;
