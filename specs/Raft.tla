-------------------------------- MODULE Raft --------------------------------
(***************************************************************************)
(* Raft consensus: leader election and log replication, as described in   *)
(* "In Search of an Understandable Consensus Algorithm" (Ongaro and        *)
(* Ousterhout, 2014).  Membership changes and log compaction are left out. *)
(*                                                                         *)
(* Every action name, parameter, variable name and value shape below is    *)
(* fixed by specs/RAFT_VOCABULARY.md, which the TypeScript core in         *)
(* src/raft/ follows as well: traces produced from this spec are replayed  *)
(* step by step against that core.  Each step records its name and         *)
(* parameters in the variable `action`.                                    *)
(*                                                                         *)
(* Terms start at 0; log indexes are 1-based.  The network may reorder,    *)
(* lose and duplicate messages; messages in flight are kept in a bag (a    *)
(* function from message record to its number of copies).                 *)
(***************************************************************************)
EXTENDS Naturals, Sequences, FiniteSets, Bags, TLC

\* The set of servers.
CONSTANT Server

\* The values clients may ask the cluster to store.
CONSTANT Value

\* A value that is not a server: "voted for nobody".
CONSTANT Nil

(***************************************************************************)
(* Negative-control switches.  All are FALSE in every normal model.  Each *)
(* removes one safety-critical condition of Raft so that the model        *)
(* checker can prove that the properties below really catch the bug.     *)
(***************************************************************************)

\* DANGER: when TRUE, a leader commits entries of earlier terms by counting
\* replicas alone, ignoring the rule that the newest majority-held entry must
\* be from the leader's current term (the scenario of Figure 8 of the paper).
CONSTANT UNSAFE_CommitWithoutCurrentTermCheck

\* DANGER: when TRUE, a server grants its vote without checking that the
\* candidate's log is at least as up to date as its own.
CONSTANT UNSAFE_GrantVoteWithoutLogCheck

\* DANGER: when TRUE, a server grants its vote even when it has already voted
\* for another candidate in the same term.
CONSTANT UNSAFE_GrantVoteTwice

\* DANGER: when TRUE, a follower sets its commit index from every accepted
\* AppendEntries request instead of only ever raising it, so a stale request
\* (duplicated, or overtaken by a newer one) lowers it.
CONSTANT UNSAFE_CommitIndexFromAnyRequest

ASSUME /\ Server # {}
       /\ Nil \notin Server
       /\ UNSAFE_CommitWithoutCurrentTermCheck \in BOOLEAN
       /\ UNSAFE_GrantVoteWithoutLogCheck \in BOOLEAN
       /\ UNSAFE_GrantVoteTwice \in BOOLEAN
       /\ UNSAFE_CommitIndexFromAnyRequest \in BOOLEAN

