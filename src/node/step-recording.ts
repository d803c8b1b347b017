/**
 * A node process's recording: every step written when it is taken, before its write is durable, as one
 * NDJSON line of `workbench-impl-trace/1` (the simulator's writer, `src/sim/recording.ts`). A process that
 * restarts appends to its predecessor's file, after its `Restart` step; the header is written once.
 *
 * Steps are recorded when taken, not when durable, so that a step whose messages left is always in the
 * file, even if the process is killed the next instant (lines are written synchronously, before anything
 * the step sends can leave). What a killed process recorded but never saved is cut when the nodes'
 * files are merged (`trace-merge.ts`).
 *
 * @module
 */
import { closeSync, fstatSync, openSync, writeSync } from 'node:fs';
import { labelOf, type Input, type NodeId, type StepResult } from '../raft/index.js';
import { RaftTraceWriter } from '../sim/recording.js';
import type { ItfJson } from '../trace/itf-value.js';

/** Wall-clock milliseconds with sub-millisecond precision: one clock for every process of the machine. */
export function wallMs(): number {
  return performance.timeOrigin + performance.now();
}

/** Records one node's steps through `write` (one line, without its newline). */
export class StepRecording {
  private readonly writer: RaftTraceWriter;

  /**
   * @param appending the file already holds a header (a restarted process): the writer's header is skipped.
   * @param now the time stamp of a step (default: {@link wallMs}).
   */
  constructor(
    private readonly id: NodeId,
    members: readonly NodeId[],
    write: (line: string) => void,
    appending: boolean,
    source: ItfJson,
    private readonly now: () => number = wallMs,
  ) {
    let skipHeader = appending;
    this.writer = new RaftTraceWriter(
      members,
      (line) => {
        if (skipHeader) skipHeader = false;
        else write(line);
      },
      source,
    );
  }

  /** A step was taken (the node host's observer `stepped`). */
  stepped(input: Input, result: StepResult): void {
    this.writer.record({ kind: 'step', atMs: this.now(), label: labelOf(this.id, input), node: this.id, state: result.state, sent: result.outputs.messages });
  }

  /** The process began with the core's `Restart` step (the node host's observer `restarted`). */
  restarted(result: StepResult): void {
    this.writer.record({ kind: 'step', atMs: this.now(), label: { name: 'Restart', node: this.id }, node: this.id, state: result.state, sent: result.outputs.messages });
  }
}

/** A recording appended to a file, written synchronously; `close()` when the node stops. */
export function openStepRecording(path: string, id: NodeId, members: readonly NodeId[], source: ItfJson): { readonly recording: StepRecording; close(): void } {
  const fd = openSync(path, 'a');
  let open = true;
  const recording = new StepRecording(
    id,
    members,
    (line) => {
      if (open) writeSync(fd, `${line}\n`);
    },
    fstatSync(fd).size > 0,
    source,
  );
  return {
    recording,
    close() {
      if (!open) return;
      open = false;
      closeSync(fd);
    },
  };
}


