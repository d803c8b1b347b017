/**
 * Folds the event stream of one TLC run into a {@link TlcResult}: the outcome, the statistics, the
 * violated property with its counterexample, and any diagnostics with file:line:col.
 *
 * @module
 */
import { basename } from 'node:path';
import { match } from 'ts-pattern';
import { formatSeconds } from '../units.js';
import type { TlcErrorKind, TlcEvent, TlcStats } from './events.js';
import type { CounterexampleState } from './state.js';

/** How a TLC run ended. */
export type TlcOutcome =
  | 'ok'
  | 'invariant-violated'
  | 'property-violated'
  | 'deadlock'
  | 'parse-error'
  | 'semantic-error'
  | 'config-error'
  | 'tlc-error'
  | 'java-error'
  | 'timeout'
  | 'cancelled';

/** Every outcome, in a fixed order (for validation and docs). */
export const TLC_OUTCOMES: readonly TlcOutcome[] = [
  'ok',
  'invariant-violated',
  'property-violated',
  'deadlock',
  'parse-error',
  'semantic-error',
  'config-error',
  'tlc-error',
  'java-error',
  'timeout',
  'cancelled',
];

/** A problem SANY or TLC located in a spec file. */
export interface SpecDiagnostic {
  readonly severity: 'error';
  /** `config`: the model config (`.cfg`) is malformed; `module` then names the config file. */
  readonly kind: 'parse' | 'semantic' | 'config';
  readonly module: string;
  /** Path of the module's file when it could be resolved. */
  readonly file?: string;
  readonly line?: number;
  readonly column?: number;
  readonly message: string;
}

/** What was violated, when the outcome is a violation. */
export interface TlcViolation {
  readonly kind: 'invariant' | 'property' | 'deadlock';
  /** Invariant or property name (TLC does not name violated temporal properties). */
  readonly name?: string;
  readonly propertyKind?: 'action' | 'temporal' | 'initial';
}

/** Everything a TLC run produced. */
export interface TlcResult {
  readonly outcome: TlcOutcome;
  readonly tlcVersion?: string;
  readonly workers?: number;
  /** Final statistics, or the last progress report when the run was cut short. */
  readonly stats?: TlcStats;
  readonly depth?: number;
  /** Wall time measured around the JVM, in milliseconds. */
  readonly durationMs: number;
  readonly violation?: TlcViolation;
  /** The counterexample, or the behavior leading to an evaluation error; empty otherwise. */
  readonly counterexample: readonly CounterexampleState[];
  /** For liveness counterexamples: the lasso loops back to this 1-based state index. */
  readonly loopsBackTo?: number;
  readonly endsInStuttering?: boolean;
  readonly diagnostics: readonly SpecDiagnostic[];
  readonly errors: readonly { readonly kind: TlcErrorKind; readonly code: number; readonly text: string }[];
  /** A one-paragraph human explanation for any outcome other than `ok` and violations. */
  readonly message?: string;
  readonly exitCode: number | null;
  /** Plain output lines outside TLC's framed messages (SANY output, Java traces, stderr). */
  readonly output: readonly string[];
}

/** Facts about the process that events cannot tell. */
export interface ProcessEnd {
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly timedOut: boolean;
  readonly cancelled: boolean;
  readonly timeoutMs?: number;
  readonly durationMs: number;
  readonly stderr: readonly string[];
  /** The JVM could not be started at all (no such `java`, not executable). */
  readonly spawnError?: { readonly code: string; readonly message: string };
}

// What the JVM prints when it cannot start TLC at all: a wrong class path (a jar without TLC), an option
// it rejects (a heap too small or malformed). TLC itself never ran, so this is the environment's fault.
const JVM_STARTUP_FAILURE = /^(Error: Could not find or load main class|Error occurred during initialization of VM|Error: Could not create the Java Virtual Machine|Invalid (maximum|initial) heap size|Unrecognized (VM )?option|Error: Invalid or corrupt jarfile)/;

/** Accumulates events of one run. */
export class TlcResultBuilder {
  private version: string | undefined;
  private workers: number | undefined;
  private simulation = false;
  private stats: TlcStats | undefined;
  private depth: number | undefined;
  private violation: TlcViolation | undefined;
  private readonly states: CounterexampleState[] = [];
  private loopsBackTo: number | undefined;
  private endsInStuttering = false;
  private succeeded = false;
  private inSany = false;
  private readonly sanyOutput: string[] = [];
  private readonly output: string[] = [];
  private readonly errors: { kind: TlcErrorKind; code: number; text: string }[] = [];
  private unreadableOutput: string | undefined;

  constructor(
    private readonly resolveModule: (module: string) => string | undefined = () => undefined,
    /** The model config TLC reads, to locate its syntax errors. */
    private readonly configFile?: string,
  ) {}