-----------------------------------------------------------------------------
(***************************************************************************)
(* Variables.  The algorithm's variables are declared first and the       *)
(* auxiliary ones (`action`, then the history) last: with SYMMETRY and     *)
(* VIEW, TLC picks a state's canonical permutation by comparing variables  *)
(* in declaration order, so the variables in the view must come first.     *)
(***************************************************************************)

\* Each server's term and vote (both survive a restart) and its role
\* ("Follower", "Candidate" or "Leader"; volatile).
VARIABLES currentTerm, role, votedFor

\* The server variables, as one tuple for UNCHANGED.
serverVars == <<currentTerm, role, votedFor>>

\* Each server's log (a sequence of [term, value] records; survives a
\* restart) and the index of its highest known committed entry (volatile).
VARIABLES log, commitIndex

\* The log variables, as one tuple for UNCHANGED.
logVars == <<log, commitIndex>>

\* The servers from which a candidate has received a vote in its term.
VARIABLE votesGranted

\* The candidate variables, as one tuple for UNCHANGED.
candidateVars == <<votesGranted>>

\* A leader's view of each peer: the next entry to send, and the highest
\* entry known to be replicated there.
VARIABLES nextIndex, matchIndex

\* The leader variables, as one tuple for UNCHANGED.
leaderVars == <<nextIndex, matchIndex>>

\* The messages in flight: a bag, message record -> number of copies (>= 1).
VARIABLE messages

\* AUXILIARY: the label of the step that produced this state, for example
\* [name |-> "Timeout", node |-> s1].  Read by no action.
VARIABLE action

\* HISTORY: every entry a leader has committed, as records
\* [index |-> k, entry |-> e, commitTerm |-> t] where t is the leader's term
\* at the moment it committed index k.  Read by no action; used only by
\* LeaderCompleteness; not compared by trace replay.
VARIABLE commitHistory

\* The history variables, as one tuple for UNCHANGED.
historyVars == <<commitHistory>>

\* All variables.
vars == <<serverVars, logVars, candidateVars, leaderVars, messages,
          action, historyVars>>

\* The algorithm's state only.  Model configs use it as the VIEW, so the
\* action label and the history do not distinguish otherwise equal states.
View == <<serverVars, logVars, candidateVars, leaderVars, messages>>

-----------------------------------------------------------------------------
(* Helpers *)

\* The larger of two numbers.
Max(a, b) == IF a >= b THEN a ELSE b

\* The smaller of two numbers.
Min(a, b) == IF a <= b THEN a ELSE b

\* The largest element of a non-empty set of numbers.
MaxOf(S) == CHOOSE x \in S : \A y \in S : x >= y

\* A set of servers forms a quorum when it is a strict majority.
IsQuorum(S) == Cardinality(S) * 2 > Cardinality(Server)

\* The term of the last entry of a log, or 0 if the log is empty.
LastTerm(xlog) == IF Len(xlog) = 0 THEN 0 ELSE xlog[Len(xlog)].term

\* Put one copy of message m in flight.  (Bags: (+) adds copies, (-) removes
\* them and drops messages whose count reaches 0; TLC implements both in Java.)
Send(m) == messages' = messages (+) SetToBag({m})

\* Consume one copy of the request and put the response in flight.
Reply(response, request) ==
    messages' = (messages (-) SetToBag({request})) (+) SetToBag({response})

\* Consume one copy of message m without answering.
Discard(m) == messages' = messages (-) SetToBag({m})

\* Message m of the given type from server j to server i is in flight.
InFlight(i, j, m, type) ==
    /\ m \in DOMAIN messages
    /\ m.mtype = type
    /\ m.mdest = i
    /\ m.msource = j

\* The term rule, applied by every message handler before anything else: a
\* server that sees a message from a higher term adopts that term, becomes a
\* Follower and has voted for nobody in it.  TermAfter, RoleAfter and
\* VoteAfter give server i's term, role and vote after seeing message m.
TermAfter(i, m) == Max(currentTerm[i], m.mterm)

\* Server i's role after the term rule for message m.
RoleAfter(i, m) == IF m.mterm > currentTerm[i] THEN "Follower" ELSE role[i]

\* Server i's vote after the term rule for message m.
VoteAfter(i, m) == IF m.mterm > currentTerm[i] THEN Nil ELSE votedFor[i]

-----------------------------------------------------------------------------
(* Initial state *)

\* Every server starts as a Follower in term 0 with an empty log, having
\* voted for nobody; no message is in flight.
Init ==
    /\ currentTerm   = [i \in Server |-> 0]
    /\ role          = [i \in Server |-> "Follower"]
    /\ votedFor      = [i \in Server |-> Nil]
    /\ log           = [i \in Server |-> << >>]
    /\ commitIndex   = [i \in Server |-> 0]
    /\ votesGranted  = [i \in Server |-> {}]
    /\ nextIndex     = [i \in Server |-> [j \in Server |-> 1]]
    /\ matchIndex    = [i \in Server |-> [j \in Server |-> 0]]
    /\ messages      = EmptyBag
    /\ action        = [name |-> "Init"]
    /\ commitHistory = {}

-----------------------------------------------------------------------------
(* Actions of a server on its own *)

\* Server i crashes and recovers: its term, vote and log are on stable storage
\* and survive; everything else is reset.  Messages in flight stay in flight.
Restart(i) ==
    /\ role'         = [role EXCEPT ![i] = "Follower"]
    /\ commitIndex'  = [commitIndex EXCEPT ![i] = 0]
    /\ votesGranted' = [votesGranted EXCEPT ![i] = {}]
    /\ nextIndex'    = [nextIndex EXCEPT ![i] = [j \in Server |-> 1]]
    /\ matchIndex'   = [matchIndex EXCEPT ![i] = [j \in Server |-> 0]]
    /\ action'       = [name |-> "Restart", node |-> i]
    /\ UNCHANGED <<currentTerm, votedFor, log, messages, historyVars>>

\* The election timer of Follower or Candidate i fires: it starts an election
\* in the next term, votes for itself and asks every other server for a vote.
Timeout(i) ==
    /\ role[i] \in {"Follower", "Candidate"}
    /\ currentTerm'  = [currentTerm EXCEPT ![i] = @ + 1]
    /\ role'         = [role EXCEPT ![i] = "Candidate"]
    /\ votedFor'     = [votedFor EXCEPT ![i] = i]
    /\ votesGranted' = [votesGranted EXCEPT ![i] = {i}]
    /\ messages'     = messages (+) SetToBag(
                          {[mtype         |-> "RequestVoteRequest",
                            mterm         |-> currentTerm[i] + 1,
                            mlastLogTerm  |-> LastTerm(log[i]),
                            mlastLogIndex |-> Len(log[i]),
                            msource       |-> i,
                            mdest         |-> j] : j \in Server \ {i}})
    /\ action'       = [name |-> "Timeout", node |-> i]
    /\ UNCHANGED <<logVars, leaderVars, historyVars>>

