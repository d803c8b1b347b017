/**
 * `npm run bench -- validate`: how fast TLC validates a trace recorded from the simulator, and how the
 * time grows with the trace's length.
 *
 * One long faulty run of the real core is recorded; its prefixes of 500, 3,000 and 10,000 events (a prefix
 * of a behaviour is a behaviour) are validated in turn, `reps` times each. Baselines in the same run: a
 * one-event prefix (what starting the JVM, parsing the spec and TLC's set-up cost, whatever the length)
 * and the 3,000-event prefix written without the module's compaction (every variable of every event in
 * full, every message spelled out where it occurs).
 *
 * @module
 */
import { selectProtocols } from '../protocol/registry.js';
import { longRunProfile, scenarioAt } from '../sim/arbitraries.js';
import { RaftTraceWriter } from '../sim/recording.js';
import { serverIds, simulate } from '../sim/simulator.js';
import { REPO_ROOT, resolveToolchain } from '../tlc/toolchain.js';
import { type ImplTrace, parseImplTrace } from '../validate/format.js';
import { validateTrace } from '../validate/validate.js';
import { join } from 'node:path';
import { median } from './stats.js';

/** The trace lengths measured. */
export const VALIDATE_LENGTHS = [500, 3000, 10_000] as const;

/** The recorded run the prefixes are cut from: long enough for the longest. */
const RUN = { healAtMs: 45_000, seed: 1 } as const;

/** One measured length. */
export interface ValidateRow {
  readonly events: number;
  /** Of the generated module. */
  readonly moduleBytes: number;
  readonly compact: boolean;
  readonly runsMs: readonly number[];
  readonly medianMs: number;
  readonly eventsPerSecond: number;
}

/** The suite's figures. */
export interface ValidateFigures {
  readonly run: string;
  readonly recordedEvents: number;
  readonly startup: ValidateRow;
  readonly rows: readonly ValidateRow[];
  readonly uncompacted: ValidateRow;
  /** Time per event (startup taken off) of the longest prefix over that of the shortest: 1 is linear. */
  readonly growth: number;
}

function prefix(lines: readonly string[], events: number): ImplTrace {
  return parseImplTrace(lines.slice(0, events + 1).join('\n'), `prefix-${events}`);
}

/** Measures the suite; `progress` gets a line per validation. */
export async function benchValidate(reps: number, progress: (line: string) => void): Promise<ValidateFigures> {
  const toolchain = await resolveToolchain();
  const [raft] = selectProtocols(['raft']);
  if (raft === undefined) throw new Error('internal: no raft protocol');
  const scenario = scenarioAt(longRunProfile(RUN.healAtMs), RUN.seed);
  const lines: string[] = [];
  const writer = new RaftTraceWriter(serverIds(scenario.nodes), (line) => lines.push(line), { tool: 'bench' });
  simulate(scenario, { record: writer.record });
  const longest = VALIDATE_LENGTHS[VALIDATE_LENGTHS.length - 1] as number;
  if (writer.events < longest) throw new Error(`internal: the bench run recorded ${writer.events} events, fewer than ${longest}`);

  const measure = async (events: number, compact: boolean): Promise<ValidateRow> => {
    const trace = prefix(lines, events);
    const runsMs: number[] = [];
    let moduleBytes = 0;
    for (let rep = 0; rep < reps; rep++) {
      const started = performance.now();
      const verdict = await validateTrace(trace, raft, { toolchain, specsDir: join(REPO_ROOT, 'specs'), compact, onModule: (text) => (moduleBytes = text.length) });
      const ms = performance.now() - started;
      if (verdict.kind !== 'valid') throw new Error(`internal: the bench's ${events}-event prefix was rejected at event ${verdict.event.index}`);
      runsMs.push(ms);
      progress(`${events} events${compact ? '' : ' (not compacted)'}: ${(ms / 1000).toFixed(2)} s`);
    }
    const medianMs = median(runsMs);
    return { events, moduleBytes, compact, runsMs, medianMs, eventsPerSecond: events / (medianMs / 1000) };
  };

  const startup = await measure(1, true);
  const rows: ValidateRow[] = [];
  for (const events of VALIDATE_LENGTHS) rows.push(await measure(events, true));
  const uncompacted = await measure(3000, false);
  const perEvent = (r: ValidateRow) => Math.max(r.medianMs - startup.medianMs, 1) / r.events;
  const first = rows[0] as ValidateRow;
  const last = rows[rows.length - 1] as ValidateRow;
  return {
    run: `${scenario.nodes} nodes, the long profile faulted for ${RUN.healAtMs / 1000} s, seed ${RUN.seed}`,
    recordedEvents: writer.events,
    startup,
    rows,
    uncompacted,
    growth: perEvent(last) / perEvent(first),
  };
}
