/**
 * The simulated network: per-message latency, loss, duplication, reordering and delay spikes, and the
 * partition matrix. Endpoints are numbers: nodes `0..n-1`, clients after them. Partitions cut only links
 * between nodes (clients can always reach every node, so they notice a cut-off leader by its silence, not
 * by being cut off themselves); every other fault applies to client traffic too, which is how a client
 * request gets duplicated or overtaken by its own retry.
 *
 * @module
 */
import { latencySampler, type Sampler } from './latency.js';
import type { Rng } from './rng.js';
import type { NetworkModel } from './scenario.js';

/** Active fault windows, keyed by the fault's position in the schedule. */
interface Windows {
  loss: Map<number, number>;
  duplicate: Map<number, number>;
  reorder: Map<number, { rate: number; maxDelayMs: number }>;
  spike: Map<number, { node: number | null; extraMs: number }>;
}

/** The fate of one sent message: the delays of the copies that will arrive (none when lost). */
export type Fate = readonly number[];

/** Network state; see the module comment. */
export class Network {
  private readonly blocked: Uint16Array;
  private readonly windows: Windows = { loss: new Map(), duplicate: new Map(), reorder: new Map(), spike: new Map() };
  private lossRate: number;
  private duplicateRate: number;
  private readonly latency: Sampler;

  /**
   * @param nodes cluster size; @param model the fault-free behaviour; @param rng the network's own stream.
   */
  constructor(
    readonly nodes: number,
    private readonly model: NetworkModel,
    private readonly rng: Rng,
  ) {
    this.blocked = new Uint16Array(nodes * nodes);
    this.lossRate = model.lossRate;
    this.duplicateRate = model.duplicateRate;
    this.latency = latencySampler(model.latency);
  }

  /** Whether messages from node `from` to node `to` are currently cut. */
  isBlocked(from: number, to: number): boolean {
    return from < this.nodes && to < this.nodes && this.blocked[from * this.nodes + to]! > 0;
  }

  /** Cut (`delta` 1) or restore (`delta` -1) the directed links `from -> to` for every pair given. Cuts nest. */
  cut(links: readonly (readonly [number, number])[], delta: 1 | -1): void {
    for (const [a, b] of links) {
      const i = a * this.nodes + b;
      this.blocked[i] = Math.max(0, this.blocked[i]! + delta);
    }
  }

  /** Open or close a loss/duplication/reorder/spike window. */
  setWindow(
    id: number,
    w:
      | { kind: 'loss'; rate: number }
      | { kind: 'duplicate'; rate: number }
      | { kind: 'reorder'; rate: number; maxDelayMs: number }
      | { kind: 'delay-spike'; node: number | null; extraMs: number }
      | null,
    kind: 'loss' | 'duplicate' | 'reorder' | 'delay-spike',
  ): void {
    const { loss, duplicate, reorder, spike } = this.windows;
    if (kind === 'loss') w === null || w.kind !== 'loss' ? loss.delete(id) : loss.set(id, w.rate);
    if (kind === 'duplicate') w === null || w.kind !== 'duplicate' ? duplicate.delete(id) : duplicate.set(id, w.rate);
    if (kind === 'reorder') w === null || w.kind !== 'reorder' ? reorder.delete(id) : reorder.set(id, w);
    if (kind === 'delay-spike') w === null || w.kind !== 'delay-spike' ? spike.delete(id) : spike.set(id, w);
    // Independent windows combine like independent coin flips.
    this.lossRate = 1 - [...loss.values()].reduce((p, r) => p * (1 - r), 1 - this.model.lossRate);
    this.duplicateRate = 1 - [...duplicate.values()].reduce((p, r) => p * (1 - r), 1 - this.model.duplicateRate);
  }

  /** Close every window and restore every link (the heal). */
  healAll(): void {
    this.blocked.fill(0);
    this.windows.loss.clear();
    this.windows.duplicate.clear();
    this.windows.reorder.clear();
    this.windows.spike.clear();
    this.lossRate = this.model.lossRate;
    this.duplicateRate = this.model.duplicateRate;
  }

  /** Decide what happens to one message from `from` to `to`: lost (no copies), delivered once, or twice. */
  fate(from: number, to: number): Fate {
    if (this.isBlocked(from, to)) return [];
    if (this.rng.chance(this.lossRate)) return [];
    const first = this.delay(from, to);
    return this.rng.chance(this.duplicateRate) ? [first, this.delay(from, to)] : [first];
  }

  private delay(from: number, to: number): number {
    let d = this.latency(this.rng);
    if (this.windows.reorder.size > 0) {
      for (const r of this.windows.reorder.values()) if (this.rng.chance(r.rate)) d += this.rng.uniform(0, r.maxDelayMs);
    }
    if (this.windows.spike.size > 0) {
      for (const s of this.windows.spike.values()) if (s.node === null || s.node === from || s.node === to) d += s.extraMs;
    }
    return d;
  }
}
