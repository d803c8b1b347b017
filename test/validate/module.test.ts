// The generated TLA+ module: what it checks and how it keeps the literal small (its TLC behaviour is
// tested against real traces in validate.integration.test.ts).
import { describe, expect, it } from 'vitest';
import { RAFT_VALIDATION } from '../../src/definitions/raft/validation.js';
import { tla } from '../../src/tla/value.js';
import { MalformedTraceError, headerLine, parseImplTrace } from '../../src/validate/format.js';
import { traceModule } from '../../src/validate/module.js';

const M = '{"mtype":"RequestVoteRequest","mterm":1,"mlastLogTerm":0,"mlastLogIndex":0,"msource":"s1","mdest":"s2"}';
function trace(unlogged: readonly string[] = []) {
  return parseImplTrace(
    [
      headerLine({ protocol: 'raft', constants: { Server: { '#set': ['s1', 's2'] } }, modelValues: ['Nil'], unlogged }),
      `{"action":{"name":"Timeout","node":"s1"},"vars":{"currentTerm":1,"role":"Candidate"},"sent":{"#set":[${M}]}}`,
      `{"action":{"name":"DuplicateMessage","message":${M}}}`,
      `{"action":{"name":"HandleRequestVoteRequest","node":"s2","peer":"s1","message":${M}},"vars":{"currentTerm":1,"role":"Follower"}}`,
      `{"action":{"name":"HandleRequestVoteRequest","node":"s2","peer":"s1","message":${M}},"vars":{"currentTerm":1,"role":"Follower"}}`,
      '{"action":{"name":"ClientRequest","node":"s1","value":"put x"},"vars":{"currentTerm":1,"role":"Candidate"}}',
    ].join('\n'),
    't.ndjson',
  );
}

describe('traceModule', () => {
  const t = trace();
  const constants = RAFT_VALIDATION.constants(t.header.constants, t.events);

  it('fixes the constants from the header and the values the trace names', () => {
    expect(constants.get('Value')).toEqual(tla.set(tla.str('put x')));
    const { configText } = traceModule(t, RAFT_VALIDATION, constants);
    expect(configText).toContain('Server <- Trace_Server');
    expect(configText).toContain('Value <- Trace_Value');
    expect(configText).toContain('UNSAFE_GrantVoteTwice = FALSE');
  });

  it('defines each message once and checks a variable logged with the same value as unchanged', () => {
    const { moduleText } = traceModule(t, RAFT_VALIDATION, constants);
    expect(moduleText.match(/mtype \|-> "RequestVoteRequest"/g)).toHaveLength(1);
    expect(moduleText).toContain('Msg_1 == [mtype |-> "RequestVoteRequest"');
    // s2's second vote handling repeats its variables: they are listed as the same, not spelled out.
    expect(moduleText).toMatch(/same \|-> Same_1/);
    expect(moduleText).toContain('Same_1 == {"currentTerm", "role"}');
    expect(moduleText).toContain("ELSE IF SameVar(\"currentTerm\") THEN currentTerm'[E.node] = currentTerm[E.node]");
    // Nothing is unlogged: no silent step, no copy made for the log.
    expect(moduleText).toMatch(/SilentStep ==\n {4}FALSE/);
    expect(moduleText).toMatch(/CopyStep ==\n {4}FALSE/);
  });

  it('spells everything out when not compacting', () => {
    const { moduleText } = traceModule(t, RAFT_VALIDATION, constants, { compact: false });
    expect(moduleText).not.toContain('Msg_1');
    expect(moduleText).not.toContain('same |->');
  });

  it('lets TLC take unlogged actions, copies a message consumed again only when the log leaves copies out, never a drop', () => {
    const partial = trace(['BecomeLeader', 'DropMessage', 'DuplicateMessage']);
    const { moduleText } = traceModule(partial, RAFT_VALIDATION, constants, { maxGap: 3 });
    expect(moduleText).toContain('SilentActions == {"BecomeLeader"}');
    expect(moduleText).toContain('MaxGap == 3');
    expect(moduleText).toContain('DuplicateMessage(E.action.message)');
    // The first of the two consumptions of the message is marked: a later event consumes it again.
    expect(moduleText.match(/again \|-> TRUE/g)).toHaveLength(1);
    // With silent steps, an unchanged variable may have changed in a gap: every value is spelled out.
    expect(moduleText).not.toContain('same |->');
  });

  it('refuses a logged variable the spec has not, naming the line', () => {
    const bad = parseImplTrace(`${headerLine({ protocol: 'raft', constants: { Server: { '#set': ['s1'] } }, modelValues: [] })}\n{"action":{"name":"Timeout","node":"s1"},"vars":{"mood":1}}`, 'bad.ndjson');
    expect(() => traceModule(bad, RAFT_VALIDATION, constants)).toThrow(MalformedTraceError);
    expect(() => traceModule(bad, RAFT_VALIDATION, constants)).toThrow(/bad.ndjson:2: "vars.mood" is not a node variable of Raft/);
  });
});
