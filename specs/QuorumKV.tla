------------------------------ MODULE QuorumKV ------------------------------
(***************************************************************************)
(* A Dynamo-style quorum-replicated register (one key; keys are           *)
(* independent), in the two modes of the CAP trade-off:                    *)
(*                                                                         *)
(*   CP: strict quorums.  A coordinator counts only the key's N home       *)
(*       replicas; one that cannot reach W of them (R for a read) answers  *)
(*       "unavailable" and nothing is acknowledged.                        *)
(*   AP: sloppy quorums with hinted handoff.  A write goes to the first N  *)
(*       reachable nodes of the key's preference walk; a fallback node     *)
(*       keeps the version as a hint for the home replica it stands in     *)
(*       for and hands it over once it can reach it.                       *)
(*                                                                         *)
(* Conflicts are resolved by last-write-wins on (clock, node), each node   *)
(* with its own clock, or by version vectors, which keep concurrent        *)
(* writes as siblings that a read returns and a later write merges.  Read  *)
(* repair and anti-entropy reconcile replicas; the network splits in two   *)
(* and heals, loses messages; nodes crash and restart with their store,    *)
(* hints and clock on disk.                                                *)
(*                                                                         *)
(* Each value is written once, so a value names its write.  `seen` is a   *)
(* history variable: the writes each write's coordinator had seen, which  *)
(* is what "a later write supersedes an earlier one" means here,          *)
(* whatever the conflict resolution does.                                  *)
(***************************************************************************)
EXTENDS Naturals, FiniteSets, Sequences

CONSTANTS
    Node,               \* the nodes (model values)
    Pref,               \* the key's preference walk: every node once; the first N are its home replicas
    N, R, W,            \* replication factor, read and write quorums
    Value,              \* the values clients write, each once
    Reads,              \* the read operations' ids (e.g. 1..2)
    Mode,               \* "CP" or "AP"
    Resolution,         \* "LWW" or "VV"
    MaxClock,           \* a node's clock counts its writes up to MaxClock
    MaxSplits,          \* how many times the network may split
    MaxCrashes,         \* how many crashes may happen
    Lossy,              \* whether messages (and answers) may be lost
    OneClient,          \* writes one at a time: each begins after the previous one ended
    None,
    UNSAFE_AckShortOfW  \* negative control: a coordinator acknowledges with W - 1 acks

ASSUME Mode \in {"CP", "AP"} /\ Resolution \in {"LWW", "VV"}
ASSUME N \in 1 .. Len(Pref) /\ R \in 1 .. N /\ W \in 1 .. N
ASSUME {Pref[i] : i \in 1 .. Len(Pref)} = Node /\ Len(Pref) = Cardinality(Node)

VARIABLES
    store,      \* [node -> the versions it holds]: one for LWW, the siblings for VV (durable)
    hints,      \* [node -> the versions it keeps for an unreachable home replica] (durable)
    clock,      \* [node -> its clock] (durable)
    up,         \* [node -> BOOLEAN]
    side,       \* [node -> 0 or 1]: nodes on different sides cannot talk
    splits,     \* splits so far
    crashes,    \* crashes so far
    msgs,       \* messages in flight
    writes,     \* [value -> the write of that value: status, coordinator, acks]
    reads,      \* [read id -> the read: status, coordinator, who answered, result, writes acked before it began]
    seen,       \* [value -> the values its write's coordinator had seen] (history)
    action      \* the action label of the last step (ARCHITECTURE.md section 2)

vars == <<store, hints, clock, up, side, splits, crashes, msgs, writes, reads, seen, action>>

Home == {Pref[i] : i \in 1 .. N}
Index(n) == CHOOSE i \in 1 .. Len(Pref) : Pref[i] = n
Max(a, b) == IF a > b THEN a ELSE b

\* A version of the key: its value, LWW's timestamp (the writer's clock and the writer) and its version vector.

\* a descends from b: a's version vector is at least b's everywhere.
Descends(a, b) == \A n \in Node : a.vv[n] >= b.vv[n]
NewerLWW(a, b) == a.ts > b.ts \/ (a.ts = b.ts /\ Index(a.by) > Index(b.by))

\* The versions a replica keeps of S: the newest by LWW, or the maximal ones by version vector.
Reconcile(S) ==
    IF S = {} THEN {}
    ELSE IF Resolution = "LWW"
         THEN {CHOOSE x \in S : \A y \in S : x = y \/ NewerLWW(x, y)}
         ELSE {x \in S : ~\E y \in S : y # x /\ Descends(y, x)}

\* The version vector covering every version of S.
Covering(S) == [n \in Node |-> IF S = {} THEN 0 ELSE LET m == CHOOSE x \in S : \A y \in S : x.vv[n] >= y.vv[n] IN m.vv[n]]

CanTalk(a, b) == up[a] /\ up[b] /\ side[a] = side[b]
Reachable(c) == {n \in Node : CanTalk(c, n)}

\* AP: the first N reachable nodes of the walk; each fallback stands in for an unreachable home replica.
RECURSIVE FirstReachable(_, _, _)
FirstReachable(c, i, acc) ==
    IF i > Len(Pref) \/ Len(acc) = N THEN acc
    ELSE FirstReachable(c, i + 1, IF Pref[i] \in Reachable(c) THEN Append(acc, Pref[i]) ELSE acc)
SloppyTargets(c) == LET s == FirstReachable(c, 1, <<>>) IN {s[i] : i \in 1 .. Len(s)}
Unreached(c) == Home \ Reachable(c)
\* The home replica the k-th fallback (in walk order) stands in for: the k-th unreachable one.
RECURSIVE Ordered(_, _)
Ordered(S, i) == IF i > Len(Pref) THEN <<>> ELSE IF Pref[i] \in S THEN <<Pref[i]>> \o Ordered(S, i + 1) ELSE Ordered(S, i + 1)
HintFor(c, f) ==
    LET fallbacks == Ordered(SloppyTargets(c) \ Home, 1)
        missing == Ordered(Unreached(c), 1)
        k == CHOOSE k \in 1 .. Len(fallbacks) : fallbacks[k] = f
    IN missing[k]

\* Who a coordinator counts toward a quorum: the home replicas (CP) or the sloppy targets (AP).
Targets(c) == IF Mode = "CP" THEN Home ELSE SloppyTargets(c)
Acked(n) == IF UNSAFE_AckShortOfW THEN n >= W - 1 ELSE n >= W

Init ==
    /\ store = [n \in Node |-> {}]
    /\ hints = [n \in Node |-> {}]
    /\ clock = [n \in Node |-> 0]
    /\ up = [n \in Node |-> TRUE]
    /\ side = [n \in Node |-> 0]
    /\ splits = 0
    /\ crashes = 0
    /\ msgs = {}
    /\ writes = [v \in Value |-> [status |-> "unwritten", coord |-> None, acks |-> {}]]
    /\ reads = [i \in Reads |-> [status |-> "idle", coord |-> None, from |-> {}, result |-> {}, ackedBefore |-> {}]]
    /\ seen = [v \in Value |-> {}]
    /\ action = [name |-> "Init"]

-----------------------------------------------------------------------------
(* Clients. *)

\* Home replica c coordinates a write of v: a new version after everything c holds, stored at c, sent to
\* the other targets (CP refuses at once when fewer than W home replicas are reachable).
Write(c, v) ==
    /\ c \in Home /\ up[c]
    /\ writes[v].status = "unwritten"
    /\ OneClient => \A u \in Value : writes[u].status # "pending"
    /\ clock[c] < MaxClock
    /\ LET ver == [val |-> v, ts |-> clock[c] + 1, by |-> c,
                   vv |-> [n \in Node |-> IF n = c THEN Covering(store[c])[n] + 1 ELSE Covering(store[c])[n]]]
           targets == Targets(c) \cap Reachable(c)
       IN IF Cardinality(targets) < W \/ c \notin targets
          THEN /\ writes' = [writes EXCEPT ![v] = [status |-> "unavailable", coord |-> c, acks |-> {}]]
               /\ UNCHANGED <<store, hints, clock, msgs, seen>>
          ELSE /\ store' = [store EXCEPT ![c] = Reconcile(store[c] \cup {ver})]
               /\ clock' = [clock EXCEPT ![c] = clock[c] + 1]
               /\ seen' = [seen EXCEPT ![v] = UNION {{x.val} \cup seen[x.val] : x \in store[c]}]
               /\ msgs' = msgs \cup {[type |-> "Put", from |-> c, to |-> t, ver |-> ver,
                                     hint |-> IF t \in Home THEN None ELSE HintFor(c, t), repair |-> FALSE] : t \in targets \ {c}}
               /\ writes' = [writes EXCEPT ![v] = [status |-> IF Acked(1) THEN "acked" ELSE "pending", coord |-> c, acks |-> {c}]]
               /\ UNCHANGED hints
    /\ UNCHANGED <<up, side, splits, crashes, reads>>
    /\ action' = [name |-> "Write", node |-> c, value |-> v]

\* Home replica c begins read i: its own versions, and a request to the other targets.
Read(c, i) ==
    /\ c \in Home /\ up[c]
    /\ reads[i].status = "idle"
    /\ LET targets == Targets(c) \cap Reachable(c)
           before == {v \in Value : writes[v].status = "acked"}
       IN IF Cardinality(targets) < R \/ c \notin targets
          THEN /\ reads' = [reads EXCEPT ![i] = [status |-> "unavailable", coord |-> c, from |-> {}, result |-> {}, ackedBefore |-> before]]
               /\ UNCHANGED msgs
          ELSE /\ reads' = [reads EXCEPT ![i] = [status |-> IF R = 1 THEN "done" ELSE "pending", coord |-> c, from |-> {c},
                                                   result |-> store[c], ackedBefore |-> before]]
               /\ msgs' = msgs \cup {[type |-> "Get", from |-> c, to |-> t, read |-> i] : t \in targets \ {c}}
    /\ UNCHANGED <<store, hints, clock, up, side, splits, crashes, writes, seen>>
    /\ action' = [name |-> "Read", node |-> c, read |-> i]

