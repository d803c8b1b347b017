/**
 * `npm run traces`: generates traces of the protocols' specs with the real TLC into a trace folder
 * (default `traces/`), one batch per protocol, mode and model, and updates its manifest.
 *
 * @module
 */
import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { match } from 'ts-pattern';
import { ExitCode, type ExitCodeValue, WorkbenchError } from '../errors.js';
import { unwritable } from '../files/write.js';
import { REPO_ROOT } from '../paths.js';
import type { Protocol } from '../protocol/protocol.js';
import { PROTOCOLS, selectProtocols } from '../protocol/registry.js';
import { resolveToolchain } from '../tlc/toolchain.js';
import { type GenerateContext, generateScenarios, generateSimulation, generateTour } from '../trace/generate.js';
import { type TraceMode, TRACE_MODES } from '../trace/itf-trace.js';
import { assertTraceFolder, writeBatch } from '../trace/manifest.js';
import type { TraceModel } from '../trace/models.js';
import { TlcOutputError } from '../trace/tlc-output.js';
import { commandLine, runCommand } from './args.js';

const DEFAULTS = { depth: 50, seed: '1', maxLength: 200, timeout: 600, workers: 1 } as const;

// Each walk becomes a file of the corpus, and TLC writes every walk to a temporary file first: a
// batch larger than this fills a disk rather than a corpus anyone reads.
const MAX_WALKS = 10_000;
const MAX_DEPTH = 10_000;

function help(registry: readonly Protocol[]): string {
  const models = registry.flatMap((p) => p.traceModels.map((m) => `  ${p.name.padEnd(14)} ${m.mode.padEnd(11)} ${m.name} (${m.mode === 'simulation' ? `${m.walks ?? 20} walks by default` : m.mode === 'scenario' ? `${p.scenarioGoals.length} goals` : 'the whole state graph'})`));
  return `Usage: npm run traces -- [options]

Generates traces of the protocols' specs with the real TLC, as ITF JSON with a manifest
(traces/manifest.json), into <out>/<protocol>/<mode>/:

  simulation  TLC -simulate random walks, seeded
  scenario    per goal, TLC's shortest behaviour reaching it: the goal negated as an invariant
              or action property
  tour        TLC dumps the whole state graph of the tour model; paths from the initial states
              cover every state and every edge, one trace per path

The models (configs under specs/traces/):
${models.join('\n')}

Options:
  --protocol <name>  only this protocol (repeatable; default all): ${registry.map((p) => p.name).join(', ')}
  --mode <m>         simulation, scenario, tour or all (default all); repeat or comma-separate
  --count <n>        random walks per simulation model (default: the model's, see above)
  --depth <n>        longest random walk, in steps (default ${DEFAULTS.depth})
  --seed <n>         TLC's simulation seed (default ${DEFAULTS.seed})
  --goal <name>      only these scenario goals (repeatable; default all); --list-goals shows them
  --max-length <n>   longest tour path, in steps (default ${DEFAULTS.maxLength})
  --out <dir>        the trace folder (default traces/): new, empty, or one this command wrote
                     (it holds the .workbench-traces marker)
  --replace          let a batch delete tracked traces it does not regenerate (a smaller
                     --count, another --seed); without it such a run is refused. Scenario
                     goals not asked for with --goal are kept either way
  --workers <n>      TLC workers for the state-graph dump (default ${DEFAULTS.workers})
  --timeout <s>      stop any one TLC run after this long (default ${DEFAULTS.timeout})
  --list-goals       list the scenario goals and exit
  --quiet            no progress output
  -V, --version      the workbench and TLC versions
  -h, --help         this help

Every batch is written beside the old one and renamed into place with the manifest, so a failure
or Ctrl-C leaves the corpus as it was.

Exit codes: 0 done; 1 a scenario goal was not reached within its model's bounds; 2 usage;
3 environment (Java, TLC jar, unwritable --out); 4 spec or config error; 5 TLC failure;
6 timeout; 130 interrupted.`;
}

