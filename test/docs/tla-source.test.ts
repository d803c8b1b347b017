import { describe, expect, it } from 'vitest';
import { commentToProse, extractDefinition } from '../../src/docs/tla-source.js';

const SOURCE = [
  '---- MODULE M ----', // 1
  '(* Section *)', // 2
  '', // 3
  '\\* First line of the comment,', // 4
  '\\* and its second line.', // 5
  'Inv ==', // 6
  '    /\\ x > 0', // 7
  '    /\\ y > 0  \\* trailing comment', // 8
  '', // 9
  '(*************)', // 10
  '(* Boxed.     *)', // 11
  '(*            *)', // 12
  '(* Two paras. *)', // 13
  '(*************)', // 14
  'Boxed == TRUE', // 15
  'Next == x\' = x + 1', // 16
  '', // 17
  '(* Section *)', // 18
  '', // 19
  'Detached == TRUE', // 20
  '   Indented(a) == a', // 21
].join('\n');

const at = (startLine: number, startColumn: number, endLine: number, endColumn: number) => ({ module: 'M', startLine, startColumn, endLine, endColumn });

describe('TLA+ definitions and their comments', () => {
  it('cuts the definition at SANY\'s range and takes the \\* comment lines right above', () => {
    const d = extractDefinition(SOURCE, at(6, 1, 8, 12));
    expect(d.text).toBe('Inv ==\n    /\\ x > 0\n    /\\ y > 0');
    expect(d.rawComment).toBe('\\* First line of the comment,\n\\* and its second line.');
    expect(d.comment).toBe('First line of the comment, and its second line.');
    expect(d.firstLine).toBe(4);
  });

  it('takes a boxed (* *) block, keeping its paragraphs', () => {
    const d = extractDefinition(SOURCE, at(15, 1, 15, 13));
    expect(d.text).toBe('Boxed == TRUE');
    expect(d.comment).toBe('Boxed.\n\nTwo paras.');
    expect(d.firstLine).toBe(10);
  });

  it('has no comment when the line above is code or blank (a blank line detaches a section comment)', () => {
    expect(extractDefinition(SOURCE, at(16, 1, 16, 18)).comment).toBeUndefined();
    const detached = extractDefinition(SOURCE, at(20, 1, 20, 16));
    expect(detached).toEqual({ text: 'Detached == TRUE', firstLine: 20 });
  });

  it('cuts a one-line range at both columns', () => {
    expect(extractDefinition(SOURCE, at(21, 4, 21, 19)).text).toBe('Indented(a) == a');
  });

  it('refuses a range outside the file', () => {
    expect(() => extractDefinition(SOURCE, at(40, 1, 41, 2))).toThrow(/outside the file/);
    expect(() => extractDefinition(SOURCE, at(16, 1, 16, 99))).toThrow(/outside the file/);
  });

  it('prose drops comment marks and box borders', () => {
    expect(commentToProse(['(***)', '(* a  *)', '(* b *)', '(*   *)', '(* c *)', '(***)'])).toBe('a b\n\nc');
    expect(commentToProse(['\\* x', '\\*', '\\* y'])).toBe('x\n\ny');
  });
});
