/**
 * Linearizability checking in the style of Wing and Gong, with Lowe's memoisation, as in Porcupine and
 * Knossos: a depth-first search for an order of the operations that respects real time (an operation that
 * returned before another was invoked comes first) and the model. Calls and returns sit in a doubly linked
 * list sorted by time; linearizing an operation lifts its call and return out of the list, undoing puts
 * them back (dancing links). A set of (linearized operations, model state) configurations already
 * explored cuts the search from factorial to, in practice, roughly linear in the history length.
 *
 * What keeps a step cheap (the search runs millions of them on a hard history):
 * - **The memo key is integers and bitsets, never a string.** The set of linearized operations is a bitset
 *   whose hash is kept incrementally (each operation owns a random 32-bit word, XORed in and out: Zobrist
 *   hashing); the model state is interned to a small integer once, when first seen. The memo is an
 *   open-addressing table over typed arrays that compares the bitsets themselves on a hash match, so a
 *   collision costs time, never a wrong answer. Bitsets are stored trimmed (leading all-ones and trailing
 *   all-zero words left out), since a configuration is mostly a linearized prefix and a small frontier.
 * - **Transitions are cached** per (state, operation): the model's `step` runs once per pair.
 *
 * What keeps the number of configurations down, beyond Porcupine (each sound, each off with
 * `reductions: false`, and each checked against a brute-force search in test/lin/reference.test.ts):
 * - **Operations that cannot matter are left out**: failed ones (they did not happen) and timed-out reads
 *   (no effect, no observation). Once only timed-out operations are left, the search has succeeded: they
 *   may never take effect.
 * - **Timed-out operations wait in a list of their own** and are tried after the completed candidates, and
 *   never where they would change nothing (then they can as well come last, or never).
 * - **A configuration is dead when a finished one had the same completed operations and state and used a
 *   subset of its timed-out ones**: anything possible from here is possible from there, with the extra
 *   timed-out operations last. The memo keys configurations by (completed operations, state) and keeps,
 *   for each key, the sets of timed-out operations used. Because timed-out operations are tried last,
 *   the configurations with fewer of them tend to be finished first and prune the rest: a history with k
 *   timed-out writes no longer costs 2^k configurations per frontier.
 * - **Interchangeable timed-out operations are tried in one order.** Two timed-out operations with equal
 *   inputs (the model's `inputKey`) have the same effect and no return time; in any linearization the one
 *   invoked first can take the place of the other, so the search only linearizes the later one when the
 *   earlier one already is.
 * - **A possible read is a forced move.** A completed read-only operation that is a candidate and possible
 *   in the current state goes next, without trying alternatives: in any order that places it later it saw
 *   this same state, and moving it here breaks no real-time constraint.
 *
 * The search is resumable: {@link LinearizationSearch.run} stops at a state or time budget and can be
 * called again with a larger one, continuing where it stopped (the caller shares one time budget among
 * a history's parts this way, see `parts.ts`).
 *
 * @module
 */
import type { Operation } from './history.js';
import { IMPOSSIBLE, type Model } from './model.js';

/** Milliseconds from an arbitrary origin; injected so a test can drive a time budget without waiting. */
export type Clock = () => number;

/** Why a search stopped without an answer. */
export type GiveUpReason = 'state-budget' | 'time-budget';

/** Limits of one {@link LinearizationSearch.run}. */
export interface SearchBudget {
  /** Cap on distinct configurations, counted over the whole search (all runs). */
  readonly maxExplored: number;
  /** Give up once `clock()` reaches this (read every few thousand steps); none when absent. */
  readonly deadline?: number;
  readonly clock?: Clock;
}

/** The outcome of searching one (sub-)history. */
export interface SearchResult {
  readonly linearizable: boolean | 'unknown';
  /** Why the answer is `unknown` (absent otherwise). */
  readonly reason?: GiveUpReason;
  /** The longest valid order of operations the search built, as positions in the history given. */
  readonly deepest: readonly number[];
  /** Distinct configurations (linearized operations, state) visited. */
  readonly explored: number;
}

