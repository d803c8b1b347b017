// The TLC output parser, on real output captured from TLC 2.18 (test/fixtures/tlc/*.out; the
// fixtures' README says how to regenerate them).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type TlcEvent, parseTlcDuration, toTlcEvent } from '../../src/tlc/events.js';
import { TlcOutputFramer, frameTlcOutput } from '../../src/tlc/framing.js';
import { type TlcResult, TlcResultBuilder } from '../../src/tlc/result.js';
import { printTla, tla, tlaEquals } from '../../src/tla/value.js';

const fixture = (name: string) => readFileSync(join(import.meta.dirname, '..', 'fixtures', 'tlc', `${name}.out`), 'utf8');

function resultOf(name: string, exitCode: number, extra: { timedOut?: boolean } = {}): TlcResult {
  const builder = new TlcResultBuilder((module) => `/specs/${module}.tla`);
  for (const chunk of frameTlcOutput(fixture(name))) builder.add(toTlcEvent(chunk));
  return builder.finish({ exitCode, signal: null, timedOut: extra.timedOut ?? false, cancelled: false, durationMs: 1234, stderr: [] });
}

describe('framing', () => {
  it('frames messages and keeps plain text, whatever the chunk boundaries', () => {
    const text = fixture('SyntaxError');
    const whole = frameTlcOutput(text);
    const pieces: ReturnType<typeof frameTlcOutput> = [];
    const framer = new TlcOutputFramer((c) => pieces.push(c));
    for (let i = 0; i < text.length; i += 7) framer.push(text.slice(i, i + 7));
    framer.end();
    expect(pieces).toEqual(whole);
    expect(whole.filter((c) => c.type === 'message').map((c) => c.type === 'message' && c.code)).toEqual([2262, 2187, 2220, 2219, 2185, 3002, 2186]);
    expect(whole.some((c) => c.type === 'text' && c.line.includes('***Parse Error***'))).toBe(true);
  });

  it('closes a message TLC never ended (killed mid-message)', () => {
    expect(frameTlcOutput('@!@!@STARTMSG 2200:0 @!@!@\nProgress(3) at x: 1 states generated')).toEqual([
      { type: 'message', code: 2200, severity: 0, body: 'Progress(3) at x: 1 states generated' },
    ]);
  });
});

describe('events', () => {
  const events = (name: string): TlcEvent[] => frameTlcOutput(fixture(name)).map(toTlcEvent);

  it('reads version, mode, progress, statistics, depth and duration', () => {
    const all = events('CounterOk');
    expect(all).toContainEqual({ type: 'version', version: 'TLC2 Version 2.18 of 20 March 2023' });
    expect(all.find((e) => e.type === 'mode')).toMatchObject({ type: 'mode', mode: 'bfs', workers: 1 });
    expect(all.find((e) => e.type === 'stats')).toMatchObject({ stats: { generated: expect.any(Number), distinct: expect.any(Number), left: 0 } });
    expect(all.some((e) => e.type === 'success')).toBe(true);
    expect(all.find((e) => e.type === 'finished')).toMatchObject({ durationMs: expect.any(Number) });
  });

  it('parses numbers with thousands separators and TLC durations', () => {
    const e = toTlcEvent({
      type: 'message',
      code: 2200,
      severity: 0,
      body: 'Progress(173) at 2026-11-24 07:01:20: 2,545,185 states generated (2,545,185 s/min), 863,269 distinct states found (863,269 ds/min), 14,911 states left on queue.',
    });
    expect(e).toEqual({ type: 'progress', stats: { generated: 2545185, distinct: 863269, left: 14911 }, depth: 173, distinctPerMinute: 863269 });
    expect(parseTlcDuration('623ms')).toBe(623);
    expect(parseTlcDuration('02min 04s')).toBe(124_000);
    expect(parseTlcDuration('1h 02min')).toBe(3_720_000);
  });

  it('keeps messages it does not interpret as info, with their text', () => {
    expect(toTlcEvent({ type: 'message', code: 2268, severity: 0, body: 'The average outdegree ...' })).toEqual({
      type: 'info',
      code: 2268,
      severity: 0,
      text: 'The average outdegree ...',
    });
  });
});

