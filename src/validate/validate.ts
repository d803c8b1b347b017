/**
 * Trace validation: TLC decides whether some behaviour of the protocol's spec explains a trace recorded
 * from the implementation (ARCHITECTURE.md section 10).
 *
 * One TLC run over the generated module (`module.ts`) either reaches the end of the trace (valid) or
 * stops short; the farthest cursor it printed names the first event no behaviour explains. A second run,
 * only then, prints every step the spec enables in the states before that event, so the report can say
 * what the spec could have done instead and which logged variables differ.
 *
 * @module
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ExitCode, WorkbenchError } from '../errors.js';
import { SpecValueError } from '../protocol/definition.js';
import type { Protocol } from '../protocol/protocol.js';
import { parseTlaValue } from '../tla/parse-value.js';
import type { TlaValue } from '../tla/value.js';
import type { TlcRun } from '../tlc/run.js';
import { runTlc } from '../tlc/run.js';
import type { TlcToolchain } from '../tlc/toolchain.js';
import { type ImplTrace, type ImplTraceEvent, MalformedTraceError } from './format.js';
import { type TraceModuleOptions, traceModule } from './module.js';

/** How to validate. */
export interface ValidateOptions {
  readonly toolchain: TlcToolchain;
  /** Where the protocol's spec module is (`specs/`). */
  readonly specsDir: string;
  /** Silent steps allowed between two events when the trace leaves actions out (default 2). */
  readonly maxGap?: number;
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
  /** Called as TLC gets farther: events explained so far, of the trace's total. */
  readonly onProgress?: (explained: number, total: number) => void;
  /** Keep the generated module and config in this folder (for a user who wants to run TLC on it). */
  readonly keepIn?: string;
  /** See {@link TraceModuleOptions.compact} (default true). */
  readonly compact?: boolean;
  /** Receives the text of the generated module of the validating run (its size, for the benchmark). */
  readonly onModule?: (text: string) => void;
}

/** A spec step enabled in the state before the event that could not be explained. */
export interface EnabledStep {
  readonly label: TlaValue;
  /** The spec's values of the event node's variables after this step (only for a step of that node). */
  readonly vars: ReadonlyMap<string, TlaValue> | null;
  /** The messages this step put in flight. */
  readonly sent: TlaValue | null;
}

/** What TLC said. */
export type Verdict =
  | { readonly kind: 'valid'; readonly events: number; readonly distinctStates: number; readonly tlcMs: number }
  | {
      readonly kind: 'rejected';
      readonly events: number;
      readonly distinctStates: number;
      readonly tlcMs: number;
      /** The first event no behaviour explains (the events before it are explained). */
      readonly event: ImplTraceEvent;
      /** The spec's values of the event node's variables before it, in each state TLC reached there. */
      readonly before: readonly ReadonlyMap<string, TlaValue>[];
      /** For an event consuming a message: whether that message was in flight in the spec (per state). */
      readonly messageInFlight: readonly boolean[];
      readonly enabled: readonly EnabledStep[];
      readonly diagnosisMs: number;
    };

/** Collects the values TLC prints with PrintT, which may span several lines. */
export class PrintedValues {
  private buffer: string[] = [];
  private depth = 0;

  constructor(private readonly onValue: (value: TlaValue) => void) {}

  /** One output line of TLC; returns whether it belonged to a printed value. */
  push(line: string): boolean {
    if (this.buffer.length === 0 && !line.startsWith('<<')) return false;
    this.buffer.push(line);
    this.depth += depthChange(line);
    if (this.depth > 0) return true;
    const text = this.buffer.join('\n');
    this.buffer = [];
    this.depth = 0;
    this.onValue(parseTlaValue(text));
    return true;
  }
}

/** How many brackets a line opens minus how many it closes, outside string literals. */
function depthChange(line: string): number {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === '[' || c === '{' || c === '(') depth++;
    else if (c === ']' || c === '}' || c === ')') depth--;
    else if (c === '<' && line[i + 1] === '<') {
      depth++;
      i++;
    } else if (c === '>' && line[i + 1] === '>') {
      depth--;
      i++;
    }
  }
  return depth;
}

function tuple(value: TlaValue): readonly TlaValue[] {
  return value.kind === 'seq' ? value.elements : [];
}

function tag(value: TlaValue): string | null {
  const first = tuple(value)[0];
  return first?.kind === 'str' ? first.value : null;
}

function fieldsOf(value: TlaValue | undefined): ReadonlyMap<string, TlaValue> | null {
  return value?.kind === 'record' ? value.fields : null;
}