/** Options of {@link searchLinearization}. */
export interface SearchOptions {
  /** Cap on explored configurations (default {@link DEFAULT_MAX_EXPLORED}). */
  readonly maxExplored?: number;
  /** Time budget in ms, measured with `clock` (default: none). */
  readonly timeBudgetMs?: number;
  /** Default `performance.now`. */
  readonly clock?: Clock;
  /**
   * The reductions beyond Porcupine's search (see the module comment: timed-out reads left out, timed-out
   * operations tried last and never as no-ops, dead configurations, interchangeable timeouts, forced
   * reads). Default true; off gives the plain memoised search of one list, to measure what they save.
   */
  readonly reductions?: boolean;
}

/** Default cap on explored configurations per sub-history; beyond it the answer is `unknown`. */
export const DEFAULT_MAX_EXPLORED = 2_000_000;

/** The clock of budgets when none is injected. */
export const systemClock: Clock = () => performance.now();

// Steps between two readings of the clock: a reading costs far more than a step.
const CLOCK_EVERY = 4096;
// Transition rows (one Int32Array per state) stop being added past this many cells in all.
const MAX_TRANSITION_CELLS = 1 << 24;
const UNKNOWN_TRANSITION = -2;
const IMPOSSIBLE_TRANSITION = -1;
const NONE = -1;
// Finished entries of a key compared for the subset check, latest first. A key may collect thousands of
// timed-out sets (a witness whose writes were all relaxed); walking them all made each lookup cost more
// than the configurations it saved. Exact repeats are found through their own table whatever this is.
const DOMINANCE_WALK = 32;

/**
 * Search one history (no partitioning). `fail` operations are left out (they did not happen); `timeout`
 * operations may be linearized anywhere after their call, including after everything else, which is the
 * same as never taking effect. `options` may be a number: the state budget.
 */
export function searchLinearization<S, I, O>(
  model: Model<S, I, O>,
  history: readonly Operation<I, O>[],
  options: number | SearchOptions = {},
): SearchResult {
  const opts: SearchOptions = typeof options === 'number' ? { maxExplored: options } : options;
  const search = new LinearizationSearch(model, history, { reductions: opts.reductions ?? true });
  const clock = opts.clock ?? systemClock;
  const budget: SearchBudget =
    opts.timeBudgetMs === undefined
      ? { maxExplored: opts.maxExplored ?? DEFAULT_MAX_EXPLORED }
      : { maxExplored: opts.maxExplored ?? DEFAULT_MAX_EXPLORED, clock, deadline: clock() + opts.timeBudgetMs };
  const outcome = search.run(budget);
  const base = { deepest: search.deepest(), explored: search.explored };
  if (outcome === 'linearizable') return { linearizable: true, ...base };
  if (outcome === 'not-linearizable') return { linearizable: false, ...base };
  return { linearizable: 'unknown', reason: outcome, ...base };
}

/** What one run of a search ended with. */
export type RunOutcome = 'linearizable' | 'not-linearizable' | GiveUpReason;

/**
 * A resumable search of one history. Each `run` continues from where the last one stopped; a decided
 * search returns its answer again.
 */