describe('outcomes from real TLC output', () => {
  it('ok: statistics and depth', () => {
    const r = resultOf('CounterOk', 0);
    expect(r.outcome).toBe('ok');
    expect(r.tlcVersion).toBe('TLC2 Version 2.18 of 20 March 2023');
    expect(r.stats?.distinct).toBeGreaterThan(0);
    expect(r.depth).toBeGreaterThan(0);
    expect(r.counterexample).toEqual([]);
  });

  it('invariant violation: the counterexample with actions, locations and parsed values', () => {
    const r = resultOf('CounterViolated', 12);
    expect(r.outcome).toBe('invariant-violated');
    expect(r.violation).toEqual({ kind: 'invariant', name: 'BelowThree' });
    expect(r.counterexample.map((s) => s.index)).toEqual([1, 2, 3, 4]);
    expect(r.counterexample[0]?.action).toBeNull();
    expect(r.counterexample[1]?.action).toMatchObject({ name: 'Inc', location: { module: 'Counter', line: expect.any(Number) } });
    const last = r.counterexample[3]?.vars;
    expect(last?.x).toEqual(tla.int(3));
    expect(last?.action && printTla(last.action)).toMatch(/^\[name \|-> "Inc", node \|-> s[12]\]$/);
    expect(last?.info && tlaEquals(last.info, tla.record({ pair: tla.seq(tla.int(1), tla.str('q')), flag: tla.bool(true), fn: last.info.kind === 'record' ? (last.info.fields.get('fn') as never) : tla.bool(false) }))).toBe(true);
  });

  it('invariant violated by the initial state: the state comes inside the message', () => {
    const builder = new TlcResultBuilder();
    builder.add(toTlcEvent({ type: 'message', code: 2107, severity: 1, body: 'Invariant QuorumsIntersect is violated by the initial state:\n/\\ n = 2\n/\\ q = 1' }));
    const r = builder.finish({ exitCode: 12, signal: null, timedOut: false, cancelled: false, durationMs: 1, stderr: [] });
    expect(r.outcome).toBe('invariant-violated');
    expect(r.counterexample).toEqual([{ index: 1, action: null, vars: { n: tla.int(2), q: tla.int(1) } }]);
  });

  it('simulation mode: exit 0 without a success message is ok (TLC prints none when simulating)', () => {
    const builder = new TlcResultBuilder();
    builder.add(toTlcEvent({ type: 'message', code: 2188, severity: 0, body: 'Running Random Simulation with seed 1 with 1 worker on 2 cores' }));
    const end = { exitCode: 0, signal: null, timedOut: false, cancelled: false, durationMs: 1, stderr: [] };
    expect(builder.finish(end).outcome).toBe('ok');
    expect(new TlcResultBuilder().finish(end).outcome).toBe('tlc-error');
  });

  it('deadlock', () => {
    const r = resultOf('CounterDeadlock', 11);
    expect(r.outcome).toBe('deadlock');
    expect(r.counterexample.length).toBeGreaterThan(0);
  });

  it('temporal property: a lasso ending in stuttering', () => {
    const r = resultOf('CounterLiveness', 13);
    expect(r.outcome).toBe('property-violated');
    expect(r.violation).toMatchObject({ kind: 'property', propertyKind: 'temporal' });
    expect(r.endsInStuttering).toBe(true);
    expect(r.counterexample.length).toBe(2);
  });

  it('action property, by name', () => {
    const r = resultOf('CounterActionViolated', 13);
    expect(r.outcome).toBe('property-violated');
    expect(r.violation).toEqual({ kind: 'property', propertyKind: 'action', name: 'StaysPut' });
  });

  it('syntax error: file, line and column', () => {
    const r = resultOf('SyntaxError', 150);
    expect(r.outcome).toBe('parse-error');
    expect(r.diagnostics).toEqual([
      expect.objectContaining({ kind: 'parse', module: 'SyntaxError', file: '/specs/SyntaxError.tla', line: 5, column: 20 }),
    ]);
    expect(r.diagnostics[0]?.message).toContain('Encountered "1"');
  });

  it('semantic error: file, line, column and SANY message', () => {
    const r = resultOf('SemanticError', 150);
    expect(r.outcome).toBe('semantic-error');
    expect(r.diagnostics).toEqual([
      { severity: 'error', kind: 'semantic', module: 'SemanticError', file: '/specs/SemanticError.tla', line: 5, column: 18, message: "Unknown operator: `undefinedThing'." },
    ]);
  });

  it('config naming an operator the spec lacks', () => {
    const r = resultOf('CounterUnknownOp', 151);
    expect(r.outcome).toBe('config-error');
    expect(r.message).toContain('The invariant NoSuchInvariant specified in the configuration file');
  });

  it('evaluation error: TLC message, nested positions and the behavior up to the error', () => {
    const r = resultOf('EvalError', 75);
    expect(r.outcome).toBe('tlc-error');
    expect(r.message).toContain('out of domain');
    expect(r.errors.map((e) => e.kind)).toEqual(['general', 'evaluation']);
    expect(r.counterexample).toHaveLength(1);
  });

  it('out of memory: says what to do', () => {
    const r = resultOf('OutOfMemory', 124);
    expect(r.outcome).toBe('tlc-error');
    expect(r.message).toMatch(/out of memory.*--heap/);
  });

  it('timeout wins over whatever TLC printed before it was killed', () => {
    const r = resultOf('OutOfMemory', 143, { timedOut: true });
    expect(r.outcome).toBe('timeout');
    expect(r.stats?.distinct).toBe(863269);
  });
});
