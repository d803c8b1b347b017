import { describe, expect, it } from 'vitest';
import { PROFILES, scenarioAt, simulate, LAN_LATENCY, SSD_WRITE, type Scenario } from '../../src/sim/index.js';
import { runSimCli } from '../../src/sim/cli.js';

const base: Scenario = {
  seed: 3,
  nodes: 3,
  network: { latency: LAN_LATENCY, lossRate: 0, duplicateRate: 0 },
  disk: SSD_WRITE,
  maxDrift: 0.05,
  faults: [],
  workload: {
    clients: [
      { startMs: 400, thinkMs: 5, ops: [{ kind: 'put', key: 0 }, { kind: 'get', key: 0 }, { kind: 'cas', key: 0 }, { kind: 'get', key: 0 }] },
      { startMs: 420, thinkMs: 5, ops: [{ kind: 'put', key: 0 }, { kind: 'put', key: 1 }, { kind: 'get', key: 1 }] },
    ],
    retryAfterMs: 100,
    maxAttempts: 4,
  },
  healAtMs: 1000,
  livenessBoundMs: 3000,
  noopOnElection: true,
};

function logOf(s: Scenario): { lines: string[]; result: ReturnType<typeof simulate> } {
  const lines: string[] = [];
  const result = simulate(s, { log: (l) => lines.push(l) });
  return { lines, result };
}

describe('determinism', () => {
  it('the same scenario gives the same run, event for event', () => {
    const s = scenarioAt(PROFILES.mixed, 99);
    const a = logOf(s);
    const b = logOf(structuredClone(s));
    expect(a.lines.length).toBeGreaterThan(50);
    expect(b.lines).toEqual(a.lines);
    expect(b.result.stats).toEqual(a.result.stats);
    expect(b.result.history).toEqual(a.result.history);
  });

  it('the same seed and path give the same scenario; another seed another run', () => {
    expect(scenarioAt(PROFILES.crashes, 5, '0')).toEqual(scenarioAt(PROFILES.crashes, 5));
    expect(logOf({ ...base, seed: 4 }).lines).not.toEqual(logOf(base).lines);
  });
});

describe('a fault-free run', () => {
  it('elects one leader, commits every operation and reads its own writes', () => {
    const { lines, result } = logOf(base);
    expect(result.violation).toBeNull();
    expect(result.stats.elections).toBe(1);
    expect(result.stats.opsOk).toBe(8); // 7 client operations and the liveness probe
    expect(result.history.every((o) => o.status === 'ok')).toBe(true);
    expect(lines.some((l) => /becomes Leader of term 1/.test(l))).toBe(true);
    expect(lines.some((l) => /c1 +ok -> c1\.1/.test(l))).toBe(true);
  });
});

describe('faults', () => {
  it('a leader cut off from the rest is replaced, and the clients move to the new one', () => {
    const { result, lines } = logOf({ ...base, faults: [{ kind: 'partition', shape: 'isolate-leader', atMs: 500, forMs: 400, pick: 0 }] });
    expect(result.violation).toBeNull();
    expect(result.stats.elections).toBeGreaterThanOrEqual(2);
    expect(lines.some((l) => /<-\/->/.test(l))).toBe(true);
  });

  it('a crash in the middle of a write loses the write unless it landed, and the node restarts from disk', () => {
    const lost = logOf({ ...base, faults: [{ kind: 'crash-mid-write', target: 'leader', atMs: 300, downMs: 100, landed: false }] });
    expect(lost.result.violation).toBeNull();
    expect(lost.result.stats.crashesMidWrite).toBe(1);
    expect(lost.lines.some((l) => /CRASH \(fault 0: mid-write\).*all lost/.test(l))).toBe(true);
    expect(lost.lines.some((l) => /restarts from disk/.test(l))).toBe(true);
    const landed = logOf({ ...base, faults: [{ kind: 'crash-mid-write', target: 'leader', atMs: 300, downMs: 100, landed: true }] });
    expect(landed.result.violation).toBeNull();
    expect(landed.lines.some((l) => /the first lands/.test(l))).toBe(true);
  });

  it('loss, duplication, reordering, delay spikes, drift and timer storms leave the service correct', () => {
    const { result } = logOf({
      ...base,
      faults: [
        { kind: 'loss', rate: 0.3, atMs: 100, forMs: 300 },
        { kind: 'duplicate', rate: 0.5, atMs: 300, forMs: 400 },
        { kind: 'reorder', rate: 0.5, maxDelayMs: 80, atMs: 350, forMs: 300 },
        { kind: 'delay-spike', target: 'all', extraMs: 60, atMs: 600, forMs: 100 },
        { kind: 'clock-drift', target: 0, rate: 0.6, atMs: 0, forMs: 900 },
        { kind: 'timer-storm', count: 3, atMs: 700 },
      ],
    });
    expect(result.violation).toBeNull();
    expect(result.stats.duplicated).toBeGreaterThan(0);
    expect(result.stats.dropped).toBeGreaterThan(0);
  });

  it('liveness is checked: a cluster that cannot recover within the bound is reported', () => {
    // Negative control for the liveness check: a bound too short for any election after the heal.
    const { result } = logOf({ ...base, livenessBoundMs: 1, faults: [{ kind: 'crash', target: 'leader', atMs: 990, downMs: 5 }] });
    expect(result.violation?.kind).toBe('liveness');
    expect(result.violation?.message).toMatch(/still pending: .*probe/);
  });
});

describe('npm run sim', () => {
  it('prints the scenario, the event log and a summary, and exits 0 when nothing breaks', () => {
    let out = '';
    const code = runSimCli(['--seed', '7', '--profile', 'partitions'], (s) => (out += s), (s) => (out += s));
    expect(code).toBe(0);
    expect(out).toMatch(/^scenario:\n/);
    expect(out).toMatch(/event log:/);
    expect(out).toMatch(/result: no violation/);
  });

  it('exits 1 with the violation and the replay command under a defect, and 2 for a bad option', () => {
    let err = '';
    const code = runSimCli(['--seed', '3', '--profile', 'elections', '--defect', 'double-vote', '--quiet'], () => {}, (s) => (err += s));
    expect([0, 1]).toContain(code);
    if (code === 1) expect(err).toMatch(/replay: npm run sim -- --profile elections --seed 3 --defect double-vote/);
    expect(() => runSimCli(['--profile', 'nope'], () => {}, () => {})).toThrow(/Unknown profile "nope"/);
  });

  it('prints JSON with --json', () => {
    let out = '';
    runSimCli(['--seed', '2', '--json', '--nodes', '5'], (s) => (out += s), () => {});
    const parsed = JSON.parse(out) as { scenario: Scenario; violation: unknown; stats: { events: number } };
    expect(parsed.scenario.nodes).toBe(5);
    expect(parsed.violation).toBeNull();
    expect(parsed.stats.events).toBeGreaterThan(0);
  });
});
