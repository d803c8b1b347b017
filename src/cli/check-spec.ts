/**
 * `npm run check-spec`: runs the real TLC on every model under `specs/` and reports, per model,
 * whether the outcome is the expected one.
 *
 * @module
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { match } from 'ts-pattern';
import { ExitCode, type ExitCodeValue } from '../errors.js';
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
import { REPO_ROOT, type TlcToolchain, resolveToolchain } from '../tlc/toolchain.js';
import { toItf, type ItfJson } from '../trace/itf-value.js';
import { commandLine, runCommand } from './args.js';
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
  --specs <dir>          folder with the .tla/.cfg files (default: specs/)
  --json                 print a machine-readable summary on stdout (progress stays on stderr)
  --summary <file>       write the JSON summary here (default for specs/: .cache/check-spec/summary.json)
  --list                 list the models with their tier and expectation, run nothing
  --quiet                no progress output
  -h, --help             this help

Exit codes: 0 every model as expected; 1 a model's outcome differs from its expectation;
2 usage error (unknown option or model); 3 environment (Java, TLC jar); 4 spec or config error;
5 TLC failure (crash, out of memory, evaluation error); 6 timeout; 130 interrupted.`;

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

/** One model's entry in the JSON summary. */
export interface ModelReport {
  readonly name: string;
  readonly module: string;
  readonly config: string;
  readonly description?: string;
  readonly tier: ModelTier;
  readonly expected: string;
  readonly outcome: TlcOutcome | 'not-run';
  readonly passed: boolean;
  readonly distinctStates?: number;
  readonly statesGenerated?: number;
  readonly statesLeft?: number;
  readonly depth?: number;
  readonly seconds: number;
  readonly violation?: { readonly kind: string; readonly name?: string };
  readonly counterexample?: readonly { readonly index: number; readonly step: string; readonly vars: Readonly<Record<string, ItfJson>> }[];
  readonly diagnostics?: TlcRun['diagnostics'];
  readonly message?: string;
}

/** The JSON summary printed by `--json` and written to the summary file. */
export interface CheckSpecSummary {
  readonly tool: 'check-spec';
  readonly formatVersion: 1;
  readonly startedAt: string;
  readonly tlc: { readonly version?: string; readonly jar: string; readonly jarSource: string; readonly sha256: string };
  readonly java: string;
  readonly workers: number;
  readonly passed: boolean;
  readonly exitCode: ExitCodeValue;
  readonly models: readonly ModelReport[];
}

interface Options {
  readonly patterns: readonly string[];
  readonly tier: ModelTier | 'all';
  readonly workers: number;
  readonly timeoutMs: number;
  readonly heap?: string;
  readonly specsDir: string;
  readonly json: boolean;
  /** Where to write the JSON summary; none for runs on other specs folders unless asked. */
  readonly summaryFile: string | undefined;
  readonly list: boolean;
  readonly quiet: boolean;
}

const cli = commandLine('check-spec');

