#!/usr/bin/env tsx
// Entry point of `npm run bench`: speed figures, each against a baseline measured in the same run.
// Suites: tlc (wrapper overhead vs raw TLC), sim (simulator throughput, commit latency vs N).
// Logic lives in src/bench/.
import { join } from 'node:path';
import { benchReplay } from '../src/bench/replay.js';
import { BENCH_MODEL, benchCommitLatency, formatLatencyTable, measureSimThroughput } from '../src/bench/sim.js';
import { measureTlcOverhead } from '../src/bench/tlc-overhead.js';
import { commandLine, runCommand } from '../src/cli/args.js';
import { formatCount, renderTable } from '../src/cli/format.js';
import { ExitCode, WorkbenchError } from '../src/errors.js';
import { REPO_ROOT, resolveToolchain } from '../src/tlc/toolchain.js';

const HELP = `Usage: npm run bench -- [--reps N] [--json] [suite ...]

Suites:
  tlc   the TLC wrapper's overhead: bench/Workload.tla (216,000 states) run as a raw
        \`java tlc2.TLC\` command and through the wrapper, alternating; ratio of medians (goal <= 5 %)
  replay  trace replay throughput in spec steps/s on one core (goal >= 200,000), next to the cost of
          the core step alone and of the comparison with the trace's state alone
  sim   simulator throughput in delivered messages/s (goal >= 500,000), with invariant checks off
        (the baseline) and on; commit latency (mean, p50, p99) for N = 3, 5, 9 as a table and an SVG
        chart (bench/commit-latency.svg)

Options:
  --reps <n>   runs of each kind per suite (default 3)
  --json       print the figures as JSON
  -h, --help   this help`;

const SUITES = ['tlc', 'replay', 'sim'] as const;

const cli = commandLine('bench');

async function main(): Promise<number> {
  const { values, positionals } = cli.parse(process.argv.slice(2), {
    allowPositionals: true,
    options: { reps: { type: 'string', default: '3' }, json: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false } },
  });
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return ExitCode.OK;
  }
  const reps = Number(values.reps);
  if (!Number.isInteger(reps) || reps < 1) throw new WorkbenchError(`--reps must be a positive integer, not "${values.reps}".`, ExitCode.USAGE);
  const suites = positionals.length > 0 ? positionals : [...SUITES];
  const unknown = suites.filter((s) => !(SUITES as readonly string[]).includes(s));
  if (unknown.length > 0) throw new WorkbenchError(`Unknown bench suite ${unknown.join(', ')}.`, ExitCode.USAGE, `Known suites: ${SUITES.join(', ')}.`);

  const figures: Record<string, unknown> = {};
  if (suites.includes('tlc')) {
    const toolchain = await resolveToolchain();
    const log = (kind: string, ms: number) => process.stderr.write(`  tlc: ${kind} run ${(ms / 1000).toFixed(2)} s\n`);
    const tlc = await measureTlcOverhead(
      { module: join(REPO_ROOT, 'bench', 'Workload.tla'), config: join(REPO_ROOT, 'bench', 'Workload.cfg'), toolchain, workers: 2 },
      reps,
      log,
    );
    figures.tlc = tlc;
    if (!values.json) {
      process.stdout.write(
        `\nTLC wrapper overhead (${formatCount(tlc.distinctStates)} distinct states, ${reps} runs each, 2 workers)\n` +
          `${renderTable(
            ['run', 'median s', 'runs s'],
            [
              ['raw java tlc2.TLC', (tlc.rawMedianMs / 1000).toFixed(2), tlc.rawRunsMs.map((m) => (m / 1000).toFixed(2)).join(' ')],
              ['wrapper (runTlc)', (tlc.wrapperMedianMs / 1000).toFixed(2), tlc.wrapperRunsMs.map((m) => (m / 1000).toFixed(2)).join(' ')],
            ],
          )}\n` +
          `ratio wrapper/raw ${tlc.ratio.toFixed(3)}: overhead ${tlc.overheadPercent.toFixed(1)} % (goal <= 5 %)\n`,
      );
    }
  }
  if (suites.includes('replay')) {
    const r = await benchReplay({ repetitions: reps });
    figures.replay = r;
    if (!values.json) {
      const row = (name: string, m: { stepsPerSecond: number; nsPerStep: number }) => [name, formatCount(Math.round(m.stepsPerSecond)), (m.nsPerStep / 1000).toFixed(2)];
      process.stdout.write(
        `\nTrace replay (${r.traces} traces, ${formatCount(r.steps)} steps x ${r.passes} passes, one core)\n` +
          `${renderTable(
            ['loop', 'steps/s', 'us/step'],
            [
              row('replay (clusterStep + comparison)', r.replay),
              row('clusterStep only', r.stepOnly),
              row('comparison only (clusterMatches)', r.comparisonOnly),
            ],
            new Set([1, 2]),
          )}\ncomparison: ${(100 * r.comparisonShare).toFixed(0)} % of a replayed step; goal >= ${formatCount(r.goalStepsPerSecond)} steps/s\n`,
      );
    }
  }
  if (suites.includes('sim')) {
    process.stderr.write('  sim: measuring throughput and commit latency ...\n');
    const bare = measureSimThroughput();
    const checked = measureSimThroughput({ checkInvariants: true });
    const svgPath = join(REPO_ROOT, 'bench', 'commit-latency.svg');
    const latency = benchCommitLatency(svgPath);
    figures.sim = { model: BENCH_MODEL.description, throughput: bare, throughputWithChecks: checked, latency, svg: svgPath };
    if (!values.json) {
      const rate = (t: typeof bare) => formatCount(Math.round(t.deliveredPerSecond));
      process.stdout.write(
        `\nSimulator throughput (${bare.nodes} nodes, fault-free workload)\n` +
          `${renderTable(
            ['run', 'delivered msgs/s', 'events/s'],
            [
              ['invariant checks off', rate(bare), formatCount(Math.round(bare.eventsPerSecond))],
              ['invariant checks on', rate(checked), formatCount(Math.round(checked.eventsPerSecond))],
            ],
            new Set([1, 2]),
          )}\n` +
          `checks cost ${(bare.deliveredPerSecond / checked.deliveredPerSecond).toFixed(1)}x; goal >= 500,000 msgs/s without checks\n` +
          `\nCommit latency vs replication depth (${BENCH_MODEL.description})\n${formatLatencyTable(latency)}\nchart: ${svgPath}\n`,
      );
    }
  }
  if (values.json) process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
  return ExitCode.OK;
}

process.exitCode = await runCommand('bench', (text) => process.stderr.write(text), main);
