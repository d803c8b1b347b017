/**
 * The implementation-trace format: what a driver of a core (the simulator, a real node) writes so that
 * TLC can check it against the spec (`npm run validate-trace`). NDJSON: one JSON object per line.
 *
 * - Line 1, the header: `format` ({@link IMPL_TRACE_FORMAT}), `protocol` (a registry name), `constants`
 *   (the spec's constants the run fixed, e.g. `Server`, as ITF values), `modelValues` (strings to read
 *   back as model values, e.g. `Nil`), `unlogged` (action names the log leaves out; TLC may take them
 *   between two lines) and `source` (how to reproduce the run; free-form).
 * - Every other line, one event: `action` (the spec's action label, e.g. `{"name":"Timeout","node":"s1"}`,
 *   with every parameter and the consumed message), and optionally `node` (whose variables `vars` holds),
 *   `vars` (that node's spec variables after the step; any subset), `globals` (variables not indexed by
 *   node after the step, whole or some entries, as the protocol declares), `sent` (the set of messages the
 *   step put on the network), `seq` and `atMs` (for reports) and `note`.
 *
 * Values are ITF (sets `{"#set": [...]}`, integers as JSON numbers or `{"#bigint": "n"}`, records as
 * objects, sequences as arrays), the same encoding as the spec-generated traces.
 *
 * @module
 */
import { ExitCode, WorkbenchError } from '../errors.js';
import { type ItfJson, ItfValueError, fromItf } from '../trace/itf-value.js';
import type { TlaValue } from '../tla/value.js';

/** The `format` of the header line. */
export const IMPL_TRACE_FORMAT = 'workbench-impl-trace/1';

/** The first line of a trace. */
export interface ImplTraceHeader {
  readonly protocol: string;
  readonly constants: ReadonlyMap<string, TlaValue>;
  readonly modelValues: readonly string[];
  readonly unlogged: readonly string[];
  /** How the run can be reproduced (seed, profile, command ...), as written. */
  readonly source: ItfJson | undefined;
}

/** One event of a trace. */
export interface ImplTraceEvent {
  /** 1-based line of the file. */
  readonly line: number;
  /** 1-based position among the events (the header is not an event). */
  readonly index: number;
  readonly seq?: number;
  readonly atMs?: number;
  readonly node?: string;
  /** The label record; `name` is its `name` field. */
  readonly action: TlaValue;
  readonly name: string;
  readonly vars?: ReadonlyMap<string, TlaValue>;
  /** Variables not indexed by node after the step (whole, or a function's entries: the protocol says which). */
  readonly globals?: ReadonlyMap<string, TlaValue>;
  readonly sent?: TlaValue;
  readonly note?: string;
}

/** A parsed trace. */
export interface ImplTrace {
  readonly file: string;
  readonly header: ImplTraceHeader;
  readonly events: readonly ImplTraceEvent[];
}

/** The trace file cannot be read as this format: exit 4, naming file and line. */
export class MalformedTraceError extends WorkbenchError {
  constructor(file: string, line: number | null, problem: string) {
    super(
      `${file}${line === null ? '' : `:${line}`}: ${problem}`,
      ExitCode.SPEC_ERROR,
      `An implementation trace is NDJSON: a header line ({"format":"${IMPL_TRACE_FORMAT}","protocol":...}), then one event per line (see "Validate a recorded trace" in the README).`,
    );
    this.name = 'MalformedTraceError';
  }
}

const HEADER_FIELDS = new Set(['format', 'protocol', 'constants', 'modelValues', 'unlogged', 'source']);
const EVENT_FIELDS = new Set(['seq', 'atMs', 'node', 'action', 'vars', 'globals', 'sent', 'note']);

function isObject(json: unknown): json is { [key: string]: ItfJson } {
  return typeof json === 'object' && json !== null && !Array.isArray(json);
}

function stringList(json: ItfJson | undefined, what: string, fail: (problem: string) => never): string[] {
  if (json === undefined) return [];
  if (!Array.isArray(json) || !json.every((x): x is string => typeof x === 'string')) fail(`${what} must be an array of strings`);
  return json;
}

