/**
 * Client histories: what each client asked and what it saw, with the times it saw them. This is the only
 * input a linearizability checker gets; it never looks inside the system.
 *
 * @module
 */

/**
 * How an operation ended, from the client's point of view:
 * - `ok`: it took effect once and returned `output`;
 * - `fail`: it definitely did not take effect (the system promised so);
 * - `timeout`: the client stopped waiting. It may or may not have taken effect, at any time after it
 *   was invoked (even after the client gave up): the checker must allow both.
 */
export type OpStatus = 'ok' | 'fail' | 'timeout';

/** One operation with its real-time interval `[call, ret]` (ms; `ret` is unused for a timeout). */
export interface Operation<I, O> {
  readonly id: number;
  /** The client (a sequential process: its operations never overlap). */
  readonly process: string;
  readonly input: I;
  readonly status: OpStatus;
  /** The returned value, for `ok` operations. */
  readonly output: O | undefined;
  readonly call: number;
  readonly ret: number;
}

/** One line of an event-style history (Jepsen's `:invoke` / `:ok` / `:fail` / `:info`). */
export type HistoryEvent<I, O> =
  | { readonly type: 'invoke'; readonly process: string; readonly time: number; readonly input: I }
  | { readonly type: 'ok'; readonly process: string; readonly time: number; readonly output: O }
  | { readonly type: 'fail'; readonly process: string; readonly time: number }
  | { readonly type: 'timeout'; readonly process: string; readonly time: number };

/**
 * Pair each `invoke` with the next completion of the same process. An operation still open at the end of
 * the history is a `timeout`. Throws `RangeError` when a process invokes twice without a completion, or
 * completes something it never invoked: such a history cannot come from sequential clients.
 */
export function operationsFromEvents<I, O>(events: readonly HistoryEvent<I, O>[]): Operation<I, O>[] {
  const open = new Map<string, { input: I; time: number }>();
  const ops: Operation<I, O>[] = [];
  const push = (process: string, status: OpStatus, ret: number, output: O | undefined): void => {
    const inv = open.get(process);
    if (inv === undefined) throw new RangeError(`process ${process} completed an operation at ${ret} it never invoked`);
    open.delete(process);
    ops.push({ id: ops.length, process, input: inv.input, status, output, call: inv.time, ret });
  };
  for (const e of events) {
    if (e.type === 'invoke') {
      if (open.has(e.process)) throw new RangeError(`process ${e.process} invoked at ${e.time} while its previous operation is open`);
      open.set(e.process, { input: e.input, time: e.time });
    } else if (e.type === 'ok') push(e.process, 'ok', e.time, e.output);
    else push(e.process, e.type, e.time, undefined);
  }
  for (const [process, inv] of open) ops.push({ id: ops.length, process, input: inv.input, status: 'timeout', output: undefined, call: inv.time, ret: Infinity });
  return ops;
}
