// The implementation-trace format: what parses, and the one clear message (file:line, exit 4) for what does not.
import { describe, expect, it } from 'vitest';
import { ExitCode } from '../../src/errors.js';
import { tla } from '../../src/tla/value.js';
import { IMPL_TRACE_FORMAT, MalformedTraceError, headerLine, parseImplTrace } from '../../src/validate/format.js';

const HEADER = headerLine({ protocol: 'raft', constants: { Server: { '#set': ['s1', 's2'] } }, modelValues: ['Nil'] });
const TIMEOUT = '{"seq":1,"atMs":1.5,"action":{"name":"Timeout","node":"s1"},"vars":{"currentTerm":1,"votedFor":"s1","votesGranted":{"#set":["s1"]}}}';

function problem(text: string): MalformedTraceError {
  try {
    parseImplTrace(text, 't.ndjson');
  } catch (error) {
    if (error instanceof MalformedTraceError) return error;
    throw error;
  }
  throw new Error('parsed');
}

describe('parseImplTrace', () => {
  it('reads the header and the events, with ITF values and model values', () => {
    const trace = parseImplTrace(`${HEADER}\n${TIMEOUT}\n\n{"action":{"name":"BecomeLeader","node":"s1"},"vars":{"votedFor":"Nil"}}\n`, 't.ndjson');
    expect(trace.header.protocol).toBe('raft');
    expect(trace.header.constants.get('Server')).toEqual(tla.set(tla.str('s1'), tla.str('s2')));
    expect(trace.events).toHaveLength(2);
    const [first, second] = trace.events;
    expect(first).toMatchObject({ index: 1, line: 2, seq: 1, atMs: 1.5, node: 's1', name: 'Timeout' });
    expect(first?.vars?.get('votesGranted')).toEqual(tla.set(tla.str('s1')));
    // The node defaults to the label's; a header model value is read back as one.
    expect(second).toMatchObject({ index: 2, line: 4, node: 's1' });
    expect(second?.vars?.get('votedFor')).toEqual(tla.modelValue('Nil'));
  });

  it.each([
    ['', 'the file is empty'],
    [`${HEADER}\n`, 'a header but no event'],
    [`${TIMEOUT}\n`, 't.ndjson:1: the first line must be the header'],
    [`${HEADER}\nnot json\n`, 't.ndjson:2: not JSON'],
    [`${HEADER}\n[1,2]\n`, 't.ndjson:2: a line must be a JSON object'],
    [`${HEADER.replace('"protocol":"raft",', '')}\n${TIMEOUT}`, 't.ndjson:1: the header needs "protocol"'],
    [`${HEADER.replace('{', '{"colour":1,')}\n${TIMEOUT}`, 't.ndjson:1: unknown header field(s) colour'],
    [`${HEADER}\n{"action":{"node":"s1"}}`, 't.ndjson:2: an event needs "action", a label record with a "name"'],
    [`${HEADER}\n{"action":{"name":"Timeout"},"vars":{"currentTerm":1}}`, 't.ndjson:2: "vars" are a node\'s variables: the event needs "node" too'],
    [`${HEADER}\n{"action":{"name":"Timeout","node":"s1"},"sent":[1]}`, 't.ndjson:2: "sent" must be a set'],
    [`${HEADER}\n{"action":{"name":"Timeout","node":"s1"},"vars":{"log":{"#bigint":"x"}}}`, 't.ndjson:2: vars.log: #bigint needs a decimal string'],
    [`${HEADER}\n{"action":{"name":"Timeout","node":"s1"},"atMs":"soon"}`, 't.ndjson:2: "atMs" must be a number'],
    [`${HEADER}\n{"action":{"name":"Timeout","node":"s1"},"colour":1}`, 't.ndjson:2: unknown event field(s) colour'],
  ])('refuses %j: %s', (text, message) => {
    const error = problem(text);
    expect(error.exitCode).toBe(ExitCode.SPEC_ERROR);
    expect(error.message).toContain(message);
    expect(error.format()).toContain(IMPL_TRACE_FORMAT);
  });
});
