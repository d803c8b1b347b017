/**
 * Merging the per-node recordings of a real cluster (`npm run node -- --record`) into one implementation
 * trace that `npm run validate-trace` checks against `specs/Raft.tla`.
 *
 * Each node's file holds its steps in the order it took them, each written when taken, before its write
 * was durable (so a step whose messages left is always in the file, even under `kill -9`). Two things turn
 * those files into one behaviour of the spec:
 *
 * 1. **What a killed process never saved is cut.** A process starts with a `Restart` step in the state its
 *    disk gave back. The run before it may have recorded steps whose writes never reached the disk (the
 *    process was killed between the step and the fsync); the spec's `Restart` keeps the term, vote and log
 *    of the node's last step, so those steps cannot be in the trace. The run before a `Restart` is cut
 *    after its last step whose term, vote and log equal what the `Restart` found on disk. The steps cut
 *    were seen by nobody: a step's messages leave only once its writes are durable. The messages they had
 *    consumed simply stay in flight (the spec's network may hold a message for ever).
 * 2. **The nodes' steps are interleaved by causality.** A step that handles a message must come after the
 *    step that sent it. The merge keeps the spec's network as a bag of message copies; repeatedly, among
 *    the nodes whose next step is enabled (it consumes nothing, or a message in flight), it takes the one
 *    recorded earliest (wall-clock `atMs`, one clock on one machine). A step whose message no recorded
 *    step sent stops the merge with an error naming it.
 *
 * Messages lost on a broken connection, or dropped because a link was down, are not recorded: a lost
 * message is one the spec's network never delivers, which needs no event.
 *
 * @module
 */
import { ExitCode, WorkbenchError } from '../errors.js';
import { IMPL_TRACE_FORMAT } from '../validate/format.js';

/** One node's recording, as read. */
export interface NodeRecording {
  /** For messages: the file it came from. */
  readonly file: string;
  readonly text: string;
}

/** What a merge did, per node. */
export interface MergedNode {
  readonly node: string;
  readonly file: string;
  /** Events recorded and kept. */
  readonly kept: number;
  /** Steps cut because their writes never reached the disk before a restart. */
  readonly cut: number;
  /** Processes that recorded into the file (its `Restart` events). */
  readonly runs: number;
  /** Whether the file ended inside a line (a process killed while writing it); that line was ignored. */
  readonly truncatedLine: boolean;
}

/** The merged trace. */
export interface MergedTrace {
  /** NDJSON lines, header first. */
  readonly lines: readonly string[];
  readonly events: number;
  readonly nodes: readonly MergedNode[];
}

/** The recordings cannot be merged: a malformed file, or steps no order explains. Exit 4. */
export class TraceMergeError extends WorkbenchError {
  constructor(message: string, hint = 'Merge the files every node of one run recorded (npm run node -- --record), each node into its own file.') {
    super(message, ExitCode.SPEC_ERROR, hint);
    this.name = 'TraceMergeError';
  }
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

interface Event {
  readonly file: string;
  readonly line: number;
  readonly json: JsonObject;
  readonly name: string;
  readonly node: string;
  readonly atMs: number;
  /** The consumed message's key, if the action consumes one. */
  readonly consumes: string | null;
  readonly sent: readonly string[];
  /** Term, vote and log after the step (what a restart would find on disk), if logged. */
  readonly durable: string | null;
}

function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** JSON with object keys sorted: one text per value, whatever order its writer used. */
function canonical(value: Json): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (isObject(value)) {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(value[k] as Json)}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Whose actions consume their `message`: the handlers and the network's drop. */
const CONSUMES = new Set(['HandleRequestVoteRequest', 'HandleRequestVoteResponse', 'HandleAppendEntriesRequest', 'HandleAppendEntriesResponse', 'DropMessage']);

interface ParsedFile {
  readonly header: JsonObject;
  readonly events: Event[];
  readonly truncatedLine: boolean;
}

function parseRecording(recording: NodeRecording): ParsedFile {
  const { file, text } = recording;
  const lines = text.split('\n');
  // A process killed while writing leaves a last line without its newline: ignore it, say so.
  const endsInsideLine = !text.endsWith('\n') && text.length > 0;
  let header: JsonObject | null = null;
  const events: Event[] = [];
  let truncatedLine = false;
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (line === '') return;
    const lineNo = i + 1;
    let json: Json;
    try {
      json = JSON.parse(line) as Json;
    } catch {
      if (endsInsideLine && i === lines.length - 1) {
        truncatedLine = true;
        return;
      }
      throw new TraceMergeError(`${file}:${lineNo}: not JSON.`);
    }
    if (!isObject(json)) throw new TraceMergeError(`${file}:${lineNo}: a line must be a JSON object.`);
    if (json['format'] !== undefined) {
      if (json['format'] !== IMPL_TRACE_FORMAT || json['protocol'] !== 'raft') throw new TraceMergeError(`${file}:${lineNo}: not a Raft trace of format ${IMPL_TRACE_FORMAT}.`);
      if (header !== null) {
        if (canonical(header['constants'] ?? null) !== canonical(json['constants'] ?? null)) throw new TraceMergeError(`${file}:${lineNo}: a second header with other constants.`);
        return;
      }
      header = json;
      return;
    }
    if (header === null) throw new TraceMergeError(`${file}:${lineNo}: an event before the header line.`);
    events.push(eventOf(json, file, lineNo));
  });
  if (header === null) throw new TraceMergeError(`${file}: no header line: it is empty, or not a recording of npm run node -- --record.`);
  return { header, events, truncatedLine };
}