function tlcProblem(run: TlcRun, trace: ImplTrace): WorkbenchError {
  // TLC's first error says what went wrong; the stack of positions after it is for the spec's author.
  const first = run.errors[0]?.text.split('\n').slice(0, 20).join('\n  ');
  const detail = first ?? [run.message, ...run.output.slice(-5), ...run.diagnostics.map((d) => `${d.module}${d.line === undefined ? '' : `:${d.line}`}: ${d.message}`)].filter((x) => x !== undefined && x !== '').join('\n  ');
  if (run.outcome === 'timeout') return new WorkbenchError(`TLC did not finish validating ${trace.file} in time.`, ExitCode.TIMEOUT, 'Give it longer with --timeout, or validate a shorter trace.');
  if (run.outcome === 'cancelled') return new WorkbenchError('Interrupted.', ExitCode.INTERRUPTED);
  if (run.errors.some((e) => e.kind === 'evaluation')) {
    return new MalformedTraceError(trace.file, null, `TLC could not evaluate the spec on a value of the trace (a field missing or of the wrong type?):\n  ${detail}`);
  }
  return new WorkbenchError(`TLC failed while validating ${trace.file} (${run.outcome}).${detail === '' ? '' : `\n  ${detail}`}`, ExitCode.TLC_FAILURE, 'Run it again; if it fails the same way, keep the generated module with --keep and run TLC on it.');
}

/** Validates `trace` against `protocol`'s spec with TLC. */
export async function validateTrace(trace: ImplTrace, protocol: Protocol, options: ValidateOptions): Promise<Verdict> {
  const validation = protocol.validation;
  if (validation === undefined) {
    throw new WorkbenchError(`Protocol ${protocol.name} cannot validate implementation traces yet.`, ExitCode.USAGE, 'Validate a trace of a protocol whose definition has a `validation` section (raft).');
  }
  let constants: ReadonlyMap<string, TlaValue>;
  try {
    constants = validation.constants(trace.header.constants, trace.events);
  } catch (error) {
    if (error instanceof SpecValueError) throw new MalformedTraceError(trace.file, 1, `${error.path}: ${error.problem}`);
    throw error;
  }
  const total = trace.events.length;
  const dir = options.keepIn ?? (await mkdtemp(join(tmpdir(), 'workbench-validate-')));
  if (options.keepIn !== undefined) await mkdir(dir, { recursive: true });

  const run = async (stuck: number | undefined, onValue: (value: TlaValue) => void): Promise<TlcRun> => {
    const generated = traceModule(trace, validation, constants, {
      ...(options.maxGap === undefined ? {} : { maxGap: options.maxGap }),
      ...(stuck === undefined ? {} : { stuck }),
      ...(options.compact === undefined ? {} : { compact: options.compact }),
    });
    if (stuck === undefined) options.onModule?.(generated.moduleText);
    const module = join(dir, `${generated.name}.tla`);
    await writeFile(module, generated.moduleText);
    await writeFile(join(dir, `${generated.name}.cfg`), generated.configText);
    const printed = new PrintedValues(onValue);
    return runTlc({
      module,
      toolchain: options.toolchain,
      // Registers (TLCGet/TLCSet) are per worker: one worker keeps the farthest cursor exact.
      workers: 1,
      jvmOptions: [`-DTLA-Library=${resolve(options.specsDir)}`],
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
      ...(options.keepIn === undefined ? { scratch: [dir] } : {}),
      onEvent: (event) => {
        if (event.type === 'output') printed.push(event.line);
      },
    });
  };

  try {
    let farthest = 1;
    let accepted = false;
    const first = await run(undefined, (value) => {
      const t = tag(value);
      if (t === 'accepted') accepted = true;
      else if (t === 'cursor') {
        const k = tuple(value)[1];
        if (k?.kind === 'int' && Number(k.value) > farthest) {
          farthest = Number(k.value);
          options.onProgress?.(Math.min(farthest - 1, total), total);
        }
      }
    });
    if (first.outcome !== 'ok') throw tlcProblem(first, trace);
    const distinctStates = first.stats?.distinct ?? 0;
    if (accepted) return { kind: 'valid', events: total, distinctStates, tlcMs: first.durationMs };

    const before: ReadonlyMap<string, TlaValue>[] = [];
    const messageInFlight: boolean[] = [];
    const enabled: EnabledStep[] = [];
    const diagnosis = await run(farthest, (value) => {
      const parts = tuple(value);
      const t = tag(value);
      if (t === 'before') {
        const vars = fieldsOf(parts[1]);
        if (vars !== null) before.push(vars);
        if (parts[2]?.kind === 'bool') messageInFlight.push(parts[2].value);
      } else if (t === 'enabled' && parts[1] !== undefined) {
        enabled.push({ label: parts[1], vars: fieldsOf(parts[2]), sent: parts[3] ?? null });
      }
    });
    if (diagnosis.outcome !== 'ok') throw tlcProblem(diagnosis, trace);
    const event = trace.events[farthest - 1] as ImplTraceEvent;
    return { kind: 'rejected', events: total, distinctStates, tlcMs: first.durationMs, event, before, messageInFlight, enabled, diagnosisMs: diagnosis.durationMs };
  } finally {
    if (options.keepIn === undefined) await rm(dir, { recursive: true, force: true });
  }
}
