// Reading a Raft trace's values: messages and action labels round-trip through the spec's form as TLA+
// values, and a malformed one is refused with the path of what is wrong (one error type, SpecValueError,
// with code unknown-action for a name outside the vocabulary).
import { describe, expect, it } from 'vitest';
import { actionLabelFromTla, specMessageFromTla } from '../../../src/definitions/raft/trace-values.js';
import { SpecValueError } from '../../../src/protocol/definition.js';
import { messageFromSpec, toSpecActionLabel, toSpecMessage } from '../../../src/raft/index.js';
import { type TlaValue, tla } from '../../../src/tla/value.js';
import { SAMPLE_LABELS, aeReq, aeResp, rvReq, rvResp } from '../../support/raft-samples.js';

/** Plain spec data as the TLA+ values a trace holds (strings as strings, as ITF writes model values). */
function tlaOf(value: unknown): TlaValue {
  if (typeof value === 'number') return tla.int(value);
  if (typeof value === 'string') return tla.str(value);
  if (typeof value === 'boolean') return tla.bool(value);
  if (Array.isArray(value)) return tla.seq(...value.map(tlaOf));
  return tla.record(Object.fromEntries(Object.entries(value as object).map(([k, v]) => [k, tlaOf(v)])));
}

function refusal(read: () => unknown): SpecValueError {
  try {
    read();
  } catch (e) {
    expect(e).toBeInstanceOf(SpecValueError);
    return e as SpecValueError;
  }
  throw new Error('expected a SpecValueError');
}

describe('messages', () => {
  it.each([rvReq, rvResp, aeReq, aeResp])('round-trips a $type', (m) => {
    expect(messageFromSpec(specMessageFromTla(tlaOf(toSpecMessage(m)), ['s1', 's2', 's3'], 'm'))).toEqual(m);
  });

  it.each([
    [tla.int(1), /m: expected a message record, got a int/],
    [tlaOf({ mtype: 'Gossip', mterm: 1, msource: 's1', mdest: 's2' }), /m\.mtype: expected one of RequestVoteRequest, .*, got "Gossip"/],
    [tlaOf({ mtype: 'RequestVoteResponse', mterm: 1, msource: 's1', mdest: 's2' }), /m: expected fields .*; missing mvoteGranted/],
    [tlaOf({ mtype: 'RequestVoteResponse', mterm: -1, msource: 's1', mdest: 's2', mvoteGranted: true }), /m\.mterm: expected a natural number, got -1/],
    [tlaOf({ mtype: 'RequestVoteResponse', mterm: 1, msource: 1, mdest: 's2', mvoteGranted: true }), /m\.msource: expected a server, got 1/],
    [tlaOf({ mtype: 'RequestVoteResponse', mterm: 1, msource: 's1', mdest: 's2', mvoteGranted: 'yes' }), /m\.mvoteGranted: expected TRUE or FALSE, got "yes"/],
    [tlaOf({ ...toSpecMessage(aeReq), mentries: 'x' }), /m\.mentries: expected a sequence, got "x"/],
    [tlaOf({ ...toSpecMessage(aeReq), mentries: [{ term: 1 }] }), /m\.mentries\[1\]: expected fields term, value; missing value/],
    [tlaOf({ ...toSpecMessage(rvResp), mdest: 's9' }), /m\.mdest: s9 is not a server/],
  ])('refuses a malformed record %#, naming the path', (value, message) => {
    expect(refusal(() => specMessageFromTla(value, ['s1', 's2', 's3'], 'm')).message).toMatch(message);
  });
});

describe('action labels', () => {
  it.each(SAMPLE_LABELS)('round-trips $name through the spec form', (label) => {
    expect(actionLabelFromTla(tlaOf(toSpecActionLabel(label)))).toEqual(label);
  });

  it.each([
    [{ name: 'Elect', node: 's1' }, /action: unknown action name "Elect"/, 'unknown-action'],
    [{ name: 'Timeout' }, /action: field "node" is missing/, 'shape'],
    [{ name: 'Timeout', node: 's1', peer: 's2' }, /action: Timeout takes node, not "peer"/, 'shape'],
    [{ name: 'HandleRequestVoteRequest', node: 's2', peer: 's1', message: toSpecMessage(aeReq) }, /carries a AppendEntriesRequest, expected RequestVoteRequest/, 'shape'],
  ])('refuses a bad label %#', (value, message, code) => {
    const e = refusal(() => actionLabelFromTla(tlaOf(value)));
    expect(e.message).toMatch(message);
    expect(e.code).toBe(code);
  });

  it.each(['constructor', 'toString', '__proto__', 'hasOwnProperty'])('an action named %j (inherited by every JS object) is an unknown action', (name) => {
    const e = refusal(() => actionLabelFromTla(tlaOf({ name, node: 's2', peer: 's1', message: toSpecMessage(rvReq) })));
    expect(e.message).toBe(`action: unknown action name ${JSON.stringify(name)}`);
    expect(e.code).toBe('unknown-action');
  });
});
