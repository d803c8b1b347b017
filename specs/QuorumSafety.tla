--------------------------- MODULE QuorumSafety ---------------------------
(***************************************************************************)
(* Why majority quorums prevent split brain.                               *)
(*                                                                         *)
(* Servers elect leaders in numbered terms. A server casts at most one     *)
(* vote per term, and a candidate that collects votes from a quorum        *)
(* becomes leader. The network may be cut into two sides at any moment     *)
(* (and healed again); votes only travel between servers on the same       *)
(* side. The vote exchange is modelled as one atomic step: this module is  *)
(* about quorum arithmetic, not about message loss (specs/Raft.tla covers  *)
(* the full protocol).                                                     *)
(*                                                                         *)
(* With Quorum = N \div 2 + 1 any two quorums share a server (checked for  *)
(* every N <= 9 in QuorumIntersection.tla), and since                     *)
(* that server votes once per term, no term can have two leaders, however *)
(* the network is partitioned. With a smaller quorum, two sides of a       *)
(* partition can each elect a leader in the same term: split brain.        *)
(***************************************************************************)
EXTENDS Naturals, FiniteSets

CONSTANTS
    Server,     \* the set of servers (model values, so TLC can use symmetry)
    Quorum,     \* how many votes (including its own) a candidate needs
    MaxTerm,    \* bound on terms, to keep the state space finite
    None        \* "has not voted in this term"

ASSUME Quorum \in 1..Cardinality(Server)
ASSUME MaxTerm \in Nat \ {0}

Terms == 1..MaxTerm

\* Every set of servers large enough to elect a leader.
Quorums == {S \in SUBSET Server : Cardinality(S) >= Quorum}

VARIABLES
    currentTerm,    \* [Server -> 0..MaxTerm]: the latest term each server has seen
    role,           \* [Server -> {"Follower", "Candidate", "Leader"}]
    votedFor,       \* [Server -> Server \cup {None}]: the vote cast in currentTerm
    votesReceived,  \* [Server -> SUBSET Server]: votes a candidate holds for its term
    side,           \* [Server -> {0, 1}]: servers talk only to servers on the same side
    elected,        \* history: [Terms -> SUBSET Server], every server that led in each term
    action          \* the action label of the last step (not part of the fingerprint)

serverVars == <<currentTerm, role, votedFor, votesReceived>>
vars == <<serverVars, side, elected, action>>

\* TLC fingerprints states by this view: the action label only describes how a
\* state was reached, so two states that differ only in it are the same state.
StateView == <<serverVars, side, elected>>

CanTalk(a, b) == side[a] = side[b]

Init ==
    /\ currentTerm = [s \in Server |-> 0]
    /\ role = [s \in Server |-> "Follower"]
    /\ votedFor = [s \in Server |-> None]
    /\ votesReceived = [s \in Server |-> {}]
    /\ side = [s \in Server |-> 0]
    /\ elected = [t \in Terms |-> {}]
    /\ action = [name |-> "Init"]

\* Server c's election timer fires: it starts a new term, becomes a candidate
\* and votes for itself.
Campaign(c) ==
    /\ role[c] # "Leader"
    /\ currentTerm[c] < MaxTerm
    /\ currentTerm' = [currentTerm EXCEPT ![c] = @ + 1]
    /\ role' = [role EXCEPT ![c] = "Candidate"]
    /\ votedFor' = [votedFor EXCEPT ![c] = c]
    /\ votesReceived' = [votesReceived EXCEPT ![c] = {c}]
    /\ UNCHANGED <<side, elected>>
    /\ action' = [name |-> "Campaign", node |-> c]

\* Server v, reachable from candidate c, grants c its vote: only if v has not
\* voted for someone else in c's term. A voter that sees a higher term adopts
\* it and steps down first, so its vote in the new term is still free.
GrantVote(v, c) ==
    /\ v # c
    /\ role[c] = "Candidate"
    /\ CanTalk(v, c)
    /\ v \notin votesReceived[c]
    /\ \/ currentTerm[v] < currentTerm[c]
       \/ currentTerm[v] = currentTerm[c] /\ votedFor[v] \in {None, c}
    /\ currentTerm' = [currentTerm EXCEPT ![v] = currentTerm[c]]
    /\ role' = [role EXCEPT ![v] = IF currentTerm[v] < currentTerm[c] THEN "Follower" ELSE @]
    /\ votedFor' = [votedFor EXCEPT ![v] = c]
    /\ votesReceived' = [votesReceived EXCEPT ![c] = @ \cup {v}]
    /\ UNCHANGED <<side, elected>>
    /\ action' = [name |-> "GrantVote", node |-> v, peer |-> c]

\* A candidate holding votes from a quorum becomes leader of its term.
BecomeLeader(c) ==
    /\ role[c] = "Candidate"
    /\ votesReceived[c] \in Quorums
    /\ role' = [role EXCEPT ![c] = "Leader"]
    /\ elected' = [elected EXCEPT ![currentTerm[c]] = @ \cup {c}]
    /\ UNCHANGED <<currentTerm, votedFor, votesReceived, side>>
    /\ action' = [name |-> "BecomeLeader", node |-> c]

\* The network changes shape: server s ends up on the other side of the cut.
\* One server moving at a time reaches every partition (and healing, when all
\* are back on one side) while keeping TLC's branching linear in N.
SwitchSide(s) ==
    /\ side' = [side EXCEPT ![s] = 1 - @]
    /\ UNCHANGED <<serverVars, elected>>
    /\ action' = [name |-> "SwitchSide", node |-> s]

Next ==
    \/ \E c \in Server : Campaign(c) \/ BecomeLeader(c)
    \/ \E v, c \in Server : GrantVote(v, c)
    \/ \E s \in Server : SwitchSide(s)

Spec == Init /\ [][Next]_vars

-----------------------------------------------------------------------------
(* Properties *)

\* Every variable holds a value of the expected type.
TypeOK ==
    /\ currentTerm \in [Server -> 0..MaxTerm]
    /\ role \in [Server -> {"Follower", "Candidate", "Leader"}]
    /\ votedFor \in [Server -> Server \cup {None}]
    /\ votesReceived \in [Server -> SUBSET Server]
    /\ side \in [Server -> {0, 1}]
    /\ elected \in [Terms -> SUBSET Server]

\* A server's vote in a term goes to at most one candidate: every vote a
\* candidate holds for its term is recorded by the voter as cast for it.
OneVotePerTerm ==
    \A c \in Server : role[c] \in {"Candidate", "Leader"} =>
        \A v \in votesReceived[c] :
            currentTerm[v] = currentTerm[c] => votedFor[v] = c

\* No split brain: in every term at most one server ever becomes leader,
\* however the network was partitioned along the way.
NoSplitBrain == \A t \in Terms : Cardinality(elected[t]) <= 1

=============================================================================
