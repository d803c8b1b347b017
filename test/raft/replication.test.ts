import { describe, expect, it } from 'vitest';
import { Inputs, stabilize, step, initialNodeState } from '../../src/raft/index.js';
import { Story } from './helpers/story.js';

describe('log replication', () => {
  it('replicates an entry, commits it on a majority and tells the followers', async () => {
    const story = Story.of('s1', 's2', 's3');
    story.elect('s1', ['s2', 's3']);
    const accepted = story.act('s1', Inputs.ClientRequest('v1'));
    expect(accepted.replies).toEqual([{ type: 'Accepted', value: 'v1', index: 1, term: 1 }]);
    expect(accepted.persist).toEqual({ hardState: null, logWrite: { fromIndex: 1, entries: [{ term: 1, value: 'v1' }] } });

    story.act('s1', Inputs.AppendEntries('s2'));
    expect(story.inFlight({ to: 's2' })).toEqual([
      {
        type: 'AppendEntriesRequest',
        term: 1,
        from: 's1',
        to: 's2',
        prevLogIndex: 0,
        prevLogTerm: 0,
        entries: [{ term: 1, value: 'v1' }],
        commitIndex: 0,
      },
    ]);
    story.deliverAll();
    expect(story.node('s1')).toMatchObject({ matchIndex: { s2: 1 }, nextIndex: { s2: 2 } });

    story.note(`Leader plus s2 is a majority, and the entry is from the leader's own term.`);
    const commit = story.act('s1', Inputs.AdvanceCommitIndex());
    expect(commit.committed).toEqual([{ index: 1, term: 1, value: 'v1' }]);
    expect(story.node('s1').commitIndex).toBe(1);

    story.note('The next round carries commitIndex 1. s2 learns the commit; s3, which missed v1, gets it now (its nextIndex is still 1) and commits it in the same step, since the leader vouches for index 1.');
    story.act('s1', Inputs.AppendEntries('s2'));
    story.act('s1', Inputs.AppendEntries('s3'));
    const [toS2, toS3] = story.inFlight({ type: 'AppendEntriesRequest' });
    expect(toS2).toMatchObject({ to: 's2', prevLogIndex: 1, entries: [], commitIndex: 1 });
    expect(toS3).toMatchObject({ to: 's3', prevLogIndex: 0, entries: [{ term: 1, value: 'v1' }], commitIndex: 1 });
    const learned = story.act('s2', Inputs.HandleAppendEntriesRequest(toS2 as never));
    expect(learned.committed).toEqual([{ index: 1, term: 1, value: 'v1' }]);
    story.deliver({ type: 'AppendEntriesRequest' });
    expect(story.node('s3')).toMatchObject({ commitIndex: 1, log: [{ term: 1, value: 'v1' }] });
    await expect(story.transcript()).toMatchFileSnapshot('./__transcripts__/replication-commit-on-majority.txt');
  });

  it('repairs a lagging follower: nextIndex backs off and the conflicting suffix is replaced', async () => {
    const story = Story.of('s1', 's2', 's3');
    story.elect('s1', ['s2', 's3']);
    story.act('s1', Inputs.ClientRequest('x'));
    story.replicate('s1', 's2');
    story.replicate('s1', 's3');
    story.act('s1', Inputs.AdvanceCommitIndex());
    story.note('s1 takes two more writes in term 1 but is cut off before sending them.');
    story.act('s1', Inputs.ClientRequest('a1'));
    story.act('s1', Inputs.ClientRequest('a2'));
    story.drop({ from: 's1' });
    story.note(`s2 wins term 2 with s3, writes b1 and b2, commits them and tells s3; then s2 crashes and s3 wins term 3 with s2's vote. s3 starts with nextIndex 4 for everyone.`);
    story.elect('s2', ['s3']);
    story.act('s2', Inputs.ClientRequest('b1'));
    story.act('s2', Inputs.ClientRequest('b2'));
    story.replicate('s2', 's3');
    story.act('s2', Inputs.AdvanceCommitIndex());
    story.replicate('s2', 's3', 3);
    story.act('s2', Inputs.AppendEntries('s3'));
    story.deliverAll({ to: ['s2', 's3'] });
    story.act('s2', Inputs.Restart());
    story.elect('s3', ['s2']);
    expect(story.logOf('s1')).toEqual(['t1:x', 't1:a1', 't1:a2']);
    expect(story.logOf('s3')).toEqual(['t1:x', 't2:b1', 't2:b2']);
    expect(story.node('s3')).toMatchObject({ currentTerm: 3, commitIndex: 3, nextIndex: { s1: 4 } });

    story.note('Probe 1: prev = 3/t2; s1 has t1 at 3 and refuses. The higher term demotes s1.');
    story.act('s3', Inputs.AppendEntries('s1'));
    story.deliver({ to: 's1' });
    expect(story.node('s1')).toMatchObject({ role: 'Follower', currentTerm: 3 });
    story.deliver({ to: 's3' });
    expect(story.node('s3').nextIndex['s1']).toBe(3);

    story.note('Probe 2: prev = 2/t2; s1 has t1 at 2, refuses again.');
    story.act('s3', Inputs.AppendEntries('s1'));
    story.deliverAll({ to: ['s1', 's3'] });
    expect(story.node('s3').nextIndex['s1']).toBe(2);

    story.note('Probe 3: prev = 1/t1 matches. Entry b1 conflicts with a1: s1 drops a1, a2 and appends b1.');
    story.act('s3', Inputs.AppendEntries('s1'));
    const [probe] = story.inFlight({ to: 's1' });
    const repaired = story.act('s1', Inputs.HandleAppendEntriesRequest(probe as never));
    expect(repaired.persist).toEqual({ hardState: null, logWrite: { fromIndex: 2, entries: [{ term: 2, value: 'b1' }] } });
    expect(story.logOf('s1')).toEqual(['t1:x', 't2:b1']);
    story.note('The probe carried commitIndex 3 but only vouched for entries up to 2 (s1 had committed x itself).');
    expect(story.node('s1').commitIndex).toBe(2);
    expect(repaired.committed).toEqual([{ index: 2, term: 2, value: 'b1' }]);
    story.deliverAll({ to: ['s1', 's3'] });
    story.replicate('s3', 's1');
    expect(story.logOf('s1')).toEqual(['t1:x', 't2:b1', 't2:b2']);
    expect(story.node('s3')).toMatchObject({ matchIndex: { s1: 3 }, nextIndex: { s1: 4 } });
    await expect(story.transcript()).toMatchFileSnapshot('./__transcripts__/replication-repair-lagging-follower.txt');
  });

  it('keeps entries when a delayed request repeats what the follower already has', async () => {
    const story = Story.of('s1', 's2', 's3');
    story.elect('s1', ['s2', 's3']);
    story.act('s1', Inputs.ClientRequest('v1'));
    story.act('s1', Inputs.ClientRequest('v2'));
    story.act('s1', Inputs.AppendEntries('s2'));
    const [first] = story.inFlight({ to: 's2' });
    story.note('The network duplicates the first request; one copy arrives, the other is delayed.');
    story.duplicate({ to: 's2' });
    story.act('s2', Inputs.HandleAppendEntriesRequest(first as never));
    story.deliverAll({ to: 's1' });
    story.act('s1', Inputs.AppendEntries('s2'));
    const second = story.inFlight({ to: 's2' }).find((m) => m !== first);
    story.act('s2', Inputs.HandleAppendEntriesRequest(second as never));
    story.deliverAll({ to: 's1' });
    expect(story.logOf('s2')).toEqual(['t1:v1', 't1:v2']);
    expect(story.node('s1').matchIndex['s2']).toBe(2);
    story.note('The late copy of the first request (prev 0, entry v1) must not cut v2 off.');
    const late = story.act('s2', Inputs.HandleAppendEntriesRequest(first as never));
    expect(late.persist).toBeNull();
    expect(story.logOf('s2')).toEqual(['t1:v1', 't1:v2']);
    story.note('Its response reports match 1; the leader does not move matchIndex backwards.');
    story.deliverAll();
    expect(story.node('s1').matchIndex['s2']).toBe(2);
    await expect(story.transcript()).toMatchFileSnapshot('./__transcripts__/replication-delayed-duplicate-request.txt');
  });

  it('Figure 8: an old-term entry on a majority is not committed until a current-term entry covers it', async () => {
    const story = Story.of('s1', 's2', 's3', 's4', 's5');
    story.note('(a) s1 leads term 1 and gets v1 to s2 only.');
    story.elect('s1', ['s2', 's3']);
    story.act('s1', Inputs.ClientRequest('v1'));
    story.replicate('s1', 's2');
    story.note('(b) s1 crashes. s5 wins term 2 with s3 and s4, takes v2 at index 1, and crashes before sending it.');
    story.act('s1', Inputs.Restart());
    story.elect('s5', ['s3', 's4']);
    story.act('s5', Inputs.ClientRequest('v2'));
    story.act('s5', Inputs.Restart());
    story.note('(c) s1 comes back and wins term 3 with s2 and s3, then copies v1 (term 1) to s3.');
    story.elect('s1', ['s2', 's3']);
    expect(story.node('s1').currentTerm).toBe(3);
    story.replicate('s1', 's2');
    story.replicate('s1', 's3');
    expect([story.logOf('s1'), story.logOf('s2'), story.logOf('s3')]).toEqual([['t1:v1'], ['t1:v1'], ['t1:v1']]);
    story.note('v1 is on three of five servers, but it is from term 1 and s1 leads term 3: no commit.');
    expect(story.attempt('s1', Inputs.AdvanceCommitIndex())).toMatch(
      /index 1 is held by a majority but has term 1, not the current term 3 \(Figure 8 rule/,
    );

    story.note('(d) Why: if s1 crashes now, s5 (last term 2 > 1) can win term 4 and overwrite v1 everywhere.');
    const danger = story.branch('s1 crashes now');
    danger.act('s1', Inputs.Restart());
    danger.elect('s5', ['s2', 's3', 's4']);
    danger.replicate('s5', 's2');
    danger.replicate('s5', 's3');
    expect(danger.logOf('s2')).toEqual(['t2:v2']);

    story.note('(e) Instead s1 appends v3 in its own term; once that is on a majority both entries commit together.');
    story.act('s1', Inputs.ClientRequest('v3'));
    story.replicate('s1', 's2');
    expect(story.attempt('s1', Inputs.AdvanceCommitIndex())).toMatch(/term 1, not the current term 3/);
    story.replicate('s1', 's3');
    const commit = story.act('s1', Inputs.AdvanceCommitIndex());
    expect(commit.committed.map((e) => `${e.index}:t${e.term}:${e.value}`)).toEqual(['1:t1:v1', '2:t3:v3']);
    story.note('Now s5 can never win: every majority includes a server whose log ends in term 3.');
    story.act('s1', Inputs.Restart());
    story.act('s5', Inputs.Timeout());
    story.act('s5', Inputs.Timeout());
    story.deliverAll({ from: 's5', type: 'RequestVoteRequest' });
    story.deliverAll({ to: 's5', type: 'RequestVoteResponse' });
    expect(story.node('s5').votesGranted).toEqual(['s4', 's5']);
    await expect(story.transcript()).toMatchFileSnapshot('./__transcripts__/replication-figure-8.txt');
  });

  it('runs a one-node cluster with stabilize firing the internal actions', () => {
    let node = initialNodeState('solo', ['solo']);
    node = step(node, Inputs.Timeout()).state;
    const elected = stabilize(node);
    expect(elected.state.role).toBe('Leader');
    node = step(elected.state, Inputs.ClientRequest('v1')).state;
    const committed = stabilize(node);
    expect(committed.outputs.committed).toEqual([{ index: 1, term: 1, value: 'v1' }]);
    expect(stabilize(committed.state).outputs.committed).toEqual([]);
  });
});
