/**
 * `npm run check-spec`: runs the real TLC on every model under `specs/` and reports, per model,
 * whether the outcome is the expected one.
 *
 * @module
 */
import { availableParallelism } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { match } from 'ts-pattern';
import { ExitCode, type ExitCodeValue, WorkbenchError } from '../errors.js';
import { makeDirectory, unwritable, writeFileAtomic } from '../files/write.js';
import { type TlcEvent } from '../tlc/events.js';
import { randomInt } from 'node:crypto';
import { clearState, latestCheckpoint, stateDirOf } from '../tlc/checkpoints.js';
import { DEFAULT_SERVER_PORT, runDistributed } from '../tlc/distributed.js';
import { simulateWithBudget } from '../tlc/simulate.js';
import { parseDuration } from '../units.js';
import {
  MODEL_TIERS,
  type ModelSpec,
  type ModelTier,
  describeExpectation,
  discoverModels,
  meetsExpectation,
  selectModels,
} from '../tlc/models.js';
import type { TlcOutcome, TlcResult } from '../tlc/result.js';
import { type TlcRun, runTlc } from '../tlc/run.js';
import { type CheckSpecSummary, type ModelReport, saveSummary } from '../tlc/summary.js';
import { REPO_ROOT, type TlcToolchain, resolveToolchain } from '../tlc/toolchain.js';
import { counterexampleToItf } from '../trace/counterexample.js';
import { serializeItf } from '../trace/itf-trace.js';
import { toItf } from '../trace/itf-value.js';
import { writeViewPages } from '../viewer/html.js';
import { loadViews } from '../viewer/inputs.js';
import { commandLine, runCommand } from './args.js';
import { shownPath } from '../paths.js';
import { formatCount, formatElapsed, formatSeconds, indentLines, renderCounterexample, renderTable, describeStep } from './format.js';

const HELP = `Usage: npm run check-spec -- [options] [model ...]

Runs the TLC model checker on the models (TLC configs) under specs/ and checks that each one
ends as its config says: "ok" (every invariant and property holds), or, for negative controls,
the named violation. Models are named after their .cfg file; a name may use * as a wildcard.

Options:
  --tier <ci|large|simulate|all>
                         which models to run when none are named (default: ci); simulate-tier
                         models run by simulation for their @budget
  --workers <n|auto>     TLC worker threads per model (default: auto = ${availableParallelism()} here)
  --timeout <seconds>    stop a model's TLC after this long (default: 1200)
  --heap <size>          JVM maximum heap, e.g. 8g (default: the JVM's, 1/4 of RAM)
  --tlc-args "<args>"    more options for TLC, e.g. "-coverage 1 -seed 7" (not -tool, -metadir,
                         -config or -workers, which check-spec sets)
  --specs <dir>          folder with the .tla/.cfg files (default: specs/)
  --allow-class-files    run even if the specs folder holds .class or .jar files (TLC would
                         load them as operator overrides and run their code)
  --json                 print this run's summary on stdout (progress stays on stderr)
  --summary <file>       merge this run's results into this JSON summary (default for specs/:
                         .cache/check-spec/summary.json; counterexamples are saved beside it)
  --show-expected        also print the counterexample of each negative control that passed
  --list                 list the models with their tier and expectation, run nothing

Models too large for one run (see "Bigger models" in the README):
  --simulate             TLC's random simulation instead of exhaustive checking, for a budget:
                         every invariant in every state of every behaviour, no proof of absence
  --budget <duration>    simulation time per model, e.g. 90s, 10m, 1h (default: the model's
                         @budget, or 1m)
  --depth <n>            the longest simulated behaviour (default 100)
  --seed <n>             the first simulation seed (default: random, printed)
  --checkpoint-minutes <m>
                         checkpoint every m minutes (TLC's -checkpoint), keeping TLC's state in
                         .cache/check-spec/states/<model>/ so that an interrupted run can resume
  --resume               continue each model from its latest checkpoint (TLC's -recover)
  --distributed          run TLC's distributed server: prints the command a worker machine runs
                         to join, and starts --local-workers workers here
  --local-workers <k>    worker JVMs on this machine for --distributed (default 2; 0: only remote)
  --port <p>             the distributed server's port (default ${DEFAULT_SERVER_PORT})
  --quiet                no progress output
  -V, --version          the workbench and TLC versions
  -h, --help             this help

Exit codes: 0 every model as expected; 1 a model's outcome differs from its expectation;
2 usage error (unknown option or model); 3 environment (Java, TLC jar, JVM options); 4 spec or
config error; 5 TLC failure (crash, out of memory, evaluation error); 6 timeout; 130 interrupted.`;

