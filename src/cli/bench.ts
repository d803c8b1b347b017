/**
 * `npm run bench`: speed figures, each against a baseline measured in the same run.
 *
 * Every suite is measured in a process of its own (a child of this one, like JMH's forks): V8 tunes its
 * inline caches to whatever ran first, so the simulator measured after the replay suite in one process
 * ran about a third slower than on its own. A fresh process per suite makes each figure independent of
 * which other suites were asked for.
 *
 * @module
 */
import { fork } from 'node:child_process';
import { join } from 'node:path';
import { benchCluster, type ClusterFigures, renderClusterReport } from '../bench/cluster.js';
import { benchLin, formatLinReport, type LinFigures } from '../bench/lin.js';
import { benchReplay, type ReplayThroughputFigures } from '../bench/replay.js';
import {
  BENCH_MODEL,
  benchCommitLatency,
  compareSimThroughput,
  formatLatencyTable,
  MONITORED_GOAL_PER_SECOND,
  type LatencyRow,
  type SimThroughputComparison,
  type SimThroughputSummary,
} from '../bench/sim.js';
import { benchRing, type RingFigures } from '../bench/ring.js';
import { benchQuorum, type QuorumFigures, renderQuorumTable } from '../bench/quorum.js';
import { measureTlcOverhead, type TlcOverheadFigures } from '../bench/tlc-overhead.js';
import { benchValidate, type ValidateFigures } from '../bench/validate.js';
import { unreachable } from '../exhaustive.js';
import { ExitCode, WorkbenchError } from '../errors.js';
import { REPO_ROOT, resolveToolchain } from '../tlc/toolchain.js';
import { commandLine, runCommand } from './args.js';
import { formatCount, renderTable } from './format.js';

const HELP = `Usage: npm run bench -- [--reps N] [--json] [suite ...]

Suites (default: all, each in a fresh process):
  tlc     the TLC wrapper's overhead: bench/Workload.tla (6,859,000 states, about 18 s a run) run as
          a raw \`java tlc2.TLC\` command and through the wrapper, alternating; ratio of medians (goal
          <= 5 %) with a 95 % bootstrap interval: met, missed, or unresolved (more --reps)
  replay  trace replay throughput in spec steps/s on one core (goal >= 200,000): the generic path
          through the protocol registry next to the Raft-specific loop it replaced (goal: within
          10 %), the core step alone and the comparison with the trace's state alone
  sim     simulator throughput in delivered messages/s with invariant checks off (goal >= 500,000),
          with the monitor's full check (the reference) and its incremental check (goal >= 250,000),
          median of --reps runs of each taken in turn; commit latency (mean, p50, p99) for N = 3, 5, 9
          as a table and an SVG chart (bench/commit-latency.svg)
  ring    the consistent-hashing ring (src/ring): load imbalance (fullest / mean) for 10 and 100
          nodes and 1 to 256 vnodes over many seeds (goals: 10 nodes, 100 vnodes <= 1.20; 256 <= 1.12),
          keys moved by a join and a leave against 1/(n+1) and 1/n (goal: within 10 %), lookups/s
          and bytes per vnode next to the hashring package, rendezvous and jump hashing; an SVG chart
          (bench/ring-imbalance.svg)
  lin     the linearizability checker on the corpus of bench/lin/corpus.json (Jepsen-etcd-shaped
          registers, multi-key KV histories): per history the verdict, configurations explored,
          time and explanation time, next to the same search without its reductions (Porcupine's
          algorithm) and the previous checker; histories left unknown although a part fails (goal 0)
  quorum  the quorum store's CAP/PACELC table (src/quorum-kv simulator, virtual time): N = 3 and 5,
          (R, W) majority/1-1/1-N/N-1, CP and AP, LWW and VV under one seeded partition: writes
          accepted and reads answered during it, stale reads, lost acknowledged writes, convergence
          after the heal, non-linearizable CP histories; read and write latency p50/p99 without a
          partition; an SVG chart (bench/quorum-cap.svg)
  validate TLC validating traces recorded from the simulator (npm run validate-trace): events/s for
          prefixes of 500, 3,000 and 10,000 events of one long faulty run (goal: 3,000 events in
          <= 10 s), the growth of the time per event with length (1 = linear), next to a one-event
          trace (TLC's fixed cost) and the 3,000-event prefix without the module's compaction
  cluster the real cluster (node processes, loopback TCP, fsync): commit latency (mean, p50, p99)
          for N = 3, 5, 9 next to the simulator's prediction for the same N; write throughput with
          1, 8 and 64 concurrent clients (N = 3); an SVG chart (bench/cluster.svg)

Options:
  --reps <n>   runs of each kind per suite (default 3)
  --json       print the figures as JSON
  -h, --help   this help

The suites run the tsc build in .cache/build/ (compiled by the npm script): the code as it ships.`;

