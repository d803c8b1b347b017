/**
 * Typed events from TLC's framed `-tool` messages. The message codes are TLC's own (`tlc2.output.EC`
 * in tla2tools); codes this module does not interpret become `info` events carrying their text, so
 * nothing TLC says is lost.
 *
 * @module
 */
import { P, match } from 'ts-pattern';
import type { TlcChunk } from './framing.js';
import { type CounterexampleState, parseStateBlock, parseStateBody } from './state.js';

/** TLC message codes this wrapper interprets (values from `tlc2.output.EC`, TLC 2.18). */
export const TlcCode = {
  GENERAL: 1000,
  OUT_OF_MEMORY: 1001,
  OUT_OF_MEMORY_TOO_MANY_INIT: 1002,
  OUT_OF_MEMORY_LIVENESS: 1003,
  NESTED_EXPRESSION: 2103,
  INVARIANT_VIOLATED_INITIAL: 2107,
  PROPERTY_VIOLATED_INITIAL: 2108,
  INVARIANT_VIOLATED_BEHAVIOR: 2110,
  INVARIANT_EVALUATION_FAILED: 2111,
  ACTION_PROPERTY_VIOLATED_BEHAVIOR: 2112,
  ACTION_PROPERTY_EVALUATION_FAILED: 2113,
  DEADLOCK_REACHED: 2114,
  TEMPORAL_PROPERTY_VIOLATED: 2116,
  BEHAVIOR_UP_TO_THIS_POINT: 2121,
  STARTING: 2185,
  FINISHED: 2186,
  MODE_MC: 2187,
  MODE_SIMULATION: 2188,
  INIT_GENERATED: 2190,
  SUCCESS: 2193,
  SEARCH_DEPTH: 2194,
  STATS: 2199,
  PROGRESS: 2200,
  PROGRESS_SIMULATION: 2209,
  STATS_SIMULATION: 2210,
  STATE_PRINT_1: 2216,
  STATE_PRINT_2: 2217,
  STATE_PRINT_3: 2218,
  SANY_END: 2219,
  SANY_START: 2220,
  VERSION: 2262,
  COUNTER_EXAMPLE: 2264,
  MODE_MC_DFS: 2271,
  PARSING_FAILED: 3002,
  CFG_GENERAL: 5002,
} as const;

// TLC_CONFIG_* codes: the model config names something the spec lacks, or is malformed.
const CONFIG_ERROR_CODES: ReadonlySet<number> = new Set([
  2222, 2223, 2224, 2225, 2226, 2227, 2228, 2229, 2230, 2231, 2232, 2233, 2234, 2235, 2236, 2237, 2241, 2242,
  2243, 2280, 2281, TlcCode.CFG_GENERAL,
]);

// How the JVM words an exhausted heap inside TLC's general error messages.
const OUT_OF_MEMORY_TEXT = /OutOfMemoryError|Java heap space|GC overhead limit exceeded/;

/** Why TLC stopped with an error that is not a property violation. */
export type TlcErrorKind = 'config' | 'parse' | 'evaluation' | 'out-of-memory' | 'general';

/** Statistics TLC reports, during the run and at its end. */
export interface TlcStats {
  readonly generated: number;
  readonly distinct: number;
  readonly left: number;
}

/** One interpreted TLC message. */
export type TlcEvent =
  | { readonly type: 'version'; readonly version: string }
  | { readonly type: 'mode'; readonly mode: 'bfs' | 'dfs' | 'simulation'; readonly workers?: number; readonly seed?: string; readonly text: string }
  | { readonly type: 'sany-start' }
  | { readonly type: 'sany-end' }
  | { readonly type: 'starting' }
  | { readonly type: 'init-generated'; readonly distinct: number }
  | { readonly type: 'progress'; readonly stats: TlcStats; readonly depth?: number; readonly distinctPerMinute?: number }
  | { readonly type: 'stats'; readonly stats: TlcStats }
  | { readonly type: 'depth'; readonly depth: number }
  | { readonly type: 'success' }
  | { readonly type: 'invariant-violated'; readonly name: string; readonly initial: boolean; readonly state?: CounterexampleState }
  | { readonly type: 'property-violated'; readonly name?: string; readonly kind: 'action' | 'temporal' | 'initial' }
  | { readonly type: 'deadlock' }
  | { readonly type: 'trace-start' }
  | { readonly type: 'state'; readonly state: CounterexampleState }
  | { readonly type: 'stuttering'; readonly index: number }
  | { readonly type: 'back-to-state'; readonly index: number; readonly loopsTo: number }
  | { readonly type: 'error'; readonly kind: TlcErrorKind; readonly code: number; readonly text: string }
  | { readonly type: 'finished'; readonly durationMs: number }
  | { readonly type: 'info'; readonly code: number; readonly severity: number; readonly text: string }
  | { readonly type: 'output'; readonly line: string };

