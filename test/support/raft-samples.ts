// One of each Raft message and of each action label, for tests of the spec mappings.
import type { ActionLabel, Message } from '../../src/raft/index.js';

export const rvReq: Message = { type: 'RequestVoteRequest', term: 2, from: 's1', to: 's2', lastLogTerm: 1, lastLogIndex: 3 };
export const rvResp: Message = { type: 'RequestVoteResponse', term: 2, from: 's2', to: 's1', voteGranted: true };
export const aeReq: Message = {
  type: 'AppendEntriesRequest',
  term: 2,
  from: 's1',
  to: 's3',
  prevLogIndex: 1,
  prevLogTerm: 1,
  entries: [{ term: 2, value: 'v2' }],
  commitIndex: 1,
};
export const aeResp: Message = { type: 'AppendEntriesResponse', term: 2, from: 's3', to: 's1', success: false, matchIndex: 0 };

/** A label of every action of the vocabulary. */
export const SAMPLE_LABELS: readonly ActionLabel[] = [
  { name: 'Init' },
  { name: 'Timeout', node: 's1' },
  { name: 'Restart', node: 's1' },
  { name: 'BecomeLeader', node: 's1' },
  { name: 'AdvanceCommitIndex', node: 's1' },
  { name: 'ClientRequest', node: 's1', value: 'v1' },
  { name: 'AppendEntries', node: 's1', peer: 's2' },
  { name: 'HandleRequestVoteRequest', node: 's2', peer: 's1', message: rvReq as never },
  { name: 'HandleRequestVoteResponse', node: 's1', peer: 's2', message: rvResp as never },
  { name: 'HandleAppendEntriesRequest', node: 's3', peer: 's1', message: aeReq as never },
  { name: 'HandleAppendEntriesResponse', node: 's1', peer: 's3', message: aeResp as never },
  { name: 'DropMessage', message: rvReq },
  { name: 'DuplicateMessage', message: aeReq },
];