/** The benchmark suites, in the order they run. */
export const SUITES = ['tlc', 'replay', 'sim', 'ring', 'lin', 'quorum', 'validate', 'cluster'] as const;
/** One suite's name. */
export type Suite = (typeof SUITES)[number];

/** The simulator suite's figures. */
export interface SimFigures {
  readonly model: string;
  readonly throughput: SimThroughputComparison;
  readonly latency: readonly LatencyRow[];
  readonly svg: string;
}

/** What each suite measures. */
export type SuiteFigures =
  | { readonly suite: 'tlc'; readonly figures: TlcOverheadFigures }
  | { readonly suite: 'replay'; readonly figures: ReplayThroughputFigures }
  | { readonly suite: 'sim'; readonly figures: SimFigures }
  | { readonly suite: 'ring'; readonly figures: RingFigures }
  | { readonly suite: 'lin'; readonly figures: LinFigures }
  | { readonly suite: 'quorum'; readonly figures: QuorumFigures }
  | { readonly suite: 'validate'; readonly figures: ValidateFigures }
  | { readonly suite: 'cluster'; readonly figures: ClusterFigures };

/** Where the command writes; injected so tests can capture it. */
export interface BenchIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Stops the suite running (Ctrl-C). */
  readonly signal?: AbortSignal;
}

// What a child is started with: the suite to measure and send back to the parent. An environment variable
// rather than an option, so no command line typed by a user can turn a process into a worker.
export const WORKER_ENV = 'WORKBENCH_BENCH_SUITE';

const cli = commandLine('bench');

function isSuite(name: string): name is Suite {
  return (SUITES as readonly string[]).includes(name);
}

async function measure(suite: Suite, reps: number, io: BenchIo): Promise<SuiteFigures> {
  switch (suite) {
    case 'tlc': {
      const toolchain = await resolveToolchain();
      const figures = await measureTlcOverhead(
        { module: join(REPO_ROOT, 'bench', 'Workload.tla'), config: join(REPO_ROOT, 'bench', 'Workload.cfg'), toolchain, workers: 2 },
        reps,
        (kind, ms) => io.stderr(`  tlc: ${kind} run ${(ms / 1000).toFixed(2)} s\n`),
      );
      return { suite, figures };
    }
    case 'replay':
      return { suite, figures: await benchReplay({ repetitions: reps }) };
    case 'sim': {
      io.stderr('  sim: measuring throughput and commit latency ...\n');
      const throughput = compareSimThroughput(reps);
      const svg = join(REPO_ROOT, 'bench', 'commit-latency.svg');
      const latency = benchCommitLatency(svg);
      return { suite, figures: { model: BENCH_MODEL.description, throughput, latency, svg } };
    }
    case 'ring':
      io.stderr('  ring: measuring balance, movement and lookups ...\n');
      return { suite, figures: benchRing(reps, join(REPO_ROOT, 'bench', 'ring-imbalance.svg')) };
    case 'lin':
      return { suite, figures: benchLin({ repetitions: reps, progress: (line) => io.stderr(`  lin: ${line}\n`) }) };
    case 'quorum':
      return { suite, figures: benchQuorum(join(REPO_ROOT, 'bench', 'quorum-cap.svg'), (line) => io.stderr(`  quorum: ${line}\n`)) };
    case 'validate':
      return { suite, figures: await benchValidate(reps, (line) => io.stderr(`  validate: ${line}\n`)) };
    case 'cluster':
      return { suite, figures: await benchCluster(reps, join(REPO_ROOT, 'bench', 'cluster.svg'), (line) => io.stderr(`  cluster: ${line}\n`)) };
    default:
      return unreachable(suite, 'bench suite');
  }
}