export class LinearizationSearch<S, I, O> {
  /** Operations searched (a subset of the history). */
  readonly size: number;
  /** Each searched operation's position in the history. */
  private readonly position: Int32Array;
  private readonly inputs: I[];
  private readonly outputs: (O | undefined)[];
  // The lists: entry 2i is operation i's call, 2i + 1 its return. `head` starts the list of calls and
  // returns sorted by time; `waitingHead` the calls of the waiting (timed-out) operations, by time.
  private readonly head: number;
  private readonly waitingHead: number;
  private readonly next: Int32Array;
  private readonly prev: Int32Array;
  private readonly callTime: Float64Array;
  private readonly retTime: Float64Array;
  /** 1 for an operation in the waiting list. */
  private readonly waiting: Uint8Array;
  /** Each operation's bit in its bitset: `main` for the main list's operations, `used` for the waiting ones. */
  private readonly bit: Int32Array;
  private readonly main: Uint32Array;
  private readonly used: Uint32Array;
  private readonly zobrist: Int32Array;
  /** For a waiting operation, the previous interchangeable one (by invocation) or NONE. */
  private readonly before: Int32Array;
  /** 1 for a completed operation that cannot change the state (a read). */
  private readonly observer: Uint8Array;
  private readonly reduce: boolean;
  private readonly states: S[] = [];
  private readonly stateIds = new Map<string, number>();
  private readonly transitions: (Int32Array | undefined)[] = [];
  private transitionCells = 0;
  private readonly memo: ConfigurationMemo;
  private readonly stackOp: Int32Array;
  private readonly stackState: Int32Array;
  private readonly stackEntry: Int32Array;
  /** Per stack level: 1 when that operation was a forced move (no alternative needs trying). */
  private readonly forced: Uint8Array;
  // Where the search stands (kept between runs).
  private depth = 0;
  private hash = 0;
  private usedHash = 0;
  private state: number;
  private cursor: number;
  /** Main-list operations not linearized yet; the search succeeds when none is left. */
  private required: number;
  /** The next step looks for a forced move first (set after every push). */
  private fresh: boolean;
  /** 0: scanning the candidates of the main list; 1: the waiting ones called before `limit`. */
  private phase = 0;
  private limit = 0;
  private result: 'linearizable' | 'not-linearizable' | null = null;
  private deepestOps: Int32Array = new Int32Array(0);

