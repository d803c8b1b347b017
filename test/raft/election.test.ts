import { describe, expect, it } from 'vitest';
import { enabledInternalInputs, heartbeatInputs, Inputs } from '../../src/raft/index.js';
import { Story } from './helpers/story.js';

describe('leader election', () => {
  it('takes four steps: timeout, candidacy, votes, a leader sending heartbeats', async () => {
    const story = Story.of('s1', 's2', 's3');

    story.note(`1. s1's election timer fires: it starts term 1 as a candidate and votes for itself.`);
    const timeout = story.act('s1', Inputs.Timeout());
    expect(story.node('s1')).toMatchObject({ role: 'Candidate', currentTerm: 1, votedFor: 's1', votesGranted: ['s1'] });
    expect(timeout.persist).toEqual({ hardState: { currentTerm: 1, votedFor: 's1' }, logWrite: null });
    expect(timeout.resetElectionTimer).toBe(true);
    expect(story.inFlight().map((m) => `${m.type} ${m.from}->${m.to} t${m.term}`)).toEqual([
      'RequestVoteRequest s1->s2 t1',
      'RequestVoteRequest s1->s3 t1',
    ]);

    story.note('2. The others adopt term 1 and grant their vote (the vote is persisted before the reply goes out).');
    story.deliver({ type: 'RequestVoteRequest' });
    for (const voter of ['s2', 's3']) {
      expect(story.node(voter)).toMatchObject({ currentTerm: 1, votedFor: 's1', role: 'Follower' });
    }
    expect(story.inFlight({ type: 'RequestVoteResponse' }).map((m) => 'voteGranted' in m && m.voteGranted)).toEqual([true, true]);

    story.note('3. s1 counts votes; one other vote already makes a majority of three.');
    story.deliver({ type: 'RequestVoteResponse', from: 's2' });
    expect(story.node('s1').votesGranted).toEqual(['s1', 's2']);
    expect(enabledInternalInputs(story.node('s1'))).toEqual([Inputs.BecomeLeader()]);
    story.deliver({ type: 'RequestVoteResponse' });
    expect(story.node('s1').votesGranted).toEqual(['s1', 's2', 's3']);

    story.note('4. s1 takes office and announces itself with empty AppendEntries (heartbeats).');
    story.act('s1', Inputs.BecomeLeader());
    expect(story.node('s1')).toMatchObject({
      role: 'Leader',
      nextIndex: { s1: 1, s2: 1, s3: 1 },
      matchIndex: { s1: 0, s2: 0, s3: 0 },
    });
    for (const hb of heartbeatInputs(story.node('s1'))) story.act('s1', hb);
    expect(story.inFlight({ type: 'AppendEntriesRequest' })).toEqual([
      { type: 'AppendEntriesRequest', term: 1, from: 's1', to: 's2', prevLogIndex: 0, prevLogTerm: 0, entries: [], commitIndex: 0 },
      { type: 'AppendEntriesRequest', term: 1, from: 's1', to: 's3', prevLogIndex: 0, prevLogTerm: 0, entries: [], commitIndex: 0 },
    ]);
    story.deliverAll();
    expect(story.node('s2').leaderHint).toBe('s1');
    expect(story.node('s1').matchIndex).toEqual({ s1: 0, s2: 0, s3: 0 });
    expect(story.takeTranscript()).toEqual([
      'Timeout(s1)',
      'HandleRequestVoteRequest(s2, s1, RequestVoteRequest s1->s2 t1 last=0/0)',
      'HandleRequestVoteRequest(s3, s1, RequestVoteRequest s1->s3 t1 last=0/0)',
      'HandleRequestVoteResponse(s1, s2, RequestVoteResponse s2->s1 t1 granted)',
      'HandleRequestVoteResponse(s1, s3, RequestVoteResponse s3->s1 t1 granted)',
      'BecomeLeader(s1)',
      'AppendEntries(s1, s2)',
      'AppendEntries(s1, s3)',
      'HandleAppendEntriesRequest(s2, s1, AppendEntriesRequest s1->s2 t1 prev=0/0 [] c=0)',
      'HandleAppendEntriesRequest(s3, s1, AppendEntriesRequest s1->s3 t1 prev=0/0 [] c=0)',
      'HandleAppendEntriesResponse(s1, s2, AppendEntriesResponse s2->s1 t1 ok match=0)',
      'HandleAppendEntriesResponse(s1, s3, AppendEntriesResponse s3->s1 t1 ok match=0)',
    ]);
    await expect(story.transcript()).toMatchFileSnapshot('./__transcripts__/election-four-steps.txt');
  });

  it('resolves a split vote by re-election in a higher term', async () => {
    const story = Story.of('s1', 's2', 's3', 's4');
    story.note('s1 and s2 time out together; s3 hears s1 first, s4 hears s2 first.');
    story.act('s1', Inputs.Timeout());
    story.act('s2', Inputs.Timeout());
    story.deliver({ from: 's1', to: 's3', type: 'RequestVoteRequest' });
    story.deliver({ from: 's2', to: 's4', type: 'RequestVoteRequest' });
    story.deliverAll({ type: 'RequestVoteRequest' });
    story.deliverAll({ type: 'RequestVoteResponse' });
    story.note('Two votes each; a majority of four is three. Nobody can take office in term 1.');
    expect(story.node('s1').votesGranted).toEqual(['s1', 's3']);
    expect(story.node('s2').votesGranted).toEqual(['s2', 's4']);
    expect(story.attempt('s1', Inputs.BecomeLeader())).toMatch(/2 of 4, a strict majority needs 3/);
    expect(story.attempt('s2', Inputs.BecomeLeader())).toMatch(/strict majority needs 3/);

    story.note(`s2's randomized timer fires first: term 2, and this time everyone can vote again.`);
    story.act('s2', Inputs.Timeout());
    story.deliverAll();
    expect(story.node('s1')).toMatchObject({ role: 'Follower', currentTerm: 2, votedFor: 's2' });
    expect(story.node('s2').votesGranted).toEqual(['s1', 's2', 's3', 's4']);
    story.act('s2', Inputs.BecomeLeader());
    expect(story.node('s2')).toMatchObject({ role: 'Leader', currentTerm: 2 });
    await expect(story.transcript()).toMatchFileSnapshot('./__transcripts__/election-split-vote.txt');
  });

  it('gives one vote per term, and repeats it to the same candidate', async () => {
    const story = Story.of('s1', 's2', 's3');
    story.act('s1', Inputs.Timeout());
    story.act('s2', Inputs.Timeout());
    story.note(`The network duplicates s1's request to s3; one copy arrives now, the other later.`);
    story.duplicate({ from: 's1', to: 's3' });
    story.deliver({ from: 's1', to: 's3' });
    expect(story.node('s3').votedFor).toBe('s1');

    story.note('s2 asks in the same term: refused, the vote is taken.');
    story.deliver({ from: 's2', to: 's3' });
    expect(story.inFlight({ from: 's3', to: 's2' })).toEqual([
      { type: 'RequestVoteResponse', term: 1, from: 's3', to: 's2', voteGranted: false },
    ]);
    expect(story.node('s3').votedFor).toBe('s1');

    story.note('The duplicate from s1 gets the same answer again (granting is idempotent), and the second granted response does not count twice.');
    story.deliver({ from: 's1', to: 's3' });
    expect(story.copies({ from: 's3', to: 's1', type: 'RequestVoteResponse' })).toBe(2);
    story.note('Both copies are the same granted vote (the bag holds one distinct message, twice).');
    expect(story.inFlight({ from: 's3', to: 's1' })).toEqual([{ type: 'RequestVoteResponse', term: 1, from: 's3', to: 's1', voteGranted: true }]);
    story.deliverAll({ from: 's3', to: 's1' });
    expect(story.node('s1').votesGranted).toEqual(['s1', 's3']);
    await expect(story.transcript()).toMatchFileSnapshot('./__transcripts__/election-one-vote-per-term.txt');
  });

  it('refuses a candidate whose log is less up-to-date, even in a higher term', async () => {
    const story = Story.of('s1', 's2', 's3');
    story.elect('s1', ['s2', 's3']);
    story.act('s1', Inputs.ClientRequest('v1'));
    story.replicate('s1', 's2');
    story.note('s3 missed the entry; it times out repeatedly and asks s2 for a vote.');
    story.drop({ to: 's3' });
    story.act('s3', Inputs.Timeout());
    story.deliver({ from: 's3', to: 's2', type: 'RequestVoteRequest' });
    story.note(`s2 follows the term rule (adopts term 2, forgets its vote) but refuses: its log ends in term 1, s3's is empty.`);
    expect(story.node('s2')).toMatchObject({ currentTerm: 2, votedFor: null, role: 'Follower' });
    expect(story.inFlight({ from: 's2', to: 's3' })).toEqual([
      { type: 'RequestVoteResponse', term: 2, from: 's2', to: 's3', voteGranted: false },
    ]);

    story.note('s1, still leader of term 1, steps down on seeing term 2 and refuses for the same reason.');
    story.deliver({ from: 's3', to: 's1', type: 'RequestVoteRequest' });
    expect(story.inFlight({ from: 's1', to: 's3' })[0]).toMatchObject({ voteGranted: false });
    expect(story.node('s1').role).toBe('Follower');
    await expect(story.transcript()).toMatchFileSnapshot('./__transcripts__/election-log-up-to-date.txt');
  });

  it('makes a partitioned old leader step down when it hears a higher term', async () => {
    const story = Story.of('s1', 's2', 's3');
    story.elect('s1', ['s2', 's3']);
    story.act('s1', Inputs.ClientRequest('v1'));
    story.replicate('s1', 's2');
    story.replicate('s1', 's3');
    story.act('s1', Inputs.AdvanceCommitIndex());

    story.note('Partition {s1} | {s2, s3}. The majority side elects s2 in term 2.');
    story.elect('s2', ['s3']);
    story.note('s1 still believes it leads term 1 and accepts a write it can never commit.');
    expect(story.node('s1')).toMatchObject({ role: 'Leader', currentTerm: 1 });
    story.act('s1', Inputs.ClientRequest('lost'));
    story.act('s1', Inputs.AppendEntries('s2'));
    story.drop({ from: 's1' });
    expect(story.attempt('s1', Inputs.AdvanceCommitIndex())).toMatch(/largest index held by a majority is 1, not above commitIndex 1/);

    story.note(`The partition heals. s1's next AppendEntries reaches s2, which refuses it and tells s1 about term 2.`);
    story.act('s1', Inputs.AppendEntries('s2'));
    story.deliver({ from: 's1', to: 's2' });
    expect(story.inFlight({ from: 's2', to: 's1' })).toEqual([
      { type: 'AppendEntriesResponse', term: 2, from: 's2', to: 's1', success: false, matchIndex: 0 },
    ]);
    story.deliver({ from: 's2', to: 's1' });
    expect(story.node('s1')).toMatchObject({ role: 'Follower', currentTerm: 2, votedFor: null });

    story.note(`The new leader repairs s1's log: the uncommitted term-1 write disappears.`);
    story.act('s2', Inputs.ClientRequest('v2'));
    story.replicate('s2', 's1');
    expect(story.logOf('s1')).toEqual(['t1:v1', 't2:v2']);
    expect(story.node('s1').leaderHint).toBe('s2');
    await expect(story.transcript()).toMatchFileSnapshot('./__transcripts__/election-old-leader-steps-down.txt');
  });

  it('lets a candidate that hears from the current leader fall back to follower', async () => {
    const story = Story.of('s1', 's2', 's3');
    story.elect('s1', ['s2']);
    story.drop({ to: 's3' });
    story.note('s3 never heard from anyone and starts an election in the same term s1 leads.');
    const s3 = story.node('s3');
    expect(s3.currentTerm).toBe(0);
    story.act('s3', Inputs.Timeout());
    story.drop({ from: 's3' });
    expect(story.node('s3')).toMatchObject({ role: 'Candidate', currentTerm: 1 });
    story.act('s1', Inputs.AppendEntries('s3'));
    story.deliverAll();
    expect(story.node('s3')).toMatchObject({ role: 'Follower', currentTerm: 1, votedFor: 's3', leaderHint: 's1' });
    await expect(story.transcript()).toMatchFileSnapshot('./__transcripts__/election-candidate-falls-back.txt');
  });
});