-----------------------------------------------------------------------------
(* Messages: delivered only between nodes that can talk; with Lossy, a message or its answer may be  *)
(* lost.  A replica's answer travels back in the same step as the request it answers (an answer     *)
(* that is lost is the `answered = FALSE` case), which keeps the model small without losing a case:  *)
(* what the coordinator does with an answer depends only on the answer.                             *)

\* A replica stores a version (a fallback keeps it as a hint); its acknowledgement reaches the
\* coordinator, which acknowledges the write to the client once it counts enough of them. The label
\* names `repair`: a write's Put and a read repair's Put of one version between two nodes may both be in flight.
Replicate(m, answered) ==
    /\ m \in msgs /\ m.type = "Put" /\ CanTalk(m.from, m.to)
    /\ answered \in (IF Lossy /\ ~m.repair THEN BOOLEAN ELSE {~m.repair})
    /\ IF m.hint = None
       THEN /\ store' = [store EXCEPT ![m.to] = Reconcile(store[m.to] \cup {m.ver})]
            /\ UNCHANGED hints
       ELSE /\ hints' = [hints EXCEPT ![m.to] = hints[m.to] \cup {[for |-> m.hint, ver |-> m.ver]}]
            /\ UNCHANGED store
    /\ msgs' = msgs \ {m}
    /\ LET w == writes[m.ver.val] IN
       IF answered /\ w.status = "pending" /\ w.coord = m.from
       THEN writes' = [writes EXCEPT ![m.ver.val] = [w EXCEPT !.acks = w.acks \cup {m.to},
                                                              !.status = IF Acked(Cardinality(w.acks \cup {m.to})) THEN "acked" ELSE "pending"]]
       ELSE UNCHANGED writes
    /\ UNCHANGED <<clock, up, side, splits, crashes, reads, seen>>
    /\ action' = [name |-> "Replicate", node |-> m.to, peer |-> m.from, value |-> m.ver.val, repair |-> m.repair, answered |-> answered]

