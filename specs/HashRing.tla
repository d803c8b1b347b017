------------------------------ MODULE HashRing ------------------------------
(***************************************************************************)
(* Consistent hashing with virtual nodes (Karger et al. 1997; Dynamo      *)
(* 2007).  Keys and vnodes hash to positions on a ring; a key belongs to  *)
(* the vnode at or after it, clockwise, and its preference list is the    *)
(* walk clockwise from it that takes each physical node once (Dynamo's    *)
(* walk, which skips a node's other vnodes); the first N of the walk      *)
(* hold the key's replicas, the rest are where a sloppy quorum looks      *)
(* next.  Nodes join with the positions of their vnodes (a weight: 1 to   *)
(* MaxVnodes of them) and leave.                                          *)
(*                                                                         *)
(* The positions a joining node takes are left free: TLC tries every     *)
(* placement a hash could produce, not one hash's.  The ring's positions *)
(* stand for the hash's range and also for the keys: every position is a *)
(* key, so `owner` and `preference` are the placement of every key.      *)
(***************************************************************************)
EXTENDS Naturals, FiniteSets, Sequences

CONSTANTS
    Node,                   \* the physical nodes (model values)
    RingSize,               \* the ring's positions are 0 .. RingSize - 1
    MaxVnodes,              \* a node joins with 1 .. MaxVnodes vnodes
    N,                      \* the replication factor
    None,                   \* the owner of every key of an empty ring
    UNSAFE_KeepOwnVnodes    \* negative control: the walk does not skip a node's other vnodes

ASSUME RingSize \in Nat \ {0} /\ MaxVnodes \in Nat \ {0} /\ N \in Nat \ {0}
ASSUME UNSAFE_KeepOwnVnodes \in BOOLEAN

VARIABLES
    tokens,       \* [member -> the positions of its vnodes]: the ring's token table
    owner,        \* [position -> the member owning the keys that hash there, or None]
    preference,   \* [position -> the members, clockwise from it, each once]
    moved,        \* the positions whose owner the last step changed: [position, from, to]
    action        \* the action label of the last step (ARCHITECTURE.md section 2)

vars == <<tokens, owner, preference, moved, action>>

Position == 0 .. (RingSize - 1)
Members == DOMAIN tokens
Min(a, b) == IF a < b THEN a ELSE b

\* How far clockwise position t lies from position p.
Clockwise(p, t) == (t - p + RingSize) % RingSize

\* The vnodes of a token table, as <<position, member>> pairs.
VnodesOf(tk) == UNION {{<<t, m>> : t \in tk[m]} : m \in DOMAIN tk}

\* The vnode of S at or after position p, clockwise (no two vnodes share a position).
FirstFrom(p, S) == CHOOSE v \in S : \A u \in S : Clockwise(p, v[1]) <= Clockwise(p, u[1])

OwnerIn(tk, p) == IF DOMAIN tk = {} THEN None ELSE FirstFrom(p, VnodesOf(tk))[2]

\* The walk clockwise from p over the vnodes S not yet passed, appending each member the first time
\* one of its vnodes comes up.  The unsafe walk appends a member again at its next vnode.
RECURSIVE Walk(_, _, _, _)
Walk(tk, p, S, list) ==
    IF S = {} \/ Len(list) = Cardinality(DOMAIN tk)
    THEN list
    ELSE LET v == FirstFrom(p, S)
             seen == \E i \in 1 .. Len(list) : list[i] = v[2]
         IN  Walk(tk, p, S \ {v}, IF seen /\ ~UNSAFE_KeepOwnVnodes THEN list ELSE Append(list, v[2]))

PreferenceIn(tk, p) == Walk(tk, p, VnodesOf(tk), <<>>)

\* The ring takes the token table tk: every key's owner and preference follow from it.
Place(tk) ==
    /\ tokens' = tk
    /\ owner' = [p \in Position |-> OwnerIn(tk, p)]
    /\ preference' = [p \in Position |-> PreferenceIn(tk, p)]
    /\ moved' = {[position |-> p, from |-> owner[p], to |-> OwnerIn(tk, p)] :
                    p \in {q \in Position : owner[q] # OwnerIn(tk, q)}}

Init ==
    /\ tokens = [m \in {} |-> {}]
    /\ owner = [p \in Position |-> None]
    /\ preference = [p \in Position |-> <<>>]
    /\ moved = {}
    /\ action = [name |-> "Init"]

FreePositions == Position \ UNION {tokens[m] : m \in Members}

\* Node n joins with vnodes at the positions ts.
Join(n, ts) ==
    /\ n \notin Members
    /\ Place([m \in Members \cup {n} |-> IF m = n THEN ts ELSE tokens[m]])
    /\ action' = [name |-> "Join", node |-> n, tokens |-> ts]

\* Node n leaves; its vnodes go.
Leave(n) ==
    /\ n \in Members
    /\ Place([m \in Members \ {n} |-> tokens[m]])
    /\ action' = [name |-> "Leave", node |-> n]

Next ==
    \/ \E n \in Node \ Members :
          \E ts \in {s \in SUBSET FreePositions : Cardinality(s) \in 1 .. MaxVnodes} : Join(n, ts)
    \/ \E n \in Members : Leave(n)

Spec == Init /\ [][Next]_vars

\* TLC fingerprints states without the action label.
StateView == <<tokens, owner, preference, moved>>

-----------------------------------------------------------------------------

\* Every variable holds a value of its type.
TypeOK ==
    /\ Members \subseteq Node
    /\ \A m \in Members : tokens[m] \subseteq Position /\ Cardinality(tokens[m]) \in 1 .. MaxVnodes
    /\ owner \in [Position -> Node \cup {None}]
    /\ \A p \in Position : preference[p] \in Seq(Node)
    /\ \A r \in moved : r.position \in Position /\ r.from \in Node \cup {None} /\ r.to \in Node \cup {None}

\* A non-empty ring places every key on a member.
EveryKeyHasOwner == Members # {} => \A p \in Position : owner[p] \in Members

\* A key's owner comes first in its preference list.
OwnerLeadsPreference == Members # {} => \A p \in Position : preference[p][1] = owner[p]

\* The first min(N, members) of a preference list, the key's replicas, are distinct members.
PreferenceListsDistinct ==
    \A p \in Position :
        LET replicas == Min(N, Cardinality(Members)) IN
        /\ Len(preference[p]) >= replicas
        /\ \A i \in 1 .. replicas : preference[p][i] \in Members
        /\ \A i, j \in 1 .. replicas : i # j => preference[p][i] # preference[p][j]

\* A preference list is every member, each once.
PreferenceCoversMembers ==
    \A p \in Position :
        /\ Len(preference[p]) = Cardinality(Members)
        /\ {preference[p][i] : i \in 1 .. Len(preference[p])} = Members

\* The members of a walk other than n, in the walk's order.
Without(list, n) == SelectSeq(list, LAMBDA m : m # n)

\* A join moves keys only to the joining node (the ring's monotonicity).
JoinMovesOnlyToJoiner ==
    [][action'.name = "Join" => \A r \in moved' : r.to = action'.node]_vars

\* A leave moves only the leaving node's keys.
LeaveMovesOnlyLeaversKeys ==
    [][action'.name = "Leave" => \A r \in moved' : r.from = action'.node]_vars

\* A join or leave changes no key's order of the other members: each replica set changes by at most
\* that one node.
MembershipChangeKeepsOthersOrder ==
    [][action'.name \in {"Join", "Leave"} =>
        \A p \in Position : Without(preference'[p], action'.node) = Without(preference[p], action'.node)]_vars
=============================================================================