\* Candidate i, holding votes from a strict majority, becomes Leader and
\* resets its view of every follower's log.
BecomeLeader(i) ==
    /\ role[i] = "Candidate"
    /\ IsQuorum(votesGranted[i])
    /\ role'       = [role EXCEPT ![i] = "Leader"]
    /\ nextIndex'  = [nextIndex EXCEPT ![i] = [j \in Server |-> Len(log[i]) + 1]]
    /\ matchIndex' = [matchIndex EXCEPT ![i] = [j \in Server |-> 0]]
    /\ action'     = [name |-> "BecomeLeader", node |-> i]
    /\ UNCHANGED <<currentTerm, votedFor, logVars, candidateVars, messages,
                   historyVars>>

\* Leader i receives value v from a client and appends it to its own log as
\* an entry of its current term.
ClientRequest(i, v) ==
    /\ role[i] = "Leader"
    /\ log'    = [log EXCEPT ![i] = Append(@, [term |-> currentTerm[i], value |-> v])]
    /\ action' = [name |-> "ClientRequest", node |-> i, value |-> v]
    /\ UNCHANGED <<serverVars, commitIndex, candidateVars, leaderVars, messages,
                   historyVars>>

\* Leader i sends server j one AppendEntries request: the entry at
\* nextIndex[i][j] if it has one (otherwise an empty heartbeat), the index and
\* term of the entry before it, and its commit index.
AppendEntries(i, j) ==
    /\ i # j
    /\ role[i] = "Leader"
    /\ LET prevLogIndex == nextIndex[i][j] - 1
           prevLogTerm  == IF prevLogIndex > 0 THEN log[i][prevLogIndex].term ELSE 0
           entries      == IF nextIndex[i][j] <= Len(log[i])
                             THEN << log[i][nextIndex[i][j]] >>
                             ELSE << >>
       IN  Send([mtype         |-> "AppendEntriesRequest",
                 mterm         |-> currentTerm[i],
                 mprevLogIndex |-> prevLogIndex,
                 mprevLogTerm  |-> prevLogTerm,
                 mentries      |-> entries,
                 mcommitIndex  |-> commitIndex[i],
                 msource       |-> i,
                 mdest         |-> j])
    /\ action' = [name |-> "AppendEntries", node |-> i, peer |-> j]
    /\ UNCHANGED <<serverVars, logVars, candidateVars, leaderVars, historyVars>>

\* Leader i raises its commit index to the highest index stored on a strict
\* majority (itself and the peers whose matchIndex reaches it), provided the
\* entry there is from its current term (the rule that Figure 8 of the paper
\* motivates).  Only enabled when the commit index actually goes up.
AdvanceCommitIndex(i) ==
    /\ role[i] = "Leader"
    /\ LET Agree(k)     == {i} \cup {j \in Server \ {i} : matchIndex[i][j] >= k}
           agreeIndexes == {k \in 1..Len(log[i]) : IsQuorum(Agree(k))}
           newCommit    == IF agreeIndexes = {} THEN 0 ELSE MaxOf(agreeIndexes)
       IN  /\ newCommit > commitIndex[i]
           /\ \/ log[i][newCommit].term = currentTerm[i]
              \/ UNSAFE_CommitWithoutCurrentTermCheck
           /\ commitIndex'   = [commitIndex EXCEPT ![i] = newCommit]
           /\ commitHistory' = commitHistory \cup
                                 {[index      |-> k,
                                   entry      |-> log[i][k],
                                   commitTerm |-> currentTerm[i]] :
                                   k \in commitIndex[i] + 1 .. newCommit}
    /\ action' = [name |-> "AdvanceCommitIndex", node |-> i]
    /\ UNCHANGED <<serverVars, log, candidateVars, leaderVars, messages>>