function eventOf(json: JsonObject, file: string, line: number): Event {
  const fail = (problem: string): never => {
    throw new TraceMergeError(`${file}:${line}: ${problem}.`);
  };
  const action = json['action'];
  if (!isObject(action) || typeof action['name'] !== 'string') return fail('an event needs "action", a label with a "name"');
  const name = action['name'];
  const node = typeof json['node'] === 'string' ? json['node'] : typeof action['node'] === 'string' ? action['node'] : fail(`a ${name} event names no node`);
  const atMs = json['atMs'];
  if (typeof atMs !== 'number' || !Number.isFinite(atMs)) return fail('an event needs "atMs", the time it was recorded');
  let consumes: string | null = null;
  if (CONSUMES.has(name)) {
    const message = action['message'];
    if (!isObject(message)) return fail(`a ${name} event needs its "message"`);
    consumes = canonical(message);
  }
  const sentJson = json['sent'];
  let sent: string[] = [];
  if (sentJson !== undefined) {
    const items = isObject(sentJson) ? sentJson['#set'] : undefined;
    if (!Array.isArray(items)) return fail('"sent" must be a set ({"#set": [...]})');
    sent = items.map((m) => canonical(m));
  }
  const vars = json['vars'];
  let durable: string | null = null;
  if (isObject(vars) && vars['currentTerm'] !== undefined && vars['votedFor'] !== undefined && vars['log'] !== undefined) {
    durable = canonical([vars['currentTerm'], vars['votedFor'], vars['log']]);
  }
  return { file, line, json, name, node, atMs, consumes, sent, durable };
}

/**
 * Cuts, before each `Restart`, the steps of the run before it that its disk did not keep (see the module
 * comment). `initial` is what a node that never saved anything has.
 */
function cutUnsaved(events: readonly Event[], initial: string): { kept: Event[]; cut: number; runs: number } {
  const kept: Event[] = [];
  let cut = 0;
  let runs = 0;
  // The events of the run in progress (since the last Restart, or the file's start).
  let run: Event[] = [];
  let runStart = initial;
  const close = (disk: string | null, at: Event) => {
    if (disk === null) {
      kept.push(...run);
      return;
    }
    let last = -1;
    for (let i = run.length - 1; i >= 0; i--) {
      if (run[i]?.durable === disk) {
        last = i;
        break;
      }
    }
    if (last < 0 && disk !== runStart) {
      if (runs === 1) {
        throw new TraceMergeError(
          `${at.file}:${at.line}: ${at.node}'s recording begins on a data directory that already held a term, vote or log; the spec's behaviours begin with empty ones.`,
          'Record a cluster from its first start: new data directories and new recording files (npm run cluster -- --record-dir on a new --data).',
        );
      }
      throw new TraceMergeError(
        `${at.file}:${at.line}: ${at.node} restarted with a term, vote and log that its previous run never recorded.`,
        'Each node needs its own recording file, kept across its restarts, and its data directory kept with it.',
      );
    }
    kept.push(...run.slice(0, last + 1));
    cut += run.length - (last + 1);
  };
  for (const event of events) {
    if (event.name === 'Restart') {
      runs++;
      close(event.durable, event);
      run = [event];
      runStart = event.durable ?? runStart;
    } else {
      run.push(event);
    }
  }
  kept.push(...run);
  return { kept, cut, runs };
}

