---------------------------- MODULE MCHashRing ----------------------------
\* Model-checking harness for HashRing: what TLC needs beyond the spec.
EXTENDS HashRing, TLC

\* Nodes are interchangeable, so TLC explores one state per permutation class.
NodeSymmetry == Permutations(Node)
=============================================================================