-----------------------------------------------------------------------------
(* Receiving messages.  Each handler consumes one copy of the message and  *)
(* first applies the term rule (TermAfter, RoleAfter, VoteAfter above).    *)

\* Server i handles a vote request m from candidate j: it grants the vote if
\* the request is from its current term, it has not voted for anyone else in
\* that term, and the candidate's log is at least as up to date as its own;
\* it always replies with its term and its decision.
HandleRequestVoteRequest(i, j, m) ==
    /\ InFlight(i, j, m, "RequestVoteRequest")
    /\ LET term  == TermAfter(i, m)
           vote  == VoteAfter(i, m)
           logOk == \/ m.mlastLogTerm > LastTerm(log[i])
                    \/ /\ m.mlastLogTerm = LastTerm(log[i])
                       /\ m.mlastLogIndex >= Len(log[i])
           grant == /\ m.mterm = term
                    /\ (logOk \/ UNSAFE_GrantVoteWithoutLogCheck)
                    /\ (vote \in {Nil, j} \/ UNSAFE_GrantVoteTwice)
       IN  /\ currentTerm' = [currentTerm EXCEPT ![i] = term]
           /\ role'        = [role EXCEPT ![i] = RoleAfter(i, m)]
           /\ votedFor'    = [votedFor EXCEPT ![i] = IF grant THEN j ELSE vote]
           /\ Reply([mtype        |-> "RequestVoteResponse",
                     mterm        |-> term,
                     mvoteGranted |-> grant,
                     msource      |-> i,
                     mdest        |-> j], m)
    /\ action' = [name |-> "HandleRequestVoteRequest", node |-> i, peer |-> j,
                  message |-> m]
    /\ UNCHANGED <<logVars, candidateVars, leaderVars, historyVars>>

\* Server i handles server j's answer m to its vote request: a Candidate
\* counts a vote granted in its current term; any other answer is just
\* consumed.
HandleRequestVoteResponse(i, j, m) ==
    /\ InFlight(i, j, m, "RequestVoteResponse")
    /\ currentTerm'  = [currentTerm EXCEPT ![i] = TermAfter(i, m)]
    /\ role'         = [role EXCEPT ![i] = RoleAfter(i, m)]
    /\ votedFor'     = [votedFor EXCEPT ![i] = VoteAfter(i, m)]
    /\ votesGranted' = IF /\ m.mterm = TermAfter(i, m)
                          /\ RoleAfter(i, m) = "Candidate"
                          /\ m.mvoteGranted
                         THEN [votesGranted EXCEPT ![i] = @ \cup {j}]
                         ELSE votesGranted
    /\ Discard(m)
    /\ action' = [name |-> "HandleRequestVoteResponse", node |-> i, peer |-> j,
                  message |-> m]
    /\ UNCHANGED <<logVars, leaderVars, historyVars>>

\* Server i handles an AppendEntries request m from leader j.  A request from
\* an older term is refused.  Otherwise a Candidate steps down, and if i's log
\* holds the entry before the new one, i stores the new entry (deleting a
\* conflicting suffix, keeping a matching one; a heartbeat changes nothing),
\* learns the leader's commit index up to the last entry the request covers,
\* and reports success.
HandleAppendEntriesRequest(i, j, m) ==
    /\ InFlight(i, j, m, "AppendEntriesRequest")
    /\ LET term  == TermAfter(i, m)
           prev  == m.mprevLogIndex
           k     == prev + 1
           logOk == \/ prev = 0
                    \/ /\ prev <= Len(log[i])
                       /\ log[i][prev].term = m.mprevLogTerm
           accept == m.mterm = term /\ logOk
           newLog == IF Len(m.mentries) = 0
                       THEN log[i]
                     ELSE IF k <= Len(log[i]) /\ log[i][k].term = m.mentries[1].term
                       THEN log[i]
                     ELSE Append(SubSeq(log[i], 1, prev), m.mentries[1])
           lastNew == prev + Len(m.mentries)
       IN  /\ currentTerm' = [currentTerm EXCEPT ![i] = term]
           /\ role' = [role EXCEPT ![i] =
                         IF m.mterm = term /\ RoleAfter(i, m) = "Candidate"
                           THEN "Follower"
                           ELSE RoleAfter(i, m)]
           /\ votedFor' = [votedFor EXCEPT ![i] = VoteAfter(i, m)]
           /\ log' = IF accept THEN [log EXCEPT ![i] = newLog] ELSE log
           /\ commitIndex' =
                 IF accept
                   THEN [commitIndex EXCEPT ![i] =
                           IF UNSAFE_CommitIndexFromAnyRequest
                             THEN Min(m.mcommitIndex, lastNew)
                             ELSE Max(@, Min(m.mcommitIndex, lastNew))]
                   ELSE commitIndex
           /\ Reply([mtype       |-> "AppendEntriesResponse",
                     mterm       |-> term,
                     msuccess    |-> accept,
                     mmatchIndex |-> IF accept THEN lastNew ELSE 0,
                     msource     |-> i,
                     mdest       |-> j], m)
    /\ action' = [name |-> "HandleAppendEntriesRequest", node |-> i, peer |-> j,
                  message |-> m]
    /\ UNCHANGED <<candidateVars, leaderVars, historyVars>>