  constructor(
    private readonly model: Model<S, I, O>,
    history: readonly Operation<I, O>[],
    options: { readonly reductions?: boolean } = {},
  ) {
    this.reduce = options.reductions !== false;
    const kept: number[] = [];
    history.forEach((o, i) => {
      if (o.status === 'fail') return;
      if (this.reduce && o.status === 'timeout' && model.readOnly(o.input, undefined)) return;
      kept.push(i);
    });
    const n = kept.length;
    this.size = n;
    this.position = Int32Array.from(kept);
    const ops = kept.map((i) => history[i]!);
    this.inputs = ops.map((o) => o.input);
    this.outputs = ops.map((o) => (o.status === 'ok' ? o.output : undefined));
    this.callTime = Float64Array.from(ops, (o) => o.call);
    this.retTime = Float64Array.from(ops, (o) => (o.status === 'timeout' ? Infinity : o.ret));
    // With the reductions, timed-out operations wait in a list of their own and are tried after the
    // completed candidates; without, they sit in the one list as in Porcupine, returning at infinity.
    this.waiting = Uint8Array.from(ops, (o) => (this.reduce && o.status === 'timeout' ? 1 : 0));
    this.observer = Uint8Array.from(ops, (o) => (this.reduce && o.status === 'ok' && model.readOnly(o.input, o.output) ? 1 : 0));

    // Equal times: calls first, so touching intervals count as concurrent (never a false alarm from a tie).
    const time = (e: number): number => ((e & 1) === 0 ? this.callTime[e >> 1]! : this.retTime[e >> 1]!);
    const byTime = (a: number, b: number): number => {
      const ta = time(a);
      const tb = time(b);
      // (Compared with < and >: two timeouts both end at Infinity, and Infinity - Infinity is NaN.)
      return ta < tb ? -1 : ta > tb ? 1 : (a & 1) !== (b & 1) ? (a & 1) - (b & 1) : (a >> 1) - (b >> 1);
    };
    const mainEntries = Array.from({ length: 2 * n }, (_, e) => e).filter((e) => this.waiting[e >> 1] === 0);
    const waitingEntries = Array.from({ length: n }, (_, op) => 2 * op).filter((e) => this.waiting[e >> 1] === 1);
    this.head = 2 * n;
    this.waitingHead = 2 * n + 1;
    this.next = new Int32Array(2 * n + 2).fill(NONE);
    this.prev = new Int32Array(2 * n + 2).fill(NONE);
    for (const [head, entries] of [
      [this.head, mainEntries.sort(byTime)],
      [this.waitingHead, waitingEntries.sort(byTime)],
    ] as const) {
      let last = head;
      for (const e of entries) {
        this.next[last] = e;
        this.prev[e] = last;
        last = e;
      }
    }
    this.cursor = this.next[this.head]!;

    this.bit = new Int32Array(n);
    let mainCount = 0;
    let usedCount = 0;
    for (let op = 0; op < n; op++) this.bit[op] = this.waiting[op] === 1 ? usedCount++ : mainCount++;
    this.main = new Uint32Array(Math.max(1, Math.ceil(mainCount / 32)));
    this.used = new Uint32Array(Math.ceil(usedCount / 32));
    this.required = mainCount;
    this.zobrist = new Int32Array(n);
    let seed = 0x2545f491;
    for (let i = 0; i < n; i++) {
      seed = xorshift32(seed);
      this.zobrist[i] = seed;
    }
    this.before = new Int32Array(n).fill(NONE);
    if (this.reduce && model.inputKey !== undefined) {
      const lastWith = new Map<string, number>();
      const byCall = waitingEntries.map((e) => e >> 1);
      for (const op of byCall) {
        const key = model.inputKey(this.inputs[op]!);
        this.before[op] = lastWith.get(key) ?? NONE;
        lastWith.set(key, op);
      }
    }
    this.memo = new ConfigurationMemo(this.main.length, this.used.length, 2 * n);
    this.stackOp = new Int32Array(n);
    this.stackState = new Int32Array(n);
    this.stackEntry = new Int32Array(n);
    this.forced = new Uint8Array(n);
    this.fresh = this.reduce;
    this.state = this.intern(model.init);
  }

  /** Distinct configurations visited so far. */
  get explored(): number {
    return this.memo.size;
  }

  /** The longest valid order built so far, as positions in the history. */
  deepest(): number[] {
    return Array.from(this.deepestOps, (op) => this.position[op]!);
  }

