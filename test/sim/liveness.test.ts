/**
 * Liveness after the faults stop is bounded in elections, not only in time: the run ends only once a leader
 * has gone unchallenged for a full election timeout, and more elections after the heal than the bound is a
 * violation reported when it happens. The negative control is a core whose followers restart their election
 * timer only when they time out themselves, never on hearing the leader: every operation still completes,
 * so a check of operations alone passes it, but elections never stop.
 */
import { describe, expect, it } from 'vitest';
import { step, type StepFn } from '../../src/raft/index.js';
import { DEFAULT_MAX_ELECTIONS_AFTER_HEAL } from '../../src/sim/simulator.js';
import { LAN_LATENCY, simulate, SSD_WRITE, type Scenario } from '../../src/sim/index.js';

/** A follower's timer restarts only on its own Timeout or Restart, so it campaigns under a healthy leader. */
const timerIgnoresLeader: StepFn = (state, input) => {
  const r = step(state, input);
  const own = input.type === 'Timeout' || input.type === 'Restart';
  return r.outputs.resetElectionTimer === own ? r : { ...r, outputs: { ...r.outputs, resetElectionTimer: own } };
};

const HEAL_MS = 1000;
const BOUND_MS = 5000;

/** Three nodes, no faults, two clients busy from 400 ms to well past the heal. */
const quiet: Scenario = {
  seed: 11,
  nodes: 3,
  network: { latency: LAN_LATENCY, lossRate: 0, duplicateRate: 0 },
  disk: SSD_WRITE,
  maxDrift: 0.05,
  faults: [],
  workload: {
    clients: [
      { startMs: 400, thinkMs: 40, ops: Array.from({ length: 20 }, (_, i) => ({ kind: i % 3 === 2 ? 'get' : 'put', key: i % 2 }) as const) },
      { startMs: 450, thinkMs: 60, ops: Array.from({ length: 15 }, (_, i) => ({ kind: i % 2 === 0 ? 'put' : 'cas', key: 0 }) as const) },
    ],
    retryAfterMs: 100,
    maxAttempts: 5,
  },
  healAtMs: HEAL_MS,
  livenessBoundMs: BOUND_MS,
  noopOnElection: true,
};

describe('after the faults stop, elections are bounded until a stable leader', () => {
  it('a correct cluster settles: no election after its leader is in office, and the run ends once it is stable', () => {
    const r = simulate(quiet);
    expect(r.violation).toBeNull();
    expect(r.stats.elections).toBe(1);
    expect(r.stats.electionsAfterHeal).toBe(0);
  });

  it('a run ends only after its leader has gone unchallenged for the longest election timeout', () => {
    // The clients finish right after the heal; the run goes on until the leader has been unchallenged long enough.
    const short: Scenario = { ...quiet, workload: { ...quiet.workload, clients: [{ startMs: 990, thinkMs: 0, ops: [{ kind: 'put', key: 0 }] }] }, healAtMs: 1000 };
    const lines: string[] = [];
    const r = simulate(short, { log: (l) => lines.push(l) });
    expect(r.violation).toBeNull();
    const elected = Number(lines.find((l) => /becomes Leader/.test(l))?.trim().split(' ')[0]);
    const lastTimeout = Math.max(...lines.filter((l) => /election timeout/.test(l)).map((l) => Number(l.trim().split(' ')[0])));
    expect(elected).toBeLessThan(1000);
    // 300 ms is the longest default election timeout; clocks drift by up to 5 %.
    expect(r.stats.endMs - lastTimeout).toBeGreaterThanOrEqual(300 / 1.05);
  });

  it(`negative control: followers that ignore the leader exceed ${DEFAULT_MAX_ELECTIONS_AFTER_HEAL} elections after the heal, and that is reported when it happens`, () => {
    const r = simulate(quiet, { stepFn: timerIgnoresLeader });
    expect(r.violation?.kind).toBe('liveness');
    expect(r.violation?.message).toMatch(
      new RegExp(`^faults stopped at ${HEAL_MS} ms, and ${DEFAULT_MAX_ELECTIONS_AFTER_HEAL + 1} elections have started since without a stable leader \\(at most ${DEFAULT_MAX_ELECTIONS_AFTER_HEAL} allowed\\): s\\d t\\d+ at `),
    );
    expect(r.stats.electionsAfterHeal).toBe(DEFAULT_MAX_ELECTIONS_AFTER_HEAL + 1);
    // Found long before the time bound.
    const at = r.violation !== null && 'atMs' in r.violation ? r.violation.atMs : Infinity;
    expect(at).toBeLessThan(HEAL_MS + BOUND_MS / 2);
  });

  it('the same core completes every operation, so only the elections (or the stable-leader wait) catch it', () => {
    // Without the bound on elections, the run goes to the time bound and fails there for want of a stable
    // leader, although every client operation completed and the history is linearizable.
    const r = simulate(quiet, { stepFn: timerIgnoresLeader, maxElectionsAfterHeal: Infinity });
    expect(r.violation?.kind).toBe('liveness');
    expect(r.violation?.message).toMatch(new RegExp(`but ${BOUND_MS} ms later there is no stable leader`));
    expect(r.history.every((o) => o.status === 'ok')).toBe(true);
    expect(r.stats.electionsAfterHeal).toBeGreaterThan(3 * DEFAULT_MAX_ELECTIONS_AFTER_HEAL);
  });
});
