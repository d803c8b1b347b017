------------------------- MODULE QuorumIntersection -------------------------
(***************************************************************************)
(* The arithmetic behind majority quorums, checked for every cluster size  *)
(* up to MaxServers at once: the cluster size n and the quorum size q are  *)
(* the state, so TLC checks each (n, q) pair as one reachable state.       *)
(***************************************************************************)
EXTENDS Naturals, FiniteSets

CONSTANTS
    MaxServers,   \* check every cluster size 1..MaxServers
    QuorumRule    \* "majority": q = n \div 2 + 1; "half": q = n \div 2 (unsafe); "any": every q in 1..n

ASSUME MaxServers \in Nat \ {0}
ASSUME QuorumRule \in {"majority", "half", "any"}

VARIABLES n, q

\* The quorum sizes the configured rule allows for a cluster of size k.
AllowedQuorumSizes(k) ==
    CASE QuorumRule = "majority" -> {k \div 2 + 1}
      [] QuorumRule = "half"     -> {k \div 2} \ {0}
      [] QuorumRule = "any"      -> 1..k

Init == /\ n \in 1..MaxServers
        /\ q \in AllowedQuorumSizes(n)

\* The pair never changes: every state is initial, and TLC checks them all.
Next == UNCHANGED <<n, q>>

\* Every set of at least q servers out of 1..n.
QuorumsOf(k, size) == {S \in SUBSET (1..k) : Cardinality(S) >= size}

\* Any two quorums of the cluster share at least one server, so two leaders
\* elected by quorums in the same term would need one server to vote twice.
QuorumsIntersect == \A A, B \in QuorumsOf(n, q) : A \cap B # {}

\* Quorums intersect exactly when a quorum is a strict majority (2q > n):
\* the majority rule is not just sufficient but the smallest size that works.
IntersectionIffMajority == QuorumsIntersect <=> 2 * q > n
=============================================================================
