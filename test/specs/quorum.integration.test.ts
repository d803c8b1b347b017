// The quorum-safety models under specs/, run through the real TLC: majorities hold, and both
// negative controls are refuted with counterexamples that show the failure they claim.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runTlc } from '../../src/tlc/run.js';
import { type TlaValue, tla, tlaEquals } from '../../src/tla/value.js';
import { SPECS, tlcToolchain } from '../support/tlc.js';

const check = async (config: string, module = 'MCQuorumSafety') =>
  runTlc({ module: join(SPECS, `${module}.tla`), config: join(SPECS, `${config}.cfg`), toolchain: await tlcToolchain(), workers: 2 });

function fnEntries(value: TlaValue | undefined): [TlaValue, TlaValue][] {
  if (value?.kind === 'fn') return value.entries.map(([k, v]) => [k, v]);
  if (value?.kind === 'seq') return value.elements.map((v, i) => [tla.int(i + 1), v]);
  throw new Error(`not a function: ${JSON.stringify(value)}`);
}

describe('QuorumSafety', () => {
  it('3 servers with majority quorums: no split brain, exhaustively', async () => {
    const r = await check('MCQuorum3');
    expect(r.outcome).toBe('ok');
    expect(r.stats?.distinct).toBeGreaterThan(1000);
  });

  it('quorum n div 2 (negative control): two leaders in one term, each elected by a quorum of 2 of 5', async () => {
    const r = await check('MCQuorumSplitBrain');
    expect(r.violation).toEqual({ kind: 'invariant', name: 'NoSplitBrain' });
    const last = r.counterexample[r.counterexample.length - 1]?.vars ?? {};
    const [[, leadersOfTerm1] = []] = fnEntries(last.elected);
    expect(leadersOfTerm1?.kind === 'set' && leadersOfTerm1.elements.length).toBe(2);
    for (const leader of leadersOfTerm1?.kind === 'set' ? leadersOfTerm1.elements : []) {
      const votes = fnEntries(last.votesReceived).find(([s]) => tlaEquals(s, leader))?.[1];
      expect(votes?.kind === 'set' && votes.elements.length).toBeGreaterThanOrEqual(2);
    }
  });
});

describe('QuorumIntersection', () => {
  it('majority quorums intersect for every n <= 9, and intersection holds exactly when 2q > n', async () => {
    expect((await check('MCQuorumIntersection', 'QuorumIntersection')).outcome).toBe('ok');
    const any = await check('MCQuorumIntersectionAnySize', 'QuorumIntersection');
    expect(any.outcome).toBe('ok');
    expect(any.stats?.distinct).toBe(45); // every (n, q) with 1 <= q <= n <= 9
  });

  it('quorum n div 2 (negative control): refuted at the smallest cluster, n = 2 with q = 1', async () => {
    const r = await check('MCQuorumIntersectionHalf', 'QuorumIntersection');
    expect(r.violation?.name).toBe('QuorumsIntersect');
    expect(r.counterexample).toEqual([{ index: 1, action: null, vars: { n: tla.int(2), q: tla.int(1) } }]);
  });
});
