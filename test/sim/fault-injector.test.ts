/**
 * The fault injector on its own, against a fake cluster that only records what it is told to do: armed
 * crashes fire at the first matching protocol event and only then, partitions cut and restore links, the
 * heal stops everything.
 */
import { describe, expect, it } from 'vitest';
import { initialNodeState, type NodeState } from '../../src/raft/index.js';
import { FaultInjector, type FaultableCluster, type FaultableNode } from '../../src/sim/fault-injector.js';
import { LAN_LATENCY, Rng, type Fault } from '../../src/sim/index.js';
import { Network } from '../../src/sim/network.js';

const SERVERS = ['s1', 's2', 's3'];

class FakeNode implements FaultableNode {
  readonly host: { up: boolean; state: NodeState };
  readonly clockRates = new Map<number, number>();
  timerFired = 0;

  constructor(
    readonly index: number,
    readonly id: string,
    role: NodeState['role'],
  ) {
    this.host = { up: true, state: { ...initialNodeState(id, SERVERS), role, currentTerm: 1 } };
  }

  setClockRate(fault: number, rate: number): void {
    this.clockRates.set(fault, rate);
  }

  clearClockRate(fault: number): void {
    this.clockRates.delete(fault);
  }

  resetClockRate(): void {
    this.clockRates.clear();
  }

  fireElectionTimerNow(): void {
    this.timerFired++;
  }
}

/** s1 leads; s2 and s3 follow. Every crash and scheduled fault end is recorded. */
function world(faults: Fault[]) {
  const nodes = [new FakeNode(0, 's1', 'Leader'), new FakeNode(1, 's2', 'Follower'), new FakeNode(2, 's3', 'Follower')];
  const crashes: string[] = [];
  const ends: [number, number][] = [];
  const cluster: FaultableCluster<FakeNode> = {
    nodes,
    network: new Network(3, { latency: LAN_LATENCY, lossRate: 0, duplicateRate: 0 }, new Rng(1)),
    leader: () => nodes.find((n) => n.host.up && n.host.state.role === 'Leader') ?? null,
    crash: (node, downMs, why, landed) => {
      node.host.up = false;
      crashes.push(`${node.id} for ${downMs} ms (${why})${landed === true ? ' landed' : ''}`);
    },
    scheduleFaultEnd: (fault, atMs) => ends.push([fault, atMs]),
    say: () => {},
  };
  const injector = new FaultInjector(faults, 1000, cluster, new Rng(7));
  return { nodes, crashes, ends, injector, network: cluster.network };
}

describe('the fault injector', () => {
  it('an armed mid-write crash waits for a write of its target, fires once, and keeps whether the write lands', () => {
    const { nodes, crashes, injector } = world([{ kind: 'crash-mid-write', target: 'leader', atMs: 10, downMs: 50, landed: true }]);
    injector.start(0);
    expect(crashes).toEqual([]);
    injector.writeQueued(nodes[1]!); // a follower's write: not the target
    expect(crashes).toEqual([]);
    injector.writeQueued(nodes[0]!);
    expect(crashes).toEqual(['s1 for 50 ms (fault 0: mid-write) landed']);
    nodes[0]!.host.up = true;
    injector.writeQueued(nodes[0]!);
    expect(crashes).toHaveLength(1);
  });

  it('a crash after a vote write ignores other writes; a crash after a commit hits only a leader', () => {
    const { nodes, crashes, injector } = world([
      { kind: 'crash-after-write', target: 'follower', atMs: 0, downMs: 5, write: 'vote' },
      { kind: 'crash-after-commit', atMs: 0, downMs: 7 },
    ]);
    injector.start(0);
    injector.start(1);
    injector.writeReleased(nodes[2]!, 'append');
    injector.committed(nodes[2]!);
    expect(crashes).toEqual([]);
    injector.writeReleased(nodes[2]!, 'vote');
    injector.committed(nodes[0]!);
    expect(crashes).toEqual(['s3 for 5 ms (fault 0: right after a vote write)', 's1 for 7 ms (fault 1: right after committing index 0)']);
  });

  it('a partition cuts the links between its sides until it ends, which is at its end or the heal, whichever comes first', () => {
    const { ends, injector, network } = world([{ kind: 'partition', shape: 'isolate-node', atMs: 900, forMs: 300, pick: 1 }]);
    injector.start(0);
    expect(ends).toEqual([[0, 1000]]);
    expect([network.isBlocked(1, 0), network.isBlocked(0, 1), network.isBlocked(2, 1), network.isBlocked(0, 2)]).toEqual([true, true, true, false]);
    injector.end(0);
    expect(network.isBlocked(1, 0)).toBe(false);
  });

  it('the heal disarms armed crashes, restores the network and every clock, and later faults do not start', () => {
    const { nodes, crashes, injector, network } = world([
      { kind: 'crash-mid-write', target: 'follower', atMs: 0, downMs: 5, landed: false },
      { kind: 'partition', shape: 'isolate-node', atMs: 0, forMs: 5000, pick: 0 },
      { kind: 'clock-drift', target: 1, atMs: 0, forMs: 5000, rate: 2 },
      { kind: 'timer-storm', atMs: 1200, count: 2 },
    ]);
    for (const id of [0, 1, 2]) injector.start(id);
    expect(nodes[1]!.clockRates.get(2)).toBe(2);
    injector.heal();
    injector.writeQueued(nodes[1]!);
    injector.start(3);
    expect(crashes).toEqual([]);
    expect(network.isBlocked(0, 1)).toBe(false);
    expect(nodes[1]!.clockRates.size).toBe(0);
    expect(nodes.map((n) => n.timerFired)).toEqual([0, 0, 0]);
    expect(injector.started).toBe(3);
  });

  it('a timer storm fires the election timers of live followers only', () => {
    const { nodes, injector } = world([{ kind: 'timer-storm', atMs: 0, count: 5 }]);
    nodes[2]!.host.up = false;
    injector.start(0);
    expect(nodes.map((n) => n.timerFired)).toEqual([0, 1, 0]);
  });
});