  /** Continue the search within `budget`. */
  run(budget: SearchBudget): RunOutcome {
    if (this.result !== null) return this.result;
    const { next, main, used, bit, zobrist, before, waiting, observer, forced, stackOp, stackState, stackEntry, memo, head, waitingHead, callTime, retTime, reduce } = this;
    const { maxExplored, deadline } = budget;
    const clock = budget.clock ?? systemClock;
    let entry = this.cursor;
    let state = this.state;
    let depth = this.depth;
    let hash = this.hash;
    let usedHash = this.usedHash;
    let required = this.required;
    let fresh = this.fresh;
    let phase = this.phase;
    let limit = this.limit;
    let steps = 0;
    const pause = (): void => {
      this.cursor = entry;
      this.state = state;
      this.depth = depth;
      this.hash = hash;
      this.usedHash = usedHash;
      this.required = required;
      this.fresh = fresh;
      this.phase = phase;
      this.limit = limit;
    };
    // Waiting (timed-out) operations left over at the end may never take effect.
    while (required !== 0) {
      if (deadline !== undefined && ++steps === CLOCK_EVERY) {
        steps = 0;
        if (clock() >= deadline) {
          pause();
          return 'time-budget';
        }
      }
      let op = NONE;
      let isForced = false;
      let dead = false;
      if (fresh) {
        // A possible read goes first (see the module comment); if nothing follows from it, nothing does.
        fresh = false;
        for (let e = entry; (e & 1) === 0; e = next[e]!) {
          if (observer[e >> 1] === 1 && this.transition(state, e >> 1) === state) {
            op = e >> 1;
            isForced = true;
            break;
          }
        }
        // No forced move: try the candidates in order, from the first.
        if (!isForced) continue;
      } else if (phase === 0) {
        if ((entry & 1) === 0) op = entry >> 1;
        else {
          // The first return: its operation must come before everything after it. The waiting operations
          // invoked before it are the remaining candidates.
          limit = retTime[entry >> 1]!;
          phase = 1;
          entry = next[waitingHead]!;
          continue;
        }
      } else if (entry === NONE || callTime[entry >> 1]! > limit) dead = true;
      else {
        op = entry >> 1;
        const first = before[op]!;
        if (first !== NONE && (used[bit[first]! >>> 5]! & (1 << (bit[first]! & 31))) === 0) op = NONE;
      }
      if (op !== NONE) {
        const after = isForced ? state : this.transition(state, op);
        const isWaiting = waiting[op] === 1;
        // A waiting operation that changes nothing here can as well come last, or never.
        if (after !== IMPOSSIBLE_TRANSITION && !(isWaiting && after === state)) {
          const b = bit[op]!;
          const bits = isWaiting ? used : main;
          bits[b >>> 5]! ^= 1 << (b & 31);
          const h = isWaiting ? hash : hash ^ zobrist[op]!;
          const uh = isWaiting ? usedHash ^ zobrist[op]! : usedHash;
          if (memo.lookup(h, after, main, uh, used)) {
            if (memo.size >= maxExplored) {
              bits[b >>> 5]! ^= 1 << (b & 31);
              // Resume with the same choice: a forced move is looked for again.
              fresh = isForced;
              pause();
              return 'state-budget';
            }
            stackEntry[depth] = memo.insert(h, after, main, uh, used);
            stackOp[depth] = op;
            stackState[depth] = state;
            forced[depth] = isForced ? 1 : 0;
            depth++;
            if (depth > this.deepestOps.length) this.deepestOps = stackOp.slice(0, depth);
            if (!isWaiting) required--;
            hash = h;
            usedHash = uh;
            state = after;
            this.lift(op);
            entry = next[head]!;
            phase = 0;
            fresh = reduce;
            continue;
          }
          bits[b >>> 5]! ^= 1 << (b & 31);
        }
        // The forced move leads to a configuration that failed: so does this one.
        if (isForced) dead = true;
      }
      if (!dead) {
        entry = next[entry]!;
        continue;
      }
      // No candidate left here: back to the last choice that has an alternative.
      for (;;) {
        if (depth === 0) {
          this.result = 'not-linearizable';
          pause();
          return this.result;
        }
        depth--;
        memo.finish(stackEntry[depth]!);
        const last = stackOp[depth]!;
        state = stackState[depth]!;
        const b = bit[last]!;
        if (waiting[last] === 1) {
          used[b >>> 5]! ^= 1 << (b & 31);
          usedHash ^= zobrist[last]!;
        } else {
          main[b >>> 5]! ^= 1 << (b & 31);
          hash ^= zobrist[last]!;
          required++;
        }
        this.unlift(last);
        entry = next[2 * last]!;
        if (forced[depth] === 1) continue;
        if (waiting[last] === 1) {
          phase = 1;
          let e = next[head]!;
          while ((e & 1) === 0) e = next[e]!;
          limit = retTime[e >> 1]!;
        } else phase = 0;
        break;
      }
    }
    this.result = 'linearizable';
    pause();
    return this.result;
  }

  private intern(state: S): number {
    const key = this.model.key(state);
    let id = this.stateIds.get(key);
    if (id === undefined) {
      id = this.states.length;
      this.states.push(state);
      this.stateIds.set(key, id);
    }
    return id;
  }

