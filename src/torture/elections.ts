/**
 * What a torture run learns about leadership from outside the nodes: each node's status (polled) and its
 * log lines ("became leader in term T"). From these it counts elections and checks the one invariant it
 * can see directly, ElectionSafety (at most one leader per term, `specs/Raft.tla`): two different nodes
 * seen leading in the same term, at any two times, is a violation. Polling can miss a short-lived leader,
 * so the check may miss a violation but never invents one (a node reports only its own role and term).
 *
 * @module
 */

/** One sighting of a node leading. */
export interface LeaderSighting {
  readonly node: string;
  readonly term: number;
  /** Ms since the workload started (negative: before it). */
  readonly atMs: number;
  /** Where it was seen. */
  readonly source: 'status' | 'log';
}

/** Two leaders of one term. */
export interface ElectionSafetyViolation {
  readonly term: number;
  readonly first: LeaderSighting;
  readonly second: LeaderSighting;
}

/** Collects sightings; see the module comment. */
export class LeadershipLog {
  private readonly leaders = new Map<number, LeaderSighting>();
  private readonly violations: ElectionSafetyViolation[] = [];
  private highestTerm = 0;

  /** Record that `node` leads in `term`; returns the violation it reveals, if any (each term reported once). */
  saw(sighting: LeaderSighting): ElectionSafetyViolation | null {
    if (sighting.term > this.highestTerm) this.highestTerm = sighting.term;
    const known = this.leaders.get(sighting.term);
    if (known === undefined) {
      this.leaders.set(sighting.term, sighting);
      return null;
    }
    if (known.node === sighting.node || this.violations.some((v) => v.term === sighting.term)) return null;
    const violation = { term: sighting.term, first: known, second: sighting };
    this.violations.push(violation);
    return violation;
  }

  /** A node reported a term (any role): keeps the highest term seen. */
  sawTerm(term: number): void {
    if (term > this.highestTerm) this.highestTerm = term;
  }

  /** Terms with a leader seen, in order, with the first leader seen in each. */
  get terms(): readonly LeaderSighting[] {
    return [...this.leaders.values()].sort((a, b) => a.term - b.term);
  }

  /** Elections won that were seen (terms with a leader). */
  get electionsSeen(): number {
    return this.leaders.size;
  }

  get maxTerm(): number {
    return this.highestTerm;
  }

  get electionSafetyViolations(): readonly ElectionSafetyViolation[] {
    return this.violations;
  }
}

/** `s2 (status at 3.2 s) and s3 (log at 3.4 s) both led term 7`. */
export function describeElectionSafetyViolation(v: ElectionSafetyViolation): string {
  const at = (s: LeaderSighting) => `${s.node} (${s.source} at ${(s.atMs / 1000).toFixed(2)} s)`;
  return `ElectionSafety: ${at(v.first)} and ${at(v.second)} both led term ${v.term}`;
}