/** The spec's `Init` term, vote and log, as a recording writes them. */
const INIT_DURABLE = canonical([0, 'Nil', []]);

/** How to merge. */
export interface MergeOptions {
  /**
   * Cut what a killed process recorded but never saved (default true). `false` only for the negative
   * control that shows TLC rejects the trace without the cut.
   */
  readonly cutUnsaved?: boolean;
}

/** Merges the recordings of one run's nodes; see the module comment. */
export function mergeNodeTraces(recordings: readonly NodeRecording[], options: MergeOptions = {}): MergedTrace {
  if (recordings.length === 0) throw new TraceMergeError('No recording to merge.');
  const parsed = recordings.map(parseRecording);
  const header = (parsed[0] as ParsedFile).header;
  const queues: { node: string; file: string; events: Event[]; next: number }[] = [];
  const summaries: MergedNode[] = [];
  const owner = new Map<string, string>();
  parsed.forEach((p, i) => {
    const file = (recordings[i] as NodeRecording).file;
    if (canonical(p.header['constants'] ?? null) !== canonical(header['constants'] ?? null)) {
      throw new TraceMergeError(`${file}: recorded by a node of another cluster (its servers differ from ${(recordings[0] as NodeRecording).file}'s).`);
    }
    const nodes = new Set(p.events.map((e) => e.node));
    if (nodes.size > 1) throw new TraceMergeError(`${file}: holds the steps of several nodes (${[...nodes].join(', ')}); give each node its own --record file.`);
    const node = [...nodes][0];
    if (node === undefined) return;
    const other = owner.get(node);
    if (other !== undefined) throw new TraceMergeError(`${file} and ${other} both hold the steps of ${node}; a node keeps one recording across its restarts.`);
    owner.set(node, file);
    const { kept, cut, runs } =
      options.cutUnsaved === false ? { kept: p.events, cut: 0, runs: p.events.filter((e) => e.name === 'Restart').length } : cutUnsaved(p.events, INIT_DURABLE);
    queues.push({ node, file, events: kept, next: 0 });
    summaries.push({ node, file, kept: kept.length, cut, runs, truncatedLine: p.truncatedLine });
  });
  queues.sort((a, b) => (a.node < b.node ? -1 : a.node > b.node ? 1 : 0));
  summaries.sort((a, b) => (a.node < b.node ? -1 : a.node > b.node ? 1 : 0));

  const inFlight = new Map<string, number>();
  const ordered: Event[] = [];
  const total = queues.reduce((n, q) => n + q.events.length, 0);
  while (ordered.length < total) {
    let best: (typeof queues)[number] | null = null;
    for (const q of queues) {
      const e = q.events[q.next];
      if (e === undefined) continue;
      if (e.consumes !== null && (inFlight.get(e.consumes) ?? 0) === 0) continue;
      if (best === null || e.atMs < (best.events[best.next] as Event).atMs) best = q;
    }
    if (best === null) {
      const stuck = queues
        .map((q) => q.events[q.next])
        .filter((e): e is Event => e !== undefined)
        .sort((a, b) => a.atMs - b.atMs)[0] as Event;
      throw new TraceMergeError(
        `${stuck.file}:${stuck.line}: ${stuck.node}'s ${stuck.name} handles a message that no recorded step of the other nodes sent (or that was already handled): ${stuck.consumes ?? ''}.`,
      );
    }
    const e = best.events[best.next] as Event;
    best.next++;
    if (e.consumes !== null) inFlight.set(e.consumes, (inFlight.get(e.consumes) ?? 0) - 1);
    for (const m of e.sent) inFlight.set(m, (inFlight.get(m) ?? 0) + 1);
    ordered.push(e);
  }

  const start = ordered.reduce((t, e) => Math.min(t, e.atMs), Infinity);
  const outHeader: JsonObject = {
    ...header,
    source: { merged: recordings.map((r) => r.file), by: 'npm run cluster -- merge-traces', startedAtEpochMs: Number.isFinite(start) ? Math.round(start) : null },
  };
  const lines = [
    JSON.stringify(outHeader),
    ...ordered.map((e, i) => JSON.stringify({ ...e.json, seq: i + 1, atMs: Math.round((e.atMs - start) * 1000) / 1000 })),
  ];
  return { lines, events: ordered.length, nodes: summaries };
}
