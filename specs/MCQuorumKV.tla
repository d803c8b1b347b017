---------------------------- MODULE MCQuorumKV ----------------------------
\* Model-checking harness for QuorumKV: what TLC needs beyond the spec. A config cannot write a
\* sequence of model values, so the nodes are declared here and the configs pick a walk.
EXTENDS QuorumKV, TLC

CONSTANTS n1, n2, n3, n4

\* Two nodes (the trace tour's small model).
Nodes2 == {n1, n2}
Walk2 == <<n1, n2>>
\* Three nodes, all home replicas of the key (N = 3).
Nodes3 == {n1, n2, n3}
Walk3 == <<n1, n2, n3>>
\* Four nodes: the key's three home replicas, then n4, the fallback a sloppy quorum uses.
Nodes4 == {n1, n2, n3, n4}
Walk4 == <<n1, n2, n3, n4>>

\* Values are interchangeable; so are the nodes when all of them are home replicas and the versions
\* are ordered by version vectors alone (LWW's tie-break orders the nodes, a walk with a fallback too).
ValueSymmetry == Permutations(Value)
NodeAndValueSymmetry == Permutations(Node) \cup Permutations(Value)
-----------------------------------------------------------------------------
\* Goals of the trace scenarios (`npm run traces -- --protocol quorum-kv --mode scenario`): situations each
\* property of the spec is about, reached by a shortest behaviour (TLC finds it as a counterexample of the
\* goal's negation).

\* A write is acknowledged to its client.
WriteAcknowledged == \E v \in Value : writes[v].status = "acked"
\* A read returns two concurrent writes as siblings.
SiblingsRead == \E i \in Reads : reads[i].status = "done" /\ Cardinality(reads[i].result) >= 2
\* During a split, a fallback keeps a write for an unreachable home replica and the write is acknowledged.
SloppyWriteAcknowledged == (\E n \in Node : hints[n] # {}) /\ WriteAcknowledged
\* A fallback hands a version over to the home replica it stood in for.
HintHandedOff == action.name = "HandOff"
\* Read repair brings a replica that answered with less up to date.
ReadRepaired == action.name = "Replicate" /\ action.repair
\* After a split heals, every home replica holds the same two concurrent writes.
ConvergedAfterHeal ==
    /\ splits = 1 /\ \A n \in Node : side[n] = 0
    /\ HomeReplicasAgree /\ \A n \in Home : Cardinality(store[n]) = 2
\* A step: a replica's answer supersedes a version the read held, which the read then drops.
ReadDropsSuperseded ==
    /\ action'.name = "Answer"
    /\ \E x \in reads[action'.read].result : x \notin reads'[action'.read].result
\* A coordinator crashes before its write is acknowledged: the client never learns the outcome.
WriteOutcomeUnknown == \E v \in Value : writes[v].status = "unknown"

Not_WriteAcknowledged == ~WriteAcknowledged
Not_SiblingsRead == ~SiblingsRead
Not_SloppyWriteAcknowledged == ~SloppyWriteAcknowledged
Not_HintHandedOff == ~HintHandedOff
Not_ReadRepaired == ~ReadRepaired
Not_ConvergedAfterHeal == ~ConvergedAfterHeal
Never_ReadDropsSuperseded == [][~ReadDropsSuperseded]_vars
Not_WriteOutcomeUnknown == ~WriteOutcomeUnknown
=============================================================================
