/**
 * Benchmark: the linearizability checker on the corpus of `bench/lin/corpus.json` (histories generated
 * from seeds by `lin-corpus.ts`: Jepsen-etcd-shaped registers and multi-key KV histories). Per history:
 * the verdict, configurations explored and time of the checker as it ships, the time of its explanation
 * when the history fails, and, measured in the same run on the same history:
 *
 * - **plain search**: the same engine with its reductions off, which is Porcupine's algorithm (memoised
 *   Wing-Gong search over one list, timeouts returning at infinity): what an as-fast-as-Porcupine checker
 *   does, and so what the reductions save;
 * - **previous checker** (the baseline): the implementation before issue 13 (`lin-baseline.ts`), string
 *   memo keys and parts in key order, stopping at the first part it cannot decide.
 *
 * The checker and the plain search run `repetitions` times each, alternating, after an unmeasured
 * warm-up pass over the corpus; the previous checker, far slower, runs once per history.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { KvOp, KvResult } from '../kv/command.js';
import { kvModel } from '../kv/lin-model.js';
import { checkLinearizable, DEFAULT_MAX_EXPLORED, explainFailure, type LinearizabilityResult, type Operation } from '../lin/index.js';
import { formatCount, renderTable } from '../cli/format.js';
import { ExitCode, WorkbenchError } from '../errors.js';
import { parseJson } from '../files/read.js';
import { writeFileAtomic } from '../files/write.js';
import { REPO_ROOT } from '../paths.js';
import { baselineCheck } from './lin-baseline.js';
import { generateHistory, type AnomalyKind, type Workload } from './lin-corpus.js';
import { median } from './stats.js';

/** The committed corpus manifest. */
export const LIN_CORPUS = join(REPO_ROOT, 'bench', 'lin', 'corpus.json');

/** A history's verdict. */
export type Verdict = 'linearizable' | 'not-linearizable' | 'unknown';

/** One history of the corpus: how to generate it and what it must come out as. */
export interface CorpusEntry {
  readonly name: string;
  readonly workload: Workload;
  /** Known by construction: an injected anomaly comes with a proof (see `lin-corpus.ts`). */
  readonly expected: Exclude<Verdict, 'unknown'>;
  /** {@link historyFingerprint} of the generated history: a change to the generator shows up here. */
  readonly fingerprint: string;
}

/** The first 16 hex digits of the SHA-256 of the history as JSON. */
export function historyFingerprint(ops: readonly Operation<KvOp, KvResult>[]): string {
  return createHash('sha256').update(JSON.stringify(ops)).digest('hex').slice(0, 16);
}

/** What a history of `workload` must come out as. */
export function expectedVerdict(workload: Workload): Exclude<Verdict, 'unknown'> {
  return workload.anomaly === null ? 'linearizable' : 'not-linearizable';
}

const MAX_MANIFEST_BYTES = 1024 * 1024;

const CORPUS_ABOUT =
  'Histories for npm run bench -- lin, generated from their seeds by src/bench/lin-corpus.ts (see there for the shapes). ' +
  'After a deliberate change to the generator, refresh the fingerprints with: node --import tsx bench/lin/generate.ts';

/** Read and check the corpus manifest. A malformed one is a {@link WorkbenchError} (exit 4) naming the field. */
export function loadLinCorpus(file = LIN_CORPUS): CorpusEntry[] {
  const problem = (where: string, what: string): never => {
    throw new WorkbenchError(`The linearizability corpus ${file} is malformed: ${where} ${what}.`, ExitCode.SPEC_ERROR, 'Restore it with git, or fix the entry.');
  };
  let size: number;
  try {
    size = statSync(file).size;
  } catch {
    return problem('the file', 'cannot be read');
  }
  if (size > MAX_MANIFEST_BYTES) problem('the file', `is larger than ${MAX_MANIFEST_BYTES} bytes`);
  let value: unknown;
  try {
    value = parseJson(readFileSync(file, 'utf8'));
  } catch (error) {
    return problem('the file', `is not JSON (${(error as Error).message})`);
  }
  const histories = isRecord(value) ? value.histories : undefined;
  if (!Array.isArray(histories)) return problem('"histories"', 'must be a list');
  return histories.map((entry: unknown, i): CorpusEntry => {
    const at = `histories[${i}]`;
    if (!isRecord(entry)) return problem(at, 'must be an object');
    const { name, workload, expected, fingerprint } = entry;
    if (typeof name !== 'string' || !/^[a-z0-9.-]+$/.test(name)) return problem(`${at}.name`, 'must be a lower-case name');
    if (expected !== 'linearizable' && expected !== 'not-linearizable') return problem(`${at}.expected`, 'must be "linearizable" or "not-linearizable"');
    if (typeof fingerprint !== 'string' || !/^[0-9a-f]{16}$/.test(fingerprint)) return problem(`${at}.fingerprint`, 'must be 16 hex digits');
    const w = checkWorkload(workload, `${at}.workload`, problem);
    if (expectedVerdict(w) !== expected) problem(`${at}.expected`, `contradicts the workload's anomaly (${String(w.anomaly)})`);
    return { name, workload: w, expected, fingerprint };
  });
}

