------------------------------ MODULE Workload ------------------------------
\* A benchmark workload for the TLC wrapper: Mod^3 states (6,859,000 at Mod = 190, about 18 s on
\* 2 cores), long enough that JVM start-up does not dominate and that the run-to-run spread of a
\* shared machine stays below the 5 % the overhead goal must resolve.
EXTENDS Naturals
CONSTANT Mod
VARIABLES a, b, c
Init == a = 0 /\ b = 0 /\ c = 0
Next == \/ a' = (a + 1) % Mod /\ UNCHANGED <<b, c>>
        \/ b' = (b + 1) % Mod /\ UNCHANGED <<a, c>>
        \/ c' = (c + a + 1) % Mod /\ UNCHANGED <<a, b>>
Bounded == a < Mod /\ b < Mod /\ c < Mod
=============================================================================
