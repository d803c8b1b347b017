---------------------------- MODULE MCRaftTrace ----------------------------
(***************************************************************************)
(* Raft bounded for trace generation (npm run traces).  The models under  *)
(* specs/traces/ run this module; src/conformance/ replays the traces     *)
(* they produce against the TypeScript core.  Unlike MCRaft:               *)
(*                                                                         *)
(* - the tour and simulation models use no SYMMETRY and no VIEW: a trace   *)
(*   names concrete servers, and every variable (the action label and the  *)
(*   history included) tells states apart, so each state of a dumped       *)
(*   state graph carries the label of the edges entering it;              *)
(* - it defines the goals of the targeted scenarios.  Each goal G is      *)
(*   checked negated (an invariant Not_G, or an action property Never_G),  *)
(*   so TLC's breadth-first search returns a shortest behaviour reaching   *)
(*   G as its counterexample.  Scenario models may use TraceSymmetry and   *)
(*   TraceView (TLC prints a counterexample as real successor states).     *)
(***************************************************************************)
EXTENDS Raft

\* No server's term exceeds MaxTerm.
CONSTANT MaxTerm

\* No server's log holds more than MaxLogLen entries.
CONSTANT MaxLogLen

\* At most MaxInFlight message copies are in flight in total.
CONSTANT MaxInFlight

\* At most MaxCopies copies of any one message are in flight.
CONSTANT MaxCopies

\* Names of actions this model never takes, for example {"Restart"}.
CONSTANT DisabledActions

ASSUME /\ MaxTerm \in Nat /\ MaxLogLen \in Nat
       /\ MaxInFlight \in Nat /\ MaxCopies \in Nat \ {0}

\* The total number of message copies in the bag b (S: the part of its
\* domain still to count).
RECURSIVE BagSize(_, _)
BagSize(b, S) ==
    IF S = {} THEN 0
    ELSE LET m == CHOOSE x \in S : TRUE
         IN  b[m] + BagSize(b, S \ {m})

\* State constraint: only states within the bounds belong to the model.
\* src/conformance/bounds.ts mirrors it to tell which of the core's enabled
\* steps stay inside the model.
TraceConstraint ==
    /\ \A i \in Server : currentTerm[i] <= MaxTerm /\ Len(log[i]) <= MaxLogLen
    /\ \A m \in DOMAIN messages : messages[m] <= MaxCopies
    /\ BagSize(messages, DOMAIN messages) <= MaxInFlight

\* Action constraint: steps of a disabled action are not taken.
TraceActionConstraint == action'.name \notin DisabledActions

\* The fingerprint: the algorithm's variables and the action label (not the
\* history, which no action reads).
TraceView == <<View, action>>

\* Servers are interchangeable (used by goal models only, where a shortest
\* behaviour up to renaming is all that is wanted).
TraceSymmetry == Permutations(Server)

-----------------------------------------------------------------------------
(* Goals of the targeted scenarios *)

HandleNames == {"HandleRequestVoteRequest", "HandleRequestVoteResponse",
                "HandleAppendEntriesRequest", "HandleAppendEntriesResponse"}

\* The highest index that leader i knows to be held by a majority.
AgreedIndex(i) ==
    LET Agree(k) == {i} \cup {j \in Server \ {i} : matchIndex[i][j] >= k}
        agreed   == {k \in 1..Len(log[i]) : IsQuorum(Agree(k))}
    IN  IF agreed = {} THEN 0 ELSE MaxOf(agreed)

\* A server is Leader.
LeaderElected == \E i \in Server : role[i] = "Leader"

\* A leader has committed an entry.
EntryCommitted == \E i \in Server : role[i] = "Leader" /\ commitIndex[i] > 0

\* A follower has learnt that an entry is committed.
CommitLearned == \E i \in Server : role[i] = "Follower" /\ commitIndex[i] > 0

\* A leader of a later term than some committed entry's commit.
LeaderChangeAfterCommit ==
    \E c \in commitHistory, i \in Server :
        role[i] = "Leader" /\ currentTerm[i] > c.commitTerm

\* A leader holds, on a majority, an entry of an older term that is not
\* committed: the Figure 8 situation, where it must not commit by counting.
OldTermEntryOnMajority ==
    \E i \in Server :
        /\ role[i] = "Leader"
        /\ AgreedIndex(i) > commitIndex[i]
        /\ log[i][AgreedIndex(i)].term < currentTerm[i]