/** A suite's figures as the text report. */
export function renderSuite(result: SuiteFigures, reps: number): string {
  switch (result.suite) {
    case 'tlc': {
      const tlc = result.figures;
      const seconds = (ms: number) => (ms / 1000).toFixed(2);
      return (
        `\nTLC wrapper overhead (${formatCount(tlc.distinctStates)} distinct states, ${reps} runs each, 2 workers)\n` +
        `${renderTable(
          ['run', 'median s', 'runs s'],
          [
            ['raw java tlc2.TLC', seconds(tlc.rawMedianMs), tlc.rawRunsMs.map(seconds).join(' ')],
            ['wrapper (runTlc)', seconds(tlc.wrapperMedianMs), tlc.wrapperRunsMs.map(seconds).join(' ')],
          ],
        )}\n` +
        `ratio wrapper/raw ${tlc.ratio.toFixed(3)}: overhead ${tlc.overheadPercent.toFixed(1)} % (goal <= 5 %); ` +
        `95 % bootstrap interval of the ratio ${tlc.ratioInterval[0].toFixed(3)}-${tlc.ratioInterval[1].toFixed(3)}; ` +
        `interquartile spread of the runs: raw ${tlc.rawSpreadPercent.toFixed(1)} %, wrapper ${tlc.wrapperSpreadPercent.toFixed(1)} %\n` +
        (tlc.verdict === 'met'
          ? `goal met: the whole interval lies at or below 1.05\n`
          : tlc.verdict === 'missed'
            ? `goal missed: the whole interval lies above 1.05\n`
            : `unresolved: the interval straddles 1.05 (the runs vary too much for this goal; more --reps, or a quieter machine)\n`)
      );
    }
    case 'replay': {
      const r = result.figures;
      const row = (name: string, m: { stepsPerSecond: number; nsPerStep: number }) => [name, formatCount(Math.round(m.stepsPerSecond)), (m.nsPerStep / 1000).toFixed(2)];
      return (
        `\nTrace replay (${r.traces} traces, ${formatCount(r.steps)} steps x ${r.passes} passes, median of ${r.repetitions}, one core)\n` +
        `${renderTable(
          ['loop', 'steps/s', 'us/step'],
          [
            row('replay (the protocol registry, generic loop)', r.replay),
            row('Raft-specific replay (the baseline)', r.raftSpecific),
            row('clusterStep only', r.stepOnly),
            row('comparison only (clusterMatches)', r.comparisonOnly),
          ],
          new Set([1, 2]),
        )}\ngeneric / Raft-specific: ${r.genericRatio.toFixed(3)} (goal >= 0.90); comparison: ${(100 * r.comparisonShare).toFixed(0)} % of a replayed step; goal >= ${formatCount(r.goalStepsPerSecond)} steps/s\n`
      );
    }
    case 'sim': {
      const { throughput, latency, svg, model } = result.figures;
      const row = (name: string, t: SimThroughputSummary, cost: number | null) => [
        name,
        formatCount(Math.round(t.medianPerSecond)),
        formatCount(Math.round(t.medianPerCpuSecond)),
        cost === null ? '' : `${cost.toFixed(1)}x`,
        t.runs.map((r) => formatCount(Math.round(r.deliveredPerSecond))).join(' '),
      ];
      const nodes = throughput.checksOff.runs[0]?.nodes ?? 0;
      return (
        `\nSimulator throughput (${nodes} nodes, fault-free workload, ${reps} runs of each, taken in turn)\n` +
        `${renderTable(
          ['run', 'median delivered msgs/s', 'per CPU-second', 'slower than off', 'runs'],
          [
            row('invariant checks off', throughput.checksOff, null),
            row('full check (every mirror, whole cluster)', throughput.fullCheck, throughput.fullCost),
            row('incremental check (what each step changed)', throughput.incrementalCheck, throughput.incrementalCost),
          ],
          new Set([1, 2, 3]),
        )}\n` +
        `incremental / full: ${throughput.incrementalSpeedup.toFixed(1)}x; goals >= 500,000 msgs/s without checks, >= ${formatCount(MONITORED_GOAL_PER_SECOND)} with the incremental check\n` +
        `\nCommit latency vs replication depth (${model})\n${formatLatencyTable(latency)}\nchart: ${svg}\n`
      );
    }
    case 'ring':
      return renderRing(result.figures);
    case 'lin':
      return formatLinReport(result.figures);
    case 'quorum':
      return renderQuorumTable(result.figures);
    case 'validate':
      return renderValidate(result.figures, reps);
    case 'cluster':
      return renderClusterReport(result.figures, reps);
    default:
      return unreachable(result, 'bench figures');
  }
}

