/**
 * Where a key or a vnode sits on the ring: a 32-bit hash of its name.
 *
 * MurmurHash3 (x86, 32-bit, seed 0), from the `murmurhash` package: a non-cryptographic hash with good
 * avalanche, fixed across processes, machines and languages (unlike a hash seeded per process), so two
 * processes given the same membership place every key alike. It costs about 0.12 µs on a 20-byte key
 * here; MD5 (ketama, the `hashring` package) about 0.4 µs, and xxHash32 (`xxhash-wasm`) about 0.09 µs
 * but only after an asynchronous WebAssembly start that every importer would have to await.
 *
 * @module
 */
import murmurhash from 'murmurhash';

/** The hash's name in a ring layout (a layout made with another hash places keys elsewhere). */
export const RING_HASH = 'murmur3-x86-32';

/** One past the largest position: positions are integers in [0, 2^32). */
export const RING_POSITIONS = 2 ** 32;

const encoder = new TextEncoder();
// The package hashes a string through a TextEncoder it creates per call (4-5x slower than the hash
// itself); encoding into one reused buffer keeps lookups allocation-free.
let scratch = new Uint8Array(256);

/** The UTF-8 bytes of `text`, in a buffer reused by the next call. */
function utf8(text: string): Uint8Array {
  if (text.length * 3 > scratch.length) scratch = new Uint8Array(text.length * 3);
  const { written } = encoder.encodeInto(text, scratch);
  return scratch.subarray(0, written);
}

/** The position of `text` on the ring, an integer in [0, 2^32). */
export function ringPosition(text: string, seed = 0): number {
  return murmurhash.v3(utf8(text), seed) >>> 0;
}

/** The positions of `text` under several seeds, from one encoding of it (rendezvous and jump hashing). */
export function ringPositions(text: string, seeds: readonly number[]): number[] {
  const bytes = utf8(text);
  return seeds.map((seed) => murmurhash.v3(bytes, seed) >>> 0);
}

/** The name a node's `index`-th vnode is hashed by. */
export function vnodeName(node: string, index: number): string {
  return `${node}#${index}`;
}