function isRecord(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkWorkload(value: unknown, at: string, problem: (where: string, what: string) => never): Workload {
  if (!isRecord(value)) return problem(at, 'must be an object');
  const int = (key: string, min: number, max: number): number => {
    const v = value[key];
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max) return problem(`${at}.${key}`, `must be an integer from ${min} to ${max}`);
    return v;
  };
  const real = (key: string, min: number, max: number): number => {
    const v = value[key];
    if (typeof v !== 'number' || !(v >= min && v <= max)) return problem(`${at}.${key}`, `must be a number from ${min} to ${max}`);
    return v;
  };
  const kind = value.kind;
  if (kind !== 'register' && kind !== 'kv') return problem(`${at}.kind`, 'must be "register" or "kv"');
  const mix = value.mix;
  if (!Array.isArray(mix) || mix.length !== 3 || !mix.every((m) => typeof m === 'number' && m >= 0) || mix.every((m) => m === 0)) {
    return problem(`${at}.mix`, 'must be three non-negative numbers, not all 0');
  }
  const anomaly = value.anomaly;
  if (anomaly !== null && anomaly !== 'stale-read' && anomaly !== 'lost-write') return problem(`${at}.anomaly`, 'must be null, "stale-read" or "lost-write"');
  const anomalyKey = value.anomalyKey;
  if (anomalyKey !== undefined && typeof anomalyKey !== 'string') return problem(`${at}.anomalyKey`, 'must be a key name');
  return {
    kind,
    seed: int('seed', 0, 2 ** 32 - 1),
    clients: int('clients', 1, 1000),
    ops: int('ops', 1, 100_000),
    keys: int('keys', 1, 10_000),
    values: int('values', 1, 1_000_000),
    crashRate: real('crashRate', 0, 1),
    skew: real('skew', 0, 10),
    mix: [mix[0] as number, mix[1] as number, mix[2] as number],
    anomaly: anomaly as AnomalyKind | null,
    ...(anomalyKey === undefined ? {} : { anomalyKey }),
  };
}

/**
 * Regenerate every history of the corpus from its seed and write the manifest back with their
 * fingerprints (beside the old file, then renamed into place); with `out`, also write each history there
 * as `<name>.json` (its operations, for other tools). Returns one line per history.
 */
export async function refreshLinCorpus(file = LIN_CORPUS, out?: string): Promise<string[]> {
  const corpus = loadLinCorpus(file);
  const lines: string[] = [];
  const histories = [];
  for (const entry of corpus) {
    const generated = generateHistory(entry.workload);
    const fingerprint = historyFingerprint(generated.ops);
    if (out !== undefined) await writeFileAtomic(join(out, `${entry.name}.json`), `${JSON.stringify(generated.ops)}\n`);
    lines.push(`${entry.name}: ${generated.ops.length} operations, ${fingerprint}${fingerprint === entry.fingerprint ? '' : ` (was ${entry.fingerprint})`}`);
    histories.push({ ...entry, fingerprint });
  }
  // One history a line block, its workload on one line: the file is read by people too.
  const body = histories.map(
    (h) =>
      `    {\n      "name": ${JSON.stringify(h.name)},\n      "expected": ${JSON.stringify(h.expected)},\n      "fingerprint": ${JSON.stringify(h.fingerprint)},\n      "workload": ${JSON.stringify(h.workload).replace(/([,:])(?=["\d[{n-])/g, '$1 ')}\n    }`,
  );
  await writeFileAtomic(file, `{\n  "about": ${JSON.stringify(CORPUS_ABOUT)},\n  "histories": [\n${body.join(',\n')}\n  ]\n}\n`);
  return lines;
}

/** One engine on one history. */
export interface EngineFigures {
  readonly verdict: Verdict;
  readonly explored: number;
  readonly medianMs: number;
  readonly runsMs: readonly number[];
}

/** The figures of one history. */
export interface LinHistoryFigures {
  readonly name: string;
  readonly kind: Workload['kind'];
  readonly clients: number;
  readonly ops: number;
  readonly parts: number;
  /** Operations whose outcome is unknown (Jepsen's `:info`). */
  readonly timedOut: number;
  /** Operations that certainly did not happen (Jepsen's `:fail`). */
  readonly failed: number;
  readonly expected: Exclude<Verdict, 'unknown'>;
  /** The checker as it ships (default budgets, no time budget). */
  readonly checker: EngineFigures & { readonly unknownParts: number };
  /** The explanation of a failure, under its default budget. */
  readonly explanation: { readonly ms: number; readonly witnessOps: number; readonly minimal: boolean; readonly explored: number } | null;
  /** The same engine without its reductions: Porcupine's search. */
  readonly plain: EngineFigures;
  /** The checker before issue 13. */
  readonly previous: EngineFigures;
}