/** The `type` tags of {@link TlcEvent}. */
export type TlcEventType = TlcEvent['type'];

/** Parses TLC's integers, which it prints with thousands separators. */
function count(text: string | undefined): number {
  return text === undefined ? Number.NaN : Number(text.replace(/,/g, ''));
}

/** Parses TLC's durations: `623ms`, `01s`, `02min 03s`, `1h 02min`. */
export function parseTlcDuration(text: string): number {
  const units: Readonly<Record<string, number>> = { ms: 1, s: 1000, min: 60_000, h: 3_600_000, d: 86_400_000 };
  let total = 0;
  for (const [, amount, unit] of text.matchAll(/(\d+)\s*(ms|min|s|h|d)\b/g)) total += Number(amount) * (units[unit as string] ?? 0);
  return total;
}

function parseStats(body: string): TlcStats | undefined {
  // A simulation's progress counts no distinct states or queue: TLC prints -1 for them.
  const m = /([\d,]+) states generated.*?(-?[\d,]+) distinct states found.*?(-?[\d,]+) states left on queue/s.exec(body);
  return m ? { generated: count(m[1]), distinct: count(m[2]), left: count(m[3]) } : undefined;
}

// TLC sometimes nests a framed message inside another's text, mid-line (a ConfigFileException's
// message inside "TLC threw an unexpected exception"): its markers are not part of what it says.
const INLINE_MARKER = /\s*@!@!@(?:START|END)MSG -?\d+(?::\d+)? @!@!@\s*/g;

// A syntax error in the model config, as TLC words it inside that exception.
const CONFIG_SYNTAX = /ConfigFileException|error in the configuration file at line \d+/;