\* A replica answers a read with what it holds (a fallback holds no versions of the key, only hints);
\* with R answers the read returns, and read repair sends the merged versions to a replica that
\* answered with less.
Answer(m, answered) ==
    /\ m \in msgs /\ m.type = "Get" /\ CanTalk(m.from, m.to)
    /\ answered \in (IF Lossy THEN BOOLEAN ELSE {TRUE})
    /\ LET rd == reads[m.read]
           result == Reconcile(rd.result \cup store[m.to])
       IN IF answered /\ rd.status = "pending" /\ rd.coord = m.from
          THEN /\ reads' = [reads EXCEPT ![m.read] = [rd EXCEPT !.from = rd.from \cup {m.to}, !.result = result,
                                                              !.status = IF Cardinality(rd.from \cup {m.to}) >= R THEN "done" ELSE "pending"]]
               /\ msgs' = (msgs \ {m}) \cup
                      {[type |-> "Put", from |-> m.from, to |-> m.to, ver |-> x, hint |-> None, repair |-> TRUE] :
                          x \in {y \in result : y \notin store[m.to]}}
          ELSE /\ msgs' = msgs \ {m}
               /\ UNCHANGED reads
    /\ UNCHANGED <<store, hints, clock, up, side, splits, crashes, writes, seen>>
    /\ action' = [name |-> "Answer", node |-> m.to, peer |-> m.from, read |-> m.read, answered |-> answered]

