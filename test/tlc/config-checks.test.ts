import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfigChecks, readConfigChecks, sectionLines } from '../../src/tlc/config-checks.js';
import { ExitCode, WorkbenchError } from '../../src/errors.js';

const FIXTURE = join(import.meta.dirname, '..', 'fixtures', 'docs', 'specs');

describe('model config checks', () => {
  it('reads INVARIANT(S) and PROPERTY/PROPERTIES sections across lines, with comments anywhere', async () => {
    expect(await readConfigChecks(join(FIXTURE, 'MCLamp.cfg'))).toEqual([
      { kind: 'invariant', name: 'TypeOK', line: 7 },
      { kind: 'invariant', name: 'Bounded', line: 8 },
      { kind: 'invariant', name: 'HarnessInv', line: 8 },
      { kind: 'property', name: 'Monotonic', line: 9 },
    ]);
  });

  it('ignores names in other sections and in comments, and words that merely contain a keyword', () => {
    const text = [
      '\\* @description INVARIANT NotMe',
      'CONSTANTS Server = {s1, s2}  INVARIANT_LIKE = 1',
      '(* INVARIANT NotMeEither (* nested *) PROPERTY Nope *)',
      'SYMMETRY Perms VIEW View',
      'INVARIANT A',
      'PROPERTIES B',
      '  C',
      'CONSTRAINT Bound',
    ].join('\n');
    expect(parseConfigChecks(text, 'x.cfg').map((c) => `${c.kind} ${c.name}`)).toEqual(['invariant A', 'property B', 'property C']);
  });

  it('rejects what TLC would reject in a name section, with file and line', () => {
    const error = (() => {
      try {
        parseConfigChecks('INIT Init\nINVARIANT Inv = 3\n', 'bad.cfg');
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(WorkbenchError);
    expect((error as WorkbenchError).message).toBe('bad.cfg:2: INVARIANT takes operator names, found "="');
    expect((error as WorkbenchError).exitCode).toBe(ExitCode.SPEC_ERROR);
    expect(() => parseConfigChecks('(* never closed\nINVARIANT A', 'c.cfg')).toThrow('c.cfg:1: comment "(*" is never closed');
  });

  it('every config under specs/ parses', async () => {
    const specs = join(import.meta.dirname, '..', '..', 'specs');
    for (const cfg of readdirSync(specs).filter((f) => f.endsWith('.cfg'))) {
      await expect(readConfigChecks(join(specs, cfg))).resolves.toBeInstanceOf(Array);
    }
  });
});

describe('sectionLines', () => {
  it('finds the lines of the named sections by TLC\'s token rules, comments and multi-line lists included', () => {
    const text = ['CONSTANTS N = 3', 'SPECIFICATION', '  Spec \\* the spec', 'INVARIANT TypeOK', 'PROPERTIES', '  Live', '  (* more *) Safe', 'SYMMETRY Perms'].join('\n');
    expect([...sectionLines(text, 'm.cfg', new Set(['SPECIFICATION', 'PROPERTIES']))]).toEqual([2, 3, 5, 6, 7]);
  });
});
