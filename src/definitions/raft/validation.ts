/**
 * How TLC checks a trace recorded from the Raft core (the simulator's `--record`) against
 * `specs/Raft.tla`: the constants the trace fixes, the per-node variables it may log, and the spec action
 * each label names.
 *
 * @module
 */
import { type TraceValidation, SpecValueError } from '../../protocol/definition.js';
import { type TlaValue, tla } from '../../tla/value.js';

/** Every string a record field `value` holds anywhere in `v` (client requests, log entries, messages). */
function collectValues(v: TlaValue, into: Map<string, TlaValue>): void {
  switch (v.kind) {
    case 'record':
      for (const [name, field] of v.fields) {
        if (name === 'value' && field.kind === 'str') into.set(field.value, field);
        else collectValues(field, into);
      }
      return;
    case 'set':
    case 'seq':
      for (const e of v.elements) collectValues(e, into);
      return;
    case 'fn':
      for (const [, e] of v.entries) collectValues(e, into);
      return;
    default:
      return;
  }
}

/** Raft's trace validation. */
export const RAFT_VALIDATION: TraceValidation = {
  module: 'Raft',
  fixedConstants: [
    'Nil = Nil',
    'UNSAFE_CommitWithoutCurrentTermCheck = FALSE',
    'UNSAFE_GrantVoteWithoutLogCheck = FALSE',
    'UNSAFE_GrantVoteTwice = FALSE',
    'UNSAFE_CommitIndexFromAnyRequest = FALSE',
  ],
  constants(header, events) {
    const server = header.get('Server');
    if (server === undefined || server.kind !== 'set' || server.elements.length === 0) {
      throw new SpecValueError('constants.Server', 'the header must give Server, the set of server ids ({"#set": ["s1", ...]})');
    }
    const given = header.get('Value');
    if (given !== undefined) return new Map([['Server', server], ['Value', given]]);
    // The values are whatever the clients asked for: every value the trace mentions.
    const values = new Map<string, TlaValue>();
    for (const event of events) {
      collectValues(event.action, values);
      for (const v of event.vars?.values() ?? []) collectValues(v, values);
    }
    return new Map([['Server', server], ['Value', tla.set(...[...values.keys()].sort().map((k) => values.get(k) as TlaValue))]]);
  },
  nodeVariables: ['currentTerm', 'role', 'votedFor', 'log', 'commitIndex', 'votesGranted', 'nextIndex', 'matchIndex'],
  messageBag: { variable: 'messages', consumedField: 'message', drop: 'DropMessage', duplicate: 'DuplicateMessage' },
  calls: {
    Restart: 'Restart(E.node)',
    Timeout: 'Timeout(E.node)',
    BecomeLeader: 'BecomeLeader(E.node)',
    ClientRequest: 'ClientRequest(E.node, E.action.value)',
    AppendEntries: 'AppendEntries(E.node, E.action.peer)',
    AdvanceCommitIndex: 'AdvanceCommitIndex(E.node)',
    HandleRequestVoteRequest: 'HandleRequestVoteRequest(E.node, E.action.peer, E.action.message)',
    HandleRequestVoteResponse: 'HandleRequestVoteResponse(E.node, E.action.peer, E.action.message)',
    HandleAppendEntriesRequest: 'HandleAppendEntriesRequest(E.node, E.action.peer, E.action.message)',
    HandleAppendEntriesResponse: 'HandleAppendEntriesResponse(E.node, E.action.peer, E.action.message)',
    DropMessage: 'DropMessage(E.action.message)',
    DuplicateMessage: 'DuplicateMessage(E.action.message)',
  },
};