\* Leader i handles server j's answer m to an AppendEntries request of its
\* current term: on success it records how far j's log matches its own; on
\* failure it backs nextIndex up by one.  Any other answer is just consumed.
HandleAppendEntriesResponse(i, j, m) ==
    /\ InFlight(i, j, m, "AppendEntriesResponse")
    /\ currentTerm' = [currentTerm EXCEPT ![i] = TermAfter(i, m)]
    /\ role'        = [role EXCEPT ![i] = RoleAfter(i, m)]
    /\ votedFor'    = [votedFor EXCEPT ![i] = VoteAfter(i, m)]
    /\ IF m.mterm = TermAfter(i, m) /\ RoleAfter(i, m) = "Leader"
         THEN IF m.msuccess
                THEN LET match == Max(matchIndex[i][j], m.mmatchIndex)
                     IN  /\ matchIndex' = [matchIndex EXCEPT ![i][j] = match]
                         /\ nextIndex'  = [nextIndex EXCEPT ![i][j] = match + 1]
                ELSE /\ nextIndex' = [nextIndex EXCEPT ![i][j] = Max(@ - 1, 1)]
                     /\ UNCHANGED matchIndex
         ELSE UNCHANGED leaderVars
    /\ Discard(m)
    /\ action' = [name |-> "HandleAppendEntriesResponse", node |-> i, peer |-> j,
                  message |-> m]
    /\ UNCHANGED <<logVars, candidateVars, historyVars>>

-----------------------------------------------------------------------------
(* Network faults *)

\* The network loses one copy of message m.
DropMessage(m) ==
    /\ m \in DOMAIN messages
    /\ Discard(m)
    /\ action' = [name |-> "DropMessage", message |-> m]
    /\ UNCHANGED <<serverVars, logVars, candidateVars, leaderVars, historyVars>>

\* The network duplicates message m: one more copy is in flight.
DuplicateMessage(m) ==
    /\ m \in DOMAIN messages
    /\ Send(m)
    /\ action' = [name |-> "DuplicateMessage", message |-> m]
    /\ UNCHANGED <<serverVars, logVars, candidateVars, leaderVars, historyVars>>

-----------------------------------------------------------------------------
(* The specification *)

\* Any one server or network step.
Next ==
    \/ \E i \in Server : Restart(i)
    \/ \E i \in Server : Timeout(i)
    \/ \E i \in Server : BecomeLeader(i)
    \/ \E i \in Server, v \in Value : ClientRequest(i, v)
    \/ \E i, j \in Server : AppendEntries(i, j)
    \/ \E i \in Server : AdvanceCommitIndex(i)
    \/ \E m \in DOMAIN messages : HandleRequestVoteRequest(m.mdest, m.msource, m)
    \/ \E m \in DOMAIN messages : HandleRequestVoteResponse(m.mdest, m.msource, m)
    \/ \E m \in DOMAIN messages : HandleAppendEntriesRequest(m.mdest, m.msource, m)
    \/ \E m \in DOMAIN messages : HandleAppendEntriesResponse(m.mdest, m.msource, m)
    \/ \E m \in DOMAIN messages : DropMessage(m)
    \/ \E m \in DOMAIN messages : DuplicateMessage(m)

