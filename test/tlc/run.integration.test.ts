// The wrapper driving the real TLC (the pinned jar fetched by `npm install`).
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { TlcEvent } from '../../src/tlc/events.js';
import { tla } from '../../src/tla/value.js';
import { runFixture } from '../support/tlc.js';

describe('runTlc with the real TLC', () => {
  it('a passing spec: ok, statistics, depth, version, progress events, metadir removed', async () => {
    const events: TlcEvent['type'][] = [];
    const r = await runFixture('Counter.tla', 'CounterOk.cfg', { onEvent: (e) => events.push(e.type) });
    expect(r.outcome).toBe('ok');
    expect(r.tlcVersion).toBe('TLC2 Version 2.18 of 20 March 2023');
    expect(r.stats).toEqual({ generated: 15, distinct: 13, left: 0 });
    expect(r.depth).toBe(4);
    expect(events).toEqual(expect.arrayContaining(['version', 'mode', 'starting', 'progress', 'stats', 'success', 'finished']));
    expect(r.command).toEqual(expect.arrayContaining(['-tool', '-workers', '1', '-metadir']));
    const metadir = r.command[r.command.indexOf('-metadir') + 1] as string;
    expect(existsSync(metadir)).toBe(false);
  });

  it('a failing spec: the violated invariant and a parsed counterexample of the shortest length', async () => {
    const r = await runFixture('Counter.tla', 'CounterViolated.cfg');
    expect(r.outcome).toBe('invariant-violated');
    expect(r.violation?.name).toBe('BelowThree');
    expect(r.counterexample.map((s) => s.vars.x)).toEqual([0, 1, 2, 3].map((n) => tla.int(n)));
    expect(r.counterexample.slice(1).every((s) => s.action?.name === 'Inc')).toBe(true);
  });

  it('a syntax error: file:line:col', async () => {
    const r = await runFixture('SyntaxError.tla', 'SyntaxError.cfg');
    expect(r.outcome).toBe('parse-error');
    expect(r.diagnostics[0]).toMatchObject({ file: expect.stringMatching(/fixtures\/specs\/SyntaxError\.tla$/), line: 5, column: 20 });
  });

  it('a semantic error and a config naming a missing operator', async () => {
    expect((await runFixture('SemanticError.tla', 'SemanticError.cfg')).diagnostics[0]).toMatchObject({ kind: 'semantic', line: 5, column: 18 });
    const cfg = await runFixture('Counter.tla', 'CounterUnknownOp.cfg');
    expect(cfg.outcome).toBe('config-error');
    expect(cfg.message).toContain('NoSuchInvariant');
  });

  it('a timeout kills the JVM and reports the last statistics', async () => {
    const r = await runFixture('Big.tla', 'Big.cfg', { timeoutMs: 2500 });
    expect(r.outcome).toBe('timeout');
    expect(r.message).toContain('did not finish within 2.5 s');
    expect(r.durationMs).toBeLessThan(60_000);
  });

  it('cancellation through an AbortSignal', async () => {
    const controller = new AbortController();
    const pending = runFixture('Big.tla', 'Big.cfg', {
      signal: controller.signal,
      onEvent: (e) => e.type === 'starting' && controller.abort(),
    });
    expect((await pending).outcome).toBe('cancelled');
  });

  it('output the wrapper cannot read ends the run as a tlc-error that says why, with the JVM stopped and its metadir gone', async () => {
    // A listener failing on an event stands for any failure while reading TLC's output.
    const r = await runFixture('Big.tla', 'Big.cfg', {
      onEvent: (e) => {
        if (e.type === 'starting') throw new Error('cannot read this');
      },
    });
    expect(r.outcome).toBe('tlc-error');
    expect(r.message).toBe("TLC's output could not be read: cannot read this");
    // Big runs for minutes: had the JVM not been stopped, this test would not end within its timeout.
    expect(existsSync(r.command[r.command.indexOf('-metadir') + 1] as string)).toBe(false);
  });

  it('out of memory: a tlc-error that says to raise the heap', async () => {
    // One initial state holding a 20-million-entry function cannot fit in 64 MB.
    const r = await runFixture('HugeValue.tla', 'HugeValue.cfg', { heap: '64m', timeoutMs: 60_000 });
    expect(r.outcome).toBe('tlc-error');
    expect(r.message).toMatch(/out of memory/);
  });
});