\* (action) A leader learns of a newer term and steps down.
StaleLeaderStepsDown ==
    \E i \in Server :
        /\ role[i] = "Leader" /\ role'[i] = "Follower"
        /\ action'.name # "Restart"

\* (action) A follower deletes a conflicting suffix of its log.
ConflictingSuffixTruncated ==
    /\ action'.name = "HandleAppendEntriesRequest"
    /\ LET i == action'.node
       IN  \E k \in 1..Len(log[i]) : k > Len(log'[i]) \/ log'[i][k] # log[i][k]

\* (action) A server that voted for a candidate restarts while that
\* candidate is still campaigning in the same term.
RestartMidElection ==
    \E i \in Server :
        /\ action' = [name |-> "Restart", node |-> i]
        /\ votedFor[i] \in Server \ {i}
        /\ role[votedFor[i]] = "Candidate"
        /\ currentTerm[votedFor[i]] = currentTerm[i]

\* (action) A duplicated message is delivered, and then delivered again.
DuplicateRedelivered ==
    /\ action.name \in HandleNames
    /\ action'.name = action.name
    /\ action'.message = action.message

\* (action) A vote is refused because the voter already voted for another
\* candidate in that term (although the candidate's log is up to date).
VoteRefusedAlreadyVoted ==
    /\ action'.name = "HandleRequestVoteRequest"
    /\ LET i == action'.node
           m == action'.message
       IN  /\ m.mterm = currentTerm[i]
           /\ votedFor[i] \notin {Nil, m.msource}
           /\ m.mlastLogTerm >= LastTerm(log[i])
           /\ m.mlastLogIndex >= Len(log[i])

\* (action) A vote is refused because the candidate's log is behind the
\* voter's, although the voter has not voted for anyone else in that term.
VoteRefusedStaleLog ==
    /\ action'.name = "HandleRequestVoteRequest"
    /\ LET i == action'.node
           m == action'.message
       IN  /\ m.mterm >= currentTerm[i]
           /\ VoteAfter(i, m) \in {Nil, m.msource}
           /\ ~ \/ m.mlastLogTerm > LastTerm(log[i])
                \/ /\ m.mlastLogTerm = LastTerm(log[i])
                   /\ m.mlastLogIndex >= Len(log[i])

\* (action) A leader hears that a follower's log lacks the entry just before
\* the one it sent (a refusal in the leader's own term), and backs up.
LeaderBacksUp ==
    /\ action'.name = "HandleAppendEntriesResponse"
    /\ LET i == action'.node
           m == action'.message
       IN  /\ ~m.msuccess
           /\ role[i] = "Leader"
           /\ m.mterm = currentTerm[i]

\* (action) A candidate hears from the leader of its own term and gives up.
CandidateYieldsToLeader ==
    /\ action'.name = "HandleAppendEntriesRequest"
    /\ role[action'.node] = "Candidate"
    /\ action'.message.mterm = currentTerm[action'.node]

\* (action) A server refuses an AppendEntries request of an older term.
StaleAppendRefused ==
    /\ action'.name = "HandleAppendEntriesRequest"
    /\ action'.message.mterm < currentTerm[action'.node]

\* The goals negated, as TLC checks them.
Not_LeaderElected == ~LeaderElected
Not_EntryCommitted == ~EntryCommitted
Not_CommitLearned == ~CommitLearned
Not_LeaderChangeAfterCommit == ~LeaderChangeAfterCommit
Not_OldTermEntryOnMajority == ~OldTermEntryOnMajority
Never_StaleLeaderStepsDown == [][~StaleLeaderStepsDown]_vars
Never_ConflictingSuffixTruncated == [][~ConflictingSuffixTruncated]_vars
Never_RestartMidElection == [][~RestartMidElection]_vars
Never_DuplicateRedelivered == [][~DuplicateRedelivered]_vars
Never_VoteRefusedAlreadyVoted == [][~VoteRefusedAlreadyVoted]_vars
Never_VoteRefusedStaleLog == [][~VoteRefusedStaleLog]_vars
Never_LeaderBacksUp == [][~LeaderBacksUp]_vars
Never_StaleAppendRefused == [][~StaleAppendRefused]_vars
Never_CandidateYieldsToLeader == [][~CandidateYieldsToLeader]_vars
=============================================================================