\* Raft: start in Init and take Next steps forever (no fairness: this module
\* states safety only).
Spec == Init /\ [][Next]_vars

-----------------------------------------------------------------------------
(* Types *)

\* A log entry.
Entry == [term : Nat, value : Value]

\* Every message that can be in flight.
Message ==
    [mtype : {"RequestVoteRequest"}, mterm : Nat, mlastLogTerm : Nat,
     mlastLogIndex : Nat, msource : Server, mdest : Server]
    \cup
    [mtype : {"RequestVoteResponse"}, mterm : Nat, mvoteGranted : BOOLEAN,
     msource : Server, mdest : Server]
    \cup
    [mtype : {"AppendEntriesRequest"}, mterm : Nat, mprevLogIndex : Nat,
     mprevLogTerm : Nat, mentries : Seq(Entry), mcommitIndex : Nat,
     msource : Server, mdest : Server]
    \cup
    [mtype : {"AppendEntriesResponse"}, mterm : Nat, msuccess : BOOLEAN,
     mmatchIndex : Nat, msource : Server, mdest : Server]

-----------------------------------------------------------------------------
(* Invariants *)

\* Every algorithm variable has the shape the vocabulary gives it: terms and
\* indexes are natural numbers (nextIndex at least 1), logs are sequences of
\* [term, value] entries, and the messages in flight form a bag of well-formed
\* messages, none addressed by a server to itself and none carrying more than
\* one entry.
TypeOK ==
    /\ currentTerm  \in [Server -> Nat]
    /\ role         \in [Server -> {"Follower", "Candidate", "Leader"}]
    /\ votedFor     \in [Server -> Server \cup {Nil}]
    /\ log          \in [Server -> Seq(Entry)]
    /\ commitIndex  \in [Server -> Nat]
    /\ votesGranted \in [Server -> SUBSET Server]
    /\ nextIndex    \in [Server -> [Server -> Nat \ {0}]]
    /\ matchIndex   \in [Server -> [Server -> Nat]]
    /\ IsABag(messages)
    /\ \A m \in DOMAIN messages :
          /\ m \in Message
          /\ m.msource # m.mdest
          /\ m.mtype = "AppendEntriesRequest" => Len(m.mentries) <= 1

\* Election Safety: at most one leader per term -- no two servers are Leader
\* in the same term at the same time.
ElectionSafety ==
    \A i, j \in Server :
        (/\ role[i] = "Leader" /\ role[j] = "Leader"
         /\ currentTerm[i] = currentTerm[j]) => i = j

\* Log Matching: if two logs contain an entry with the same index and term,
\* the logs are identical in all entries up to and including that index.
LogMatching ==
    \A i, j \in Server : \A n \in 1..Min(Len(log[i]), Len(log[j])) :
        log[i][n].term = log[j][n].term =>
            SubSeq(log[i], 1, n) = SubSeq(log[j], 1, n)

\* Leader Completeness: an entry committed in some term is present, at the
\* same index, in the log of every leader of a later term.
LeaderCompleteness ==
    \A c \in commitHistory : \A i \in Server :
        (role[i] = "Leader" /\ currentTerm[i] > c.commitTerm) =>
            /\ c.index <= Len(log[i])
            /\ log[i][c.index] = c.entry

\* State Machine Safety: committed entries are never lost or contradicted --
\* every index up to a server's commit index holds an entry, and two servers
\* hold the same entry at every index both have committed.
StateMachineSafety ==
    \A i, j \in Server : \A k \in 1..Min(commitIndex[i], commitIndex[j]) :
        /\ k <= Len(log[i])
        /\ k <= Len(log[j])
        /\ log[i][k] = log[j][k]

-----------------------------------------------------------------------------
(* Action properties *)

\* A server's commit index never decreases, except when the server restarts
\* (the commit index is volatile and restarts from 0).
CommitIndexMonotonic ==
    [][\A i \in Server :
          \/ commitIndex'[i] >= commitIndex[i]
          \/ action' = [name |-> "Restart", node |-> i]]_vars

\* A leader never deletes or overwrites entries in its own log: while a server
\* stays Leader, its old log is a prefix of its new log.
LeaderAppendOnly ==
    [][\A i \in Server :
          (role[i] = "Leader" /\ role'[i] = "Leader") =>
              /\ Len(log'[i]) >= Len(log[i])
              /\ SubSeq(log'[i], 1, Len(log[i])) = log[i]]_vars

=============================================================================
