/**
 * An index of a state graph that TLC wrote with `-dump dot,actionlabels`, built by streaming the file
 * once, for graphs too large to hold as parsed values (`MCRaft`'s dump is over a gigabyte).
 *
 * The index keeps, per state, TLC's fingerprint, where its printed line lies in the file and whether it
 * is initial; per edge, its source, target and action name, in typed arrays grouped by source. A state's
 * values are read back from the file when they are needed ({@link DotIndex.readState}), so memory grows
 * with the number of states and edges, not with the size of a state.
 *
 * Nothing here depends on the order TLC wrote the lines in: edges may name a state before its line and
 * several workers may interleave their successors.
 *
 * @module
 */
import { closeSync, createReadStream, openSync, readSync } from 'node:fs';
import { parseStateBody } from '../tlc/state.js';
import { DOT_EDGE_LINE, DOT_NODE_LINE, TlcOutputError, type TlcStateVars, unescapeDot } from './tlc-output.js';

/** A growable array of 32-bit integers. */
class IntList {
  private data = new Int32Array(1024);
  length = 0;
  push(value: number): void {
    if (this.length === this.data.length) {
      const bigger = new Int32Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = value;
  }
  get(i: number): number {
    return this.data[i] as number;
  }
}

/** A growable array of file offsets (doubles hold any offset a file can have exactly). */
class OffsetList {
  // -1: not set (a state named by an edge before its own line).
  private data = new Float64Array(1024).fill(-1);
  length = 0;
  set(i: number, value: number): void {
    while (i >= this.data.length) {
      const bigger = new Float64Array(this.data.length * 2).fill(-1);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[i] = value;
    if (i >= this.length) this.length = i + 1;
  }
  get(i: number): number {
    return i < this.length ? (this.data[i] as number) : -1;
  }
}

/** One outgoing edge of a state: the target's index and the action's name. */
export interface DotEdge {
  readonly to: number;
  readonly action: string;
}


/** A state graph dumped by TLC, indexed; open until {@link DotIndex.close}. */
export class DotIndex {
  private constructor(
    readonly file: string,
    private readonly descriptor: number,
    /** TLC's fingerprint of each state, as printed. */
    readonly fingerprints: readonly string[],
    private readonly lineStart: Float64Array,
    private readonly lineLength: Int32Array,
    private readonly initialFlags: Uint8Array,
    /** Edges grouped by source: state `s`'s are `edgeTo[edgeStart[s] .. edgeStart[s + 1]]`. */
    private readonly edgeStart: Int32Array,
    private readonly edgeTo: Int32Array,
    private readonly edgeAction: Int32Array,
    private readonly actionNames: readonly string[],
    /** Edge lines in the file, before duplicates (same source, target and action) were dropped. */
    readonly edgeLines: number,
  ) {}

  /** Indexes `file`; throws {@link TlcOutputError} when it is not a dump TLC could have written. */
  static async open(file: string, shown: string): Promise<DotIndex> {
    const ids = new Map<string, number>();
    const fingerprints: string[] = [];
    const stateOf = (fingerprint: string): number => {
      let i = ids.get(fingerprint);
      if (i === undefined) {
        i = fingerprints.length;
        ids.set(fingerprint, i);
        fingerprints.push(fingerprint);
      }
      return i;
    };
    const starts = new OffsetList();
    const lengthOf: number[] = [];
    const initial = new Set<number>();
    const from = new IntList();
    const to = new IntList();
    const action = new IntList();
    const actionIds = new Map<string, number>();
    const actionNames: string[] = [];
    let edgeLines = 0;

    const onLine = (line: string, offset: number, byteLength: number) => {
      if (line.length === 0 || !/^-?\d/.test(line)) return; // graph attributes, rank groups, braces
      const edge = DOT_EDGE_LINE.exec(line);
      if (edge) {
        edgeLines++;
        from.push(stateOf(edge[1] as string));
        to.push(stateOf(edge[2] as string));
        const name = unescapeDot(edge[3] as string);
        let a = actionIds.get(name);
        if (a === undefined) {
          a = actionNames.length;
          actionIds.set(name, a);
          actionNames.push(name);
        }
        action.push(a);
        return;
      }
      const node = DOT_NODE_LINE.exec(line);
      if (!node) return;
      const s = stateOf(node[1] as string);
      if (starts.get(s) >= 0) return; // printed again: the first line stands
      starts.set(s, offset);
      lengthOf[s] = byteLength;
      if (/style\s*=\s*filled/.test(node[3] as string)) initial.add(s);
    };

    let offset = 0;
    let carry: Buffer[] = [];
    let carryStart = 0;
    const stream = createReadStream(file, { highWaterMark: 1 << 20 });
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      let lineFrom = 0;
      for (let nl = chunk.indexOf(10); nl !== -1; nl = chunk.indexOf(10, nl + 1)) {
        const piece = chunk.subarray(lineFrom, nl);
        const bytes = carry.length > 0 ? Buffer.concat([...carry, piece]) : piece;
        const start = carry.length > 0 ? carryStart : offset + lineFrom;
        onLine(bytes.toString('latin1'), start, bytes.length);
        carry = [];
        lineFrom = nl + 1;
      }
      if (lineFrom < chunk.length) {
        if (carry.length === 0) carryStart = offset + lineFrom;
        carry.push(chunk.subarray(lineFrom));
      }
      offset += chunk.length;
    }
    if (carry.length > 0) {
      const bytes = Buffer.concat(carry);
      onLine(bytes.toString('latin1'), carryStart, bytes.length);
    }