  /** Records one event. */
  add(event: TlcEvent): void {
    match(event)
      .with({ type: 'version' }, (e) => {
        this.version = e.version;
      })
      .with({ type: 'mode' }, (e) => {
        this.workers = e.workers;
        this.simulation = e.mode === 'simulation';
      })
      .with({ type: 'sany-start' }, () => {
        this.inSany = true;
      })
      .with({ type: 'sany-end' }, () => {
        this.inSany = false;
      })
      .with({ type: 'starting' }, { type: 'init-generated' }, { type: 'trace-start' }, { type: 'finished' }, { type: 'info' }, () => {})
      .with({ type: 'progress' }, (e) => {
        this.stats = e.stats;
        if (e.depth !== undefined) this.depth = e.depth;
      })
      .with({ type: 'stats' }, (e) => {
        this.stats = e.stats;
      })
      .with({ type: 'depth' }, (e) => {
        this.depth = e.depth;
      })
      .with({ type: 'success' }, () => {
        this.succeeded = true;
      })
      .with({ type: 'invariant-violated' }, (e) => {
        this.violation = { kind: 'invariant', name: e.name };
        if (e.state) this.states.push(e.state);
      })
      .with({ type: 'property-violated' }, (e) => {
        this.violation = { kind: 'property', propertyKind: e.kind, ...(e.name ? { name: e.name } : {}) };
      })
      .with({ type: 'deadlock' }, () => {
        this.violation = { kind: 'deadlock' };
      })
      .with({ type: 'state' }, (e) => {
        this.states.push(e.state);
      })
      .with({ type: 'stuttering' }, () => {
        this.endsInStuttering = true;
      })
      .with({ type: 'back-to-state' }, (e) => {
        this.loopsBackTo = e.loopsTo;
      })
      .with({ type: 'error' }, (e) => {
        this.errors.push({ kind: e.kind, code: e.code, text: e.text });
      })
      .with({ type: 'output' }, (e) => {
        this.output.push(e.line);
        if (this.inSany) this.sanyOutput.push(e.line);
      })
      .exhaustive();
  }

  /** Config syntax errors TLC located (`file:line: message`). */
  private configDiagnostics(): SpecDiagnostic[] {
    return this.errors.flatMap((e): SpecDiagnostic[] => {
      const at = e.kind === 'config' ? CONFIG_ERROR_AT.exec(e.text) : null;
      if (at === null) return [];
      const message = (at[2] as string).replace(/\s+/g, ' ').trim() || 'syntax error';
      const file = this.configFile;
      return [{ severity: 'error', kind: 'config', module: file === undefined ? 'model config' : basename(file), ...(file !== undefined ? { file } : {}), line: Number(at[1]), column: 1, message }];
    });
  }

  /**
   * Marks the run as failed because its output could not be read: the outcome is then `tlc-error`
   * with this message, whatever else the output seemed to say.
   */
  unreadable(message: string): void {
    this.unreadableOutput ??= message;
  }

  /** Decides the outcome once the process has ended. */
  finish(end: ProcessEnd): TlcResult {
    const diagnostics = [...parseSanyDiagnostics(this.sanyOutput, this.resolveModule), ...this.configDiagnostics()];
    const output = [...this.output, ...end.stderr];
    const outOfMemory =
      this.errors.some((e) => e.kind === 'out-of-memory') || end.stderr.some((l) => l.includes('OutOfMemoryError'));
    let outcome: TlcOutcome;
    let message: string | undefined;
    const jvmFailure = this.version === undefined ? end.stderr.concat(this.output).findIndex((l) => JVM_STARTUP_FAILURE.test(l.trim())) : -1;
    if (this.unreadableOutput !== undefined) {
      outcome = 'tlc-error';
      message = this.unreadableOutput;
    } else if (end.spawnError !== undefined) {
      outcome = 'java-error';
      message = `Java could not be started (${end.spawnError.code}: ${end.spawnError.message}).`;
    } else if (end.cancelled) {
      outcome = 'cancelled';
      message = 'The run was cancelled before TLC finished; the statistics are those of its last progress report.';
    } else if (end.timedOut) {
      outcome = 'timeout';
      message = `TLC did not finish within ${formatSeconds(end.timeoutMs ?? end.durationMs)} s and was stopped. Raise the limit (--timeout), or shrink the model's bounds.`;
    } else if (jvmFailure >= 0) {
      // Java's own words: the lines from the first failure on, up to a blank line.
      const lines = end.stderr.concat(this.output).slice(jvmFailure);
      const stop = lines.findIndex((l) => l.trim() === '');
      outcome = 'java-error';
      message = `Java could not start TLC: ${lines.slice(0, stop < 0 ? 4 : Math.min(stop, 4)).map((l) => l.trim()).join(' ')}`;
    } else if (this.violation) {
      outcome = match(this.violation.kind)
        .with('invariant', (): TlcOutcome => 'invariant-violated')
        .with('property', (): TlcOutcome => 'property-violated')
        .with('deadlock', (): TlcOutcome => 'deadlock')
        .exhaustive();
    } else if (diagnostics.some((d) => d.kind !== 'config') || this.errors.some((e) => e.kind === 'parse') || end.exitCode === 150) {
      outcome = diagnostics.some((d) => d.kind === 'semantic') ? 'semantic-error' : 'parse-error';
      message = diagnostics.length > 0 ? undefined : 'SANY could not parse the spec; its output follows.';
    } else if (this.errors.some((e) => e.kind === 'config') || end.exitCode === 151) {
      outcome = 'config-error';
      message = diagnostics.some((d) => d.kind === 'config') ? undefined : (this.errors.find((e) => e.kind === 'config')?.text ?? 'TLC rejected the model configuration.');
    } else if (end.exitCode === 0 && (this.succeeded || (this.simulation && this.errors.length === 0))) {
      // Simulation mode ends without TLC's "no error has been found" message.
      outcome = 'ok';
    } else {
      outcome = 'tlc-error';
      message = outOfMemory
        ? 'TLC ran out of memory. Give the JVM more heap (--heap, e.g. --heap 8g), or shrink the model.'
        : (this.errors[0]?.text ??
          (end.signal
            ? `TLC was killed by signal ${end.signal} before it finished.`
            : `TLC exited with code ${end.exitCode} without reporting a result.`));
    }
    return {
      outcome,
      ...(this.version !== undefined ? { tlcVersion: this.version } : {}),
      ...(this.workers !== undefined ? { workers: this.workers } : {}),
      ...(this.stats ? { stats: this.stats } : {}),
      ...(this.depth !== undefined ? { depth: this.depth } : {}),
      durationMs: end.durationMs,
      ...(this.violation ? { violation: this.violation } : {}),
      counterexample: this.states,
      ...(this.loopsBackTo !== undefined ? { loopsBackTo: this.loopsBackTo } : {}),
      ...(this.endsInStuttering ? { endsInStuttering: true } : {}),
      diagnostics,
      errors: this.errors,
      ...(message !== undefined ? { message } : {}),
      exitCode: end.exitCode,
      output,
    };
  }
}

