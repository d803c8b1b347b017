import { describe, expect, it } from 'vitest';
import { LeadershipLog } from '../../src/torture/elections.js';
import { historyFigures, HistoryRecorder, mergeWindows, operationsOf } from '../../src/torture/history.js';

function recorderAt(times: number[]): HistoryRecorder {
  let i = 0;
  return new HistoryRecorder(() => times[i++] ?? Number.NaN);
}

describe('the torture history', () => {
  it('pairs invocations with completions; an info is a timeout for the checker', () => {
    const r = recorderAt([0, 10, 20, 50, 60, 70]);
    r.invoke('c1', { type: 'put', key: 'k0', value: 'c1.1' });
    r.complete('c1', { type: 'ok', result: { type: 'put' } });
    r.invoke('c1', { type: 'get', key: 'k0' });
    r.complete('c1', { type: 'info', reason: 'timeout' });
    r.invoke('c2', { type: 'cas', key: 'k0', expected: null, value: 'c2.1' });
    r.complete('c2', { type: 'fail', reason: 'refused' });
    const ops = operationsOf(r.events);
    expect(ops.map((o) => [o.process, o.status, o.call])).toEqual([
      ['c1', 'ok', 0],
      ['c1', 'timeout', 20],
      ['c2', 'fail', 60],
    ]);
    expect(() => r.complete('c3', { type: 'fail', reason: 'x' })).toThrow(/never invoked/);
  });

  it('counts outcomes, availability inside and outside fault windows, and latency percentiles', () => {
    const r = recorderAt([0, 100, 1000, 1010, 1500, 1520, 2500, 2600, 3000]);
    r.invoke('c1', { type: 'put', key: 'k0', value: 'a' }); // ok at 100: quiet
    r.complete('c1', { type: 'ok', result: { type: 'put' } });
    r.invoke('c1', { type: 'get', key: 'k0' }); // ok at 1010: fault
    r.complete('c1', { type: 'ok', result: { type: 'get', value: 'a' } });
    r.invoke('c1', { type: 'get', key: 'k0' }); // ok at 1520: fault
    r.complete('c1', { type: 'ok', result: { type: 'get', value: 'a' } });
    r.invoke('c1', { type: 'put', key: 'k0', value: 'b' });
    r.complete('c1', { type: 'info', reason: 'timeout' });
    r.invoke('c2', { type: 'get', key: 'k0' }); // open at the end
    const f = historyFigures(r.events, 4000, [{ fromMs: 1000, toMs: 2000 }]);
    expect(f).toMatchObject({ invoked: 5, ok: 3, failed: 0, indeterminate: 2, open: 1 });
    expect(f.duringFaults).toEqual({ ok: 2, seconds: 1, okPerSecond: 2 });
    expect(f.quiet).toEqual({ ok: 1, seconds: 3, okPerSecond: 1 / 3 });
    expect(f.latency.all).toEqual({ count: 3, p50Ms: 20, p99Ms: 100, maxMs: 100 });
    expect(f.latency.writes.count).toBe(1);
    expect(f.latency.reads).toMatchObject({ count: 2, p50Ms: 10, p99Ms: 20 });
  });

  it('merges and clips fault windows', () => {
    expect(mergeWindows([{ fromMs: 5, toMs: 10 }, { fromMs: -3, toMs: 2 }, { fromMs: 8, toMs: 20 }], 15)).toEqual([
      { fromMs: 0, toMs: 2 },
      { fromMs: 5, toMs: 15 },
    ]);
  });
});

describe('leadership sightings', () => {
  it('finds two leaders of one term, whenever each was seen, and counts the terms', () => {
    const log = new LeadershipLog();
    expect(log.saw({ node: 's1', term: 2, atMs: 10, source: 'status' })).toBeNull();
    expect(log.saw({ node: 's1', term: 2, atMs: 90, source: 'log' })).toBeNull();
    expect(log.saw({ node: 's2', term: 3, atMs: 100, source: 'log' })).toBeNull();
    log.sawTerm(5);
    expect(log.electionSafetyViolations).toEqual([]);
    const v = log.saw({ node: 's3', term: 2, atMs: 500, source: 'status' });
    expect(v).toMatchObject({ term: 2, first: { node: 's1' }, second: { node: 's3' } });
    // Reported once per term.
    expect(log.saw({ node: 's2', term: 2, atMs: 600, source: 'status' })).toBeNull();
    expect(log.electionsSeen).toBe(2);
    expect(log.maxTerm).toBe(5);
  });
});
