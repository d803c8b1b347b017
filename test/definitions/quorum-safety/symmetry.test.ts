// Renaming servers in QuorumSafety's states and labels, as the state-graph check reads a symmetric model:
// a renamed state is in the form the abstraction function writes, renaming back restores it, the state
// key tells apart exactly what canonicalJson does, and the refinement driver commutes with renaming (the
// renamed step of the renamed run reaches the renamed state). States come from random walks of the real
// core from Init, three servers, terms <= 3 (the CI graph model's bounds).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { permutations } from '../../../src/conformance/state-graph.js';
import { QUORUM_SAFETY_DEFINITION } from '../../../src/definitions/quorum-safety/definition.js';
import { abstractState, electionRunOf, NONE, type QuorumLabel, type QuorumState, stepElection } from '../../../src/definitions/quorum-safety/refinement.js';
import { quorumServers, quorumStateKey, renameQuorumLabel, renameQuorumState } from '../../../src/definitions/quorum-safety/symmetry.js';
import { canonicalJson, DEFECTS, step } from '../../../src/raft/index.js';
import { FC_SEED } from '../../support/arbitraries.js';

type Rename = ReadonlyMap<string, string>;

const SERVERS = ['s1', 's2', 's3'];
const BOUNDS = { maxTerm: 3 };
const RENAMINGS = permutations(SERVERS);
const inverse = (rename: Rename) => new Map([...rename].map(([a, b]) => [b, a]));
const per = <T>(value: T) => Object.fromEntries(SERVERS.map((s) => [s, value]));

const INIT: QuorumState = {
  currentTerm: per(0),
  role: per('Follower' as const),
  votedFor: per(NONE),
  votesReceived: per([]),
  side: per(0 as const),
  elected: [[], [], []],
};

/** Every step of the vocabulary in `state`, as the state-graph check offers them. */
function labelsIn(state: QuorumState): readonly QuorumLabel[] {
  return QUORUM_SAFETY_DEFINITION.candidates(electionRunOf(state), BOUNDS);
}

/** The state a walk reaches: each choice takes the first step, from that choice on, the core takes inside the bounds. */
function walk(choices: readonly number[]): QuorumState {
  let state = INIT;
  for (const choice of choices) {
    const labels = labelsIn(state);
    let next: QuorumState | undefined;
    for (let k = 0; k < labels.length && next === undefined; k++) {
      const label = labels[(choice + k) % labels.length] as QuorumLabel;
      const result = stepElection(electionRunOf(state), label, step);
      if (result.refused === undefined && QUORUM_SAFETY_DEFINITION.insideModel(label, result.impl, BOUNDS)) next = abstractState(result.impl);
    }
    if (next === undefined) break;
    state = next;
  }
  return state;
}

const walks = fc.array(fc.nat(), { maxLength: 16 });
const renamings = fc.integer({ min: 0, max: RENAMINGS.length - 1 }).map((r) => RENAMINGS[r] as Rename);

/** Whether the driver stepped by `core` commutes with `renameState`, for one state, step and renaming. */
function commutes(state: QuorumState, label: QuorumLabel, rename: Rename, renameState: typeof renameQuorumState, core = step): boolean {
  const direct = stepElection(electionRunOf(state), label, core);
  const renamed = stepElection(electionRunOf(renameState(state, rename)), renameQuorumLabel(label, rename), core);
  if ((direct.refused === undefined) !== (renamed.refused === undefined)) return false;
  if (direct.refused !== undefined || renamed.refused !== undefined) return true;
  return quorumStateKey(abstractState(renamed.impl)) === quorumStateKey(renameState(abstractState(direct.impl), rename));
}

