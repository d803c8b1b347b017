// `npm run sim -- --scenario file.json`: a file that is not a usable scenario ends in one message naming
// the JSON path of the first problem and exit 4, never a stack trace or exit 1 (which means "a violation
// was found"); the output of --json is accepted back and replays the same run.
import fc from 'fast-check';
import * as fs from 'node:fs';
import { mkdirSync, mkdtempSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { runCommand } from '../../src/cli/args.js';
import { ExitCode } from '../../src/errors.js';
import { runSimCli } from '../../src/cli/sim.js';
import { LAN_LATENCY, SSD_WRITE, type Scenario } from '../../src/sim/index.js';
import { MAX_SCENARIO_FILE_BYTES, parseScenario, SCENARIO_FILE_HINT, ScenarioProblem } from '../../src/sim/scenario-file.js';
import { FC_SEED } from '../support/arbitraries.js';

// Watches which files are opened, to show that an oversized file is refused by its size, unread.
vi.mock('node:fs', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs')>();
  return { ...real, openSync: vi.fn(real.openSync) };
});

/** Runs the command as scripts/sim.ts does: a WorkbenchError becomes its message on stderr and its exit code. */
async function sim(argv: readonly string[], cwd?: string): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCommand('sim', (s) => (err += s), () => runSimCli(argv, (s) => (out += s), (s) => (err += s), cwd === undefined ? {} : { cwd }));
  return { code, out, err };
}

const dir = mkdtempSync(join(tmpdir(), 'sim-scenario-'));
let files = 0;

