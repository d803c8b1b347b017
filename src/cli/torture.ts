/**
 * `npm run torture`: a Jepsen-style run of the real cluster (node processes over TCP on 127.0.0.1, every
 * peer link through a controllable proxy) under a seeded nemesis, with concurrent clients whose history
 * is checked for linearizability at the end. Logic: `src/torture/`.
 *
 * @module
 */
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ExitCode, WorkbenchError } from '../errors.js';
import { REPO_ROOT } from '../paths.js';
import { DEFECT_NAMES } from '../raft/defects.js';
import { RealCluster } from '../torture/cluster.js';
import { exitCodeOf, renderReport } from '../torture/report.js';
import { DEFAULT_LIN_TIME_BUDGET_MS, runTorture, type TortureOptions } from '../torture/run.js';
import { NEMESIS_KINDS, type NemesisKind, planSchedule } from '../torture/schedule.js';
import { commandLine } from './args.js';
import type { CommandIo } from './main.js';

export const TORTURE_HELP = `Usage: npm run torture -- [--nodes N] [--time S] [--nemesis kill,pause,partition,skew|none]
                          [--clients C] [--keys K] [--seed S] [--defect NAME] [--dir D] [--json]

Starts N real node processes (npm run node) on 127.0.0.1, every peer link i -> j through its own proxy,
and runs C concurrent clients (put, get, compare-and-set on K keys) for S seconds while a nemesis drawn
from the seed injects faults one at a time, each bounded in time:
  kill       kill -9 a node (the leader half the time), restart it on its data directory later
  pause      SIGSTOP a node, SIGCONT it later
  partition  cut the links between a random minority and the rest, both ways or one way, then heal
  skew       restart a node with --clock-rate 0.5, 0.67, 1.5 or 2, later back to 1
The nemesis heals everything before the end and leaves a quiet period (a quarter of the run, 3-15 s,
after the heal). Then the history is checked for linearizability (src/lin), and every leadership seen
(status polled every 100 ms, the nodes' "leader" lines) for ElectionSafety: one leader per term.

Report: operations ok / failed / indeterminate, availability (ok ops/s during faults and otherwise),
latency p50/p99, elections, the faults with their times, and the verdict with the minimal
non-linearizable witness when there is one. The seed fixes the plan, not the run: real timing differs.

Options:
  --nodes <n>        cluster size, 1..15 (default 5)
  --time <s>         workload seconds (default 60); longer when healing takes time
  --nemesis <list>   fault kinds, comma-separated, or none (default kill,pause,partition,skew)
  --clients <c>      concurrent clients, 1..256 (default 8)
  --keys <k>         keys k0..k(K-1) (default 3)
  --seed <s>         an integer (default 1)
  --defect <name>    run every node with a deliberately broken core (a negative control):
                     ${DEFECT_NAMES.join(', ')}
  --op-timeout <ms>  a client gives up on an operation after this (indeterminate; default 2000)
  --quiet <s>        quiet period after the heal (default a quarter of --time, 3..15)
  --lin-time <s>     time for the linearizability verdict (default ${DEFAULT_LIN_TIME_BUDGET_MS / 1000}); past it: inconclusive
  --dir <d>          the run's folder: configurations, data directories, node logs (default a new
                     folder under .cache/torture/); must not exist or be empty
  --json             print the report (with the whole history) as JSON
  -h, --help         this help

Exit codes: 0 linearizable and no other check failed; 1 a violation (not linearizable, two leaders in
one term, a node that exited by itself, nothing served after the heal); 2 usage; 3 environment (a node
could not be started or restarted, no free ports); 6 inconclusive (the linearizability search ran out of
budget; nothing else failed); 70 a bug; 130 interrupted (every node and proxy is stopped).`;

const cli = commandLine('torture');

function integer(name: string, raw: string, min: number, max: number): number {
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < min || n > max) throw cli.usage(`--${name} must be an integer in ${min}..${max}, not "${raw}".`);
  return n;
}

