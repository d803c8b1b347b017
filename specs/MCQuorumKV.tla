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
=============================================================================
