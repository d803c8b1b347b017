/**
 * Drawing latencies from a {@link LatencyModel}.
 *
 * @module
 */
import { match } from 'ts-pattern';
import type { Rng } from './rng.js';
import type { LatencyModel } from './scenario.js';

/** Draws one latency in ms from a stream. */
export type Sampler = (rng: Rng) => number;

/**
 * A sampler for `model`. The model is matched once here, not per message: the simulator draws a latency
 * for every message, and matching per draw cost a measurable share of its throughput.
 */
export function latencySampler(model: LatencyModel): Sampler {
  return match(model)
    .with({ kind: 'constant' }, (m): Sampler => () => m.ms)
    .with({ kind: 'uniform' }, (m): Sampler => (rng) => rng.uniform(m.minMs, m.maxMs))
    .with({ kind: 'shifted-exponential' }, (m): Sampler => (rng) => m.minMs + rng.exponential(m.tailMeanMs))
    .with({ kind: 'lognormal' }, (m): Sampler => (rng) => m.medianMs * Math.exp(m.sigma * rng.normal()))
    .exhaustive();
}

/** One latency in ms (never negative). */
export function sampleLatency(model: LatencyModel, rng: Rng): number {
  return latencySampler(model)(rng);
}

/** The model's mean in ms (for reports). */
export function meanLatency(model: LatencyModel): number {
  return match(model)
    .with({ kind: 'constant' }, (m) => m.ms)
    .with({ kind: 'uniform' }, (m) => (m.minMs + m.maxMs) / 2)
    .with({ kind: 'shifted-exponential' }, (m) => m.minMs + m.tailMeanMs)
    .with({ kind: 'lognormal' }, (m) => m.medianMs * Math.exp((m.sigma * m.sigma) / 2))
    .exhaustive();
}

/** `0.5 ms + Exp(mean 0.5 ms)`, `uniform 0.5–1.5 ms`, ... */
export function describeLatency(model: LatencyModel): string {
  return match(model)
    .with({ kind: 'constant' }, (m) => `constant ${m.ms} ms`)
    .with({ kind: 'uniform' }, (m) => `uniform ${m.minMs}–${m.maxMs} ms`)
    .with({ kind: 'shifted-exponential' }, (m) => `${m.minMs} ms + Exp(mean ${m.tailMeanMs} ms)`)
    .with({ kind: 'lognormal' }, (m) => `log-normal, median ${m.medianMs} ms, sigma ${m.sigma}`)
    .exhaustive();
}