  /** The state after operation `op` in state `from`, or IMPOSSIBLE_TRANSITION. */
  private transition(from: number, op: number): number {
    let row = this.transitions[from];
    if (row === undefined && this.transitionCells + this.size <= MAX_TRANSITION_CELLS) {
      row = new Int32Array(this.size).fill(UNKNOWN_TRANSITION);
      this.transitions[from] = row;
      this.transitionCells += this.size;
    }
    const cached = row === undefined ? UNKNOWN_TRANSITION : row[op]!;
    if (cached !== UNKNOWN_TRANSITION) return cached;
    const after = this.model.step(this.states[from]!, this.inputs[op]!, this.outputs[op]);
    const id = after === IMPOSSIBLE ? IMPOSSIBLE_TRANSITION : this.intern(after);
    if (row !== undefined) row[op] = id;
    return id;
  }

  private lift(op: number): void {
    const { next, prev } = this;
    const call = 2 * op;
    next[prev[call]!] = next[call]!;
    if (next[call] !== NONE) prev[next[call]!] = prev[call]!;
    if (this.waiting[op] === 1) return;
    const ret = call + 1;
    next[prev[ret]!] = next[ret]!;
    if (next[ret] !== NONE) prev[next[ret]!] = prev[ret]!;
  }

  private unlift(op: number): void {
    const { next, prev } = this;
    const call = 2 * op;
    if (this.waiting[op] === 0) {
      const ret = call + 1;
      next[prev[ret]!] = ret;
      if (next[ret] !== NONE) prev[next[ret]!] = ret;
    }
    next[prev[call]!] = call;
    if (next[call] !== NONE) prev[next[call]!] = call;
  }
}

function xorshift32(x: number): number {
  x ^= x << 13;
  x ^= x >>> 17;
  x ^= x << 5;
  return x | 0;
}

function grown<T extends Int32Array<ArrayBuffer> | Uint8Array<ArrayBuffer> | Uint32Array<ArrayBuffer>>(a: T, size: number): T {
  const b = new (a.constructor as new (n: number) => T)(Math.max(size, a.length * 2));
  b.set(a);
  return b;
}

/**
 * The explored configurations. A key is (hash of the main bitset, state, main bitset), in an
 * open-addressing table over typed arrays, with the main bitsets stored trimmed in one growing arena. Each
 * key holds a chain of entries, one per set of waiting operations used (latest first), and whether that
 * configuration is finished (explored to the end without success) or still on the search's path. A
 * second table finds an entry by (key, hash of its waiting set), so an exact repeat costs one lookup
 * however long the chain.
 */
class ConfigurationMemo {
  /** Entries (configurations) stored. */
  size = 0;
  private slots: Int32Array;
  private mask: number;
  private keys = 0;
  private keyHash: Int32Array<ArrayBuffer>;
  private keyState: Int32Array<ArrayBuffer>;
  private keyOffset: Int32Array<ArrayBuffer>;
  /** Leading all-ones words left out of the stored bitset. */
  private keyLead: Int32Array<ArrayBuffer>;
  private keyLength: Int32Array<ArrayBuffer>;
  /** The key's latest entry, or NONE. */
  private keyChain: Int32Array<ArrayBuffer>;
  private arena: Uint32Array<ArrayBuffer>;
  private arenaUsed = 0;
  /** Per entry: its key, the hash of its waiting set, the key's next (older) entry, whether it is finished. */
  private entryKey: Int32Array<ArrayBuffer>;
  private entryHash: Int32Array<ArrayBuffer>;
  private entryNext: Int32Array<ArrayBuffer>;
  private entryDone: Uint8Array<ArrayBuffer>;
  /** Each entry's waiting set, `usedWords` words apiece. */
  private usedArena: Uint32Array<ArrayBuffer>;
  private entrySlots: Int32Array;
  private entryMask: number;
  // What the last lookup found: the key's slot and the key there or NONE, and the entry's slot.
  private lastSlot = 0;
  private lastKey = NONE;
  private lastEntrySlot = 0;