/** Where the command writes and reads. */
export interface CheckSpecIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Whether stderr is a terminal (progress then redraws one line). */
  readonly interactive: boolean;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  /** Aborts the run in progress (Ctrl-C). */
  readonly signal?: AbortSignal;
}

export type { CheckSpecSummary, ModelReport } from '../tlc/summary.js';

/** How the selected models run: exhaustively here (with or without checkpoints), by simulation, or distributed. */
type RunMode =
  | { readonly kind: 'local'; readonly checkpointMinutes?: number; readonly resume: boolean }
  | { readonly kind: 'simulate'; readonly forced: boolean; readonly budgetMs?: number; readonly depth: number; readonly seed: number; readonly seedGiven: boolean }
  | { readonly kind: 'distributed'; readonly localWorkers: number; readonly port: number };

interface Options {
  readonly patterns: readonly string[];
  readonly mode: RunMode;
  /** The seed of simulations the options did not give one (a simulate-tier model in another mode's run). */
  readonly simulationSeed: number;
  readonly tier: ModelTier | 'all';
  readonly workers: number;
  readonly timeoutMs: number;
  readonly heap?: string;
  readonly tlcArgs: readonly string[];
  readonly specsDir: string;
  readonly allowCode: boolean;
  readonly json: boolean;
  readonly showExpected: boolean;
  /** Where to write the JSON summary; none for runs on other specs folders unless asked. */
  readonly summaryFile: string | undefined;
  readonly list: boolean;
  readonly quiet: boolean;
}

const cli = commandLine('check-spec');

// TLC options the wrapper sets itself; --tlc-args may not override them.
const WRAPPER_OPTIONS = ['-tool', '-metadir', '-config', '-workers'];