function renderValidate(figures: ValidateFigures, reps: number): string {
  const row = (label: string, r: ValidateFigures['startup']) => [
    label,
    formatCount(r.events),
    `${formatCount(Math.round(r.moduleBytes / 1024))} KiB`,
    (r.medianMs / 1000).toFixed(2),
    formatCount(Math.round(r.eventsPerSecond)),
    r.runsMs.map((ms) => (ms / 1000).toFixed(2)).join(' '),
  ];
  const goal = figures.rows.find((r) => r.events === 3000);
  return (
    `\nTrace validation by TLC (prefixes of one recorded run: ${figures.run}, ${formatCount(figures.recordedEvents)} events; median of ${reps}, 1 TLC worker)\n` +
    `${renderTable(
      ['trace', 'events', 'module', 'median s', 'events/s', 'runs s'],
      [row('one event (fixed cost)', figures.startup), ...figures.rows.map((r) => row('prefix', r)), row('prefix, not compacted', figures.uncompacted)],
      new Set([1, 2, 3, 4]),
    )}\n` +
    `time per event beyond the fixed cost, ${formatCount(figures.rows[figures.rows.length - 1]?.events)} events over ${formatCount(figures.rows[0]?.events)}: ${figures.growth.toFixed(2)} (1 = linear)\n` +
    (goal === undefined ? '' : `goal: 3,000 events in <= 10 s: ${(goal.medianMs / 1000).toFixed(2)} s, ${goal.medianMs <= 10_000 ? 'met' : 'missed'}\n`)
  );
}

function renderRing(figures: RingFigures): string {
  const fixed = (x: number, digits = 3) => x.toFixed(digits);
  const pct = (x: number) => `${(100 * x).toFixed(2)} %`;
  const signed = (x: number) => `${x >= 0 ? '+' : ''}${(100 * x).toFixed(1)} %`;
  const { lookups } = figures;
  return (
    `\nRing load imbalance: fullest node / mean, from exact shares of the ring, over seeds\n` +
    `${renderTable(
      ['nodes', 'vnodes', 'seeds', 'mean', 'p95'],
      figures.imbalance.map((r) => [String(r.nodes), String(r.vnodes), String(r.seeds), fixed(r.mean), fixed(r.p95)]),
      new Set([0, 1, 2, 3, 4]),
    )}\n` +
    `goals: 10 nodes x 100 vnodes <= 1.20 mean; x 256 vnodes <= 1.12 mean\n` +
    `\nKeys moved by one join or leave (share of the ring), over seeds, against the ideal\n` +
    `${renderTable(
      ['nodes', 'vnodes', 'change', 'seeds', 'moved (mean)', 'ideal', 'mean vs ideal', 'p95 of one seed', 'misplaced keys'],
      figures.movement.map((r) => [
        String(r.nodes),
        String(r.vnodes),
        r.kind,
        String(r.seeds),
        pct(r.meanFraction),
        pct(r.idealFraction),
        signed(r.relativeError),
        `+-${(100 * r.p95SeedError).toFixed(1)} %`,
        `${r.misplacedKeys} of ${formatCount(r.sampledKeys)}`,
      ]),
      new Set([0, 1, 3, 4, 5, 6, 7]),
    )}\n` +
    `goal: mean within 10 % of the ideal; misplaced: sampled keys that moved other than to the joiner (from the leaver)\n` +
    `\nLookups (${lookups.nodes} nodes, ${formatCount(lookups.keys)} distinct keys, median of ${lookups.repetitions} alternating runs, one core)\n` +
    `${renderTable(
      ['placement', 'lookups/s', 'bytes/vnode', 'imbalance on these keys'],
      lookups.rows.map((r) => [r.name, formatCount(Math.round(r.lookupsPerSecond)), r.bytesPerVnode === null ? '-' : r.bytesPerVnode.toFixed(1), fixed(r.imbalance)]),
      new Set([1, 2, 3]),
    )}\nchart: ${figures.svg}\n`
  );
}

