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
(*   TraceView (TLC prints a counterexample as real successor states);     *)
(* - a goal too deep for a blind breadth-first search names a guide (the  *)
(*   constant Guide): the action of each of its first steps.  TLC still    *)
(*   computes every state, takes only steps Next allows and checks the     *)
(*   goal; the guide only keeps the search to behaviours that follow it.   *)
(***************************************************************************)
EXTENDS Raft, TLC

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

\* TRUE narrows the network: several messages may be in flight only if all of
\* them are vote requests (a candidate's broadcast) or copies of one message
\* (a duplicate).  A three-server model stays small enough for its whole state
\* graph to be checked (specs/traces/MCRaftTraceTour3.cfg).
CONSTANT FocusedNetwork

\* The guide the search follows: "none", or a name in DOMAIN Guides.
CONSTANT Guide

ASSUME /\ MaxTerm \in Nat /\ MaxLogLen \in Nat
       /\ MaxInFlight \in Nat /\ MaxCopies \in Nat \ {0}
       /\ FocusedNetwork \in BOOLEAN

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
    /\ FocusedNetwork /\ BagSize(messages, DOMAIN messages) > 1 =>
          \/ \A m \in DOMAIN messages : m.mtype = "RequestVoteRequest"
          \/ Cardinality(DOMAIN messages) = 1

\* The guide of the stale-suffix goal, three terms deep.  Term 1: s1 leads,
\* replicates its first entry to s2 and s3, and appends two more that it
\* keeps to itself (the stale suffix).  Term 2: s2 leads with s3's vote (s1
\* refuses: its log is longer), appends an entry and commits it with s3.
\* Term 3: s3 leads with s2's vote, knowing index 2 is committed, and probes
\* s1 twice at index 3; the two refusals back nextIndex up twice, past the
\* last index where the logs agree, so the next request carries the first
\* entry, which s1 already holds, with commit index 2.
StaleSuffixGuide ==
    << "Timeout s1",
       "HandleRequestVoteRequest s2 s1", "HandleRequestVoteRequest s3 s1",
       "HandleRequestVoteResponse s1 s2", "HandleRequestVoteResponse s1 s3",
       "BecomeLeader s1", "ClientRequest s1",
       "AppendEntries s1 s2", "AppendEntries s1 s3",
       "HandleAppendEntriesRequest s2 s1", "HandleAppendEntriesRequest s3 s1",
       "HandleAppendEntriesResponse s1 s2", "HandleAppendEntriesResponse s1 s3",
       "ClientRequest s1", "ClientRequest s1",
       "Timeout s2",
       "HandleRequestVoteRequest s3 s2", "HandleRequestVoteRequest s1 s2",
       "HandleRequestVoteResponse s2 s3", "HandleRequestVoteResponse s2 s1",
       "BecomeLeader s2", "ClientRequest s2",
       "AppendEntries s2 s3", "HandleAppendEntriesRequest s3 s2",
       "HandleAppendEntriesResponse s2 s3", "AdvanceCommitIndex s2",
       "AppendEntries s2 s3", "HandleAppendEntriesRequest s3 s2",
       "HandleAppendEntriesResponse s2 s3",
       "Timeout s3",
       "HandleRequestVoteRequest s2 s3", "HandleRequestVoteResponse s3 s2",
       "BecomeLeader s3",
       "AppendEntries s3 s1", "AppendEntries s3 s1",
       "HandleAppendEntriesRequest s1 s3", "HandleAppendEntriesRequest s1 s3",
       "HandleAppendEntriesResponse s3 s1", "HandleAppendEntriesResponse s3 s1",
       "AppendEntries s3 s1", "HandleAppendEntriesRequest s1 s3" >>

\* A step as a guide writes it: the action's name, then its node and peer.
StepText(a) ==
    a.name \o (IF "node" \in DOMAIN a THEN " " \o ToString(a.node) ELSE "")
           \o (IF "peer" \in DOMAIN a THEN " " \o ToString(a.peer) ELSE "")

\* The guides (defined below, with the goals that need them).
Guides == ("none" :> <<>>) @@ ("stale-suffix" :> StaleSuffixGuide)

\* The step leaving a state of level n (the initial state has level 1) is
\* the guide's n-th, until the guide runs out.
FollowsGuide ==
    \/ Guide = "none"
    \/ LET g == Guides[Guide]
           n == TLCGet("level")
       IN  n > Len(g) \/ StepText(action') = g[n]

\* Action constraint: steps of a disabled action are not taken, and a guided
\* search takes only the steps of its guide.
TraceActionConstraint == action'.name \notin DisabledActions /\ FollowsGuide

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

\* (action) A server grants a vote in a term it already knew, so that only
\* its vote changes, and restarts right after: the vote alone must have been
\* made durable.  The server knew the term before the vote because a message
\* of that term it sent earlier is still in flight (the vote was the step
\* just before the restart, and no request is delivered twice: the goal's
\* model has no duplication).
RestartAfterVoteInKnownTerm ==
    /\ action'.name = "Restart"
    /\ action.name = "HandleRequestVoteRequest"
    /\ action.node = action'.node
    /\ LET i == action'.node
           j == action.message.msource
       IN  /\ votedFor[i] = j
           /\ j # i
           /\ action.message.mterm = currentTerm[i]
           /\ \E m \in DOMAIN messages :
                 /\ m.msource = i
                 /\ m.mterm = currentTerm[i]
                 /\ ~(m.mtype = "RequestVoteResponse" /\ m.mdest = j)

\* (action) A candidate times out again, so that its term changes but its
\* vote (for itself) does not, and restarts right after: the new term must
\* have been made durable although the vote did not change.  Its vote
\* requests of the term before show it was a candidate then too.
RestartAfterTermOnlyChange ==
    /\ action'.name = "Restart"
    /\ action = [name |-> "Timeout", node |-> action'.node]
    /\ LET i == action'.node
       IN  \E m \in DOMAIN messages :
              /\ m.mtype = "RequestVoteRequest"
              /\ m.msource = i
              /\ m.mterm = currentTerm[i] - 1

\* (action) A follower whose log runs past the entry an AppendEntries request
\* carries, into entries the leader does not hold (a stale suffix behind a
\* matching prefix), accepts the request while the leader's commit index lies
\* beyond that entry.  It may commit only up to the entry it was sent.
StaleSuffixBehindMatchingPrefix ==
    /\ action'.name = "HandleAppendEntriesRequest"
    /\ LET i    == action'.node
           m    == action'.message
           j    == m.msource
           prev == m.mprevLogIndex
           last == prev + Len(m.mentries)
       IN  /\ Len(m.mentries) = 1
           /\ m.mterm >= currentTerm[i]
           /\ \/ prev = 0
              \/ prev <= Len(log[i]) /\ log[i][prev].term = m.mprevLogTerm
           /\ Len(log[i]) > last
           /\ log[i][last].term = m.mentries[1].term
           /\ m.mcommitIndex > last
           /\ \/ Len(log[j]) <= last
              \/ log[j][last + 1] # log[i][last + 1]

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
Never_RestartAfterVoteInKnownTerm == [][~RestartAfterVoteInKnownTerm]_vars
Never_RestartAfterTermOnlyChange == [][~RestartAfterTermOnlyChange]_vars
Never_StaleSuffixBehindMatchingPrefix == [][~StaleSuffixBehindMatchingPrefix]_vars
=============================================================================
