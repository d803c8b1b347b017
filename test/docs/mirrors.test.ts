// Pairing TLA+ operators with their TypeScript mirrors, through the protocol definitions: each
// definition names the module that exports its mirrors.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type MirrorCandidate, type MirrorContext, matchMirror } from '../../src/docs/mirrors.js';

const ROOT = '/repo';
const candidate = (name: string, file: string): MirrorCandidate => ({ name, file: join(ROOT, file), declarationReference: `"x"!${name}` });
const context: MirrorContext = {
  root: ROOT,
  protocols: [
    { name: 'raft', specModules: ['Raft'], mirrors: 'src/raft/invariants.ts' },
    { name: 'quorum-safety', specModules: ['QuorumSafety'], mirrors: 'src/definitions/quorum-safety/invariants.ts' },
  ],
};

describe('pairing operators with TS mirrors', () => {
  const api = [
    candidate('TypeOK', 'src/raft/invariants.ts'),
    candidate('ElectionSafety', 'src/raft/invariants.ts'),
    candidate('NoSplitBrain', 'src/definitions/quorum-safety/invariants.ts'),
    candidate('electionSafety', 'src/raft/other.ts'),
    candidate('ElectionSafety', 'src/util/checks.ts'),
  ];

  it('pairs by exact name with the export of the module the protocol names, harness modules included', () => {
    expect(matchMirror({ name: 'ElectionSafety', module: 'Raft' }, api, context)).toEqual({ status: 'found', mirror: api[1], protocol: 'raft' });
    expect(matchMirror({ name: 'ElectionSafety', module: 'MCRaft' }, api, context)).toMatchObject({ status: 'found', protocol: 'raft' });
    expect(matchMirror({ name: 'NoSplitBrain', module: 'MCQuorumSafety' }, api, context)).toMatchObject({ status: 'found', protocol: 'quorum-safety' });
  });

  it("never pairs with a same-named export of another protocol's mirrors, and says whose it is", () => {
    expect(matchMirror({ name: 'TypeOK', module: 'QuorumSafety' }, api, context)).toEqual({
      status: 'missing',
      protocol: 'quorum-safety',
      rejected: [{ candidate: api[0], owner: 'raft' }],
    });
  });

  it('a same-named export elsewhere is not a mirror either; a spec no protocol covers has none', () => {
    expect(matchMirror({ name: 'ElectionSafety', module: 'Raft' }, [api[4] as MirrorCandidate], context)).toEqual({
      status: 'missing',
      protocol: 'raft',
      rejected: [{ candidate: api[4] }],
    });
    expect(matchMirror({ name: 'ElectionSafety', module: 'Paxos' }, api, context)).toMatchObject({ status: 'missing', rejected: [{ owner: 'raft' }, {}] });
    expect(matchMirror({ name: 'ElectionSafety', module: 'Paxos' }, api, context)).not.toHaveProperty('protocol');
  });

  it('is case-sensitive: a renamed mirror is missing', () => {
    expect(matchMirror({ name: 'LogMatching', module: 'Raft' }, api, context)).toEqual({ status: 'missing', protocol: 'raft', rejected: [] });
    expect(matchMirror({ name: 'ElectionSafety', module: 'Raft' }, [api[3] as MirrorCandidate], context)).toMatchObject({ status: 'missing' });
  });
});