/** The figures of the whole corpus. */
export interface LinFigures {
  readonly repetitions: number;
  /** The state budget per part, the same for every engine. */
  readonly maxExplored: number;
  readonly histories: readonly LinHistoryFigures[];
  /** Histories whose verdict is decided but differs from the expected one (must be 0). */
  readonly wrongVerdicts: number;
  /** Histories the checker left unknown although they fail (the issue's goal: 0). */
  readonly hiddenFailures: number;
}

function time<T>(body: () => T): { readonly value: T; readonly ms: number } {
  const started = performance.now();
  const value = body();
  return { value, ms: performance.now() - started };
}

/** Measure the corpus. `progress` gets one line per history. */
export function benchLin(options: { readonly repetitions?: number; readonly corpus?: readonly CorpusEntry[]; readonly progress?: (line: string) => void } = {}): LinFigures {
  const repetitions = options.repetitions ?? 3;
  const corpus = options.corpus ?? loadLinCorpus();
  const maxExplored = DEFAULT_MAX_EXPLORED;
  const histories = corpus.map((entry) => {
    const generated = generateHistory(entry.workload);
    const fingerprint = historyFingerprint(generated.ops);
    if (fingerprint !== entry.fingerprint) {
      throw new WorkbenchError(
        `The history ${entry.name} generated from its seed has fingerprint ${fingerprint}, not ${entry.fingerprint} as the corpus says.`,
        ExitCode.SPEC_ERROR,
        'The generator (src/bench/lin-corpus.ts) changed: if on purpose, update the fingerprints in bench/lin/corpus.json.',
      );
    }
    return { entry, ops: generated.ops };
  });
  // Warm-up: V8 compiles the search's loop on the first histories; keep that out of the figures.
  for (const { ops } of histories) checkLinearizable(kvModel, ops, { explain: false });

  const figures = histories.map(({ entry, ops }): LinHistoryFigures => {
    const checkerRuns: { readonly value: LinearizabilityResult<KvOp, KvResult>; readonly ms: number }[] = [];
    const plainRuns: { readonly value: LinearizabilityResult<KvOp, KvResult>; readonly ms: number }[] = [];
    for (let r = 0; r < repetitions; r++) {
      checkerRuns.push(time(() => checkLinearizable(kvModel, ops, { explain: false })));
      plainRuns.push(time(() => checkLinearizable(kvModel, ops, { explain: false, reductions: false })));
    }
    // Every run decides the same way (the search is deterministic); report the last.
    const checker = checkerRuns.at(-1)!.value;
    const plain = plainRuns.at(-1)!.value;
    let explanation: LinHistoryFigures['explanation'] = null;
    if (checker.outcome === 'not-linearizable') {
      const failing = kvModel.partition!(ops).find((p) => p.name === checker.part)!;
      const e = time(() => explainFailure(kvModel, failing));
      explanation = { ms: e.ms, witnessOps: e.value.ops.length, minimal: e.value.minimal, explored: e.value.explored };
    }
    const previous = time(() => baselineCheck(kvModel, ops, maxExplored));
    const row: LinHistoryFigures = {
      name: entry.name,
      kind: entry.workload.kind,
      clients: entry.workload.clients,
      ops: ops.length,
      parts: kvModel.partition!(ops).length,
      timedOut: ops.filter((o) => o.status === 'timeout').length,
      failed: ops.filter((o) => o.status === 'fail').length,
      expected: entry.expected,
      checker: {
        verdict: checker.outcome,
        explored: checker.explored,
        medianMs: median(checkerRuns.map((r) => r.ms)),
        runsMs: checkerRuns.map((r) => r.ms),
        unknownParts: checker.parts.filter((p) => p.outcome === 'unknown').length,
      },
      explanation,
      plain: { verdict: plain.outcome, explored: plain.explored, medianMs: median(plainRuns.map((r) => r.ms)), runsMs: plainRuns.map((r) => r.ms) },
      previous: { verdict: previous.value.outcome, explored: previous.value.explored, medianMs: previous.ms, runsMs: [previous.ms] },
    };
    options.progress?.(`${entry.name}: ${row.checker.verdict} in ${row.checker.medianMs.toFixed(1)} ms; plain ${row.plain.medianMs.toFixed(0)} ms; previous ${row.previous.verdict} in ${row.previous.medianMs.toFixed(0)} ms`);
    return row;
  });
  return {
    repetitions,
    maxExplored,
    histories: figures,
    wrongVerdicts: figures.filter((h) => h.checker.verdict !== 'unknown' && h.checker.verdict !== h.expected).length,
    hiddenFailures: figures.filter((h) => h.checker.verdict === 'unknown' && h.expected === 'not-linearizable').length,
  };
}