/** Where the command writes; `cwd` is where relative paths start. */
export interface TracesIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  readonly signal?: AbortSignal;
}

interface Options {
  readonly protocols: readonly Protocol[];
  /** The protocols named with --protocol (empty: none named, all selected). */
  readonly named: readonly string[];
  readonly modes: readonly TraceMode[];
  readonly count?: number;
  readonly depth: number;
  readonly seed: bigint;
  readonly goals: readonly string[];
  readonly maxLength: number;
  readonly out: string;
  readonly workers: number;
  readonly timeoutMs: number;
  readonly quiet: boolean;
  readonly listGoals: boolean;
  readonly replace: boolean;
}

const cli = commandLine('traces');

function positiveInt(name: string, text: string, max = Number.MAX_SAFE_INTEGER): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 1) throw cli.usage(`--${name} must be a positive integer, not "${text}".`);
  if (n > max) throw cli.usage(`--${name} is at most ${max.toLocaleString('en-US')}, not ${text}: each walk becomes a file of the corpus.`);
  return n;
}

function parseOptions(argv: readonly string[], cwd: string, registry: readonly Protocol[]): Options | 'help' {
  const { values: v } = cli.parse(argv, {
    allowPositionals: false,
    options: {
      protocol: { type: 'string', multiple: true },
      mode: { type: 'string', multiple: true },
      count: { type: 'string' },
      depth: { type: 'string', default: String(DEFAULTS.depth) },
      seed: { type: 'string', default: DEFAULTS.seed },
      goal: { type: 'string', multiple: true },
      'max-length': { type: 'string', default: String(DEFAULTS.maxLength) },
      out: { type: 'string', default: resolve(REPO_ROOT, 'traces') },
      workers: { type: 'string', default: String(DEFAULTS.workers) },
      timeout: { type: 'string', default: String(DEFAULTS.timeout) },
      'list-goals': { type: 'boolean', default: false },
      replace: { type: 'boolean', default: false },
      quiet: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (v.help) return 'help';
  const protocols = selectProtocols(v.protocol ?? [], registry);
  const requested = (v.mode ?? ['all']).flatMap((m) => m.split(',')).map((m) => m.trim());
  const modes = new Set<TraceMode>();
  for (const m of requested) {
    if (m === 'all') TRACE_MODES.forEach((x) => modes.add(x));
    else if ((TRACE_MODES as readonly string[]).includes(m)) modes.add(m as TraceMode);
    else throw cli.usage(`--mode must be simulation, scenario, tour or all, not "${m}".`);
  }
  const goals = v.goal ?? [];
  const known = protocols.flatMap((p) => p.scenarioGoals.map((g) => g.name));
  const unknown = goals.filter((g) => !known.includes(g));
  if (unknown.length > 0) throw new WorkbenchError(`Unknown scenario goal ${unknown.join(', ')}.`, ExitCode.USAGE, `Known goals: ${known.join(', ') || 'none (no selected protocol has scenarios)'}.`);
  if (!/^-?\d+$/.test(v.seed)) throw cli.usage(`--seed must be an integer, not "${v.seed}".`);
  const timeout = Number(v.timeout);
  if (!(timeout > 0)) throw cli.usage(`--timeout must be a positive number of seconds, not "${v.timeout}".`);
  return {
    protocols,
    named: v.protocol ?? [],
    modes: TRACE_MODES.filter((m) => modes.has(m)),
    ...(v.count !== undefined ? { count: positiveInt('count', v.count, MAX_WALKS) } : {}),
    depth: positiveInt('depth', v.depth, MAX_DEPTH),
    seed: BigInt(v.seed),
    goals,
    maxLength: positiveInt('max-length', v['max-length']),
    out: resolve(cwd, v.out),
    workers: positiveInt('workers', v.workers),
    timeoutMs: timeout * 1000,
    quiet: v.quiet,
    listGoals: v['list-goals'],
    replace: v.replace,
  };
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** Runs the command; resolves to the exit code. Never throws for expected failures. `registry` is for tests. */
export async function tracesCommand(argv: readonly string[], io: TracesIo, registry: readonly Protocol[] = PROTOCOLS): Promise<ExitCodeValue> {
  return runCommand('traces', io.stderr, async () => {
    try {
      return await run(argv, io, registry);
    } catch (error) {
      throw error instanceof TlcOutputError
        ? new WorkbenchError(`TLC's output could not be read: ${error.message}`, ExitCode.TLC_FAILURE, 'Is TLA2TOOLS_JAR a different TLC version? The pinned jar writes the format this reader expects.')
        : error;
    }
  });
}

/** One batch to generate: a protocol's model of one mode. */
interface Job {
  readonly protocol: Protocol;
  readonly model: TraceModel;
}

async function run(argv: readonly string[], io: TracesIo, registry: readonly Protocol[]): Promise<ExitCodeValue> {
  const options = parseOptions(argv, io.cwd, registry);
  if (options === 'help') {
    io.stdout(`${help(registry)}\n`);
    return ExitCode.OK;
  }
  if (options.listGoals) {
    for (const p of options.protocols) for (const g of p.scenarioGoals) io.stdout(`${p.name.padEnd(14)} ${g.name.padEnd(30)} ${g.description}\n`);
    return ExitCode.OK;
  }
  const jobs: Job[] = options.protocols.flatMap((protocol) => options.modes.flatMap((mode) => protocol.traceModels.filter((m) => m.mode === mode).map((model) => ({ protocol, model }))));
  if (jobs.length === 0) {
    throw cli.usage(`${options.protocols.map((p) => p.name).join(', ')} ${options.protocols.length === 1 ? 'has' : 'have'} no ${options.modes.join(' or ')} model.`);
  }
  // Refused now, not after minutes of TLC: a folder that is not a trace corpus of ours, or one that
  // cannot be written.
  await assertTraceFolder(options.out);
  try {
    await mkdir(options.out, { recursive: true });
  } catch (error) {
    throw unwritable(error, `the trace folder ${options.out}`, 'Choose a writable folder with --out.');
  }
  const toolchain = await resolveToolchain(io.env);
  const ctx: GenerateContext = {
    toolchain,
    workers: options.workers,
    timeoutMs: options.timeoutMs,
    ...(io.signal ? { signal: io.signal } : {}),
    ...(options.quiet ? {} : { progress: (line: string) => io.stderr(`${line}\n`) }),
  };
  const outArg = options.out === resolve(REPO_ROOT, 'traces') ? '' : ` --out ${options.out}`;
  let exit: ExitCodeValue = ExitCode.OK;
  const done: string[] = [];
  for (const job of jobs) {
    const what = `${job.protocol.name} ${job.model.mode}`;
    try {
      const code = await match(job.model.mode)
        .with('simulation', () => simulation(ctx, job, options, io, outArg))
        .with('scenario', () => scenarios(ctx, job, options, io, outArg))
        .with('tour', () => tour(ctx, job, options, io, outArg))
        .exhaustive();
      if (code !== ExitCode.OK) exit = code;
      done.push(what);
    } catch (error) {
      if (!io.signal?.aborted) throw error;
      const rest = jobs.map((j) => `${j.protocol.name} ${j.model.mode}`).filter((w) => !done.includes(w));
      io.stderr(
        `traces: interrupted during ${what}: ${done.length > 0 ? `the ${done.join(', ')} batch(es) were written; ` : ''}` +
          `nothing of ${rest.join(', ')} was written, and those batches in ${options.out} are as they were.\n`,
      );
      return ExitCode.INTERRUPTED;
    }
  }
  return exit;
}

async function simulation(ctx: GenerateContext, { protocol, model }: Job, options: Options, io: TracesIo, outArg: string): Promise<ExitCodeValue> {
  const count = options.count ?? model.walks ?? 20;
  const regenerate = `npm run traces -- --protocol ${protocol.name} --mode simulation --count ${count} --depth ${options.depth} --seed ${options.seed}${outArg}`;
  const traces = await generateSimulation(ctx, model, { count, depth: options.depth, seed: options.seed, regenerate });
  const width = String(traces.length).length;
  const batch = await writeBatch(
    options.out,
    { mode: 'simulation', protocol: protocol.name, spec: model.spec, model: model.name, config: traces[0]?.meta.config ?? '', tlcVersion: traces[0]?.meta.tlcVersion ?? '', seed: String(options.seed), depth: options.depth, regenerate },
    traces.map((trace, i) => ({ name: `walk-seed${options.seed}-${pad(i + 1, width)}`, trace })),
    { replace: options.replace },
  );
  io.stdout(`${protocol.name} simulation: ${model.name}: ${batch.count} traces, ${batch.steps} steps -> ${options.out}\n`);
  return ExitCode.OK;
}

async function scenarios(ctx: GenerateContext, { protocol, model }: Job, options: Options, io: TracesIo, outArg: string): Promise<ExitCodeValue> {
  const asked = options.goals.filter((g) => protocol.scenarioGoals.some((x) => x.name === g));
  const goals = options.goals.length > 0 ? protocol.scenarioGoals.filter((g) => asked.includes(g.name)) : protocol.scenarioGoals;
  if (goals.length === 0) return ExitCode.OK;
  // Goals not asked for keep their traces, so the batch as a whole is regenerated by asking for all.
  const regenerate = `npm run traces -- --protocol ${protocol.name} --mode scenario${options.replace ? asked.map((g) => ` --goal ${g}`).join('') : ''}${outArg}`;
  const results = await generateScenarios(ctx, model, goals, regenerate);
  const found = results.flatMap((r) => ('trace' in r ? [{ name: r.goal.name, trace: r.trace }] : []));
  const unreachable = results.filter((r) => !('trace' in r)).map((r) => r.goal.name);
  const batch = await writeBatch(
    options.out,
    {
      mode: 'scenario',
      protocol: protocol.name,
      spec: model.spec,
      model: model.name,
      config: found[0]?.trace.meta.config ?? '',
      tlcVersion: found[0]?.trace.meta.tlcVersion ?? '',
      ...(unreachable.length > 0 ? { unreachableGoals: unreachable } : {}),
      regenerate,
    },
    found,
    { replace: options.replace, merge: true },
  );
  io.stdout(`${protocol.name} scenario: ${batch.count} traces, ${batch.steps} steps -> ${options.out}\n`);
  if (unreachable.length === 0) return ExitCode.OK;
  io.stderr(`traces: goal ${unreachable.join(', ')} not reached within the bounds of ${model.name}: widen them in its config or in the goal's constants (the protocol's definition).\n`);
  return ExitCode.CHECK_FAILED;
}

async function tour(ctx: GenerateContext, { protocol, model }: Job, options: Options, io: TracesIo, outArg: string): Promise<ExitCodeValue> {
  const regenerate = `npm run traces -- --protocol ${protocol.name} --mode tour --max-length ${options.maxLength}${outArg}`;
  const result = await generateTour(ctx, model, { maxLength: options.maxLength, regenerate });
  const width = String(result.traces.length).length;
  const batch = await writeBatch(
    options.out,
    { mode: 'tour', protocol: protocol.name, spec: model.spec, model: model.name, config: result.traces[0]?.meta.config ?? '', tlcVersion: result.traces[0]?.meta.tlcVersion ?? '', graph: result.graph, regenerate },
    result.traces.map((trace, i) => ({ name: `tour-${pad(i + 1, width)}`, trace })),
    { replace: options.replace },
  );
  io.stdout(`${protocol.name} tour: ${batch.count} traces, ${batch.steps} steps covering ${result.graph.states} states and ${result.graph.edges} edges -> ${options.out}\n`);
  return ExitCode.OK;
}
