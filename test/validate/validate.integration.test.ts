// TLC validates traces recorded from the simulator (implementation -> spec conformance): a seeded batch of
// long faulty runs of the real core is valid, and each deliberately broken core's run is rejected at the
// first event the real core would not have produced (negative controls, one per defect).
import { describe, expect, it } from 'vitest';
import type { DefectName } from '../../src/raft/index.js';
import type { ProfileName } from '../../src/sim/arbitraries.js';
import { printTla } from '../../src/tla/value.js';
import { parseImplTrace } from '../../src/validate/format.js';
import { firstDivergence, generated, record, validate } from './helpers.js';

describe('a seeded batch of long simulator runs of the real core', () => {
  // Runs of the long profile (faults for 2.5 s) with at least 500 events, the first six seeds that have them.
  const batch = Array.from({ length: 30 }, (_, i) => i + 1)
    .map((seed) => ({ seed, rec: record(generated(2500, seed), undefined, `long-2500-${seed}`) }))
    .filter(({ rec }) => rec.events.length >= 500)
    .slice(0, 6);

  it('holds the faults and protocol events the issue asks for, at least 500 events each', () => {
    expect(batch).toHaveLength(6);
    const count = (name: string) => batch.reduce((n, { rec }) => n + rec.events.filter((e) => e.label.name === name).length, 0);
    for (const name of ['DropMessage', 'DuplicateMessage', 'Restart', 'BecomeLeader', 'ClientRequest', 'AdvanceCommitIndex', 'HandleAppendEntriesRequest']) {
      expect(count(name), name).toBeGreaterThan(0);
    }
    expect(count('BecomeLeader')).toBeGreaterThanOrEqual(batch.length * 2);
    expect(batch.some(({ rec }) => rec.events.some((e) => e.kind === 'network' && e.why.includes('partition')))).toBe(true);
    for (const { rec } of batch) expect(firstDivergence(rec)).toBeNull();
  });

  it.each(batch.map(({ seed, rec }) => [seed, rec] as const))('seed %i is a behaviour of specs/Raft.tla', async (_seed, rec) => {
    const verdict = await validate(rec.trace);
    expect(verdict.kind).toBe('valid');
    expect(verdict.distinctStates).toBe(rec.events.length + 1);
  });
});

// For each defect, a schedule that reaches its bug (the simulator's own checks are off, so the run goes on).
const NEGATIVE_CONTROLS: readonly (readonly [DefectName, ProfileName, number])[] = [
  ['double-vote', 'mixed', 1],
  ['skip-log-check', 'mixed', 1],
  ['commit-old-term', 'figure8', 1],
  ['volatile-voted-for', 'mixed', 3],
  ['commit-index-regress', 'mixed', 4],
  ['skip-consistency-check', 'mixed', 1],
  ['overcount-match', 'mixed', 4],
  ['minority-quorum', 'crashes', 2],
  // A write that leaves the vote or the term out shows only when the node comes back from its disk.
  ['vote-not-persisted', 'crashes', 230],
  ['term-persisted-with-vote-only', 'crashes', 1],
  ['restart-clears-vote', 'elections', 5],
  ['restart-term-from-log', 'mixed', 6],
  ['commit-by-log-length', 'stale-suffix', 26],
];

describe('negative controls: a broken core\'s recorded run is rejected where it leaves the spec', () => {
  it.each(NEGATIVE_CONTROLS)('%s (%s seed %i)', async (defect, profile, seed) => {
    const rec = record(generated(profile, seed), defect, `${defect}-${profile}-${seed}`);
    const diverges = firstDivergence(rec);
    expect(diverges, 'the schedule no longer reaches the bug').not.toBeNull();
    const verdict = await validate(rec.trace);
    expect(verdict.kind).toBe('rejected');
    if (verdict.kind !== 'rejected') return;
    expect(verdict.event.index, `rejected ${printTla(verdict.event.action)}`).toBe(diverges);
  });
});

describe('partial logs: TLC fills the gaps with the spec\'s own steps', () => {
  const rec = record(generated(2500, 1), undefined, 'partial');
  const lines = rec.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  const header = lines[0] as Record<string, unknown>;
  const named = (l: Record<string, unknown>) => (l['action'] as { name: string } | undefined)?.name;
  const write = (h: Record<string, unknown>, events: Record<string, unknown>[]) => parseImplTrace([h, ...events].map((x) => JSON.stringify(x)).join('\n'), 'partial');

  it('a log without the internal steps (BecomeLeader, AdvanceCommitIndex), some variables and sent sets is valid', async () => {
    const events = lines
      .slice(1)
      .filter((l) => !['BecomeLeader', 'AdvanceCommitIndex'].includes(named(l) ?? ''))
      .map((l, i) => {
        const { sent: _sent, ...rest } = l;
        const vars = { ...(l['vars'] as Record<string, unknown> | undefined) };
        delete vars['nextIndex'];
        delete vars['matchIndex'];
        if (i % 3 === 0) delete vars['log'];
        return l['vars'] === undefined ? rest : { ...rest, vars };
      });
    const verdict = await validate(write({ ...header, unlogged: ['BecomeLeader', 'AdvanceCommitIndex'] }, events));
    expect(verdict.kind).toBe('valid');
  });

  it('the same gaps not declared unlogged are rejected at the first step that needs one', async () => {
    const events = lines.slice(1).filter((l) => named(l) !== 'BecomeLeader');
    const verdict = await validate(write(header, events));
    expect(verdict.kind).toBe('rejected');
  });

  it('a log of node steps only, without the network\'s drops and copies, is valid', async () => {
    const events = lines.slice(1).filter((l) => !['DropMessage', 'DuplicateMessage'].includes(named(l) ?? ''));
    expect(events.length).toBeLessThan(lines.length - 1);
    const verdict = await validate(write({ ...header, unlogged: ['DropMessage', 'DuplicateMessage'] }, events));
    expect(verdict.kind).toBe('valid');
  });

  it('a partial log of a broken core is still rejected', async () => {
    const bad = record(generated('mixed', 1), 'double-vote', 'partial-double-vote');
    const events = bad.lines.slice(1).map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => named(l) !== 'AdvanceCommitIndex');
    const verdict = await validate(write({ ...(JSON.parse(bad.lines[0] as string) as Record<string, unknown>), unlogged: ['AdvanceCommitIndex'] }, events));
    expect(verdict.kind).toBe('rejected');
  });
});