const shortVerdict = (v: Verdict): string => (v === 'not-linearizable' ? 'NOT linearizable' : v);
const ms = (x: number): string => (x >= 100 ? formatCount(Math.round(x)) : x.toFixed(1));
const ratio = (slow: number, fast: number): string => `${(slow / Math.max(fast, 0.05)).toFixed(slow / Math.max(fast, 0.05) >= 10 ? 0 : 1)}x`;

function geometricMean(values: readonly number[]): number {
  return Math.exp(values.reduce((sum, v) => sum + Math.log(v), 0) / Math.max(1, values.length));
}

/** The report `npm run bench -- lin` prints. */
export function formatLinReport(f: LinFigures): string {
  const h = f.histories;
  const verdicts = renderTable(
    ['history', 'clients', 'ops', 'info', 'fail', 'parts', 'expected', 'verdict', 'configs', 'ms', 'explanation ms', 'witness'],
    h.map((r) => [
      r.name,
      String(r.clients),
      formatCount(r.ops),
      formatCount(r.timedOut),
      formatCount(r.failed),
      String(r.parts),
      shortVerdict(r.expected),
      shortVerdict(r.checker.verdict) + (r.checker.unknownParts > 0 ? ` (${r.checker.unknownParts} parts unknown)` : ''),
      formatCount(r.checker.explored),
      ms(r.checker.medianMs),
      r.explanation === null ? '-' : ms(r.explanation.ms),
      r.explanation === null ? '-' : `${r.explanation.witnessOps} ops${r.explanation.minimal ? '' : ', not minimal'}`,
    ]),
    new Set([1, 2, 3, 4, 5, 8, 9, 10]),
  );
  const against = renderTable(
    ['history', 'checker ms', 'plain', 'plain configs', 'plain ms', 'plain/checker', 'previous', 'previous configs', 'previous ms', 'previous/checker'],
    h.map((r) => [
      r.name,
      ms(r.checker.medianMs),
      shortVerdict(r.plain.verdict),
      formatCount(r.plain.explored),
      ms(r.plain.medianMs),
      ratio(r.plain.medianMs, r.checker.medianMs),
      shortVerdict(r.previous.verdict),
      formatCount(r.previous.explored),
      ms(r.previous.medianMs),
      ratio(r.previous.medianMs, r.checker.medianMs),
    ]),
    new Set([1, 3, 4, 5, 7, 8, 9]),
  );
  const heaviest = [...h].sort((a, b) => b.plain.medianMs - a.plain.medianMs).slice(0, 5);
  const sum = (pick: (r: LinHistoryFigures) => number): number => h.reduce((s, r) => s + pick(r), 0);
  const decided = h.filter((r) => r.checker.verdict === r.expected).length;
  const previousHidden = h.filter((r) => r.previous.verdict === 'unknown' && r.expected === 'not-linearizable').length;
  const previousUnknown = h.filter((r) => r.previous.verdict === 'unknown').length;
  return (
    `\nLinearizability checker on bench/lin/corpus.json (${h.length} histories; checker and plain search: median of ${f.repetitions} alternating runs; ` +
    `previous checker: 1 run; ${formatCount(f.maxExplored)} configurations per part for each)\n${verdicts}\n` +
    `\nAgainst the same search without its reductions (plain: Porcupine's algorithm) and the checker before issue 13 (previous)\n${against}\n` +
    `\ndecided as expected: ${decided} of ${h.length}; wrong verdicts: ${f.wrongVerdicts}; unknown although a part fails: ${f.hiddenFailures} (previous checker: ${previousHidden}; unknown in all: ${previousUnknown})\n` +
    `heaviest 5 for the plain search: plain/checker ${heaviest.map((r) => ratio(r.plain.medianMs, r.checker.medianMs)).join(', ')}; previous/checker ${heaviest.map((r) => ratio(r.previous.medianMs, r.checker.medianMs)).join(', ')}\n` +
    `whole corpus: checker ${ms(sum((r) => r.checker.medianMs))} ms, plain ${ms(sum((r) => r.plain.medianMs))} ms, previous ${ms(sum((r) => r.previous.medianMs))} ms; ` +
    `geometric mean per history: plain/checker ${geometricMean(h.map((r) => r.plain.medianMs / Math.max(r.checker.medianMs, 0.05))).toFixed(1)}x, ` +
    `previous/checker ${geometricMean(h.map((r) => r.previous.medianMs / Math.max(r.checker.medianMs, 0.05))).toFixed(1)}x\n`
  );
}
