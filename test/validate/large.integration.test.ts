// The large tier of trace validation (`npm run validate-trace:large`, not part of `npm test`): a long
// recorded run of the real core, over 10,000 events with every kind of fault, is a behaviour of the spec.
import { describe, expect, it } from 'vitest';
import { firstDivergence, generated, record, validate } from './helpers.js';

const LARGE = process.env['VALIDATE_LARGE'] === '1';

describe.skipIf(!LARGE)('large tier: a long soak-sized run', () => {
  it('the long profile faulted for 45 s (seed 1) records over 10,000 events and is valid', async () => {
    const rec = record(generated(45_000, 1), undefined, 'long-45000-1');
    expect(rec.events.length).toBeGreaterThan(10_000);
    expect(firstDivergence(rec)).toBeNull();
    const started = performance.now();
    const verdict = await validate(rec.trace);
    const seconds = (performance.now() - started) / 1000;
    console.log(`large tier: ${rec.events.length} events validated in ${seconds.toFixed(1)} s (${Math.round(rec.events.length / seconds)} events/s)`);
    expect(verdict.kind).toBe('valid');
  }, 1_800_000);
});
