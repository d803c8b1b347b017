import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type MirrorCandidate, matchMirror } from '../../src/docs/mirrors.js';

const SRC = '/repo/src';
const candidate = (name: string, file: string): MirrorCandidate => ({ name, file: join(SRC, file), declarationReference: `"x"!${name}` });
const context = { srcDir: SRC, specModules: ['Raft', 'MCRaft', 'QuorumSafety', 'MCQuorumSafety'] };

describe('pairing operators with TS mirrors', () => {
  const api = [
    candidate('TypeOK', 'raft/invariants.ts'),
    candidate('ElectionSafety', 'raft/invariants.ts'),
    candidate('Shared', 'checks/shared.ts'),
    candidate('electionSafety', 'raft/other.ts'),
  ];

  it('pairs by exact name within the spec\'s own folder', () => {
    expect(matchMirror({ name: 'ElectionSafety', module: 'Raft' }, api, context)).toEqual({ status: 'found', mirror: api[1] });
    expect(matchMirror({ name: 'ElectionSafety', module: 'MCRaft' }, api, context)).toMatchObject({ status: 'found' });
  });

  it('never pairs with a same-named export in another spec\'s folder, and says which', () => {
    expect(matchMirror({ name: 'TypeOK', module: 'QuorumSafety' }, api, context)).toEqual({
      status: 'missing',
      rejected: [{ candidate: api[0], ownerModule: 'Raft' }],
    });
  });

  it('accepts exports outside any spec folder, preferring the spec\'s own folder', () => {
    expect(matchMirror({ name: 'Shared', module: 'QuorumSafety' }, api, context)).toEqual({ status: 'found', mirror: api[2] });
    const both = [candidate('Inv', 'util/inv.ts'), candidate('Inv', 'raft/inv.ts')];
    expect(matchMirror({ name: 'Inv', module: 'Raft' }, both, context)).toEqual({ status: 'found', mirror: both[1] });
  });

  it('is case-sensitive: a renamed mirror is missing', () => {
    expect(matchMirror({ name: 'LogMatching', module: 'Raft' }, api, context)).toEqual({ status: 'missing', rejected: [] });
    expect(matchMirror({ name: 'ElectionSafety', module: 'Raft' }, [api[3] as MirrorCandidate], context)).toMatchObject({ status: 'missing' });
  });
});