// "TLC found an error in the configuration file at line 4\nIt was expecting = or <-, but did not find it."
const CONFIG_ERROR_AT = /error in the configuration file at line (\d+)\.?\s*([\s\S]*)$/;


/**
 * Extracts located errors from SANY's plain-text output: parse errors (`Encountered ... at line L,
 * column C` / `Lexical error at line L, column C`) and semantic errors (`line L, col C to ... of module M`
 * followed by the message).
 */
export function parseSanyDiagnostics(
  lines: readonly string[],
  resolveModule: (module: string) => string | undefined = () => undefined,
): SpecDiagnostic[] {
  const text = lines.join('\n');
  const diagnostics: SpecDiagnostic[] = [];
  const withFile = (module: string) => {
    const file = resolveModule(module);
    return file === undefined ? { module } : { module, file };
  };

  if (/\*\*\*Parse Error\*\*\*|Lexical error/.test(text)) {
    const module =
      /Could not parse module (\S+)/.exec(text)?.[1] ?? /Fatal errors while parsing TLA\+ spec in file (\S+)/.exec(text)?.[1] ?? 'unknown';
    const at = /at line (\d+), column (\d+)/.exec(text);
    const start = lines.findIndex((l) => /\*\*\*Parse Error\*\*\*|Lexical error/.test(l));
    const messageLines: string[] = [];
    for (const line of lines.slice(start)) {
      if (/^Residual stack trace|^Fatal errors/.test(line)) break;
      if (line.trim() !== '' && !/\*\*\*Parse Error\*\*\*/.test(line)) messageLines.push(line.trim());
    }
    diagnostics.push({
      severity: 'error',
      kind: 'parse',
      ...withFile(module),
      ...(at ? { line: Number(at[1]), column: Number(at[2]) } : {}),
      message: messageLines.join(' ') || 'parse error',
    });
  }

  // Semantic errors: a location line, then the message up to the next blank line.
  for (let i = 0; i < lines.length; i++) {
    const loc = /^line (\d+), col (\d+) to line \d+, col \d+ of module (\S+)/.exec((lines[i] as string).trim());
    if (!loc) continue;
    const messageLines: string[] = [];
    let j = i + 1;
    while (j < lines.length && (lines[j] as string).trim() === '') j++;
    while (j < lines.length && (lines[j] as string).trim() !== '') messageLines.push((lines[j++] as string).trim());
    diagnostics.push({
      severity: 'error',
      kind: 'semantic',
      ...withFile(loc[3] as string),
      line: Number(loc[1]),
      column: Number(loc[2]),
      message: messageLines.join(' '),
    });
  }

  const missing = /Cannot find source file for module (\S+)(?: imported in module (\S+))?/.exec(text);
  if (missing) {
    const importer = missing[2]?.replace(/\.$/, '');
    diagnostics.push({
      severity: 'error',
      kind: 'parse',
      ...withFile(importer ?? (missing[1] as string)),
      message: `cannot find module ${missing[1]}: add ${missing[1]}.tla next to the spec, or fix the EXTENDS/INSTANCE name`,
    });
  }
  return diagnostics;
}