    const n = fingerprints.length;
    const lineStart = new Float64Array(n);
    const lineLength = new Int32Array(n);
    for (let s = 0; s < n; s++) {
      const start = starts.get(s);
      if (start < 0) throw new TlcOutputError(shown, `an edge names state ${fingerprints[s]}, which the dump does not print`);
      lineStart[s] = start;
      lineLength[s] = lengthOf[s] as number;
    }
    if (initial.size === 0) throw new TlcOutputError(shown, 'marks no initial state');
    const initialFlags = new Uint8Array(n);
    for (const s of initial) initialFlags[s] = 1;

    // Group by source (a counting sort), dropping repeated (source, target, action) triples: a step
    // that several parameters take to the same state (three servers restarting in the initial state)
    // is one edge of the graph.
    const edgeStart = new Int32Array(n + 1);
    for (let e = 0; e < from.length; e++) (edgeStart[from.get(e) + 1] as number)++;
    for (let s = 0; s < n; s++) edgeStart[s + 1] = (edgeStart[s + 1] as number) + (edgeStart[s] as number);
    const cursor = edgeStart.slice(0, n);
    const sortedTo = new Int32Array(from.length);
    const sortedAction = new Int32Array(from.length);
    for (let e = 0; e < from.length; e++) {
      const s = from.get(e);
      const at = cursor[s] as number;
      sortedTo[at] = to.get(e);
      sortedAction[at] = action.get(e);
      cursor[s] = at + 1;
    }
    const keptStart = new Int32Array(n + 1);
    const keptTo = new Int32Array(from.length);
    const keptAction = new Int32Array(from.length);
    let kept = 0;
    for (let s = 0; s < n; s++) {
      keptStart[s] = kept;
      const seen = new Set<number>();
      for (let e = edgeStart[s] as number; e < (edgeStart[s + 1] as number); e++) {
        const key = (sortedTo[e] as number) * actionNames.length + (sortedAction[e] as number);
        if (seen.has(key)) continue;
        seen.add(key);
        keptTo[kept] = sortedTo[e] as number;
        keptAction[kept] = sortedAction[e] as number;
        kept++;
      }
    }
    keptStart[n] = kept;
    const descriptor = openSync(file, 'r');
    return new DotIndex(file, descriptor, fingerprints, lineStart, lineLength, initialFlags, keptStart, keptTo.slice(0, kept), keptAction.slice(0, kept), actionNames, edgeLines);
  }

  /** States in the graph. */
  get stateCount(): number {
    return this.fingerprints.length;
  }

  /** Distinct edges (source, target, action). */
  get edgeCount(): number {
    return this.edgeTo.length;
  }

  isInitial(state: number): boolean {
    return this.initialFlags[state] === 1;
  }

  /** The initial states. */
  initialStates(): number[] {
    const out: number[] = [];
    for (let s = 0; s < this.stateCount; s++) if (this.initialFlags[s] === 1) out.push(s);
    return out;
  }

  /** The edges leaving `state`. */
  edgesFrom(state: number): DotEdge[] {
    const out: DotEdge[] = [];
    for (let e = this.edgeStart[state] as number; e < (this.edgeStart[state + 1] as number); e++) {
      out.push({ to: this.edgeTo[e] as number, action: this.actionNames[this.edgeAction[e] as number] as string });
    }
    return out;
  }

  /** The targets of the edges leaving `state`, without their actions (for walking the graph). */
  successors(state: number): Int32Array {
    return this.edgeTo.subarray(this.edgeStart[state] as number, this.edgeStart[state + 1] as number);
  }

  /** The text TLC printed for `state` (`/\\ x = ...` conjuncts), read back from the file. */
  readStateText(state: number): string {
    const length = this.lineLength[state] as number;
    const buffer = Buffer.alloc(length);
    // Synchronous: one small read per state, from the page cache; awaiting each cost more than reading.
    const bytesRead = readSync(this.descriptor, buffer, 0, length, this.lineStart[state] as number);
    const line = buffer.subarray(0, bytesRead).toString('latin1');
    const node = DOT_NODE_LINE.exec(line);
    if (!node) throw new TlcOutputError(this.file, `the line of state ${this.fingerprints[state]} changed while it was read`);
    return unescapeDot(node[2] as string);
  }

  /** The values TLC printed for `state`, read back from the file. */
  readState(state: number): TlcStateVars {
    const text = this.readStateText(state);
    try {
      return parseStateBody(text);
    } catch (error) {
      throw new TlcOutputError(this.file, `state ${this.fingerprints[state]} does not parse: ${(error as Error).message}`);
    }
  }

  /**
   * A shortest path of action names from an initial state to `state` (breadth-first over the graph),
   * for reports: where in the behaviours a state lies.
   */
  pathTo(state: number): string[] {
    const previous = new Int32Array(this.stateCount).fill(-1);
    const via = new Int32Array(this.stateCount).fill(-1);
    const queue: number[] = this.initialStates();
    for (const s of queue) previous[s] = s;
    for (let head = 0; head < queue.length; head++) {
      const s = queue[head] as number;
      if (s === state) break;
      for (let e = this.edgeStart[s] as number; e < (this.edgeStart[s + 1] as number); e++) {
        const t = this.edgeTo[e] as number;
        if (previous[t] !== -1) continue;
        previous[t] = s;
        via[t] = this.edgeAction[e] as number;
        queue.push(t);
      }
    }
    if (previous[state] === -1) return [];
    const path: string[] = [];
    for (let s = state; previous[s] !== s; s = previous[s] as number) path.push(this.actionNames[via[s] as number] as string);
    return path.reverse();
  }

  close(): void {
    closeSync(this.descriptor);
  }
}