\* The label names the message lost (several may travel between two nodes).
DropMessage(m) ==
    /\ Lossy
    /\ m \in msgs
    /\ msgs' = msgs \ {m}
    /\ UNCHANGED <<store, hints, clock, up, side, splits, crashes, writes, reads, seen>>
    /\ action' = [name |-> "DropMessage", node |-> m.to, peer |-> m.from, message |-> m]

-----------------------------------------------------------------------------
(* Reconciliation. *)

\* A fallback that can reach the home replica it stands in for hands the version over.
HandOff(f, h) ==
    /\ h \in hints[f] /\ CanTalk(f, h.for)
    /\ store' = [store EXCEPT ![h.for] = Reconcile(store[h.for] \cup {h.ver})]
    /\ hints' = [hints EXCEPT ![f] = hints[f] \ {h}]
    /\ UNCHANGED <<clock, up, side, splits, crashes, msgs, writes, reads, seen>>
    /\ action' = [name |-> "HandOff", node |-> f, peer |-> h.for, value |-> h.ver.val]

\* Anti-entropy: two home replicas that can talk and hold different versions exchange them.
AntiEntropy(a, b) ==
    /\ a \in Home /\ b \in Home /\ a # b /\ CanTalk(a, b)
    /\ store[a] # store[b]
    /\ LET merged == Reconcile(store[a] \cup store[b]) IN
       store' = [store EXCEPT ![a] = merged, ![b] = merged]
    /\ UNCHANGED <<hints, clock, up, side, splits, crashes, msgs, writes, reads, seen>>
    /\ action' = [name |-> "AntiEntropy", node |-> a, peer |-> b]

-----------------------------------------------------------------------------
(* Faults. *)

\* The network splits: the nodes of S on one side, the others (the walk's first node among them) on the other.
Split(S) ==
    /\ splits < MaxSplits
    /\ \A n \in Node : side[n] = 0
    /\ S # {} /\ Pref[1] \notin S
    /\ side' = [n \in Node |-> IF n \in S THEN 1 ELSE 0]
    /\ splits' = splits + 1
    /\ UNCHANGED <<store, hints, clock, up, crashes, msgs, writes, reads, seen>>
    /\ action' = [name |-> "Split", nodes |-> S]

Heal ==
    /\ \E n \in Node : side[n] = 1
    /\ side' = [n \in Node |-> 0]
    /\ UNCHANGED <<store, hints, clock, up, splits, crashes, msgs, writes, reads, seen>>
    /\ action' = [name |-> "Heal"]

\* A crash loses what the node was coordinating: its clients never learn whether those writes took.
Crash(n) ==
    /\ up[n] /\ crashes < MaxCrashes
    /\ up' = [up EXCEPT ![n] = FALSE]
    /\ crashes' = crashes + 1
    /\ writes' = [v \in Value |-> IF writes[v].status = "pending" /\ writes[v].coord = n
                                   THEN [writes[v] EXCEPT !.status = "unknown"] ELSE writes[v]]
    /\ reads' = [i \in Reads |-> IF reads[i].status = "pending" /\ reads[i].coord = n
                                  THEN [reads[i] EXCEPT !.status = "unknown"] ELSE reads[i]]
    /\ UNCHANGED <<store, hints, clock, side, splits, msgs, seen>>
    /\ action' = [name |-> "Crash", node |-> n]