describe('renaming QuorumSafety states and labels', () => {
  it('walks reach states with candidates, votes, leaders and cuts (the property below is not vacuous)', () => {
    const states = fc.sample(walks, { seed: FC_SEED, numRuns: 300 }).map(walk);
    expect(states.some((s) => Object.values(s.role).includes('Leader'))).toBe(true);
    expect(states.some((s) => Object.values(s.votesReceived).some((v) => v.length >= 2))).toBe(true);
    expect(states.some((s) => Object.values(s.side).includes(1))).toBe(true);
    expect(states.some((s) => Object.values(s.currentTerm).includes(3))).toBe(true);
    expect(quorumServers(states[0] as QuorumState)).toEqual(SERVERS);
  });

  it('a renamed state is in the form the abstraction function writes, and renaming back restores it', () => {
    fc.assert(
      fc.property(walks, renamings, (choices, rename) => {
        const state = walk(choices);
        const renamed = renameQuorumState(state, rename);
        expect(canonicalJson(abstractState(electionRunOf(renamed)))).toBe(canonicalJson(renamed));
        expect(quorumStateKey(abstractState(electionRunOf(renamed)))).toBe(quorumStateKey(renamed));
        expect(canonicalJson(renameQuorumState(renamed, inverse(rename)))).toBe(canonicalJson(state));
      }),
      { seed: FC_SEED, numRuns: 300 },
    );
  });

  it('renaming a label and renaming it back restores it', () => {
    fc.assert(
      fc.property(walks, fc.nat(), renamings, (choices, l, rename) => {
        const labels = labelsIn(walk(choices));
        const label = labels[l % labels.length] as QuorumLabel;
        expect(renameQuorumLabel(renameQuorumLabel(label, rename), inverse(rename))).toEqual(label);
      }),
      { seed: FC_SEED, numRuns: 200 },
    );
  });

  it('quorumStateKey tells apart exactly the states canonicalJson tells apart', () => {
    const byJson = new Map<string, string>();
    for (const state of fc.sample(walks, { seed: FC_SEED, numRuns: 300 }).map(walk)) {
      for (const rename of RENAMINGS) {
        const renamed = renameQuorumState(state, rename);
        const key = quorumStateKey(renamed);
        const json = canonicalJson(renamed);
        const seen = byJson.get(json);
        if (seen !== undefined) expect(seen).toBe(key);
        byJson.set(json, key);
      }
    }
    expect(byJson.size).toBeGreaterThan(100);
    expect(new Set(byJson.values()).size).toBe(byJson.size);
  });

  it('the driver commutes with renaming: the renamed step of the renamed run reaches the renamed state', () => {
    fc.assert(
      fc.property(walks, fc.nat(), renamings, (choices, l, rename) => {
        const state = walk(choices);
        const labels = labelsIn(state);
        expect(commutes(state, labels[l % labels.length] as QuorumLabel, rename, renameQuorumState)).toBe(true);
      }),
      { seed: FC_SEED, numRuns: 1500 },
    );
  });

  it('negative control: a renaming that leaves the votes unrenamed is caught by the same property', () => {
    const forgetsVotes: typeof renameQuorumState = (state, rename) => ({ ...renameQuorumState(state, rename), votedFor: renameKeysOnly(state.votedFor, rename) });
    const result = fc.check(
      fc.property(walks, fc.nat(), renamings, (choices, l, rename) => {
        const state = walk(choices);
        const labels = labelsIn(state);
        return commutes(state, labels[l % labels.length] as QuorumLabel, rename, forgetsVotes);
      }),
      { seed: FC_SEED, numRuns: 1500 },
    );
    expect(result.failed).toBe(true);
  });

  it('negative control: a core that is not symmetric (the double-vote defect only for s1) is caught by the same property', () => {
    const asymmetric = DEFECTS['double-vote'].step;
    const result = fc.check(
      fc.property(walks, fc.nat(), renamings, (choices, l, rename) => {
        const state = walk(choices);
        const labels = labelsIn(state);
        const label = labels[l % labels.length] as QuorumLabel;
        return commutes(state, label, rename, renameQuorumState, (node, input) => (node.id === 's1' ? asymmetric(node, input) : step(node, input)));
      }),
      { seed: FC_SEED, numRuns: 3000 },
    );
    expect(result.failed).toBe(true);
  });
});

function renameKeysOnly<V>(record: Readonly<Record<string, V>>, rename: Rename): Record<string, V> {
  return Object.fromEntries(Object.entries(record).map(([id, v]) => [rename.get(id) ?? id, v]));
}