  constructor(
    private readonly mainWords: number,
    private readonly usedWords: number,
    /** Expected entries to start with (the tables grow as needed): small parts should cost little. */
    capacity: number,
  ) {
    const entries = Math.max(16, 1 << Math.ceil(Math.log2(Math.max(1, capacity))));
    this.slots = new Int32Array(2 * entries);
    this.mask = 2 * entries - 1;
    this.entrySlots = new Int32Array(2 * entries);
    this.entryMask = 2 * entries - 1;
    this.keyHash = new Int32Array(entries);
    this.keyState = new Int32Array(entries);
    this.keyOffset = new Int32Array(entries);
    this.keyLead = new Int32Array(entries);
    this.keyLength = new Int32Array(entries);
    this.keyChain = new Int32Array(entries);
    this.entryKey = new Int32Array(entries);
    this.entryHash = new Int32Array(entries);
    this.entryNext = new Int32Array(entries);
    this.entryDone = new Uint8Array(entries);
    this.arena = new Uint32Array(entries * 2);
    this.usedArena = new Uint32Array(entries * usedWords);
  }

  /**
   * True when the configuration is new and not dead: its key has no entry with exactly these waiting
   * operations, and none of the key's latest finished entries used a subset of them.
   */
  lookup(hash: number, state: number, main: Uint32Array, usedHash: number, used: Uint32Array): boolean {
    const key = this.findKey(hash, state, main);
    if (key === NONE) return true;
    if (this.findEntry(key, usedHash, used) !== NONE) return false;
    const words = this.usedWords;
    if (words === 0) return true;
    const arena = this.usedArena;
    let walked = 0;
    for (let e = this.keyChain[key]!; e !== NONE && walked < DOMINANCE_WALK; e = this.entryNext[e]!, walked++) {
      if (this.entryDone[e] === 0) continue;
      const base = e * words;
      let w = 0;
      while (w < words && (arena[base + w]! & ~used[w]!) === 0) w++;
      if (w === words) return false;
    }
    return true;
  }

  /** Store the configuration the last {@link lookup} said was new; its entry number. */
  insert(hash: number, state: number, main: Uint32Array, usedHash: number, used: Uint32Array): number {
    let key = this.lastKey;
    if (key === NONE) key = this.addKey(hash, state, main);
    // A new key's lookup stopped before finding the entry's slot.
    if (this.lastKey === NONE) this.findEntry(key, usedHash, used);
    const e = this.size;
    if (e === this.entryNext.length) {
      this.entryKey = grown(this.entryKey, e + 1);
      this.entryHash = grown(this.entryHash, e + 1);
      this.entryNext = grown(this.entryNext, e + 1);
      this.entryDone = grown(this.entryDone, e + 1);
      this.usedArena = grown(this.usedArena, this.entryNext.length * this.usedWords);
    }
    this.usedArena.set(used, e * this.usedWords);
    this.entryKey[e] = key;
    this.entryHash[e] = usedHash;
    this.entryNext[e] = this.keyChain[key]!;
    this.entryDone[e] = 0;
    this.keyChain[key] = e;
    this.entrySlots[this.lastEntrySlot] = e + 1;
    this.size++;
    if (this.size * 2 > this.entrySlots.length) this.rehashEntries();
    return e;
  }

  /** The entry's configuration was explored to the end without success. */
  finish(entry: number): void {
    this.entryDone[entry] = 1;
  }

  /** The entry of `key` with exactly `used`, or NONE; leaves the slot for {@link insert}. */
  private findEntry(key: number, usedHash: number, used: Uint32Array): number {
    const words = this.usedWords;
    let slot = mix(usedHash, key) & this.entryMask;
    for (;;) {
      const stored = this.entrySlots[slot]!;
      if (stored === 0) break;
      const e = stored - 1;
      if (this.entryKey[e] === key && this.entryHash[e] === usedHash) {
        const base = e * words;
        let w = 0;
        while (w < words && this.usedArena[base + w] === used[w]) w++;
        if (w === words) return e;
      }
      slot = (slot + 1) & this.entryMask;
    }
    this.lastEntrySlot = slot;
    return NONE;
  }

