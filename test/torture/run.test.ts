/**
 * The torture run's plumbing and checks against an in-memory cluster (no processes): the nemesis carries
 * out its plan and heals, the history is checked, and each check has its negative control (a stand-in
 * that breaks exactly what the check is about).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { exitCodeOf, renderReport } from '../../src/torture/report.js';
import { runTorture, type TortureOptions } from '../../src/torture/run.js';
import { FakeCluster, type FakeBehaviour } from './fake-cluster.js';

const clusters: FakeCluster[] = [];
afterEach(() => {
  for (const c of clusters.splice(0)) c.close();
});

function options(overrides: Partial<TortureOptions> = {}): TortureOptions {
  return {
    seed: 3,
    runMs: 1800,
    kinds: ['kill', 'pause', 'partition', 'skew'],
    workload: { clients: 4, keys: 2, opTimeoutMs: 200 },
    warmupMs: 200,
    quietMs: 500,
    pollMs: 20,
    tuning: { durations: { kill: [150, 300], pause: [150, 300], partition: [150, 300], skew: [150, 300] }, gapMs: [20, 60] },
    command: 'test',
    defect: null,
    ...overrides,
  };
}

function fake(behaviour: FakeBehaviour = 'correct'): FakeCluster {
  const c = new FakeCluster(3, behaviour);
  clusters.push(c);
  return c;
}

describe('a torture run against an in-memory cluster', () => {
  it('carries out the plan, heals everything, and finds a correct store linearizable', async () => {
    const cluster = fake();
    const report = await runTorture(cluster, options());
    expect(report.problems).toEqual([]);
    expect(report.verdict).toBe('ok');
    expect(exitCodeOf(report.verdict)).toBe(0);
    expect(report.linearizability.outcome).toBe('linearizable');
    expect(report.figures.ok).toBeGreaterThan(20);
    expect(report.faults.map((f) => f.kind)).toEqual(expect.arrayContaining(['kill']));
    expect(report.faults.length).toBeGreaterThanOrEqual(report.schedule.faults.length);
    // Everything healed: every node running, unpaused, at clock rate 1, no link cut.
    for (const m of cluster.members) {
      expect(cluster.isRunning(m)).toBe(true);
      expect(cluster.isPaused(m)).toBe(false);
      expect(cluster.clockRate(m)).toBe(1);
    }
    expect(cluster.cuts).toEqual([]);
    expect(report.quiet.toMs - report.quiet.fromMs).toBeGreaterThanOrEqual(500);
    expect(report.elections.seen).toBeGreaterThanOrEqual(1);
    expect(renderReport(report)).toMatch(/Verdict: linearizable, ElectionSafety held/);
  });

  it('negative control: stale reads are caught with a witness', async () => {
    const report = await runTorture(fake('stale-reads'), options({ kinds: [], runMs: 1000 }));
    expect(report.verdict).toBe('violation');
    expect(exitCodeOf(report.verdict)).toBe(1);
    expect(report.linearizability.outcome).toBe('not-linearizable');
    const text = renderReport(report);
    expect(text).toMatch(/cannot be put in any order that respects real time/);
    expect(text).toMatch(/Verdict: VIOLATION\n {2}linearizability: key k\d is not linearizable/);
  });

  it('negative control: two leaders of one term break ElectionSafety', async () => {
    const report = await runTorture(fake('two-leaders'), options({ kinds: [], runMs: 1000 }));
    expect(report.linearizability.outcome).toBe('linearizable');
    expect(report.verdict).toBe('violation');
    expect(report.problems).toEqual([expect.stringMatching(/^ElectionSafety: s\d \(\w+ at .*\) and s\d \(\w+ at .*\) both led term 1$/)]);
  });

  it('negative control: a node that exits by itself is reported', async () => {
    const report = await runTorture(fake('crash'), options({ kinds: [], runMs: 1000 }));
    expect(report.verdict).toBe('violation');
    expect(report.problems).toEqual([expect.stringMatching(/^s3 exited by itself at .*: exit code 70/)]);
  });

  it('negative control: a cluster that serves nothing after the heal fails the liveness check', async () => {
    const cluster = fake('dead-after-heal');
    setTimeout(() => cluster.breakCalls(), 1200);
    const report = await runTorture(cluster, options({ kinds: ['partition'] }));
    expect(report.verdict).toBe('violation');
    expect(report.problems).toEqual([expect.stringMatching(/^liveness: no operation succeeded in the .* s after everything was healed$/)]);
  });

  it('stops at once when interrupted, healing what it broke', async () => {
    const cluster = fake();
    const abort = new AbortController();
    setTimeout(() => abort.abort(), 300);
    const started = performance.now();
    const report = await runTorture(cluster, options({ runMs: 60_000, quietMs: 5000, signal: abort.signal }));
    expect(report.verdict).toBe('interrupted');
    expect(exitCodeOf(report.verdict)).toBe(130);
    // Well short of the planned minute (a generous bound: this asserts that the run stopped, not its speed).
    expect(performance.now() - started).toBeLessThan(30_000);
    for (const m of cluster.members) expect(cluster.isRunning(m) && !cluster.isPaused(m)).toBe(true);
  });
});
