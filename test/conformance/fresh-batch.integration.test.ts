// A freshly generated, seeded batch from the real TLC replays with 0 divergences: random walks (the same
// seed gives the same walks), two targeted scenarios, and a complete state-graph tour through the
// `npm run traces` command itself. Set TRACE_SEED to vary the walks; keep TLC to one worker.
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tracesCommand } from '../../src/cli/traces.js';
import { formatDivergence } from '../../src/conformance/replay.js';
import { type Corpus, loadCorpus, runConformance } from '../../src/conformance/run.js';
import { RAFT } from '../../src/definitions/raft/definition.js';
import { RAFT_SCENARIO_MODEL, RAFT_SIMULATION_MODEL, SCENARIO_GOALS } from '../../src/definitions/raft/trace-models.js';
import { ExitCode } from '../../src/errors.js';
import { REPO_ROOT } from '../../src/paths.js';
import { PROTOCOLS } from '../../src/protocol/registry.js';
import { type GenerateContext, generateScenarios, generateSimulation } from '../../src/trace/generate.js';
import { serializeTrace, type Trace } from '../../src/trace/itf-trace.js';
import { tlcToolchain } from '../support/tlc.js';

const SEED = BigInt(process.env.TRACE_SEED ?? 20261124);

/** Replays Raft traces made in memory; the one protocol report. */
async function replayRaft(traces: readonly Trace[], name: string) {
  const corpus: Corpus = { traces: traces.map((t, i) => RAFT.load(t, `${name}-${i + 1}`)), graphs: new Map(), skipped: [] };
  const report = await runConformance(corpus, [RAFT]);
  return report.protocols[0]!;
}
let ctx: GenerateContext;
let out: string;

beforeAll(async () => {
  ctx = { toolchain: await tlcToolchain(), workers: 1, timeoutMs: 120_000 };
  out = await mkdtemp(join(tmpdir(), 'fresh-traces-'));
});
afterAll(async () => {
  await rm(out, { recursive: true, force: true });
});

describe('a fresh seeded batch from the real TLC', () => {
  it(`random walks (seed ${SEED}) replay with 0 divergences, and the seed fixes the walks`, async () => {
    const options = { count: 8, depth: 40, seed: SEED, regenerate: 'test' };
    const walks = await generateSimulation(ctx, RAFT_SIMULATION_MODEL, options);
    expect(walks).toHaveLength(8);
    const report = await replayRaft(walks, 'walk');
    expect(report.divergences.map(formatDivergence)).toEqual([]);
    expect(report.steps).toBeGreaterThan(0);
    const again = await generateSimulation(ctx, RAFT_SIMULATION_MODEL, options);
    expect(again.map(serializeTrace)).toEqual(walks.map(serializeTrace));
  });

  it('targeted scenarios reach their goal by a shortest behaviour and replay with 0 divergences', async () => {
    const goals = SCENARIO_GOALS.filter((g) => g.name === 'leader-elected' || g.name === 'duplicate-redelivered');
    const results = await generateScenarios(ctx, RAFT_SCENARIO_MODEL, goals, 'test');
    const traces = results.map((r) => {
      if (!('trace' in r)) throw new Error(`${r.goal.name} not reached`);
      return r.trace;
    });
    // Timeout, a vote, its response, BecomeLeader: no election is shorter.
    expect(traces[0]?.states.map((s) => s.actionTaken)).toEqual(['Init', 'Timeout', 'HandleRequestVoteRequest', 'HandleRequestVoteResponse', 'BecomeLeader']);
    const dup = traces[1]?.states.map((s) => s.actionTaken) ?? [];
    expect(dup).toContain('DuplicateMessage');
    expect(dup[dup.length - 1]).toBe(dup[dup.length - 2]);
    const report = await replayRaft(traces, 'scenario');
    expect(report.divergences.map(formatDivergence)).toEqual([]);
  });

  it('npm run traces --mode tour: a complete tour that conforms, with a manifest', async () => {
    let stderr = '';
    const code = await tracesCommand(['--protocol', 'raft', '--mode', 'tour', '--out', out, '--quiet'], { stdout: () => {}, stderr: (t) => (stderr += t), env: process.env, cwd: REPO_ROOT });
    expect(stderr).toBe('');
    expect(code).toBe(ExitCode.OK);
    const manifest = JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8'));
    expect(manifest.batches).toHaveLength(1);
    expect(manifest.batches[0]).toMatchObject({ mode: 'tour', protocol: 'raft', model: 'MCRaftTraceTour', tlcVersion: '2.18 of 20 March 2023' });
    expect((await readdir(join(out, 'raft', 'tour'))).length).toBe(manifest.batches[0].count);
    const report = (await runConformance(await loadCorpus([out], REPO_ROOT, { registry: PROTOCOLS }), PROTOCOLS)).protocols[0]!;
    expect(report.divergences.map(formatDivergence)).toEqual([]);
    const tour = report.coverage.models[0];
    expect(tour?.states).toBe(manifest.batches[0].graph.states);
    expect(tour?.edges).toBe(manifest.batches[0].graph.edges);
    expect(report.enabledness[0]?.mismatches).toEqual([]);
  });
});