\* A node's clock runs ahead of the others' (only LWW reads clocks).
Tick(n) ==
    /\ Resolution = "LWW" /\ clock[n] < MaxClock
    /\ clock' = [clock EXCEPT ![n] = clock[n] + 1]
    /\ UNCHANGED <<store, hints, up, side, splits, crashes, msgs, writes, reads, seen>>
    /\ action' = [name |-> "Tick", node |-> n]

\* A restarted node has its store, hints and clock from disk.
Restart(n) ==
    /\ ~up[n]
    /\ up' = [up EXCEPT ![n] = TRUE]
    /\ UNCHANGED <<store, hints, clock, side, splits, crashes, msgs, writes, reads, seen>>
    /\ action' = [name |-> "Restart", node |-> n]

Next ==
    \/ \E c \in Node : \E v \in Value : Write(c, v)
    \/ \E c \in Node : \E i \in Reads : Read(c, i)
    \/ \E m \in msgs : \E answered \in BOOLEAN : Replicate(m, answered) \/ Answer(m, answered)
    \/ \E m \in msgs : DropMessage(m)
    \/ \E f \in Node : \E h \in hints[f] : HandOff(f, h)
    \/ \E a, b \in Node : AntiEntropy(a, b)
    \/ \E S \in SUBSET Node : Split(S)
    \/ Heal
    \/ \E n \in Node : Crash(n) \/ Restart(n) \/ Tick(n)

\* Everything that reconciles replicas happens eventually; faults and clients need not.
Fairness ==
    /\ WF_vars(\E m \in msgs : \E answered \in BOOLEAN : Replicate(m, answered) \/ Answer(m, answered))
    /\ WF_vars(\E f \in Node : \E h \in hints[f] : HandOff(f, h))
    /\ WF_vars(\E a, b \in Node : AntiEntropy(a, b))
    /\ WF_vars(Heal)
    /\ WF_vars(\E n \in Node : Restart(n))

Spec == Init /\ [][Next]_vars
FairSpec == Spec /\ Fairness

\* TLC fingerprints states without the action label.
StateView == <<store, hints, clock, up, side, splits, crashes, msgs, writes, reads, seen>>

-----------------------------------------------------------------------------
(* Properties. *)

\* Value v, or a write that had seen it, is among the versions S.
Covers(S, v) == \E x \in S : x.val = v \/ v \in seen[x.val]

\* No acknowledged write is lost: every replica's store or hints keep it or a write that had seen it.
NoLostAckedWrite ==
    \A v \in Value : writes[v].status = "acked" =>
        \E n \in Node : Covers(store[n], v) \/ Covers({h.ver : h \in hints[n]}, v)

\* No stale read: a read returns every write acknowledged before it began, or a write that had seen it.
NoStaleRead ==
    \A i \in Reads : reads[i].status = "done" => \A v \in reads[i].ackedBefore : Covers(reads[i].result, v)

\* Every home replica holds the same versions.
HomeReplicasAgree == \A a, b \in Home : store[a] = store[b]

\* Once writes, faults and reconciliation are over, the home replicas agree (under FairSpec).
Convergence == <>[]HomeReplicasAgree

TypeOK ==
    /\ \A n \in Node : up[n] \in BOOLEAN /\ side[n] \in {0, 1} /\ clock[n] \in 0 .. MaxClock
    /\ \A v \in Value : writes[v].status \in {"unwritten", "pending", "acked", "unavailable", "unknown"}
    /\ \A i \in Reads : reads[i].status \in {"idle", "pending", "done", "unavailable", "unknown"}
    /\ splits \in 0 .. MaxSplits /\ crashes \in 0 .. MaxCrashes
=============================================================================