function parseOptions(argv: readonly string[], cwd: string): Options | 'help' {
  const { values, positionals } = cli.parse(argv, {
    allowPositionals: true,
    options: {
      tier: { type: 'string', default: 'ci' },
      workers: { type: 'string', default: 'auto' },
      timeout: { type: 'string', default: '1200' },
      heap: { type: 'string' },
      specs: { type: 'string', default: join(REPO_ROOT, 'specs') },
      json: { type: 'boolean', default: false },
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
  return {
    patterns: positionals,
    tier,
    workers,
    timeoutMs: timeoutSeconds * 1000,
    ...(values.heap !== undefined ? { heap: values.heap } : {}),
    specsDir: resolve(cwd, values.specs),
    json: values.json,
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

function report(model: ModelSpec, run: TlcRun, root: string): ModelReport {
  const passed = meetsExpectation(model.expect, run);
  return {
    name: model.name,
    module: relative(root, model.module),
    config: relative(root, model.config),
    ...(model.description !== undefined ? { description: model.description } : {}),
    tier: model.tier,
    expected: describeExpectation(model.expect),
    outcome: run.outcome,
    passed,
    ...(run.stats ? { distinctStates: run.stats.distinct, statesGenerated: run.stats.generated, statesLeft: run.stats.left } : {}),
    ...(run.depth !== undefined ? { depth: run.depth } : {}),
    seconds: Number((run.durationMs / 1000).toFixed(2)),
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

/**
 * What a model's run says beyond the table row: why it failed (located SANY errors, TLC's messages,
 * each line of a multi-line one indented like the first) and its counterexample; empty for a pass
 * without one.
 */
export function describeOutcome(model: ModelSpec, run: TlcResult, root: string): string {
  const lines: string[] = [];
  const passed = meetsExpectation(model.expect, run);
  const what = run.violation?.name ? `${run.outcome} ${run.violation.name}` : run.outcome;
  if (passed && run.outcome === 'ok') return '';
  if (passed) {
    lines.push(`${model.name}: negative control refuted as expected (${what}). Counterexample:`);
  } else {
    lines.push(`${model.name}: expected ${describeExpectation(model.expect)}, but TLC says ${what}.`);
  }
  for (const d of run.diagnostics) {
    const where = `${d.file ? relative(root, d.file) : d.module}${d.line !== undefined ? `:${d.line}:${d.column ?? 1}` : ''}`;
    lines.push(indentLines(`${where}: ${d.kind} error: ${d.message}`, '  '));
  }
  if (run.message) lines.push(indentLines(run.message, '  '));
  if (run.outcome === 'parse-error' && run.diagnostics.length === 0) lines.push(indentLines(run.output.slice(-15).join('\n'), '    '));
  // TLC's error texts, except those the message above already quotes.
  for (const e of run.errors.filter((e) => !run.message?.includes(e.text))) lines.push(indentLines(e.text, '  '));
  if (run.counterexample.length > 0) {
    if (!passed) lines.push('  Counterexample:');
    lines.push(renderCounterexample(run.counterexample, run));
  }
  return lines.join('\n');
}

/** Runs the command; resolves to the process exit code. Never throws for expected failures. */
export async function checkSpec(argv: readonly string[], io: CheckSpecIo): Promise<ExitCodeValue> {
  return runCommand('check-spec', io.stderr, () => checkSpecOrThrow(argv, io));
}

async function checkSpecOrThrow(argv: readonly string[], io: CheckSpecIo): Promise<ExitCodeValue> {
  const options = parseOptions(argv, io.cwd);
  if (options === 'help') {
    io.stdout(`${HELP}\n`);
    return ExitCode.OK;
  }
  const all = await discoverModels(options.specsDir);
  const root = io.cwd;
  if (options.list) {
    const rows = all.map((m) => [m.name, m.tier, describeExpectation(m.expect), m.description ?? '']);
    io.stdout(`${renderTable(['model', 'tier', 'expect', 'description'], rows)}\n`);
    return ExitCode.OK;
  }
  const models = selectModels(all, options.patterns, options.tier);
  if (models.length === 0) throw cli.usage(`No models in tier "${options.tier}" under ${options.specsDir}.`);
  const toolchain: TlcToolchain = await resolveToolchain(io.env);
  const startedAt = new Date().toISOString();
  const progress = new ProgressReporter(io, !options.quiet);
  const reports: ModelReport[] = [];
  let tlcVersion: string | undefined;

  for (const [i, model] of models.entries()) {
    if (io.signal?.aborted) {
      reports.push({ name: model.name, module: relative(root, model.module), config: relative(root, model.config), tier: model.tier, expected: describeExpectation(model.expect), outcome: 'not-run', passed: false, seconds: 0 });
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
        ...(io.signal ? { signal: io.signal } : {}),
        onEvent: (e) => progress.event(e, model),
      });
    } finally {
      progress.stop();
    }
    tlcVersion ??= run.tlcVersion;
    const entry = report(model, run, root);
    reports.push(entry);
    if (!options.quiet) {
      const mark = entry.passed ? 'pass' : 'FAIL';
      io.stderr(`${mark}  ${model.name}  ${entry.outcome}  ${formatCount(entry.distinctStates)} distinct states  ${formatSeconds(run.durationMs)} s\n`);
    }
    const detail = describeOutcome(model, run, root);
    if (detail && !options.json) io.stdout(`\n${detail}\n`);
    else if (detail && !options.quiet && !entry.passed) io.stderr(`${detail}\n`);
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
    await mkdir(dirname(options.summaryFile), { recursive: true });
    await writeFile(options.summaryFile, `${JSON.stringify(summary, null, 2)}\n`);
  }

  if (options.json) {
    io.stdout(`${JSON.stringify(summary, null, 2)}\n`);
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
        `${failed > 0 ? `, ${failed} not` : ''} (exit ${exitCode}).` +
        `${options.summaryFile !== undefined ? ` Summary: ${relative(root, options.summaryFile)}` : ''}\n`,
    );
  }
  return exitCode;
}
