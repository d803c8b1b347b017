/**
 * The simulator's agenda: a binary min-heap of events ordered by virtual time, ties broken by the order
 * they were scheduled. The tie-break is what makes two events at the same instant run in a reproducible
 * order (a heap alone is not stable).
 *
 * @module
 */

interface Slot<T> {
  readonly time: number;
  readonly seq: number;
  readonly item: T;
}

/** A stable priority queue keyed by time. */
export class EventQueue<T> {
  private heap: Slot<T>[] = [];
  private nextSeq = 0;

  /** Number of scheduled events. */
  get size(): number {
    return this.heap.length;
  }

  /** Schedule `item` at virtual time `time` (ms). */
  push(time: number, item: T): void {
    const slot: Slot<T> = { time, seq: this.nextSeq++, item };
    const h = this.heap;
    let i = h.length;
    h.push(slot);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = h[parent]!;
      if (p.time < time || (p.time === time && p.seq < slot.seq)) break;
      h[i] = p;
      i = parent;
    }
    h[i] = slot;
  }

  /** Time of the earliest event, or `Infinity` when empty. */
  peekTime(): number {
    return this.heap[0]?.time ?? Infinity;
  }

  /** Remove and return the earliest event, or `undefined` when empty. */
  pop(): { readonly time: number; readonly item: T } | undefined {
    const h = this.heap;
    const top = h[0];
    if (top === undefined) return undefined;
    const last = h.pop()!;
    if (h.length > 0) {
      let i = 0;
      const n = h.length;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        let c = l;
        const cl = h[l]!;
        if (r < n) {
          const cr = h[r]!;
          if (cr.time < cl.time || (cr.time === cl.time && cr.seq < cl.seq)) c = r;
        }
        const child = h[c]!;
        if (last.time < child.time || (last.time === child.time && last.seq < child.seq)) break;
        h[i] = child;
        i = c;
      }
      h[i] = last;
    }
    // The slot itself: its extra `seq` is harmless, and a fresh object per event is measurable garbage.
    return top;
  }
}