/** The options a command line asks for (exported for the tests). */
export function tortureOptions(argv: readonly string[], cwd: string): 'help' | { readonly nodes: number; readonly dir: string | null; readonly json: boolean; readonly run: Omit<TortureOptions, 'log' | 'signal'> } {
  const { values } = cli.parse(argv, {
    options: {
      nodes: { type: 'string', default: '5' },
      time: { type: 'string', default: '60' },
      nemesis: { type: 'string', default: NEMESIS_KINDS.join(',') },
      clients: { type: 'string', default: '8' },
      keys: { type: 'string', default: '3' },
      seed: { type: 'string', default: '1' },
      defect: { type: 'string' },
      'op-timeout': { type: 'string', default: '2000' },
      quiet: { type: 'string' },
      'lin-time': { type: 'string', default: String(DEFAULT_LIN_TIME_BUDGET_MS / 1000) },
      dir: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return 'help';
  const nodes = integer('nodes', values.nodes, 1, 15);
  const seconds = integer('time', values.time, 1, 86_400);
  const kinds: NemesisKind[] = [];
  if (values.nemesis !== 'none') {
    for (const word of values.nemesis.split(',').map((w) => w.trim())) {
      if (!(NEMESIS_KINDS as readonly string[]).includes(word)) throw cli.usage(`--nemesis: no fault kind "${word}" (known: ${NEMESIS_KINDS.join(', ')}, or none).`);
      if (!kinds.includes(word as NemesisKind)) kinds.push(word as NemesisKind);
    }
  }
  if (values.defect !== undefined && !(DEFECT_NAMES as string[]).includes(values.defect)) throw cli.usage(`--defect: no defective core named "${values.defect}" (known: ${DEFECT_NAMES.join(', ')}).`);
  const seed = integer('seed', values.seed, -(2 ** 31), 2 ** 31 - 1);
  const clients = integer('clients', values.clients, 1, 256);
  const keys = integer('keys', values.keys, 1, 100);
  const opTimeoutMs = integer('op-timeout', values['op-timeout'], 50, 600_000);
  const quietMs = values.quiet === undefined ? undefined : integer('quiet', values.quiet, 1, 3600) * 1000;
  const linSeconds = integer('lin-time', values['lin-time'], 1, 86_400);
  const runMs = seconds * 1000;
  try {
    planSchedule({ seed, nodes, runMs, kinds, ...(quietMs === undefined ? {} : { quietMs }) });
  } catch (error) {
    if (error instanceof RangeError) throw cli.usage(`--time ${seconds} is too short for this nemesis: ${error.message}.`);
    throw error;
  }
  const dir = values.dir === undefined ? null : resolve(cwd, values.dir);
  if (dir !== null && existsSync(dir) && readdirSync(dir).length > 0) throw cli.usage(`--dir ${dir} is not empty; give a new or empty folder (the run writes data directories into it).`);
  const defect = values.defect ?? null;
  const command =
    `npm run torture -- --nodes ${nodes} --time ${seconds} --nemesis ${kinds.join(',') || 'none'} --clients ${clients} --keys ${keys} --seed ${seed}` +
    (defect === null ? '' : ` --defect ${defect}`) +
    (opTimeoutMs === 2000 ? '' : ` --op-timeout ${opTimeoutMs}`) +
    (quietMs === undefined ? '' : ` --quiet ${quietMs / 1000}`);
  return {
    nodes,
    dir,
    json: values.json,
    run: {
      seed,
      runMs,
      kinds,
      workload: { clients, keys, opTimeoutMs },
      ...(quietMs === undefined ? {} : { quietMs }),
      lin: { timeBudgetMs: linSeconds * 1000 },
      command,
      defect,
    },
  };
}

/** `npm run torture`. */
export async function tortureCommand(argv: readonly string[], io: CommandIo): Promise<number> {
  const parsed = tortureOptions(argv, io.cwd);
  if (parsed === 'help') {
    io.stdout(`${TORTURE_HELP}\n`);
    return ExitCode.OK;
  }
  const dir = parsed.dir ?? join(REPO_ROOT, '.cache', 'torture', `seed${parsed.run.seed}-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  const say = (line: string) => io.stderr(`torture: ${line}\n`);
  say(`starting ${parsed.nodes} nodes in ${dir} ...`);
  let cluster: RealCluster | null = null;
  const closeOnAbort = () => void cluster?.close();
  io.signal.addEventListener('abort', closeOnAbort, { once: true });
  try {
    cluster = await RealCluster.start({ nodes: parsed.nodes, dir, defect: parsed.run.defect });
    if (io.signal.aborted) throw new WorkbenchError('interrupted while starting the cluster; every node is stopped', ExitCode.INTERRUPTED);
    io.signal.removeEventListener('abort', closeOnAbort);
    say(`cluster ready: ${cluster.members.join(', ')} (node logs: ${dir}/<node>.log)`);
    const report = await runTorture(cluster, { ...parsed.run, log: say, signal: io.signal });
    await cluster.close();
    io.stdout(parsed.json ? `${JSON.stringify({ ...report, dir }, null, 2)}\n` : renderReport(report));
    if (!parsed.json) say(`the run's folder (configurations, data, node logs): ${dir}`);
    return exitCodeOf(report.verdict);
  } finally {
    io.signal.removeEventListener('abort', closeOnAbort);
    await cluster?.close();
  }
}