/** How to start a suite's child process. */
export interface BenchChild {
  /** The entry point to start again (the compiled `scripts/bench.js`). */
  readonly script: string;
  /** Node options of the child (default: this process's). */
  readonly execArgv?: readonly string[];
  /** Environment of the child (default: this process's). */
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * Run `suite` in a child process of the bench script and resolve to its figures. The child's output
 * (progress, or its one-line error) is passed through; when it fails, its exit code is passed on.
 */
function measureInChild(child: BenchChild, suite: Suite, reps: number, io: BenchIo): Promise<SuiteFigures> {
  return new Promise((resolve, reject) => {
    const worker = fork(child.script, ['--reps', String(reps)], {
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      execArgv: [...(child.execArgv ?? process.execArgv)],
      env: { ...(child.env ?? process.env), [WORKER_ENV]: suite },
    });
    // Interrupted: the worker (which leaves signals to Node's default) ends at once.
    const onAbort = () => worker.kill('SIGTERM');
    io.signal?.addEventListener('abort', onAbort, { once: true });
    worker.on('exit', () => io.signal?.removeEventListener('abort', onAbort));
    worker.stdout?.on('data', (chunk: Buffer) => io.stdout(chunk.toString()));
    worker.stderr?.on('data', (chunk: Buffer) => io.stderr(chunk.toString()));
    let figures: SuiteFigures | null = null;
    worker.on('message', (message) => {
      figures = message as SuiteFigures;
    });
    worker.on('error', reject);
    worker.on('close', (code, signal) => {
      if (figures !== null && code === 0) return resolve(figures);
      reject(new BenchChildFailed(suite, code ?? ExitCode.INTERRUPTED, signal));
    });
  });
}

class BenchChildFailed extends Error {
  constructor(
    readonly suite: Suite,
    readonly exitCode: number,
    readonly signal: NodeJS.Signals | null,
  ) {
    super(`the ${suite} suite ended with ${signal === null ? `exit code ${exitCode}` : `signal ${signal}`}`);
  }
}

/** The bench command: each suite runs in a child started as `child` says. */
export async function bench(argv: readonly string[], io: BenchIo, child: BenchChild): Promise<number> {
  return runCommand('bench', io.stderr, async () => {
    const { values, positionals } = cli.parse(argv, {
      allowPositionals: true,
      options: {
        reps: { type: 'string', default: '3' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
    if (values.help) {
      io.stdout(`${HELP}\n`);
      return ExitCode.OK;
    }
    const reps = Number(values.reps);
    if (!Number.isInteger(reps) || reps < 1) throw cli.usage(`--reps must be a positive integer, not "${values.reps}".`);
    const worker = process.env[WORKER_ENV];
    if (worker !== undefined && process.send !== undefined) {
      if (!isSuite(worker)) throw cli.usage(`${WORKER_ENV}=${worker} names no bench suite.`);
      const result = await measure(worker, reps, io);
      await new Promise<void>((done) => process.send!(result, () => done()));
      // An open IPC channel would keep the child alive.
      process.disconnect?.();
      return ExitCode.OK;
    }
    const suites = positionals.length > 0 ? positionals : [...SUITES];
    const unknown = suites.filter((s) => !isSuite(s));
    if (unknown.length > 0) throw new WorkbenchError(`Unknown bench suite ${unknown.join(', ')}.`, ExitCode.USAGE, `Known suites: ${SUITES.join(', ')}.`);

    const figures: Partial<Record<Suite, SuiteFigures['figures']>> = {};
    for (const suite of suites.filter(isSuite)) {
      let result: SuiteFigures;
      try {
        result = await measureInChild(child, suite, reps, io);
      } catch (error) {
        if (!(error instanceof BenchChildFailed)) throw error;
        // A child that exited has printed why: stop with its exit code rather than a second message. One
        // killed by a signal (other than the user's Ctrl-C) could not, so say it here.
        if (error.signal !== null && error.signal !== 'SIGINT') io.stderr(`bench: ${error.message}\n`);
        return error.exitCode;
      }
      figures[suite] = result.figures;
      if (!values.json) io.stdout(renderSuite(result, reps));
    }
    if (values.json) io.stdout(`${JSON.stringify(figures, null, 2)}\n`);
    return ExitCode.OK;
  });
}