/** Writes `content` (JSON unless a string) to a fresh file and returns its path. */
function file(content: unknown): string {
  const path = join(dir, `s${files++}.json`);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

/** What `npm run sim` prints on stderr for a bad file: `message`, then the hint. */
const printed = (message: string): string => `sim: ${message}\n  ${SCENARIO_FILE_HINT}\n`;
const invalid = (path: string, problem: string): string => printed(`The scenario in ${path} is not valid: ${problem}.`);

/** A scenario with one fault of every kind, a constant network latency and a uniform disk. */
const EVERY_FAULT: Scenario = {
  seed: 11,
  nodes: 3,
  network: { latency: { kind: 'constant', ms: 1 }, lossRate: 0, duplicateRate: 0 },
  disk: SSD_WRITE,
  maxDrift: 0.05,
  faults: [
    { kind: 'partition', shape: 'isolate-leader', atMs: 300, forMs: 100, pick: 4 },
    { kind: 'crash', target: 'follower', atMs: 420, downMs: 30 },
    { kind: 'crash-mid-write', target: 'leader', atMs: 450, downMs: 40, landed: true },
    { kind: 'crash-after-write', target: 2, write: 'vote', atMs: 500, downMs: 10 },
    { kind: 'crash-after-commit', atMs: 550, downMs: 50 },
    { kind: 'loss', rate: 0.2, atMs: 600, forMs: 50 },
    { kind: 'duplicate', rate: 0.3, atMs: 620, forMs: 50 },
    { kind: 'reorder', rate: 0.4, maxDelayMs: 20, atMs: 640, forMs: 50 },
    { kind: 'delay-spike', target: 'all', extraMs: 15, atMs: 660, forMs: 50 },
    { kind: 'clock-drift', target: 'leader', rate: 0.7, atMs: 680, forMs: 50 },
    { kind: 'timer-storm', count: 2, atMs: 700 },
  ],
  workload: {
    clients: [
      { startMs: 350, thinkMs: 5, ops: [{ kind: 'put', key: 0 }, { kind: 'get', key: 0 }, { kind: 'cas', key: 1 }] },
      { startMs: 360, thinkMs: 0, ops: [{ kind: 'get', key: 1 }] },
    ],
    retryAfterMs: 60,
    maxAttempts: 3,
  },
  healAtMs: 1000,
  livenessBoundMs: 4000,
  noopOnElection: true,
};

/** The other two latency models, so that every field of every model is covered. */
const OTHER_LATENCIES: Scenario = {
  ...EVERY_FAULT,
  faults: [],
  network: { latency: LAN_LATENCY, lossRate: 0.01, duplicateRate: 0.01 },
  disk: { kind: 'lognormal', medianMs: 1, sigma: 0.3 },
};

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Segment = string | number;

/** Every value in `value` with its JSON path segments, objects and arrays before their members. */
function paths(value: Json, at: Segment[] = []): Segment[][] {
  const children: [Segment, Json][] = Array.isArray(value)
    ? value.map((v, i) => [i, v])
    : value !== null && typeof value === 'object'
      ? Object.entries(value)
      : [];
  return [at, ...children.flatMap(([k, v]) => paths(v, [...at, k]))];
}

/** `faults[2].kind` */
const pathText = (at: readonly Segment[]): string =>
  at.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');

/** A copy of `value` with the value at `at` passed through `change` (which returns undefined to delete it). */
function edit(value: Json, at: readonly Segment[], change: (old: Json) => Json | undefined): Json {
  const copy = structuredClone(value);
  if (at.length === 0) return change(copy) ?? null;
  let parent = copy as Record<Segment, Json>;
  for (const s of at.slice(0, -1)) parent = parent[s] as Record<Segment, Json>;
  const last = at[at.length - 1]!;
  const next = change(parent[last]!);
  if (next === undefined) delete parent[last];
  else parent[last] = next;
  return copy;
}

/** A value of another JSON type than `v`, which no field of a scenario accepts in place of `v`. */
function wrongType(v: Json): Json {
  if (typeof v === 'number') return 'x';
  if (typeof v === 'string') return true;
  if (typeof v === 'boolean') return 'yes';
  if (Array.isArray(v)) return {};
  return [];
}

describe('npm run sim -- --scenario: a valid file', () => {
  it('runs a scenario with every fault kind and every latency model', async () => {
    for (const s of [EVERY_FAULT, OTHER_LATENCIES]) {
      const r = await sim(['--scenario', file(s), '--quiet']);
      expect(r.err).toBe('');
      expect(r.code).toBe(ExitCode.OK);
      expect(r.out).toMatch(/result: no violation/);
    }
  });

  it('round trip: the --json output, fed back with --scenario, gives the same output', async () => {
    const first = await sim(['--seed', '7', '--profile', 'partitions', '--json']);
    expect(first.code).toBe(ExitCode.OK);
    const again = await sim(['--scenario', file(first.out), '--json']);
    expect(again).toEqual(first);
    // The scenario alone (as a failure report prints it) replays the same run, event for event.
    const scenario = (JSON.parse(first.out) as { scenario: Scenario }).scenario;
    const log = await sim(['--seed', '7', '--profile', 'partitions']);
    expect(await sim(['--scenario', file(scenario)])).toEqual(log);
  });

  it('round trip of a violation: same exit 1, same violation, and the replay command names the file', async () => {
    const first = await sim(['--seed', '1', '--profile', 'elections', '--defect', 'double-vote', '--json']);
    expect(first.code).toBe(ExitCode.CHECK_FAILED);
    expect((JSON.parse(first.out) as { violation: { kind: string; name: string } }).violation).toMatchObject({ kind: 'durability', name: 'OneVotePerTerm' });
    const saved = file(first.out);
    expect(await sim(['--scenario', saved, '--defect', 'double-vote', '--json'])).toEqual(first);
    const replay = await sim(['--scenario', saved, '--defect', 'double-vote', '--quiet']);
    expect(replay.code).toBe(ExitCode.CHECK_FAILED);
    expect(replay.err).toContain(`\nreplay: npm run sim -- --scenario ${saved} --defect double-vote\n`);
  });

  it('opens a relative path from the folder given as cwd', async () => {
    const sub = join(dir, 'sub');
    mkdirSync(sub);
    writeFileSync(join(sub, 'mine.json'), JSON.stringify(EVERY_FAULT));
    expect((await sim(['--scenario', 'mine.json', '--quiet'], sub)).code).toBe(ExitCode.OK);
    expect(await sim(['--scenario', 'mine.json', '--quiet'], dir)).toEqual({ code: ExitCode.SPEC_ERROR, out: '', err: printed('No scenario file mine.json: it does not exist.') });
  });
});

describe('npm run sim -- --scenario: a file that is not a scenario exits 4 with one message', () => {
  it.each<[string, string, string]>([
    ['not JSON', '{"nodes": 3,', 'is not JSON: '],
    ['JSON with a trailing comma', '[1,]', 'is not JSON: '],
    ['empty', '', 'is empty.'],
    ['only white space', ' \n\t', 'is empty.'],
  ])('%s', async (_name, content, message) => {
    const path = file(content);
    const r = await sim(['--scenario', path]);
    expect(r.code).toBe(ExitCode.SPEC_ERROR);
    expect(r.out).toBe('');
    expect(r.err.startsWith(`sim: The scenario file ${path} ${message}`)).toBe(true);
    expect(r.err.endsWith(`.\n  ${SCENARIO_FILE_HINT}\n`)).toBe(true);
    expect(r.err.split('\n')).toHaveLength(3);
  });

  it('bytes that are not UTF-8', async () => {
    const path = join(dir, 'latin1.json');
    writeFileSync(path, Buffer.from([0x7b, 0x22, 0xe9, 0x22, 0x3a, 0x31, 0x7d]));
    expect(await sim(['--scenario', path])).toEqual({ code: ExitCode.SPEC_ERROR, out: '', err: printed(`The scenario file ${path} is not UTF-8 text.`) });
  });

  it('a missing file', async () => {
    const path = join(dir, 'nope.json');
    expect(await sim(['--scenario', path])).toEqual({ code: ExitCode.SPEC_ERROR, out: '', err: printed(`No scenario file ${path}: it does not exist.`) });
  });

  it('a folder', async () => {
    expect(await sim(['--scenario', dir])).toEqual({ code: ExitCode.SPEC_ERROR, out: '', err: printed(`--scenario ${dir} is a folder, not a scenario file.`) });
  });

  it('a file over 10 MB, refused by its size before it is read', async () => {
    const path = join(dir, 'huge.json');
    writeFileSync(path, '');
    // Sparse: no 10 MB written. Its bytes are zeros, which would fail as "not JSON" if they were read.
    truncateSync(path, MAX_SCENARIO_FILE_BYTES + 1);
    const opened = () => vi.mocked(fs.openSync).mock.calls.filter(([p]) => p === path).length;
    expect(await sim(['--scenario', path])).toEqual({
      code: ExitCode.SPEC_ERROR,
      out: '',
      err: printed(`The scenario file ${path} is larger than 10 MB; a scenario is a few kB.`),
    });
    expect(opened()).toBe(0);
    // At exactly 10 MB it is read (and its zeros are not JSON).
    truncateSync(path, MAX_SCENARIO_FILE_BYTES);
    expect(await sim(['--scenario', path])).toEqual({ code: ExitCode.SPEC_ERROR, out: '', err: expect.stringMatching(/is not JSON: /) });
    expect(opened()).toBe(1);
  });

  it.each<[string, unknown, string]>([
    ['an array', [EVERY_FAULT], '(top level): expected a scenario object, got an array'],
    ['a number', 3, '(top level): expected a scenario object, got 3'],
    ['null', null, '(top level): expected a scenario object, got null'],
    ['a number JSON cannot hold', '1e999', '(top level): expected a scenario object, got a number too large to represent'],
    ['--json output without its scenario', { violation: null, stats: {}, history: [] }, 'scenario: missing (this looks like the output of `npm run sim -- --json`, which holds the scenario in its "scenario" field)'],
    ['--json output with a bad scenario', { scenario: { ...EVERY_FAULT, nodes: 0 }, violation: null }, 'scenario.nodes: expected an integer in 1..99, got 0'],
    ['--json output whose scenario is not an object', { scenario: 'x' }, 'scenario: expected a scenario object, got "x"'],
  ])('%s', async (_name, content, problem) => {
    const path = file(content);
    expect(await sim(['--scenario', path])).toEqual({ code: ExitCode.SPEC_ERROR, out: '', err: invalid(path, problem) });
  });
});

describe('npm run sim -- --scenario: every field is checked, and the first problem is named by its JSON path', () => {
  const bases: [string, Scenario][] = [
    ['every fault kind', EVERY_FAULT],
    ['the other latency models', OTHER_LATENCIES],
  ];

  for (const [name, base] of bases) {
    const all = paths(base as unknown as Json);
    const fields = all.filter((at) => at.length > 0 && typeof at[at.length - 1] === 'string');
    const objects = all.filter((at) => {
      const v = at.reduce<unknown>((o, s) => (o as Record<Segment, unknown>)[s], base);
      return v !== null && typeof v === 'object' && !Array.isArray(v);
    });

    it(`${name}: a missing field (${fields.length} fields)`, async () => {
      expect(fields.length).toBeGreaterThan(name === 'every fault kind' ? 60 : 20);
      for (const at of fields) {
        const path = file(edit(base as unknown as Json, at, () => undefined));
        const r = await sim(['--scenario', path]);
        expect(r.code, pathText(at)).toBe(ExitCode.SPEC_ERROR);
        expect(r.err.startsWith(`sim: The scenario in ${path} is not valid: ${pathText(at)}: missing (`), `${pathText(at)}: ${r.err}`).toBe(true);
      }
    });

    it(`${name}: a value of the wrong type`, async () => {
      for (const at of all.filter((a) => a.length > 0)) {
        const path = file(edit(base as unknown as Json, at, wrongType));
        const r = await sim(['--scenario', path]);
        expect(r.code, pathText(at)).toBe(ExitCode.SPEC_ERROR);
        expect(r.err.startsWith(`sim: The scenario in ${path} is not valid: ${pathText(at)}: expected `), `${pathText(at)}: ${r.err}`).toBe(true);
      }
    });

    it(`${name}: an unknown field in any object (${objects.length} objects)`, async () => {
      for (const at of objects) {
        const path = file(edit(base as unknown as Json, at, (o) => ({ ...(o as Record<string, Json>), colour: 'red' })));
        const r = await sim(['--scenario', path]);
        expect(r.code, pathText(at)).toBe(ExitCode.SPEC_ERROR);
        expect(r.err.startsWith(`sim: The scenario in ${path} is not valid: ${pathText([...at, 'colour'])}: unknown field (`), `${pathText(at)}: ${r.err}`).toBe(true);
      }
    });
  }

  const fault = (i: number, patch: Record<string, unknown>) => ({ ...EVERY_FAULT, faults: EVERY_FAULT.faults.map((f, j) => (j === i ? { ...f, ...patch } : f)) });
  const client = (patch: Record<string, unknown>) => ({ ...EVERY_FAULT, workload: { ...EVERY_FAULT.workload, clients: [{ ...EVERY_FAULT.workload.clients[0]!, ...patch }] } });

  it.each<[string, unknown, string]>([
    ['an unknown fault kind', fault(2, { kind: 'meteor' }), 'faults[2].kind: unknown fault kind "meteor" (known: partition, crash, crash-mid-write, crash-after-write, crash-after-commit, loss, duplicate, reorder, delay-spike, clock-drift, timer-storm)'],
    ['a fault without a kind', { ...EVERY_FAULT, faults: [{ atMs: 1 }] }, 'faults[0].kind: missing (a fault needs a kind: partition, crash, crash-mid-write, crash-after-write, crash-after-commit, loss, duplicate, reorder, delay-spike, clock-drift, timer-storm)'],
    ['a field of another fault kind', fault(1, { forMs: 10 }), 'faults[1].forMs: unknown field (a crash fault has kind, target, atMs, downMs)'],
    ['a missing fault field', { ...EVERY_FAULT, faults: [{ kind: 'crash', target: 0, atMs: 1 }] }, 'faults[0].downMs: missing (a crash fault needs kind, target, atMs, downMs)'],
    ['an op key that is not a number', client({ ops: [{ kind: 'put', key: 0 }, { kind: 'put', key: 1 }, { kind: 'get', key: 0 }, { kind: 'get', key: 'x' }] }), 'workload.clients[0].ops[3].key: expected a non-negative integer, got "x"'],
    ['a negative op key', client({ ops: [{ kind: 'get', key: -1 }] }), 'workload.clients[0].ops[0].key: expected a non-negative integer, got -1'],
    ['an unknown op kind', client({ ops: [{ kind: 'delete', key: 0 }] }), 'workload.clients[0].ops[0].kind: unknown operation kind "delete" (known: put, get, cas)'],
    ['a field spelt in another case', { ...EVERY_FAULT, network: { latency: LAN_LATENCY, lossrate: 0, duplicateRate: 0 } }, 'network.lossRate: missing (the network needs latency, lossRate, duplicateRate; there is a field "lossrate", but names are case-sensitive)'],
    ['no nodes', { ...EVERY_FAULT, nodes: 0 }, 'nodes: expected an integer in 1..99, got 0'],
    ['too many nodes', { ...EVERY_FAULT, nodes: 100 }, 'nodes: expected an integer in 1..99, got 100'],
    ['a fractional node count', { ...EVERY_FAULT, nodes: 2.5 }, 'nodes: expected an integer in 1..99, got 2.5'],
    ['a fractional seed', { ...EVERY_FAULT, seed: 1.5 }, 'seed: expected an integer, got 1.5'],
    ['a loss rate above 1', { ...EVERY_FAULT, network: { ...EVERY_FAULT.network, lossRate: 1.5 } }, 'network.lossRate: expected a number in [0, 1], got 1.5'],
    ['an unknown latency model', { ...EVERY_FAULT, disk: { kind: 'gauss', ms: 1 } }, 'disk.kind: unknown latency model "gauss" (known: constant, uniform, shifted-exponential, lognormal)'],
    ['a uniform latency with max < min', { ...EVERY_FAULT, disk: { kind: 'uniform', minMs: 2, maxMs: 1 } }, 'disk.maxMs: expected a number >= 2 (ms, at least minMs), got 1'],
    ['a negative latency', { ...EVERY_FAULT, network: { ...EVERY_FAULT.network, latency: { kind: 'constant', ms: -1 } } }, 'network.latency.ms: expected a non-negative number (ms), got -1'],
    ['a zero log-normal median', { ...EVERY_FAULT, disk: { kind: 'lognormal', medianMs: 0, sigma: 1 } }, 'disk.medianMs: expected a positive number (ms), got 0'],
    ['a drift that stops clocks', { ...EVERY_FAULT, maxDrift: 1 }, 'maxDrift: expected a number in [0, 1), got 1'],
    ['an unknown partition shape', fault(0, { shape: 'ring' }), 'faults[0].shape: unknown partition shape "ring" (known: split, one-way, isolate-node, isolate-leader, leader-minority)'],
    ['a fractional pick', fault(0, { pick: 0.5 }), 'faults[0].pick: expected a non-negative integer, got 0.5'],
    ['a negative node index', fault(1, { target: -1 }), 'faults[1].target: expected "leader", "follower" or a node index (a non-negative integer), got -1'],
    ['"all" as a crash target', fault(1, { target: 'all' }), 'faults[1].target: expected "leader", "follower" or a node index (a non-negative integer), got "all"'],
    ['an unknown delay-spike target', fault(8, { target: 'everyone' }), 'faults[8].target: expected "all", "leader", "follower" or a node index (a non-negative integer), got "everyone"'],
    ['landed as a string', fault(2, { landed: 'yes' }), 'faults[2].landed: expected true or false, got "yes"'],
    ['an unknown write kind', fault(3, { write: 'fsync' }), 'faults[3].write: unknown write kind "fsync" (known: vote, append, any)'],
    ['a negative downtime', fault(4, { downMs: -5 }), 'faults[4].downMs: expected a non-negative number (ms), got -5'],
    ['a rate above 1', fault(5, { rate: 2 }), 'faults[5].rate: expected a number in [0, 1], got 2'],
    ['a zero clock rate', fault(9, { rate: 0 }), 'faults[9].rate: expected a positive number, got 0'],
    ['a timer storm of no nodes', fault(10, { count: 0 }), 'faults[10].count: expected an integer >= 1, got 0'],
    ['faults not in an array', { ...EVERY_FAULT, faults: { 0: EVERY_FAULT.faults[0] } }, 'faults: expected an array of faults, got an object'],
    ['a zero retry interval', { ...EVERY_FAULT, workload: { ...EVERY_FAULT.workload, retryAfterMs: 0 } }, 'workload.retryAfterMs: expected a positive number (ms), got 0'],
    ['no attempts', { ...EVERY_FAULT, workload: { ...EVERY_FAULT.workload, maxAttempts: 0 } }, 'workload.maxAttempts: expected an integer >= 1, got 0'],
    ['noopOnElection as a string', { ...EVERY_FAULT, noopOnElection: 'true' }, 'noopOnElection: expected true or false, got "true"'],
    ['a long string, shortened', { ...EVERY_FAULT, healAtMs: 'x'.repeat(100) }, `healAtMs: expected a non-negative number (ms), got "${'x'.repeat(40)}"... (a string)`],
    ['an own __proto__ field', JSON.parse(`{"__proto__": {"x": 1}, ${JSON.stringify(EVERY_FAULT).slice(1)}`), '__proto__: unknown field (a scenario has seed, nodes, network, disk, maxDrift, faults, workload, healAtMs, livenessBoundMs, noopOnElection)'],
  ])('%s', async (_name, content, problem) => {
    const path = file(content);
    expect(await sim(['--scenario', path])).toEqual({ code: ExitCode.SPEC_ERROR, out: '', err: invalid(path, problem) });
  });

  it('reports the first problem in field order, whatever the order of the fields in the file', async () => {
    const { workload, seed, ...rest } = { ...EVERY_FAULT, seed: 'one', workload: { ...EVERY_FAULT.workload, maxAttempts: 0 } };
    const path = file({ workload, ...rest, seed });
    expect((await sim(['--scenario', path])).err).toBe(invalid(path, 'seed: expected an integer, got "one"'));
  });
});

describe('parseScenario on arbitrary damage', () => {
  it('either accepts a value equal to the input or throws a ScenarioProblem naming a path: never anything else', () => {
    const all = paths(EVERY_FAULT as unknown as Json).filter((at) => at.length > 0);
    fc.assert(
      fc.property(fc.constantFrom(...all), fc.jsonValue(), (at, replacement) => {
        const damaged = edit(EVERY_FAULT as unknown as Json, at, () => replacement as Json);
        let parsed: Scenario;
        try {
          parsed = parseScenario(damaged);
        } catch (e) {
          expect(e).toBeInstanceOf(ScenarioProblem);
          expect((e as ScenarioProblem).path.length).toBeGreaterThan(0);
          return;
        }
        expect(parsed).toEqual(damaged);
      }),
      { seed: FC_SEED, numRuns: 3000 },
    );
  });
});