function parseOptions(argv: readonly string[], cwd: string): Options | 'help' {
  const { values, positionals } = cli.parse(argv, {
    allowPositionals: true,
    options: {
      tier: { type: 'string', default: 'ci' },
      workers: { type: 'string', default: 'auto' },
      timeout: { type: 'string', default: '1200' },
      heap: { type: 'string' },
      'tlc-args': { type: 'string', default: '' },
      specs: { type: 'string', default: join(REPO_ROOT, 'specs') },
      'allow-class-files': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      'show-expected': { type: 'boolean', default: false },
      summary: { type: 'string' },
      list: { type: 'boolean', default: false },
      quiet: { type: 'boolean', default: false },
      simulate: { type: 'boolean', default: false },
      budget: { type: 'string' },
      depth: { type: 'string' },
      seed: { type: 'string' },
      'checkpoint-minutes': { type: 'string' },
      resume: { type: 'boolean', default: false },
      distributed: { type: 'boolean', default: false },
      'local-workers': { type: 'string' },
      port: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return 'help';
  const tier = values.tier;
  if (tier !== 'all' && !(MODEL_TIERS as readonly string[]).includes(tier)) throw cli.usage(`--tier must be ${MODEL_TIERS.join(', ')} or all, not "${tier}".`);
  const workers = values.workers === 'auto' ? availableParallelism() : Number(values.workers);
  if (!Number.isInteger(workers) || workers < 1) throw cli.usage(`--workers must be a positive integer or auto, not "${values.workers}".`);
  const timeoutSeconds = Number(values.timeout);
  if (!(timeoutSeconds > 0)) throw cli.usage(`--timeout must be a positive number of seconds, not "${values.timeout}".`);
  if (values.heap !== undefined && !/^\d+[kmgKMG]?$/.test(values.heap)) throw cli.usage(`--heap takes a JVM size such as 4g or 512m, not "${values.heap}".`);
  const tlcArgs = values['tlc-args'].split(/\s+/).filter((a) => a !== '');
  const owned = tlcArgs.filter((a) => WRAPPER_OPTIONS.includes(a));
  if (owned.length > 0) throw cli.usage(`--tlc-args may not set ${owned.join(', ')}: check-spec sets ${WRAPPER_OPTIONS.join(', ')} itself (use --workers for -workers).`);
  const mode = parseMode(values, tier);
  return {
    patterns: positionals,
    mode,
    simulationSeed: mode.kind === 'simulate' ? mode.seed : randomInt(2 ** 31),
    tier: tier as ModelTier | 'all',
    workers,
    timeoutMs: timeoutSeconds * 1000,
    ...(values.heap !== undefined ? { heap: values.heap } : {}),
    tlcArgs,
    specsDir: resolve(cwd, values.specs),
    allowCode: values['allow-class-files'],
    json: values.json,
    showExpected: values['show-expected'],
    // The default summary describes specs/ (the docs read it), so other folders write one only on request.
    summaryFile:
      values.summary !== undefined
        ? resolve(cwd, values.summary)
        : resolve(cwd, values.specs) === join(REPO_ROOT, 'specs')
          ? join(REPO_ROOT, '.cache', 'check-spec', 'summary.json')
          : undefined,
    list: values.list,
    quiet: values.quiet,
  };
}

function optionalInteger(name: string, text: string | undefined, min: number): number | undefined {
  return text === undefined ? undefined : cli.integer(name, text, min);
}

function parseMode(
  values: {
    readonly simulate: boolean;
    readonly budget?: string | undefined;
    readonly depth?: string | undefined;
    readonly seed?: string | undefined;
    readonly 'checkpoint-minutes'?: string | undefined;
    readonly resume: boolean;
    readonly distributed: boolean;
    readonly 'local-workers'?: string | undefined;
    readonly port?: string | undefined;
  },
  tier: string,
): RunMode {
  const simulationOptions = ['budget', 'depth', 'seed'].filter((o) => values[o as 'budget'] !== undefined);
  const checkpointOptions = [...(values['checkpoint-minutes'] !== undefined ? ['checkpoint-minutes'] : []), ...(values.resume ? ['resume'] : [])];
  const distributedOptions = ['local-workers', 'port'].filter((o) => values[o as 'port'] !== undefined);
  const simulating = values.simulate || tier === 'simulate';
  if (values.distributed && (simulating || checkpointOptions.length > 0)) {
    throw cli.usage(`--distributed runs TLC's distributed server, which check-spec does not combine with ${values.simulate ? '--simulate' : tier === 'simulate' ? '--tier simulate' : `--${checkpointOptions[0]}`}.`);
  }
  if (!values.distributed && distributedOptions.length > 0) throw cli.usage(`--${distributedOptions[0]} is an option of --distributed.`);
  if (simulating && checkpointOptions.length > 0) throw cli.usage(`--${checkpointOptions[0]} is for exhaustive runs; a simulation has no state to resume.`);
  if (!simulating && simulationOptions.length > 0) throw cli.usage(`--${simulationOptions[0]} is an option of --simulate (or --tier simulate).`);
  if (values.distributed) {
    const port = optionalInteger('port', values.port, 1) ?? DEFAULT_SERVER_PORT;
    if (port > 65535) throw cli.usage(`--port must be a TCP port (1..65535), not "${values.port}".`);
    return { kind: 'distributed', localWorkers: optionalInteger('local-workers', values['local-workers'], 0) ?? 2, port };
  }
  if (simulating) {
    const budgetMs = values.budget === undefined ? undefined : parseDuration(values.budget);
    if (budgetMs === null) throw cli.usage(`--budget takes a duration such as 90s, 10m or 1h, not "${values.budget}".`);
    const seed = optionalInteger('seed', values.seed, 0);
    return {
      kind: 'simulate',
      forced: values.simulate,
      ...(budgetMs === undefined ? {} : { budgetMs }),
      depth: optionalInteger('depth', values.depth, 1) ?? 100,
      seed: seed ?? randomInt(2 ** 31),
      seedGiven: seed !== undefined,
    };
  }
  const minutes = optionalInteger('checkpoint-minutes', values['checkpoint-minutes'], 1);
  return { kind: 'local', ...(minutes === undefined ? {} : { checkpointMinutes: minutes }), resume: values.resume };
}

/** Maps a failing model's outcome to the exit code it calls for. */
function exitCodeFor(outcome: TlcOutcome | 'not-run'): ExitCodeValue {
  return match(outcome)
    .with('parse-error', 'semantic-error', 'config-error', () => ExitCode.SPEC_ERROR)
    .with('tlc-error', () => ExitCode.TLC_FAILURE)
    .with('java-error', () => ExitCode.ENVIRONMENT)
    .with('timeout', () => ExitCode.TIMEOUT)
    .with('cancelled', 'not-run', () => ExitCode.INTERRUPTED)
    .with('ok', 'invariant-violated', 'property-violated', 'deadlock', () => ExitCode.CHECK_FAILED)
    .exhaustive();
}

// The most specific problem decides the exit code when several models fail differently.
const EXIT_PRIORITY: readonly ExitCodeValue[] = [
  ExitCode.INTERRUPTED,
  ExitCode.SPEC_ERROR,
  ExitCode.TLC_FAILURE,
  ExitCode.TIMEOUT,
  ExitCode.CHECK_FAILED,
];

/** Live progress for one model: a redrawn line on a terminal, a line per TLC report otherwise. */
class ProgressReporter {
  private timer: NodeJS.Timeout | undefined;
  private started = 0;
  private last: Extract<TlcEvent, { type: 'progress' }> | undefined;
  private previous: { at: number; generated: number } | undefined;
  private rate: number | undefined;

  constructor(
    private readonly io: CheckSpecIo,
    private readonly enabled: boolean,
  ) {}

  start(model: ModelSpec, index: number, total: number): void {
    this.started = performance.now();
    this.last = undefined;
    this.previous = undefined;
    this.rate = undefined;
    if (!this.enabled) return;
    const head = `[${index}/${total}] ${model.name}`;
    if (this.io.interactive) {
      this.timer = setInterval(() => this.draw(head), 1000);
      this.draw(head);
    } else {
      this.io.stderr(`${head}: running TLC ...\n`);
    }
  }

  event(event: TlcEvent, model: ModelSpec): void {
    if (event.type !== 'progress') return;
    const now = performance.now();
    if (this.previous && now > this.previous.at) {
      this.rate = ((event.stats.generated - this.previous.generated) * 1000) / (now - this.previous.at);
    }
    this.previous = { at: now, generated: event.stats.generated };
    this.last = event;
    if (this.enabled && !this.io.interactive) this.io.stderr(`  ${model.name}: ${this.describe()}\n`);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    if (this.enabled && this.io.interactive) this.io.stderr('\r\x1b[2K');
  }

  private describe(): string {
    const elapsed = formatElapsed(performance.now() - this.started);
    if (!this.last) return `${elapsed}  starting`;
    const s = this.last.stats;
    const rate = this.rate !== undefined ? `  ${formatCount(Math.round(this.rate))} states/s` : '';
    // A simulation has no fingerprint set or queue (TLC reports -1 for both).
    if (s.distinct < 0) return `${elapsed}  ${formatCount(s.generated)} states simulated${rate}`;
    return `${elapsed}  ${formatCount(s.distinct)} distinct  ${formatCount(s.generated)} generated  queue ${formatCount(s.left)}${rate}`;
  }

  private draw(head: string): void {
    this.io.stderr(`\r\x1b[2K${head}  ${this.describe()}`);
  }
}

/** A path as the summary records it: relative to the repository when inside it, so it does not depend on where the command was typed. */
function recorded(path: string): string {
  const rel = relative(REPO_ROOT, path);
  return rel.startsWith('..') ? path : rel;
}

/** What every report of a model says, run or not. */
function reportOf(model: ModelSpec, checkedAt: string, outcome: ModelReport['outcome'], passed: boolean, seconds: number) {
  return {
    name: model.name,
    module: recorded(model.module),
    config: recorded(model.config),
    ...(model.description !== undefined ? { description: model.description } : {}),
    tier: model.tier,
    expected: describeExpectation(model.expect),
    outcome,
    passed,
    checkedAt,
    seconds,
  };
}

function report(model: ModelSpec, run: TlcRun, checkedAt: string): ModelReport {
  return {
    ...reportOf(model, checkedAt, run.outcome, meetsExpectation(model, run), Number((run.durationMs / 1000).toFixed(2))),
    // A simulation counts no distinct states (TLC reports -1): it has no fingerprint set.
    ...(run.stats ? { ...(run.stats.distinct >= 0 ? { distinctStates: run.stats.distinct } : {}), statesGenerated: run.stats.generated, statesLeft: run.stats.left } : {}),
    ...(run.depth !== undefined ? { depth: run.depth } : {}),
    ...(run.violation ? { violation: { kind: run.violation.kind, ...(run.violation.name ? { name: run.violation.name } : {}) } } : {}),
    ...(run.counterexample.length > 0
      ? {
          counterexample: run.counterexample.map((s) => ({
            index: s.index,
            step: describeStep(s),
            vars: Object.fromEntries(Object.entries(s.vars).map(([k, v]) => [k, toItf(v)])),
          })),
        }
      : {}),
    ...(run.diagnostics.length > 0 ? { diagnostics: run.diagnostics } : {}),
    ...(run.message !== undefined ? { message: run.message } : {}),
  };
}

/** A model whose config is broken: reported as a spec error without running TLC. */
function invalidReport(model: ModelSpec, checkedAt: string): ModelReport {
  return { ...reportOf(model, checkedAt, 'config-error', false, 0), message: model.problem ?? 'invalid model config' };
}

function violationText(run: Pick<TlcResult, 'outcome' | 'violation'>): string {
  return run.violation?.name ? `${run.outcome} ${run.violation.name}` : run.outcome;
}

/**
 * What a model's run says beyond the table row: why it failed (located SANY errors, TLC's messages,
 * each line of a multi-line one indented like the first) and its counterexample; for a negative
 * control that passed, one line (its story with `showExpected`); empty for a pass without one.
 */
export function describeOutcome(
  model: ModelSpec,
  run: TlcResult,
  root: string,
  options: { readonly showExpected?: boolean; readonly counterexampleFile?: string; readonly pageFile?: string } = {},
): string {
  const lines: string[] = [];
  const passed = meetsExpectation(model, run);
  const what = violationText(run);
  if (passed && run.outcome === 'ok') return '';
  const saved =
    (options.counterexampleFile !== undefined ? `; counterexample: ${shownPath(root, options.counterexampleFile)}` : '') +
    (options.pageFile !== undefined ? `; page: ${shownPath(root, options.pageFile)}` : '');
  if (passed) {
    const n = run.counterexample.length;
    const states = n > 0 ? `, ${n} state${n === 1 ? '' : 's'}` : '';
    if (!options.showExpected) return `${model.name}: negative control refuted as expected (${what}${states})${saved}`;
    lines.push(`${model.name}: negative control refuted as expected (${what})${saved}:`);
  } else {
    lines.push(`${model.name}: expected ${describeExpectation(model.expect)}, but TLC says ${what}.`);
    if (run.violation !== undefined && run.violation.name === undefined && model.expect.outcome === run.outcome) {
      const expected = 'name' in model.expect ? model.expect.name : '';
      lines.push(
        model.properties.includes(expected)
          ? `  TLC does not name a violated temporal property, and this config checks ${model.properties.join(', ')}: which one failed is unknown. Check one property per negative-control config.`
          : `  TLC does not name a violated temporal property; this config checks ${model.properties.join(', ') || 'no property'}, not ${expected}.`,
      );
    }
    if (run.outcome === model.expect.outcome && (run.diagnostics.length > 0 || run.errors.length > 0)) {
      lines.push('  TLC also reported errors (below): a negative control passes only on its violation in a clean run.');
    }
  }
  for (const d of run.diagnostics) {
    const where = `${d.file ? shownPath(root, d.file) : d.module}${d.line !== undefined ? `:${d.line}:${d.column ?? 1}` : ''}`;
    lines.push(indentLines(`${where}: ${d.kind} error: ${d.message}`, '  '));
  }
  if (run.message) lines.push(indentLines(run.message, '  '));
  if (run.outcome === 'parse-error' && run.diagnostics.length === 0) lines.push(indentLines(run.output.slice(-15).join('\n'), '    '));
  // TLC's error texts, except those the message or a diagnostic above already says.
  const said = [run.message ?? '', ...run.diagnostics.map((d) => d.message)];
  for (const e of run.errors.filter((e) => !said.some((text) => text !== '' && (text.includes(e.text) || e.text.includes(text))))) lines.push(indentLines(e.text, '  '));
  if (run.counterexample.length > 0) {
    if (!passed) lines.push(`  Counterexample${options.counterexampleFile !== undefined ? ` (as ITF: ${shownPath(root, options.counterexampleFile)})` : ''}:`);
    lines.push(renderCounterexample(run.counterexample, run));
  }
  return lines.join('\n');
}

/** Runs the command; resolves to the process exit code. Never throws for expected failures. */
export async function checkSpec(argv: readonly string[], io: CheckSpecIo): Promise<ExitCodeValue> {
  return runCommand('check-spec', io.stderr, () => checkSpecOrThrow(argv, io));
}

/** Saves a violation's counterexample as an ITF trace beside the summary; returns its path. */
async function saveCounterexample(dir: string, model: ModelSpec, run: TlcRun): Promise<string> {
  const file = join(dir, `${model.name}.itf.json`);
  const itf = counterexampleToItf(run.counterexample, {
    model: model.name,
    module: model.module,
    config: model.config,
    ...(run.tlcVersion !== undefined ? { tlcVersion: run.tlcVersion } : {}),
    violation: violationText(run),
    ...(run.loopsBackTo !== undefined ? { loopsBackTo: run.loopsBackTo } : {}),
    ...(run.endsInStuttering ? { endsInStuttering: true } : {}),
  });
  await makeDirectory(dir);
  await writeFileAtomic(file, serializeItf(itf));
  return file;
}

/** One model's run, whatever the mode: TLC's result, what the summary adds for the mode, and notes for the user. */
interface ModelRun {
  readonly run: TlcRun;
  readonly extra: Partial<ModelReport>;
  readonly notes: readonly string[];
}

/** Runs one model the way the options say (simulation for simulate-tier models unless distributed). */
async function runModel(model: ModelSpec, options: Options, toolchain: TlcToolchain, io: CheckSpecIo, onEvent: (e: TlcEvent) => void): Promise<ModelRun> {
  const common = {
    module: model.module,
    config: model.config,
    toolchain,
    ...(options.heap !== undefined ? { heap: options.heap } : {}),
    ...(io.signal ? { signal: io.signal } : {}),
    onEvent,
  };
  // A simulate-tier model is simulated whatever selected it (--tier all, its name), unless distributed.
  const mode: RunMode =
    options.mode.kind === 'local' && model.tier === 'simulate' && options.mode.checkpointMinutes === undefined && !options.mode.resume
      ? { kind: 'simulate', forced: false, depth: 100, seed: options.simulationSeed, seedGiven: false }
      : options.mode;
  if (mode.kind === 'simulate' && (mode.forced || model.tier === 'simulate')) {
    const budgetMs = mode.budgetMs ?? model.budgetMs ?? 60_000;
    const result = await simulateWithBudget({ ...common, workers: options.workers, budgetMs, depth: mode.depth, seed: mode.seed, tlcOptions: options.tlcArgs });
    const seconds = Number((result.ms / 1000).toFixed(2));
    const run: TlcRun = { ...result.run, durationMs: result.ms, stats: { generated: result.statesGenerated, distinct: -1, left: 0 } };
    const repeat = `npm run check-spec -- ${model.name} --simulate --budget ${Math.round(budgetMs / 1000)}s --depth ${mode.depth} --seed ${mode.seed}`;
    return {
      run,
      extra: {
        mode: 'simulate',
        seconds,
        statesGenerated: result.statesGenerated,
        simulation: { behaviours: result.behaviours, statesGenerated: result.statesGenerated, seconds, budgetSeconds: budgetMs / 1000, seed: mode.seed, depth: mode.depth, rounds: result.rounds.length },
      },
      notes: [
        `  ${model.name}: simulated ${formatCount(result.behaviours)} behaviours of up to ${mode.depth} steps (${formatCount(result.statesGenerated)} states, ${formatCount(Math.round(result.statesGenerated / Math.max(result.ms / 1000, 1e-9)))} states/s) in ${result.rounds.length} round(s), seed ${mode.seed}; repeat: ${repeat}`,
      ],
    };
  }
  if (mode.kind === 'distributed') {
    const run = await runDistributed({
      ...common,
      timeoutMs: options.timeoutMs,
      tlcOptions: options.tlcArgs,
      port: mode.port,
      localWorkers: mode.localWorkers,
      onReady: (command) =>
        io.stderr(`  ${model.name}: TLC server ready on port ${mode.port}; ${mode.localWorkers} local worker(s) starting. A worker machine joins with:\n    ${command}\n`),
    });
    const early = run.workerReports.filter((w) => w.endedEarly);
    return {
      run,
      extra: { mode: 'distributed', localWorkers: { started: run.workerReports.length, endedEarly: early.length } },
      notes: early.map((w) => `  ${model.name}: local worker ${w.index} ended before the server (${w.signal ?? `exit ${w.code}`})${w.lastOutput.length > 0 ? `: ${w.lastOutput[w.lastOutput.length - 1]}` : ''}`),
    };
  }
  // Exhaustive, here; with checkpoints, TLC's state is kept where a later --resume finds it.
  const checkpointing = mode.kind === 'local' && (mode.checkpointMinutes !== undefined || mode.resume);
  const stateDir = stateDirOf(model.name);
  const recover = mode.kind === 'local' && mode.resume ? await latestCheckpoint(stateDir) : null;
  if (mode.kind === 'local' && mode.resume && recover === null) {
    throw new WorkbenchError(`There is no checkpoint of ${model.name} to resume in ${shownPath(io.cwd, stateDir)}.`, ExitCode.USAGE, `Run it with --checkpoint-minutes <m> first; a run leaves a checkpoint every m minutes.`);
  }
  const minutes = mode.kind === 'local' ? (mode.checkpointMinutes ?? (mode.resume ? 30 : undefined)) : undefined;
  let recovered = 0;
  const recovering = await runTlc({
    ...common,
    onEvent: (event) => {
      // "Recovery completed. N states examined. M states on queue."
      const text = event.type === 'info' ? event.text : event.type === 'output' ? event.line : '';
      const examined = /Recovery completed\. ([\d,]+) states examined/.exec(text);
      if (examined !== null) recovered = Number((examined[1] as string).replace(/,/g, ''));
      onEvent(event);
    },
    workers: options.workers,
    timeoutMs: options.timeoutMs,
    tlcOptions: [...options.tlcArgs, ...(minutes === undefined ? [] : ['-checkpoint', String(minutes)]), ...(recover === null ? [] : ['-recover', recover.dir])],
    ...(checkpointing ? { stateDir } : {}),
  });
  // TLC 2.18 counts the states a recovered run had found before its checkpoint twice in its final figure
  // (its progress reports count them once: a run cut short reports the last of those).
  const finalFigure = recovering.outcome !== 'cancelled' && recovering.outcome !== 'timeout';
  const run: TlcRun =
    recovered > 0 && finalFigure && recovering.stats !== undefined ? { ...recovering, stats: { ...recovering.stats, distinct: recovering.stats.distinct - recovered } } : recovering;
  const notes: string[] = [];
  if (checkpointing) {
    const cutShort = run.outcome === 'cancelled' || run.outcome === 'timeout';
    const latest = cutShort ? await latestCheckpoint(stateDir) : null;
    if (latest !== null) notes.push(`  ${model.name}: stopped; its checkpoint of ${latest.at.toISOString()} is kept. Resume with: npm run check-spec -- ${model.name} --resume --checkpoint-minutes ${minutes}`);
    else if (cutShort) notes.push(`  ${model.name}: stopped before its first checkpoint (every ${minutes} minute(s)); nothing to resume.`);
    else await clearState(stateDir);
  }
  const resumed =
    recover === null
      ? {}
      : {
          message:
            `resumed from the checkpoint of ${recover.at.toISOString()}` +
            (recovered > 0 && finalFigure ? `; TLC reported ${formatCount(recovering.stats?.distinct)} distinct states, counting the ${formatCount(recovered)} found before the checkpoint twice` : ''),
        };
  return { run, extra: resumed, notes };
}

async function checkSpecOrThrow(argv: readonly string[], io: CheckSpecIo): Promise<ExitCodeValue> {
  const options = parseOptions(argv, io.cwd);
  if (options === 'help') {
    io.stdout(`${HELP}\n`);
    return ExitCode.OK;
  }
  const all = await discoverModels(options.specsDir, { allowCode: options.allowCode });
  const root = io.cwd;
  if (options.list) {
    const rows = all.map((m) => [m.name, m.tier, describeExpectation(m.expect), m.problem !== undefined ? `INVALID: ${m.problem}` : (m.description ?? '')]);
    io.stdout(`${renderTable(['model', 'tier', 'expect', 'description'], rows)}\n`);
    return all.some((m) => m.problem !== undefined) ? ExitCode.SPEC_ERROR : ExitCode.OK;
  }
  const models = selectModels(all, options.patterns, options.tier);
  if (models.length === 0) throw cli.usage(`No models in tier "${options.tier}" under ${options.specsDir}.`);
  const toolchain: TlcToolchain = await resolveToolchain(io.env);
  const simulating = options.mode.kind === 'simulate' || (options.mode.kind === 'local' && models.some((m) => m.tier === 'simulate'));
  if (simulating && !(options.mode.kind === 'simulate' && options.mode.seedGiven) && !options.quiet) {
    io.stderr(`check-spec: simulation seed ${options.simulationSeed} (repeat with --seed ${options.simulationSeed})\n`);
  }
  const startedAt = new Date().toISOString();
  const progress = new ProgressReporter(io, !options.quiet);
  const reports: ModelReport[] = [];
  const counterexampleDir = options.summaryFile !== undefined ? join(dirname(options.summaryFile), 'counterexamples') : undefined;
  let tlcVersion: string | undefined;

  for (const [i, model] of models.entries()) {
    if (io.signal?.aborted) {
      reports.push(reportOf(model, startedAt, 'not-run', false, 0));
      continue;
    }
    if (model.problem !== undefined) {
      reports.push(invalidReport(model, startedAt));
      if (!options.quiet) io.stderr(`FAIL  ${model.name}  config-error  (not run)\n`);
      io[options.json ? 'stderr' : 'stdout'](`\n${model.name}: the config is invalid, TLC was not run.\n${indentLines(model.problem, '  ')}\n`);
      continue;
    }
    progress.start(model, i + 1, models.length);
    let ran: ModelRun;
    try {
      ran = await runModel(model, options, toolchain, io, (e) => progress.event(e, model));
    } finally {
      progress.stop();
    }
    const run = ran.run;
    if (run.outcome === 'java-error') {
      // Java cannot start TLC here, and will not for the next model either: stop, keep the saved summary.
      throw new WorkbenchError(
        run.message ?? 'Java could not start TLC.',
        ExitCode.ENVIRONMENT,
        'Check TLA2TOOLS_JAR (it must be a tla2tools.jar), JAVA_HOME, and the JVM options (--heap).',
      );
    }
    tlcVersion ??= run.tlcVersion;
    let entry: ModelReport = { ...report(model, run, startedAt), ...ran.extra };
    let counterexampleFile: string | undefined;
    let pageFile: string | undefined;
    if (counterexampleDir !== undefined && run.counterexample.length > 0) {
      try {
        counterexampleFile = await saveCounterexample(counterexampleDir, model, run);
        entry = { ...entry, counterexampleFile: recorded(counterexampleFile) };
      } catch (error) {
        throw unwritable(error, `the counterexample of ${model.name}`, 'Choose a writable --summary location.');
      }
      // The viewer's page of the counterexample, beside it: a page that cannot be made costs a note, not the run.
      try {
        [pageFile] = await writeViewPages(await loadViews(counterexampleFile), counterexampleDir);
      } catch (error) {
        io.stderr(`check-spec: no page for the counterexample of ${model.name}: ${error instanceof Error ? error.message : String(error)}\n`);
      }
    }
    reports.push(entry);
    if (!options.quiet) {
      const mark = entry.passed ? 'pass' : 'FAIL';
      const sim = entry.simulation;
      const figures = sim !== undefined ? `${formatCount(sim.behaviours)} behaviours, ${formatCount(sim.statesGenerated)} states simulated` : `${formatCount(entry.distinctStates)} distinct states`;
      io.stderr(`${mark}  ${model.name}  ${entry.outcome}  ${figures}  ${formatSeconds(entry.seconds * 1000)} s\n`);
    }
    for (const note of ran.notes) io.stderr(`${note}\n`);
    const detail = describeOutcome(model, run, root, {
      showExpected: options.showExpected,
      ...(counterexampleFile !== undefined ? { counterexampleFile } : {}),
      // A passed negative control's one line names its page; a failure prints it on a line of its own.
      ...(pageFile !== undefined && entry.passed ? { pageFile } : {}),
    });
    if (detail && !options.json) io.stdout(`\n${detail}\n`);
    else if (detail && !options.quiet && !entry.passed) io.stderr(`${detail}\n`);
    if (pageFile !== undefined && !entry.passed) io[options.json ? 'stderr' : 'stdout'](`  Page: ${shownPath(root, pageFile)} (npm run view)\n`);
  }

  const failures = reports.filter((r) => !r.passed).map((r) => exitCodeFor(r.outcome));
  const exitCode = failures.length === 0 ? ExitCode.OK : (EXIT_PRIORITY.find((c) => failures.includes(c)) ?? ExitCode.CHECK_FAILED);
  const summary: CheckSpecSummary = {
    tool: 'check-spec',
    formatVersion: 1,
    startedAt,
    tlc: { ...(tlcVersion !== undefined ? { version: tlcVersion } : {}), jar: toolchain.jar, jarSource: toolchain.jarSource, sha256: toolchain.sha256 },
    java: toolchain.java.version,
    workers: options.workers,
    passed: exitCode === ExitCode.OK,
    exitCode,
    models: reports,
  };
  if (options.summaryFile !== undefined) {
    try {
      await saveSummary(options.summaryFile, summary);
    } catch (error) {
      throw unwritable(error, `the summary ${options.summaryFile}`, 'Choose a writable --summary location.');
    }
  }

  const finished = reports.filter((r) => r.outcome !== 'not-run' && r.outcome !== 'cancelled').length;
  const interrupted = io.signal?.aborted === true ? ` Interrupted: ${finished} of ${reports.length} models finished.` : '';
  if (options.json) {
    io.stdout(`${JSON.stringify(summary, null, 2)}\n`);
    if (interrupted) io.stderr(`check-spec:${interrupted}\n`);
  } else {
    const rows = reports.map((r) => [
      r.name,
      r.expected,
      r.violation?.name ? `${r.outcome} ${r.violation.name}` : r.outcome,
      formatCount(r.distinctStates),
      r.depth === undefined ? '-' : String(r.depth),
      r.seconds.toFixed(1),
      r.passed ? 'pass' : 'FAIL',
    ]);
    io.stdout(`\n${renderTable(['model', 'expected', 'outcome', 'distinct states', 'depth', 'seconds', 'result'], rows, new Set([3, 4, 5]))}\n`);
    const failed = reports.filter((r) => !r.passed).length;
    io.stdout(
      `\n${tlcVersion ?? 'TLC'}: ${reports.length - failed} of ${reports.length} models as expected` +
        `${failed > 0 ? `, ${failed} not` : ''} (exit ${exitCode}).${interrupted}` +
        `${options.summaryFile !== undefined ? ` Summary: ${shownPath(root, options.summaryFile)}` : ''}\n`,
    );
  }
  return exitCode;
}
