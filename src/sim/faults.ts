/**
 * Readable descriptions of faults, for event logs and shrunk counterexamples.
 *
 * @module
 */
import { match } from 'ts-pattern';
import type { Fault, NodeTarget } from './scenario.js';

function target(t: NodeTarget | 'all', n: number): string {
  if (typeof t === 'number') return `s${(t % n) + 1}`;
  return t === 'all' ? 'every link' : `the ${t}`;
}

const ms = (x: number): string => `${Math.round(x * 1000) / 1000} ms`;
const pct = (x: number): string => `${Math.round(x * 1000) / 10} %`;

/** One line per fault, e.g. `at 120 ms for 300 ms: partition isolate-leader`. */
export function describeFault(f: Fault, nodes: number): string {
  return match(f)
    .with({ kind: 'partition' }, (x) => `at ${ms(x.atMs)} for ${ms(x.forMs)}: partition ${x.shape} (pick ${x.pick})`)
    .with({ kind: 'crash' }, (x) => `at ${ms(x.atMs)}: crash ${target(x.target, nodes)}, down ${ms(x.downMs)}`)
    .with(
      { kind: 'crash-mid-write' },
      (x) =>
        `from ${ms(x.atMs)}: crash ${target(x.target, nodes)} during its next durable write (${x.landed ? 'the write lands' : 'the write is lost'}), down ${ms(x.downMs)}`,
    )
    .with(
      { kind: 'crash-after-write' },
      (x) => `from ${ms(x.atMs)}: crash ${target(x.target, nodes)} right after its next ${x.write === 'any' ? '' : `${x.write} `}write, down ${ms(x.downMs)}`,
    )
    .with({ kind: 'crash-after-commit' }, (x) => `from ${ms(x.atMs)}: crash the leader right after it next commits, down ${ms(x.downMs)}`)
    .with({ kind: 'loss' }, (x) => `at ${ms(x.atMs)} for ${ms(x.forMs)}: lose ${pct(x.rate)} of messages`)
    .with({ kind: 'duplicate' }, (x) => `at ${ms(x.atMs)} for ${ms(x.forMs)}: duplicate ${pct(x.rate)} of messages`)
    .with({ kind: 'reorder' }, (x) => `at ${ms(x.atMs)} for ${ms(x.forMs)}: delay ${pct(x.rate)} of messages by up to ${ms(x.maxDelayMs)} (reordering)`)
    .with({ kind: 'delay-spike' }, (x) => `at ${ms(x.atMs)} for ${ms(x.forMs)}: messages of ${target(x.target, nodes)} take ${ms(x.extraMs)} longer`)
    .with({ kind: 'clock-drift' }, (x) => `at ${ms(x.atMs)} for ${ms(x.forMs)}: clock of ${target(x.target, nodes)} runs at ${x.rate}x`)
    .with({ kind: 'timer-storm' }, (x) => `at ${ms(x.atMs)}: election timers of ${x.count} nodes fire at once`)
    .exhaustive();
}
