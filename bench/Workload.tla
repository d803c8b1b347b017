------------------------------ MODULE Workload ------------------------------
\* A benchmark workload for the TLC wrapper: Mod^3 states, enough real model-checking work that
\* JVM start-up does not dominate, small enough for a few repetitions.
EXTENDS Naturals
CONSTANT Mod
VARIABLES a, b, c
Init == a = 0 /\ b = 0 /\ c = 0
Next == \/ a' = (a + 1) % Mod /\ UNCHANGED <<b, c>>
        \/ b' = (b + 1) % Mod /\ UNCHANGED <<a, c>>
        \/ c' = (c + a + 1) % Mod /\ UNCHANGED <<a, b>>
Bounded == a < Mod /\ b < Mod /\ c < Mod
=============================================================================
