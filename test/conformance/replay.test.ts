// Replay of one trace: loading checks (another model, unknown action, state not type-correct), the
// divergence report (file, step, action, variable path, expected, actual, steps before), refusals.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatDivergence, loadTrace } from '../../src/conformance/replay.js';
import { RAFT, RAFT_DEFINITION } from '../../src/definitions/raft/definition.js';
import { clusterFromSpecState, specStateFromTla } from '../../src/definitions/raft/trace-values.js';
import { ExitCode } from '../../src/errors.js';
import { REPO_ROOT } from '../../src/paths.js';
import { initialCluster, toSpecState } from '../../src/raft/index.js';
import { TraceError, parseTrace } from '../../src/trace/itf-trace.js';

const FILE = 'traces/raft/scenario/vote-refused-already-voted.itf.json';
// A JSON document the tests mutate freely; only parseTrace ever reads it.
type Json = any;
const original = (): Json => JSON.parse(readFileSync(join(REPO_ROOT, FILE), 'utf8'));
const load = (json: Json) => loadTrace(RAFT_DEFINITION, parseTrace(JSON.stringify(json), FILE), FILE);
const replay = (json: Json) => {
  const t = RAFT.load(parseTrace(JSON.stringify(json), FILE), FILE);
  return RAFT.replay(t);
};

function loadError(json: Json): TraceError {
  try {
    load(json);
  } catch (e) {
    expect(e).toBeInstanceOf(TraceError);
    expect((e as TraceError).exitCode).toBe(ExitCode.SPEC_ERROR);
    return e as TraceError;
  }
  throw new Error('expected a TraceError');
}

describe('loading a Raft trace', () => {
  it('a committed trace loads and replays', () => {
    const t = load(original());
    expect(Object.keys(t.initial.currentTerm)).toEqual(['s1', 's2', 's3']);
    expect(t.steps.length).toBeGreaterThan(0);
    expect(replay(original()).divergence).toBeUndefined();
  });

  it('a trace of another model: another spec in #meta, or other variables', () => {
    const other = original();
    other['#meta'].spec = 'QuorumSafety';
    expect(loadError(other).message).toMatch(/is a trace of another model: QuorumSafety .* but it is replayed as Raft \(protocol raft\)/);
    const vars = original();
    vars.vars = vars.vars.filter((v: string) => v !== 'commitHistory');
    for (const s of vars.states) delete s.commitHistory;
    expect(loadError(vars).message).toMatch(/another model: its variables are not Raft's \(missing commitHistory\)/);
  });

  it('an unknown action, named with the file and state', () => {
    const json = original();
    json.states[2].action = { name: 'Teleport', node: 's1' };
    json.states[2]['mbt::actionTaken'] = 'Teleport';
    expect(loadError(json).message).toBe(`${FILE}, state 2: unknown action: action: unknown action name "Teleport"`);
  });

  it('a label that disagrees with mbt::actionTaken', () => {
    const json = original();
    json.states[1]['mbt::actionTaken'] = 'Restart';
    expect(loadError(json).message).toMatch(/state 1: mbt::actionTaken says Restart but the action label says Timeout/);
  });

  it.each([
    ['role', (s: Json) => (s.role['#map'][0][1] = 'King'), /state 3: the state is not type-correct: role\[s1\]: expected one of Follower, Candidate, Leader, got "King"/],
    ['votedFor', (s: Json) => (s.votedFor['#map'][1][1] = 's9'), /votedFor\[s2\]: expected a server or Nil, got s9/],
    ['currentTerm', (s: Json) => (s.currentTerm['#map'][2][1] = { '#bigint': '-1' }), /currentTerm\[s3\]: expected a natural number, got -1/],
    ['nextIndex domain', (s: Json) => s.nextIndex['#map'].pop(), /nextIndex: has no entry for s3/],
    ['log entry', (s: Json) => (s.log['#map'][0][1] = [{ term: { '#bigint': '1' } }]), /log\[s1\]\[1\]: expected fields term, value; missing value/],
  ])('a state that is not type-correct (%s): the variable path is named', (_, mutate, message) => {
    const json = original();
    mutate(json.states[3]);
    expect(loadError(json).message).toMatch(message);
  });
});

describe('replay', () => {
  it('a state that differs: file, step, action, variable path, expected, actual and the steps before', () => {
    const json = original();
    const last = json.states.length - 1;
    json.states[last].currentTerm['#map'][1][1] = { '#bigint': '7' };
    const d = replay(json).divergence!;
    expect(d).toMatchObject({ file: FILE, step: last, kind: 'state' });
    expect(d.differences).toEqual([{ path: 'currentTerm[s2]', expected: '7', actual: expect.any(String) }]);
    expect(d.before).toHaveLength(3);
    const text = formatDivergence(d);
    expect(text).toMatch(new RegExp(`^${FILE}, step ${last}: HandleRequestVoteRequest\\(`));
    expect(text).toMatch(/currentTerm\[s2\]: expected 7, actual \d/);
    expect(text).toMatch(/steps before:\n +\d+ {2}\w+/);
  });

  it('a step the core refuses: the core\'s reason', () => {
    const json = original();
    // State 1 is Timeout(sX); claim instead that the follower became leader.
    json.states[1].action = { name: 'BecomeLeader', node: json.states[1].action.node };
    json.states[1]['mbt::actionTaken'] = 'BecomeLeader';
    json.states[1]['mbt::nondetPicks'] = { node: json.states[1].action.node };
    const d = replay(json).divergence!;
    expect(d).toMatchObject({ step: 1, kind: 'refused' });
    expect(formatDivergence(d)).toMatch(/the implementation refused the step the spec took: BecomeLeader\(s\d\) is not enabled/);
  });

  it('the initial cluster is exactly the trace\'s initial state', () => {
    const t = load(original());
    expect(toSpecState(clusterFromSpecState(t.initial))).toEqual(t.initial);
    expect(toSpecState(initialCluster(['s1', 's2', 's3']))).toEqual(t.initial);
    expect(specStateFromTla(parseTrace(JSON.stringify(original()), FILE).states[0]!.vars)).toEqual(t.initial);
  });
});
