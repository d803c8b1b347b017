------------------------------- MODULE MCRaft -------------------------------
(***************************************************************************)
(* Bounds for model checking Raft with TLC.  Raft itself is unbounded     *)
(* (terms, logs and the network grow without limit); the constants below  *)
(* cut the state space down to a finite one.  Each MCRaft*.cfg sets them.  *)
(***************************************************************************)
EXTENDS Raft

\* No server's term exceeds MaxTerm.
CONSTANT MaxTerm

\* No server's log holds more than MaxLogLen entries.
CONSTANT MaxLogLen

\* No server's log holds more than MaxEntriesPerTerm entries of any one term
\* (so with MaxEntriesPerTerm = 1 each leader appends at most one entry).
CONSTANT MaxEntriesPerTerm

\* No log entry has a term above MaxEntryTerm: leaders of later terms accept
\* no client requests (usually MaxEntryTerm = MaxTerm, i.e. no extra bound).
CONSTANT MaxEntryTerm

\* At most MaxInFlight message copies are in flight in total.
CONSTANT MaxInFlight

\* At most MaxCopies copies of any one message are in flight (1 means the
\* network never holds duplicates).
CONSTANT MaxCopies

\* Names of actions (as in the `action` label) that this model never takes,
\* for example {"Restart"}; {} keeps every action.
CONSTANT DisabledActions

ASSUME /\ MaxTerm \in Nat /\ MaxLogLen \in Nat
       /\ MaxEntriesPerTerm \in Nat /\ MaxEntryTerm \in Nat
       /\ MaxInFlight \in Nat /\ MaxCopies \in Nat \ {0}
       /\ DisabledActions \subseteq
            {"Restart", "Timeout", "BecomeLeader", "ClientRequest",
             "AppendEntries", "AdvanceCommitIndex",
             "HandleRequestVoteRequest", "HandleRequestVoteResponse",
             "HandleAppendEntriesRequest", "HandleAppendEntriesResponse",
             "DropMessage", "DuplicateMessage"}

\* State constraint: only states within the bounds are explored further.
MCConstraint ==
    /\ BagCardinality(messages) <= MaxInFlight
    /\ \A i \in Server :
          /\ currentTerm[i] <= MaxTerm
          /\ Len(log[i]) <= MaxLogLen
          /\ \A k \in DOMAIN log[i] : log[i][k].term <= MaxEntryTerm
          /\ MaxEntriesPerTerm < Len(log[i]) =>
                \A t \in 1..MaxEntryTerm :
                   Cardinality({k \in DOMAIN log[i] : log[i][k].term = t})
                      <= MaxEntriesPerTerm
    /\ MaxCopies < MaxInFlight =>
          \A m \in DOMAIN messages : messages[m] <= MaxCopies

\* Action constraint: steps of a disabled action are not taken.
MCActionConstraint == action'.name \notin DisabledActions

\* A narrower network for deep negative controls (Figure 8 needs four terms):
\* besides the general bounds, several messages may be in flight only if all
\* of them are vote requests; any other message travels alone.
MCFocusedConstraint ==
    /\ MCConstraint
    /\ BagCardinality(messages) > 1 =>
          \A m \in DOMAIN messages : m.mtype = "RequestVoteRequest"

\* The narrower network also loses only vote requests.
MCFocusedActionConstraint ==
    /\ MCActionConstraint
    /\ action'.name = "DropMessage" =>
          action'.message.mtype = "RequestVoteRequest"

\* Servers are interchangeable: states that differ only by renaming servers
\* are explored once.
MCSymmetry == Permutations(Server)

\* The fingerprint covers the algorithm's variables only (see Raft!View).
MCView == View

=============================================================================
