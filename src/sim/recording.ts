/**
 * Recording the simulator's run as an implementation trace (`src/validate/format.ts`), for TLC to check
 * against `specs/Raft.tla` (`npm run validate-trace`).
 *
 * What the log holds is what the rest of the cluster could have observed, in an order the spec allows:
 * - a node's step is logged once everything it wrote is on disk (its messages leave only then, see the
 *   node host's `Ready` discipline in `src/host/node-host.ts`); a crash that throws queued writes away
 *   throws away the steps behind them too, which no other node ever saw, and the messages they had
 *   consumed are logged as lost;
 * - the crash itself is a `Restart` of the node in the state its disk kept, and the restart another;
 * - a message the network loses (or that reaches a node that is down or cut off, or that the core refuses)
 *   is a `DropMessage`; each extra copy the network makes is a `DuplicateMessage`.
 *
 * @module
 */
import type { NodeTraceEvent } from '../host/trace-events.js';
import { type NodeId, NIL, toSpecActionLabel, toSpecMessage, toSpecNode } from '../raft/index.js';
import type { ItfJson } from '../trace/itf-value.js';
import { headerLine } from '../validate/format.js';

/** One event of the run, as the simulator (through its node hosts) reports it to a recorder. */
export type SimTraceEvent = NodeTraceEvent;

function specJson(value: unknown): ItfJson {
  // The spec forms are plain JSON already (numbers, strings, booleans, arrays for sequences, objects for
  // records); only sets need the ITF marker, and the callers add it.
  return value as ItfJson;
}

/** Writes a run's events as NDJSON lines of the implementation-trace format. */
export class RaftTraceWriter {
  private seq = 0;

  constructor(
    private readonly servers: readonly NodeId[],
    private readonly write: (line: string) => void,
    source: ItfJson,
  ) {
    write(headerLine({ protocol: 'raft', constants: { Server: { '#set': [...servers] } }, modelValues: [NIL], source }));
  }

  /** The number of events written so far. */
  get events(): number {
    return this.seq;
  }

  readonly record = (event: SimTraceEvent): void => {
    this.seq++;
    const atMs = Math.round(event.atMs * 1000) / 1000;
    if (event.kind === 'network') {
      this.write(JSON.stringify({ seq: this.seq, atMs, action: specJson(toSpecActionLabel(event.label)), note: event.why }));
      return;
    }
    const node = toSpecNode(this.servers, event.state);
    this.write(
      JSON.stringify({
        seq: this.seq,
        atMs,
        node: event.node,
        action: specJson(toSpecActionLabel(event.label)),
        vars: { ...node, votesGranted: { '#set': [...node.votesGranted] } },
        sent: { '#set': event.sent.map((m) => specJson(toSpecMessage(m))) },
      }),
    );
  };
}
