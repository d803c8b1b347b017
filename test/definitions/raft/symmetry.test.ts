// Renaming servers, as the state-graph check reads a symmetric model: the renaming of a spec state is a
// spec state in the form every other one has (so equal states have equal keys), renaming back restores
// it, and the core commutes with renaming: the renamed step of the renamed cluster reaches the renamed
// state. A core or a renaming that broke this would make a symmetric graph's check wrong either way.
import { join } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadTrace } from '../../../src/conformance/replay.js';
import { permutations } from '../../../src/conformance/state-graph.js';
import { candidateLabels, RAFT_DEFINITION } from '../../../src/definitions/raft/definition.js';
import { renameActionLabel, renameSpecState, specStateKey, unsettledDisks } from '../../../src/definitions/raft/symmetry.js';
import { clusterFromSpecState } from '../../../src/definitions/raft/trace-values.js';
import { REPO_ROOT } from '../../../src/paths.js';
import { canonicalJson, DEFECTS, durableClusterStep, type SpecState, toSpecState } from '../../../src/raft/index.js';
import { readTrace } from '../../../src/trace/itf-trace.js';
import { readManifest } from '../../../src/trace/manifest.js';
import { FC_SEED } from '../../support/arbitraries.js';

let states: SpecState[] = [];

beforeAll(async () => {
  const dir = join(REPO_ROOT, 'traces');
  const batches = ((await readManifest(dir))?.batches ?? []).filter((b) => b.protocol === 'raft' && b.mode === 'simulation');
  const files = batches.flatMap((b) => b.traces.map((t) => t.file));
  const traces = await Promise.all(files.map(async (f) => loadTrace(RAFT_DEFINITION, await readTrace(join(dir, f)), f)));
  states = traces.flatMap((t) => [t.initial, ...t.typedSteps.map((s) => s.expected)]);
});

const SERVERS = ['s1', 's2', 's3'];
const RENAMINGS = permutations(SERVERS);
const inverse = (rename: ReadonlyMap<string, string>) => new Map([...rename].map(([a, b]) => [b, a]));

describe('permutations', () => {
  it('lists every renaming once, the identity first', () => {
    expect(RENAMINGS).toHaveLength(6);
    expect([...(RENAMINGS[0] as ReadonlyMap<string, string>)]).toEqual([['s1', 's1'], ['s2', 's2'], ['s3', 's3']]);
    expect(new Set(RENAMINGS.map((r) => JSON.stringify([...r]))).size).toBe(6);
  });
});

describe('renaming Raft spec states and labels', () => {
  it('reads three-server states from the corpus', () => {
    expect(states.length).toBeGreaterThan(100);
    expect(Object.keys(states[0]?.currentTerm ?? {})).toEqual(SERVERS);
  });

  it('a renamed state is in the form the abstraction function writes, and renaming back restores it', () => {
    fc.assert(
      fc.property(fc.nat(), fc.integer({ min: 0, max: 5 }), (i, r) => {
        const state = states[i % states.length] as SpecState;
        const rename = RENAMINGS[r] as ReadonlyMap<string, string>;
        const renamed = renameSpecState(state, rename);
        expect(canonicalJson(toSpecState(clusterFromSpecState(renamed)))).toBe(canonicalJson(renamed));
        expect(specStateKey(toSpecState(clusterFromSpecState(renamed)))).toBe(specStateKey(renamed));
        expect(canonicalJson(renameSpecState(renamed, inverse(rename)))).toBe(canonicalJson(state));
      }),
      { seed: FC_SEED, numRuns: 300 },
    );
  });

  it('specStateKey tells apart exactly the states canonicalJson tells apart', () => {
    const byJson = new Map<string, string>();
    for (const state of states) {
      for (const rename of RENAMINGS) {
        const renamed = renameSpecState(state, rename);
        const key = specStateKey(renamed);
        const json = canonicalJson(renamed);
        const seen = byJson.get(json);
        if (seen !== undefined) expect(seen).toBe(key);
        byJson.set(json, key);
      }
    }
    expect(new Set(byJson.values()).size).toBe(byJson.size);
  });

  it('the core commutes with renaming: the renamed step of the renamed cluster reaches the renamed state', () => {
    fc.assert(
      fc.property(fc.nat(), fc.nat(), fc.integer({ min: 0, max: 5 }), (i, l, r) => {
        const state = states[i % states.length] as SpecState;
        const rename = RENAMINGS[r] as ReadonlyMap<string, string>;
        const labels = candidateLabels(clusterFromSpecState(state), ['v1', 'v2']);
        const label = labels[l % labels.length];
        if (label === undefined) return;
        const direct = durableClusterStep(clusterFromSpecState(state), label);
        const renamed = durableClusterStep(clusterFromSpecState(renameSpecState(state, rename)), renameActionLabel(label, rename));
        expect(renamed.notEnabled === null).toBe(direct.notEnabled === null);
        if (direct.notEnabled !== null) return;
        expect(specStateKey(toSpecState(renamed.cluster))).toBe(specStateKey(renameSpecState(toSpecState(direct.cluster), rename)));
      }),
      { seed: FC_SEED, numRuns: 2000 },
    );
  });
});

describe('unsettledDisks', () => {
  it('is null when every disk holds its node, and names the node whose disk lags after a step that wrote too little', () => {
    const start = states.find((s) => Object.values(s.role).every((r) => r === 'Follower')) as SpecState;
    const cluster = clusterFromSpecState(start);
    expect(unsettledDisks(cluster)).toBeNull();
    const real = durableClusterStep(cluster, { name: 'Timeout', node: 's1' });
    expect(unsettledDisks(real.cluster)).toBeNull();
    // A candidate timing out again changes its term but not its vote (for itself): the defect writes neither.
    const broken = durableClusterStep(real.cluster, { name: 'Timeout', node: 's1' }, DEFECTS['term-persisted-with-vote-only'].step);
    expect(unsettledDisks(broken.cluster)).toMatch(/^after the step s1's disk holds term \d+, vote \S+, \d+ entries, its memory term \d+/);
  });
});
