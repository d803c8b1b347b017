/**
 * The simulator's only source of randomness: xoshiro128** (Blackman and Vigna, 2018), seeded through
 * splitmix32. Written here rather than imported because it is twenty lines, has published test vectors
 * (see test/sim/rng.test.ts), and `pure-rand` is only a transitive dependency of fast-check: importing it
 * from `src/` would tie the simulator's replays to whatever version fast-check happens to pull in.
 *
 * Every draw goes through one `Rng`; nothing in `src/sim` reads `Math.random` or a clock, so a seed fixes
 * a run completely.
 *
 * @module
 */

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** One splitmix32 output from a 32-bit state; used only to spread a seed over xoshiro's 128 bits. */
function splitmix32(state: number): number {
  let z = (state + 0x9e3779b9) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** A seeded xoshiro128** generator with the few distributions the simulator needs. */
export class Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  /**
   * @param seed any integer; equal seeds give equal streams.
   * @param state the raw 128-bit state instead of a seed (for test vectors).
   */
  constructor(seed: number, state?: readonly [number, number, number, number]) {
    if (state !== undefined) {
      [this.s0, this.s1, this.s2, this.s3] = state.map((x) => x >>> 0) as [number, number, number, number];
    } else {
      let x = seed | 0;
      const next = (): number => {
        const out = splitmix32(x);
        x = (x + 0x9e3779b9) | 0;
        return out;
      };
      this.s0 = next();
      this.s1 = next();
      this.s2 = next();
      this.s3 = next();
    }
    // An all-zero state would emit zeros forever; splitmix32 never yields four zeros, but a caller's raw state could.
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** The next 32-bit unsigned integer (xoshiro128**). */
  nextU32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** A float in [0, 1) with 32 bits of resolution. */
  float(): number {
    return this.nextU32() / 4294967296;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.float() * n);
  }

  /** A float in [min, max). */
  uniform(min: number, max: number): number {
    return min + (max - min) * this.float();
  }

  /** True with probability `p`. Draws nothing when `p` is 0 or 1, so turning a fault off does not shift the stream. */
  chance(p: number): boolean {
    if (p <= 0) return false;
    if (p >= 1) return true;
    return this.float() < p;
  }

  /** An exponentially distributed float with the given mean. */
  exponential(mean: number): number {
    return -mean * Math.log(1 - this.float());
  }

  /** A standard normal draw (Box–Muller; one of the pair is discarded for simplicity). */
  normal(): number {
    const u = 1 - this.float();
    const v = this.float();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** One element of a non-empty array. */
  pick<T>(items: readonly T[]): T {
    const item = items[this.int(items.length)];
    if (item === undefined) throw new RangeError('Rng.pick from an empty array');
    return item;
  }

  /**
   * An independent generator derived from this one. The simulator gives each concern (network, timers,
   * clients) its own stream, so a change in one (one fewer fault) does not reshuffle the others' draws and
   * shrunk schedules stay close to the original.
   */
  fork(): Rng {
    return new Rng(0, [this.nextU32(), this.nextU32(), this.nextU32(), this.nextU32()]);
  }
}