/** Parses a trace's text; throws {@link MalformedTraceError} at the first line that does not fit. */
export function parseImplTrace(text: string, file: string): ImplTrace {
  const lines = text.split('\n');
  let header: ImplTraceHeader | null = null;
  let modelValues = new Set<string>();
  const events: ImplTraceEvent[] = [];
  lines.forEach((raw, i) => {
    const lineNo = i + 1;
    const fail = (problem: string): never => {
      throw new MalformedTraceError(file, lineNo, problem);
    };
    const line = raw.trim();
    if (line === '') return;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch (error) {
      fail(`not JSON (${(error as Error).message})`);
    }
    if (!isObject(json)) return fail('a line must be a JSON object');
    const decode = (value: ItfJson, what: string): TlaValue => {
      try {
        return fromItf(value, { modelValues });
      } catch (error) {
        if (error instanceof ItfValueError) return fail(`${what}: ${error.message}`);
        throw error;
      }
    };
    if (header === null) {
      if (json['format'] !== IMPL_TRACE_FORMAT) fail(`the first line must be the header, with "format": "${IMPL_TRACE_FORMAT}"`);
      const unknown = Object.keys(json).filter((k) => !HEADER_FIELDS.has(k));
      if (unknown.length > 0) fail(`unknown header field(s) ${unknown.join(', ')}`);
      const protocol = json['protocol'];
      if (typeof protocol !== 'string' || protocol === '') fail('the header needs "protocol", a protocol name (e.g. "raft")');
      modelValues = new Set(stringList(json['modelValues'], '"modelValues"', fail));
      const constantsJson = json['constants'] ?? {};
      if (!isObject(constantsJson)) fail('"constants" must be an object of ITF values');
      const constants = new Map<string, TlaValue>();
      for (const [name, value] of Object.entries(constantsJson as { [key: string]: ItfJson })) constants.set(name, decode(value, `constant ${name}`));
      header = {
        protocol: protocol as string,
        constants,
        modelValues: [...modelValues],
        unlogged: stringList(json['unlogged'], '"unlogged"', fail),
        source: json['source'],
      };
      return;
    }
    const unknown = Object.keys(json).filter((k) => !EVENT_FIELDS.has(k));
    if (unknown.length > 0) fail(`unknown event field(s) ${unknown.join(', ')}`);
    const actionJson = json['action'];
    if (!isObject(actionJson) || typeof actionJson['name'] !== 'string') return fail('an event needs "action", a label record with a "name"');
    const action = decode(actionJson, 'action');
    // A node action's label names its node; `node` may be left out then.
    const labelNode = actionJson['node'];
    const node = json['node'] ?? (typeof labelNode === 'string' ? labelNode : undefined);
    if (node !== undefined && typeof node !== 'string') fail('"node" must be a string');
    const varsJson = json['vars'];
    let vars: Map<string, TlaValue> | undefined;
    if (varsJson !== undefined) {
      if (!isObject(varsJson)) fail('"vars" must be an object of ITF values');
      if (node === undefined) fail('"vars" are a node\'s variables: the event needs "node" too');
      vars = new Map(Object.entries(varsJson as { [key: string]: ItfJson }).map(([name, value]) => [name, decode(value, `vars.${name}`)]));
    }
    const globalsJson = json['globals'];
    let globals: Map<string, TlaValue> | undefined;
    if (globalsJson !== undefined) {
      if (!isObject(globalsJson)) fail('"globals" must be an object of ITF values');
      globals = new Map(Object.entries(globalsJson as { [key: string]: ItfJson }).map(([name, value]) => [name, decode(value, `globals.${name}`)]));
    }
    const sentJson = json['sent'];
    const sent = sentJson === undefined ? undefined : decode(sentJson, 'sent');
    if (sent !== undefined && sent.kind !== 'set') fail('"sent" must be a set ({"#set": [...]}) of messages');
    const number = (name: string): number | undefined => {
      const v = json[name];
      if (v === undefined) return undefined;
      if (typeof v !== 'number' || !Number.isFinite(v)) return fail(`"${name}" must be a number`);
      return v;
    };
    const note = json['note'];
    if (note !== undefined && typeof note !== 'string') fail('"note" must be a string');
    const seq = number('seq');
    const atMs = number('atMs');
    events.push({
      line: lineNo,
      index: events.length + 1,
      action,
      name: actionJson['name'] as string,
      ...(seq === undefined ? {} : { seq }),
      ...(atMs === undefined ? {} : { atMs }),
      ...(node === undefined ? {} : { node: node as string }),
      ...(vars === undefined ? {} : { vars }),
      ...(globals === undefined ? {} : { globals }),
      ...(sent === undefined ? {} : { sent }),
      ...(note === undefined ? {} : { note: note as string }),
    });
  });
  if (header === null) throw new MalformedTraceError(file, null, 'the file is empty: it needs a header line and at least one event');
  if (events.length === 0) throw new MalformedTraceError(file, null, 'the trace has a header but no event');
  return { file, header, events };
}

/** The header line of a trace, as written. */
export function headerLine(header: {
  readonly protocol: string;
  readonly constants: Readonly<Record<string, ItfJson>>;
  readonly modelValues: readonly string[];
  readonly unlogged?: readonly string[];
  readonly source?: ItfJson;
}): string {
  return JSON.stringify({
    format: IMPL_TRACE_FORMAT,
    protocol: header.protocol,
    constants: header.constants,
    modelValues: header.modelValues,
    unlogged: header.unlogged ?? [],
    ...(header.source === undefined ? {} : { source: header.source }),
  });
}
