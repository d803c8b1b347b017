import { describe, expect, it } from 'vitest';
import { runCommand } from '../../src/cli/args.js';
import { ExitCode } from '../../src/errors.js';
import { formatOp, formatResult } from '../../src/kv/command.js';
import { PROFILE_NAMES, PROFILES, scenarioAt, simulate, LAN_LATENCY, SSD_WRITE, type Fault, type Scenario } from '../../src/sim/index.js';
import { runSimCli } from '../../src/cli/sim.js';

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

/** Runs `npm run sim` as scripts/sim.ts does: a WorkbenchError becomes its message on stderr and its exit code. */
async function sim(argv: readonly string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCommand('sim', (s) => (err += s), () => runSimCli(argv, (s) => (out += s), (s) => (err += s)));
  return { code, out, err };
}

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
    // Every operation's answer, per client in order. Each client reads back its own write (c1 gets c1.1,
    // c2 gets c2.2); c1's compare-and-set fails because c2's put of k0 committed in between, and c1's
    // last read sees that put.
    const answers = (process: string) =>
      result.history.filter((o) => o.process === process).map((o) => `${formatOp(o.input)} ${o.output === undefined ? o.status : formatResult(o.output)}`);
    expect(answers('c1')).toEqual(['put(k0, c1.1) ok', 'get(k0) -> c1.1', 'cas(k0, c1.1 -> c1.3) -> false', 'get(k0) -> c2.1']);
    expect(answers('c2')).toEqual(['put(k0, c2.1) ok', 'put(k1, c2.2) ok', 'get(k1) -> c2.2']);
    expect(lines.some((l) => /c1 +ok -> c1\.1/.test(l))).toBe(true);
  });
});

