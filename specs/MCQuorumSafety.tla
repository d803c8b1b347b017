-------------------------- MODULE MCQuorumSafety --------------------------
\* Model-checking harness for QuorumSafety: what TLC needs beyond the spec.
EXTENDS QuorumSafety, TLC

\* Servers are interchangeable, so TLC explores one state per permutation class.
ServerSymmetry == Permutations(Server)
=============================================================================
