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
import {
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
  --tier <ci|large|all>  which models to run when none are named (default: ci)
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

interface Options {
  readonly patterns: readonly string[];
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
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return 'help';
  const tier = values.tier;
  if (tier !== 'ci' && tier !== 'large' && tier !== 'all') throw cli.usage(`--tier must be ci, large or all, not "${tier}".`);
  const workers = values.workers === 'auto' ? availableParallelism() : Number(values.workers);
  if (!Number.isInteger(workers) || workers < 1) throw cli.usage(`--workers must be a positive integer or auto, not "${values.workers}".`);
  const timeoutSeconds = Number(values.timeout);
  if (!(timeoutSeconds > 0)) throw cli.usage(`--timeout must be a positive number of seconds, not "${values.timeout}".`);
  if (values.heap !== undefined && !/^\d+[kmgKMG]?$/.test(values.heap)) throw cli.usage(`--heap takes a JVM size such as 4g or 512m, not "${values.heap}".`);
  const tlcArgs = values['tlc-args'].split(/\s+/).filter((a) => a !== '');
  const owned = tlcArgs.filter((a) => WRAPPER_OPTIONS.includes(a));
  if (owned.length > 0) throw cli.usage(`--tlc-args may not set ${owned.join(', ')}: check-spec sets ${WRAPPER_OPTIONS.join(', ')} itself (use --workers for -workers).`);
  return {
    patterns: positionals,
    tier,
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
    ...(run.stats ? { distinctStates: run.stats.distinct, statesGenerated: run.stats.generated, statesLeft: run.stats.left } : {}),
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
  options: { readonly showExpected?: boolean; readonly counterexampleFile?: string } = {},
): string {
  const lines: string[] = [];
  const passed = meetsExpectation(model, run);
  const what = violationText(run);
  if (passed && run.outcome === 'ok') return '';
  const saved = options.counterexampleFile !== undefined ? `; counterexample: ${shownPath(root, options.counterexampleFile)}` : '';
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
    let run: TlcRun;
    try {
      run = await runTlc({
        module: model.module,
        config: model.config,
        toolchain,
        workers: options.workers,
        timeoutMs: options.timeoutMs,
        ...(options.heap !== undefined ? { heap: options.heap } : {}),
        tlcOptions: options.tlcArgs,
        ...(io.signal ? { signal: io.signal } : {}),
        onEvent: (e) => progress.event(e, model),
      });
    } finally {
      progress.stop();
    }
    if (run.outcome === 'java-error') {
      // Java cannot start TLC here, and will not for the next model either: stop, keep the saved summary.
      throw new WorkbenchError(
        run.message ?? 'Java could not start TLC.',
        ExitCode.ENVIRONMENT,
        'Check TLA2TOOLS_JAR (it must be a tla2tools.jar), JAVA_HOME, and the JVM options (--heap).',
      );
    }
    tlcVersion ??= run.tlcVersion;
    let entry = report(model, run, startedAt);
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
      io.stderr(`${mark}  ${model.name}  ${entry.outcome}  ${formatCount(entry.distinctStates)} distinct states  ${formatSeconds(run.durationMs)} s\n`);
    }
    const detail = describeOutcome(model, run, root, { showExpected: options.showExpected, ...(counterexampleFile !== undefined ? { counterexampleFile } : {}) });
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
