/**
 * An in-memory stand-in for a cluster, to test the torture run's plumbing and checks without processes:
 * one shared map applied atomically somewhere inside each call's interval (so its histories are
 * linearizable), with deliberately wrong variants for the negative controls:
 *
 * - `stale-reads`: a read answers from a snapshot of the map taken a while ago (not linearizable);
 * - `two-leaders`: s1 and s2 both report leading term 1 (breaks ElectionSafety);
 * - `crash`: a node exits on its own part-way through;
 * - `dead-after-heal`: every call fails once the faults are over (no liveness).
 *
 * Nodes "killed" or "paused" answer no status, and a call that reaches no node is `info`.
 */
import type { KvOp, KvResult } from '../../src/kv/command.js';
import type { KvCaller } from '../../src/torture/clients.js';
import type { Completion } from '../../src/torture/history.js';
import type { NodeStatusView, TortureCluster } from '../../src/torture/run.js';

export type FakeBehaviour = 'correct' | 'stale-reads' | 'two-leaders' | 'crash' | 'dead-after-heal';

export class FakeCluster implements TortureCluster {
  readonly members: readonly string[];
  private readonly running = new Set<string>();
  private readonly paused = new Set<string>();
  private readonly rates = new Map<string, number>();
  readonly actions: string[] = [];
  cuts: readonly (readonly [number, number])[] = [];
  private readonly map = new Map<string, string | null>();
  private snapshot = new Map<string, string | null>();
  private readonly snapshotTimer: NodeJS.Timeout;
  private readonly crashListeners: ((node: string, description: string) => void)[] = [];
  private readonly leaderListeners: ((node: string, term: number, epochMs: number) => void)[] = [];
  private healedCalls = false;

  constructor(
    size: number,
    private readonly behaviour: FakeBehaviour = 'correct',
  ) {
    this.members = Array.from({ length: size }, (_, i) => `s${i + 1}`);
    for (const m of this.members) {
      this.running.add(m);
      this.rates.set(m, 1);
    }
    this.snapshotTimer = setInterval(() => (this.snapshot = new Map(this.map)), 150);
    if (behaviour === 'crash') {
      setTimeout(() => {
        this.running.delete('s3');
        for (const l of this.crashListeners) l('s3', 'exit code 70 (a bug)');
      }, 400).unref();
    }
  }

  private lastLeader: string | null = null;
  private term = 1;

  /** The first live node leads; every change of leader is a new term, as in Raft. */
  leader(): string | null {
    const leader = this.members.find((m) => this.running.has(m) && !this.paused.has(m)) ?? null;
    if (leader !== this.lastLeader && leader !== null) {
      if (this.lastLeader !== null) this.term++;
      this.lastLeader = leader;
    }
    return leader;
  }

  async kill(node: string): Promise<void> {
    this.actions.push(`kill ${node}`);
    this.running.delete(node);
    this.paused.delete(node);
  }

  async start(node: string, clockRate: number): Promise<void> {
    this.actions.push(`start ${node} x${clockRate}`);
    this.running.add(node);
    this.rates.set(node, clockRate);
  }

  async restart(node: string, clockRate: number): Promise<void> {
    this.actions.push(`restart ${node} x${clockRate}`);
    this.running.add(node);
    this.rates.set(node, clockRate);
  }

  pause(node: string): void {
    this.actions.push(`pause ${node}`);
    this.paused.add(node);
  }

  resume(node: string): void {
    this.actions.push(`resume ${node}`);
    this.paused.delete(node);
  }

  cut(links: readonly (readonly [number, number])[]): void {
    this.actions.push(`cut ${links.map(([a, b]) => `${a}>${b}`).join(' ') || 'none'}`);
    this.cuts = links;
  }

  isRunning(node: string): boolean {
    return this.running.has(node);
  }

  isPaused(node: string): boolean {
    return this.paused.has(node);
  }

  clockRate(node: string): number {
    return this.rates.get(node) ?? 1;
  }

  /** From now on, every call fails (for `dead-after-heal`). */
  breakCalls(): void {
    this.healedCalls = true;
  }

  readonly connect = (): KvCaller => ({
    call: async (op: KvOp): Promise<Completion> => {
      if (this.behaviour === 'dead-after-heal' && this.healedCalls) return { type: 'fail', reason: 'refused' };
      if (this.leader() === null) return { type: 'info', reason: 'no node' };
      await pause(1 + Math.random() * 3);
      const result = this.apply(op);
      await pause(1 + Math.random() * 3);
      return { type: 'ok', result };
    },
    close: () => undefined,
  });

  private apply(op: KvOp): KvResult {
    const current = this.map.get(op.key) ?? null;
    switch (op.type) {
      case 'get':
        return { type: 'get', value: this.behaviour === 'stale-reads' ? (this.snapshot.get(op.key) ?? null) : current };
      case 'put':
        this.map.set(op.key, op.value);
        return { type: 'put' };
      case 'cas':
        if (current !== op.expected) return { type: 'cas', ok: false };
        this.map.set(op.key, op.value);
        return { type: 'cas', ok: true };
    }
  }

  async status(node: string): Promise<NodeStatusView | null> {
    if (!this.running.has(node) || this.paused.has(node)) return null;
    const leader = this.leader();
    const leads = node === leader || (this.behaviour === 'two-leaders' && node === 's2');
    return { role: leads ? 'Leader' : 'Follower', term: this.term, leader, commitIndex: 0, lastApplied: 0 };
  }

  onLeaderLog(listener: (node: string, term: number, epochMs: number) => void): void {
    this.leaderListeners.push(listener);
    // A log line as real nodes print one when elected.
    setTimeout(() => listener('s1', 1, Date.now()), 10).unref();
  }

  onCrash(listener: (node: string, description: string) => void): void {
    this.crashListeners.push(listener);
  }

  close(): void {
    clearInterval(this.snapshotTimer);
  }
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
