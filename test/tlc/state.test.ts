// TLC's printed states (`/\ x = value`): variable names are TLA+ identifiers, which may start with a
// digit, and every failure to parse is a typed error.
import { describe, expect, it } from 'vitest';
import { TlaValueSyntaxError } from '../../src/tla/parse-value.js';
import { tla } from '../../src/tla/value.js';
import { toTlcEvent } from '../../src/tlc/events.js';
import { parseStateBlock, parseStateBody } from '../../src/tlc/state.js';

// As TLC -tool prints a state of a behaviour (message 2217), for a spec with `VARIABLES 1st, count`.
const BLOCK = [
  '2: <Next line 12, col 9 to line 14, col 30 of module Digits>',
  '/\\ 1st = 3',
  '/\\ count = 2',
  '/\\ 2nd_seen = {1st, s2}',
].join('\n');

describe('TLC states', () => {
  it('reads a state block whose variables start with a digit', () => {
    const state = parseStateBlock(BLOCK);
    expect(state.index).toBe(2);
    expect(state.action).toEqual({ name: 'Next', location: { module: 'Digits', line: 12, column: 9, endLine: 14, endColumn: 30 } });
    expect(state.vars).toEqual({ '1st': tla.int(3), count: tla.int(2), '2nd_seen': tla.set(tla.modelValue('1st'), tla.modelValue('s2')) });
    expect(Object.keys(state.vars)).toEqual(['1st', 'count', '2nd_seen']);
  });

  it('the same block as TLC frames it becomes a state event', () => {
    const event = toTlcEvent({ type: 'message', code: 2217, severity: 4, body: BLOCK });
    expect(event).toMatchObject({ type: 'state', state: { index: 2, vars: { '1st': tla.int(3) } } });
  });

  it('a lone `1st = 3` (a spec with one variable) reads too', () => {
    expect(parseStateBody('1st = 3')).toEqual({ '1st': tla.int(3) });
  });

  it.each([
    ['/\\ 123 = 4', /not a variable assignment/],
    ['/\\ _ = 4', /not a variable assignment/],
    ['/\\ x == 4', /not a variable assignment|unexpected/],
    ['/\\ x = {1,', /expected|unexpected end/],
    ['/\\ x = 1\n/\\ x = 2', /variable x is assigned twice/],
  ])('%j fails with a typed error', (text, message) => {
    expect(() => parseStateBody(text)).toThrow(TlaValueSyntaxError);
    expect(() => parseStateBody(text)).toThrow(message);
  });

  it.each(['__proto__', 'constructor', 'hasOwnProperty'])('a variable named %j is refused with a typed error', (name) => {
    expect(() => parseStateBody(`/\\ ${name} = 1\n/\\ y = 2`)).toThrow(TlaValueSyntaxError);
    expect(() => parseStateBody(`/\\ ${name} = 1\n/\\ y = 2`)).toThrow(`variable name "${name}" is a name every JavaScript object inherits`);
  });
});