  /** The key of (hash, state, main), or NONE; leaves the slot for {@link addKey}. */
  private findKey(hash: number, state: number, main: Uint32Array): number {
    const words = this.mainWords;
    let lead = 0;
    while (lead < words && main[lead] === 0xffffffff) lead++;
    let end = words;
    while (end > lead && main[end - 1] === 0) end--;
    let slot = mix(hash, state) & this.mask;
    for (;;) {
      const stored = this.slots[slot]!;
      if (stored === 0) break;
      const k = stored - 1;
      if (this.keyHash[k] === hash && this.keyState[k] === state && this.keyLead[k] === lead && this.keyLength[k] === end - lead) {
        const arena = this.arena;
        const base = this.keyOffset[k]! - lead;
        let w = lead;
        while (w < end && arena[base + w] === main[w]) w++;
        if (w === end) {
          this.lastSlot = slot;
          this.lastKey = k;
          return k;
        }
      }
      slot = (slot + 1) & this.mask;
    }
    this.lastSlot = slot;
    this.lastKey = NONE;
    return NONE;
  }

  private addKey(hash: number, state: number, main: Uint32Array): number {
    const words = this.mainWords;
    let lead = 0;
    while (lead < words && main[lead] === 0xffffffff) lead++;
    let end = words;
    while (end > lead && main[end - 1] === 0) end--;
    const k = this.keys;
    if (k === this.keyHash.length) {
      this.keyHash = grown(this.keyHash, k + 1);
      this.keyState = grown(this.keyState, k + 1);
      this.keyOffset = grown(this.keyOffset, k + 1);
      this.keyLead = grown(this.keyLead, k + 1);
      this.keyLength = grown(this.keyLength, k + 1);
      this.keyChain = grown(this.keyChain, k + 1);
    }
    const len = end - lead;
    if (this.arenaUsed + len > this.arena.length) this.arena = grown(this.arena, this.arenaUsed + len);
    this.arena.set(main.subarray(lead, end), this.arenaUsed);
    this.keyHash[k] = hash;
    this.keyState[k] = state;
    this.keyOffset[k] = this.arenaUsed;
    this.keyLead[k] = lead;
    this.keyLength[k] = len;
    this.keyChain[k] = NONE;
    this.arenaUsed += len;
    this.slots[this.lastSlot] = k + 1;
    this.keys++;
    // Keep the load under a half.
    if (this.keys * 2 > this.slots.length) this.rehashKeys();
    return k;
  }

  private rehashKeys(): void {
    const slots = new Int32Array(this.slots.length * 2);
    const mask = slots.length - 1;
    for (let k = 0; k < this.keys; k++) {
      let slot = mix(this.keyHash[k]!, this.keyState[k]!) & mask;
      while (slots[slot] !== 0) slot = (slot + 1) & mask;
      slots[slot] = k + 1;
    }
    this.slots = slots;
    this.mask = mask;
  }

  private rehashEntries(): void {
    const slots = new Int32Array(this.entrySlots.length * 2);
    const mask = slots.length - 1;
    for (let e = 0; e < this.size; e++) {
      let slot = mix(this.entryHash[e]!, this.entryKey[e]!) & mask;
      while (slots[slot] !== 0) slot = (slot + 1) & mask;
      slots[slot] = e + 1;
    }
    this.entrySlots = slots;
    this.entryMask = mask;
  }
}

function mix(hash: number, state: number): number {
  let h = hash ^ Math.imul(state + 1, 0x9e3779b1);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  return h ^ (h >>> 13);
}
