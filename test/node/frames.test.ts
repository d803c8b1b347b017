import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_FRAME_BYTES, FRAME_HEADER_BYTES, FrameDecoder, prefixFrame } from '../../src/node/frames.js';
import { FC_SEED } from '../support/arbitraries.js';
import { chunked, cuts } from './helpers/wire-arbitraries.js';

const body = fc.uint8Array({ maxLength: 64 });

function framed(b: Uint8Array, max = DEFAULT_MAX_FRAME_BYTES): Buffer {
  const r = prefixFrame(b, max);
  if (!r.ok) throw new Error(r.error.reason);
  return r.value;
}

function decodeAll(chunks: readonly Uint8Array[], max = DEFAULT_MAX_FRAME_BYTES): { bodies: Buffer[]; error: string | null } {
  const d = new FrameDecoder(max);
  const bodies: Buffer[] = [];
  for (const c of chunks) {
    const r = d.push(c);
    bodies.push(...r.bodies);
    if (r.error !== null) return { bodies, error: r.error.code };
  }
  return { bodies, error: d.end()?.code ?? null };
}

describe('length-prefixed frames', () => {
  it('writes a 4-byte big-endian length before the body', () => {
    expect([...framed(Buffer.from('{"a":1}'))]).toEqual([0, 0, 0, 7, ...Buffer.from('{"a":1}')]);
  });

  it('reassembles frames however the stream splits and packs them', () => {
    fc.assert(
      fc.property(fc.array(body, { maxLength: 8 }), cuts, (bodies, at) => {
        const stream = Buffer.concat(bodies.map((b) => framed(b)));
        const out = decodeAll(chunked(stream, at));
        expect(out.error).toBeNull();
        expect(out.bodies.map((b) => [...b])).toEqual(bodies.map((b) => [...b]));
      }),
      { seed: FC_SEED, numRuns: 400 },
    );
  });

  it('delivers frames one byte at a time', () => {
    const stream = Buffer.concat([framed(Buffer.from('one')), framed(Buffer.alloc(0)), framed(Buffer.from('three'))]);
    const out = decodeAll([...stream].map((b) => Uint8Array.of(b)));
    expect(out.bodies.map((b) => b.toString())).toEqual(['one', '', 'three']);
  });

  it('reports a stream cut inside a frame as truncated, and nothing else', () => {
    fc.assert(
      fc.property(fc.array(body, { minLength: 1, maxLength: 4 }), fc.nat(), cuts, (bodies, cutSeed, at) => {
        const stream = Buffer.concat(bodies.map((b) => framed(b)));
        const boundaries = new Set<number>([0]);
        let offset = 0;
        for (const b of bodies) boundaries.add((offset += FRAME_HEADER_BYTES + b.length));
        const cut = cutSeed % stream.length;
        const out = decodeAll(chunked(stream.subarray(0, cut), at));
        expect(out.error).toBe(boundaries.has(cut) ? null : 'truncated');
      }),
      { seed: FC_SEED, numRuns: 300 },
    );
  });

  it('refuses an oversized frame from its header alone, before buffering its body', () => {
    const d = new FrameDecoder(16);
    const header = Buffer.alloc(4);
    header.writeUInt32BE(17);
    const r = d.push(header);
    expect(r.error?.code).toBe('oversized');
    expect(r.error?.reason).toMatch(/announces 17 bytes, more than the 16-byte maximum/);
    expect(d.bufferedBytes).toBe(0);
    // Failed for good: later bytes, even a valid frame, yield the same error.
    expect(d.push(framed(Buffer.from('ok'), 16))).toEqual({ bodies: [], error: r.error });
    // A frame of exactly the maximum passes.
    expect(decodeAll([framed(Buffer.alloc(16), 16)], 16).bodies).toHaveLength(1);
  });

  it('refuses to frame a body over the maximum', () => {
    const r = prefixFrame(Buffer.alloc(17), 16);
    expect(r.ok ? null : r.error.code).toBe('oversized');
  });

  it('never throws and never holds more than one maximum frame, whatever bytes arrive', () => {
    const max = 32;
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 80 }), { maxLength: 10 }), (chunks) => {
        const d = new FrameDecoder(max);
        for (const c of chunks) {
          const r = d.push(c);
          for (const b of r.bodies) expect(b.length).toBeLessThanOrEqual(max);
          expect(d.bufferedBytes).toBeLessThan(FRAME_HEADER_BYTES + max + 80);
          if (r.error !== null) expect(['oversized']).toContain(r.error.code);
        }
        const end = d.end();
        if (end !== null) expect(['oversized', 'truncated']).toContain(end.code);
      }),
      { seed: FC_SEED, numRuns: 500 },
    );
  });
});