describe('faults', () => {
  it('a leader cut off from the rest is replaced, and the clients move to the new one', () => {
    // c3 works while s2, the leader of term 1, is cut off from 500 to 900 ms.
    const c3 = { startMs: 520, thinkMs: 20, ops: [{ kind: 'put', key: 1 }, { kind: 'get', key: 1 }, { kind: 'put', key: 1 }] } as const;
    const { result, lines } = logOf({
      ...base,
      faults: [{ kind: 'partition', shape: 'isolate-leader', atMs: 500, forMs: 400, pick: 0 }],
      workload: { ...base.workload, clients: [...base.workload.clients, c3] },
    });
    expect(result.violation).toBeNull();
    expect(result.stats).toMatchObject({ elections: 2, maxTerm: 2 });
    const at = (pattern: RegExp): number => lines.findIndex((l) => pattern.test(l));
    expect(at(/fault 0: \{s2\} <-\/-> \{s1 s3\}$/)).toBeGreaterThan(0);
    const elected = at(/ s1 +becomes Leader of term 2$/);
    const healed = at(/fault 0 ends$/);
    expect(elected).toBeGreaterThan(0);
    expect(healed).toBeGreaterThan(elected);
    // While cut off, s2 still takes c3's requests (it cannot commit them); c3 retries at the next node and
    // from then on goes to s1, the new leader, first.
    const accepted = lines
      .slice(elected, healed)
      .flatMap((l) => /(s\d) +accepts (c\d#\d) \(attempt (\d)\)/.exec(l)?.slice(1, 4).join(' ') ?? []);
    expect(accepted).toEqual(['s2 c3#2 1', 's1 c3#2 3', 's1 c3#3 1']);
    // Both of c3's operations after the election complete before the partition ends; the put the old
    // leader took in term 1 never committed (it timed out, and the read does not see it).
    const ops = result.history.filter((o) => o.process === 'c3');
    expect(ops.map((o) => [o.status, o.ret < 900])).toEqual([['timeout', true], ['ok', true], ['ok', true]]);
    expect(ops[1]?.output).toEqual({ type: 'get', value: 'c2.2' });
  });

  it('a crash in the middle of a write loses the write unless it landed, and the node restarts from disk', () => {
    // s2 leads term 1 and crashes while writing entry 2 (c1's put) to its disk.
    const lost = logOf({ ...base, faults: [{ kind: 'crash-mid-write', target: 'leader', atMs: 300, downMs: 100, landed: false }] });
    expect(lost.result.violation).toBeNull();
    expect(lost.result.stats.crashesMidWrite).toBe(1);
    expect(lost.lines).toContainEqual(expect.stringMatching(/s2 +CRASH \(fault 0: mid-write\) as Leader t1 vote=s2 log=2\/t1 commit=1; 1 write\(s\) in flight, all lost$/));
    // The disk has only entry 1: the write is lost.
    expect(lost.lines).toContainEqual(expect.stringMatching(/s2 +restarts from disk as Follower t1 vote=s2 log=1\/t1 commit=0$/));
    const landed = logOf({ ...base, faults: [{ kind: 'crash-mid-write', target: 'leader', atMs: 300, downMs: 100, landed: true }] });
    expect(landed.result.violation).toBeNull();
    expect(landed.result.stats.crashesMidWrite).toBe(1);
    expect(landed.lines).toContainEqual(expect.stringMatching(/s2 +CRASH \(fault 0: mid-write\) as Leader t1 vote=s2 log=2\/t1 commit=1; 1 write\(s\) in flight, the first lands$/));
    // The disk has entry 2 although s2 never learnt so; uncommitted, it is later replaced by the new leader's.
    expect(landed.lines).toContainEqual(expect.stringMatching(/s2 +restarts from disk as Follower t1 vote=s2 log=2\/t1 commit=0$/));
    expect([lost.result.stats.truncations, landed.result.stats.truncations]).toEqual([0, 1]);
  });

  it('loss, duplication, reordering, delay spikes, drift and timer storms leave the service correct', () => {
    const faults: Fault[] = [
      { kind: 'loss', rate: 0.3, atMs: 100, forMs: 300 },
      { kind: 'duplicate', rate: 0.5, atMs: 300, forMs: 400 },
      { kind: 'reorder', rate: 0.5, maxDelayMs: 80, atMs: 350, forMs: 300 },
      { kind: 'delay-spike', target: 'all', extraMs: 60, atMs: 600, forMs: 100 },
      { kind: 'clock-drift', target: 'leader', rate: 0.6, atMs: 450, forMs: 450 },
      { kind: 'timer-storm', count: 3, atMs: 700 },
    ];
    const all = logOf({ ...base, faults });
    expect(all.result.violation).toBeNull();
    expect(all.result.stats.faultsStarted).toBe(6);
    const time = (l: string): number => Number(l.trim().split(' ')[0]);
    // Loss is the only way to lose a message here (no partition, no crash, base loss rate 0): every loss
    // happens inside the loss window. Every message sent twice is sent inside the duplication window.
    // (A window includes its end: an event at that instant may run before the window closes.)
    const lost = all.lines.filter((l) => / lost: /.test(l));
    expect(lost.length).toBe(all.result.stats.dropped);
    expect(lost.length).toBeGreaterThan(0);
    expect(lost.every((l) => time(l) >= 100 && time(l) <= 400)).toBe(true);
    const twice = all.lines.filter((l) => / sent twice: /.test(l));
    expect(twice.length).toBe(all.result.stats.duplicated);
    expect(twice.length).toBeGreaterThan(0);
    expect(twice.every((l) => time(l) >= 300 && time(l) <= 700)).toBe(true);
    // The timer storm fires the election timers of both followers at once (the leader has none).
    expect(all.lines.filter((l) => /^ +700\.000 ms  s\d +election timeout/.test(l)).map((l) => l.trim().split(/ +/)[2])).toEqual(['s1', 's3']);
    // Each fault does something: without it, the nodes and clients do something else, and nothing
    // before the fault starts (lines of the fault schedule itself aside).
    const behaviour = (lines: string[]) => lines.filter((l) => !/^ *[\d.]+ ms  (fault|sim) /.test(l));
    const withAll = behaviour(all.lines);
    faults.forEach((f, i) => {
      const without = behaviour(logOf({ ...base, faults: faults.filter((_, j) => j !== i) }).lines);
      const first = withAll.findIndex((l, j) => l !== without[j]);
      expect(first, `${f.kind} changed nothing`).toBeGreaterThanOrEqual(0);
      expect(time(withAll[first]!), `${f.kind} changed the run before it started`).toBeGreaterThanOrEqual(f.atMs);
    });
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

  it('exits 1 with the violation and the replay command under a defect, and 2 for a bad option', async () => {
    // Seed 1 of the elections profile: the real core passes; the double-vote defect is caught by the durability
    // checks the moment a candidate grants a second vote in the term it voted for itself.
    const argv = ['--seed', '1', '--profile', 'elections', '--quiet'];
    const real = await sim(argv);
    expect(real.code).toBe(ExitCode.OK);
    expect(real.err).toBe('');
    const broken = await sim([...argv, '--defect', 'double-vote']);
    expect(broken.code).toBe(ExitCode.CHECK_FAILED);
    expect(broken.err).toBe(
      'result: VIOLATION (durability)\nOneVotePerTerm violated: after HandleRequestVoteRequest(s1, s2, RequestVoteRequest s2->s1 t2 last=1/1), ' +
        's1 votes for s2 in term 2, but its disk already recorded a vote for s1 in that term\n' +
        'replay: npm run sim -- --profile elections --seed 1 --defect double-vote\n',
    );
    expect(await sim(['--profile', 'nope'])).toEqual({
      code: ExitCode.USAGE,
      out: '',
      err: `sim: Unknown profile "nope".\n  Known profiles: ${PROFILE_NAMES.join(', ')}.\n`,
    });
  });

  it('the replay command keeps --nodes, so it replays the same scenario', async () => {
    const argv = ['--seed', '1', '--profile', 'elections', '--defect', 'double-vote', '--nodes', '5', '--quiet'];
    const run = await sim(argv);
    expect(run.code).toBe(ExitCode.CHECK_FAILED);
    const replay = /\nreplay: npm run sim -- (.*)\n$/.exec(run.err)?.[1];
    expect(replay).toBe('--profile elections --seed 1 --defect double-vote --nodes 5');
    expect(await sim([...replay!.split(' '), '--quiet'])).toEqual(run);
  });

  it('--check full (the reference) reports what the incremental default reports, at the same event', async () => {
    // An invariant mirror's violation (LeaderCompleteness), not a durability check's.
    const argv = ['--seed', '1', '--profile', 'figure8', '--defect', 'commit-old-term', '--quiet'];
    const incremental = await sim(argv);
    expect(incremental.err).toMatch(/result: VIOLATION \(invariant\)\nLeaderCompleteness violated/);
    const full = await sim([...argv, '--check', 'full']);
    expect(incremental.code).toBe(ExitCode.CHECK_FAILED);
    expect(full.out.replace(/\d+ invariant checks/, 'N invariant checks')).toBe(incremental.out.replace(/\d+ invariant checks/, 'N invariant checks'));
    expect(full.err).toBe(incremental.err);
    expect(await sim(['--check', 'sometimes'])).toEqual({
      code: ExitCode.USAGE,
      out: '',
      err: 'sim: --check must be incremental or full, not "sometimes".\n',
    });
  });

  it('prints JSON with --json', () => {
    let out = '';
    expect(runSimCli(['--seed', '2', '--json', '--nodes', '5'], (s) => (out += s), () => {})).toBe(ExitCode.OK);
    const parsed = JSON.parse(out) as { scenario: Scenario; violation: unknown; stats: { events: number } };
    expect(parsed.scenario.nodes).toBe(5);
    expect(parsed.violation).toBeNull();
    expect(parsed.stats.events).toBeGreaterThan(0);
  });
});