/** Turns one framed chunk into an event. */
export function toTlcEvent(chunk: TlcChunk): TlcEvent {
  if (chunk.type === 'text') return { type: 'output', line: chunk.line };
  const { code, severity } = chunk;
  const body = chunk.body.includes('@!@!@') ? chunk.body.replace(INLINE_MARKER, '\n').trim() : chunk.body;
  const info: TlcEvent = { type: 'info', code, severity, text: body };
  return match(code)
    .with(TlcCode.VERSION, (): TlcEvent => ({ type: 'version', version: body.trim() }))
    .with(TlcCode.MODE_MC, TlcCode.MODE_MC_DFS, TlcCode.MODE_SIMULATION, (c): TlcEvent => {
      const workers = /with (\d+) workers?/.exec(body);
      const seed = /seed (-?\d+)/.exec(body);
      return {
        type: 'mode',
        mode: c === TlcCode.MODE_SIMULATION ? 'simulation' : c === TlcCode.MODE_MC_DFS ? 'dfs' : 'bfs',
        ...(workers ? { workers: Number(workers[1]) } : {}),
        ...(seed ? { seed: seed[1] as string } : {}),
        text: body,
      };
    })
    .with(TlcCode.SANY_START, (): TlcEvent => ({ type: 'sany-start' }))
    .with(TlcCode.SANY_END, (): TlcEvent => ({ type: 'sany-end' }))
    .with(TlcCode.STARTING, (): TlcEvent => ({ type: 'starting' }))
    .with(TlcCode.INIT_GENERATED, (): TlcEvent => ({ type: 'init-generated', distinct: count(/([\d,]+) distinct state/.exec(body)?.[1]) }))
    .with(TlcCode.PROGRESS, TlcCode.PROGRESS_SIMULATION, (): TlcEvent => {
      const stats = parseStats(body);
      if (!stats) return info;
      const depth = /Progress\((\d+)\)/.exec(body);
      const rate = /\(([\d,]+) ds\/min\)/.exec(body);
      return {
        type: 'progress',
        stats,
        ...(depth ? { depth: Number(depth[1]) } : {}),
        ...(rate ? { distinctPerMinute: count(rate[1]) } : {}),
      };
    })
    .with(TlcCode.STATS, (): TlcEvent => {
      const stats = parseStats(body);
      return stats ? { type: 'stats', stats } : info;
    })
    .with(TlcCode.SEARCH_DEPTH, (): TlcEvent => ({ type: 'depth', depth: count(/is ([\d,]+)/.exec(body)?.[1]) }))
    .with(TlcCode.SUCCESS, (): TlcEvent => ({ type: 'success' }))
    .with(TlcCode.INVARIANT_VIOLATED_INITIAL, (): TlcEvent => {
      const [first = '', ...rest] = body.split('\n');
      const name = /^Invariant (\S+) is violated/.exec(first)?.[1] ?? 'unknown';
      const vars = rest.join('\n').trim();
      return {
        type: 'invariant-violated',
        name,
        initial: true,
        ...(vars ? { state: { index: 1, action: null, vars: parseStateBody(vars) } } : {}),
      };
    })
    .with(TlcCode.INVARIANT_VIOLATED_BEHAVIOR, (): TlcEvent => ({
      type: 'invariant-violated',
      name: /^Invariant (\S+) is violated/.exec(body)?.[1] ?? 'unknown',
      initial: false,
    }))
    .with(TlcCode.ACTION_PROPERTY_VIOLATED_BEHAVIOR, (): TlcEvent => {
      const name = /Action property (\S+) is violated/.exec(body)?.[1];
      return { type: 'property-violated', kind: 'action', ...(name ? { name } : {}) };
    })
    .with(TlcCode.PROPERTY_VIOLATED_INITIAL, (): TlcEvent => {
      const name = /property (\S+) is violated/i.exec(body)?.[1];
      return { type: 'property-violated', kind: 'initial', ...(name ? { name } : {}) };
    })
    .with(TlcCode.TEMPORAL_PROPERTY_VIOLATED, (): TlcEvent => ({ type: 'property-violated', kind: 'temporal' }))
    .with(TlcCode.DEADLOCK_REACHED, (): TlcEvent => ({ type: 'deadlock' }))
    .with(TlcCode.BEHAVIOR_UP_TO_THIS_POINT, TlcCode.COUNTER_EXAMPLE, (): TlcEvent => ({ type: 'trace-start' }))
    .with(TlcCode.STATE_PRINT_1, TlcCode.STATE_PRINT_2, (): TlcEvent => ({ type: 'state', state: parseStateBlock(body) }))
    .with(TlcCode.STATE_PRINT_3, (): TlcEvent => {
      const index = count(/^(\d+):/.exec(body)?.[1]);
      const loop = /Back to state:?\s*(\d+)/i.exec(body);
      return loop ? { type: 'back-to-state', index, loopsTo: Number(loop[1]) } : { type: 'stuttering', index };
    })
    .with(TlcCode.FINISHED, (): TlcEvent => ({ type: 'finished', durationMs: parseTlcDuration(/Finished in (.*?) at/.exec(body)?.[1] ?? '') }))
    .with(TlcCode.OUT_OF_MEMORY, TlcCode.OUT_OF_MEMORY_TOO_MANY_INIT, TlcCode.OUT_OF_MEMORY_LIVENESS, (c): TlcEvent => ({
      type: 'error',
      kind: 'out-of-memory',
      code: c,
      text: body,
    }))
    .with(TlcCode.PARSING_FAILED, (c): TlcEvent => ({ type: 'error', kind: 'parse', code: c, text: body }))
    .with(
      TlcCode.GENERAL,
      TlcCode.NESTED_EXPRESSION,
      TlcCode.INVARIANT_EVALUATION_FAILED,
      TlcCode.ACTION_PROPERTY_EVALUATION_FAILED,
      (c): TlcEvent => ({
        type: 'error',
        kind: OUT_OF_MEMORY_TEXT.test(body) ? 'out-of-memory' : CONFIG_SYNTAX.test(body) ? 'config' : c === TlcCode.GENERAL ? 'general' : 'evaluation',
        code: c,
        text: CONFIG_SYNTAX.test(body) ? configSyntaxText(body) : body,
      }),
    )
    .with(P.when((c) => CONFIG_ERROR_CODES.has(c)), (c): TlcEvent => ({ type: 'error', kind: 'config', code: c, text: body }))
    // Remaining error-severity messages are errors whose exact code we do not interpret.
    .with(P.when(() => severity === 1), (c): TlcEvent => ({ type: 'error', kind: 'general', code: c, text: body }))
    .otherwise(() => info);
}

/**
 * The useful part of a config syntax error: TLC wraps "TLC found an error in the configuration file at
 * line N / It was expecting ..." in three lines about an unexpected exception.
 */
function configSyntaxText(body: string): string {
  const at = body.search(/TLC found an error in the configuration file/);
  return at >= 0 ? body.slice(at).trim() : body;
}
