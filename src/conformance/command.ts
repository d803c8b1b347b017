/**
 * `npm run conformance`: replays TLC-generated traces against the TypeScript Raft core and reports
 * divergences, enabledness mismatches and coverage.
 *
 * @module
 */
import { resolve } from 'node:path';
import { commandLine, runCommand } from '../cli/args.js';
import { formatCount, indentLines, renderTable } from '../cli/format.js';
import { ExitCode, type ExitCodeValue, WorkbenchError } from '../errors.js';
import { DEFECTS, DEFECT_NAMES, type DefectName } from '../raft/defects.js';
import { formatLabel } from '../raft/labels.js';
import { REPO_ROOT } from '../tlc/toolchain.js';
import type { ModelCoverage } from './coverage.js';
import { type ConformanceReport, loadCorpus, runConformance } from './run.js';
import { formatDivergence } from './replay.js';

const HELP = `Usage: npm run conformance -- [options] [trace file or folder ...]

Replays TLC-generated ITF traces (default: traces/, through its manifest) against the TypeScript
Raft core: each step's action label drives exactly that input, and the core's state (toSpecState)
must equal the trace's next state in every spec variable. On the tour model's state graph it also
checks that the core takes exactly the steps the spec enables in each state. Prints divergences
(file, step, action, variable path, expected, actual, the steps before) and coverage.

Options:
  --defect <name>   replay a deliberately broken core (negative control): ${DEFECT_NAMES.join(', ')}
  --context <n>     earlier steps shown with a divergence (default 3)
  --max-shown <n>   divergences printed in full (default 5; all are counted)
  --json            print the report as JSON
  -h, --help        this help

Exit codes: 0 no divergence; 1 a divergence or enabledness mismatch; 2 usage;
4 a trace is malformed, of another model, has an unknown action or a state that is not
type-correct.`;

/** Where the command writes. */
export interface ConformanceIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly cwd: string;
}

interface Options {
  readonly paths: readonly string[];
  readonly defect?: DefectName;
  readonly context: number;
  readonly maxShown: number;
  readonly json: boolean;
}

const cli = commandLine('conformance');

function count(name: string, text: string, min: number): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < min) throw cli.usage(`--${name} must be an integer >= ${min}, not "${text}".`);
  return n;
}

function parseOptions(argv: readonly string[]): Options | 'help' {
  const { values: v, positionals } = cli.parse(argv, {
    allowPositionals: true,
    options: {
      defect: { type: 'string' },
      context: { type: 'string', default: '3' },
      'max-shown': { type: 'string', default: '5' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (v.help) return 'help';
  if (v.defect !== undefined && !(DEFECT_NAMES as string[]).includes(v.defect)) {
    throw new WorkbenchError(`Unknown defect "${v.defect}".`, ExitCode.USAGE, `Known defects: ${DEFECT_NAMES.join(', ')}.`);
  }
  return {
    paths: positionals.length > 0 ? positionals : [resolve(REPO_ROOT, 'traces')],
    ...(v.defect !== undefined ? { defect: v.defect as DefectName } : {}),
    context: count('context', v.context, 0),
    maxShown: count('max-shown', v['max-shown'], 0),
    json: v.json,
  };
}

function percent(part: number, whole: number): string {
  return whole === 0 ? '-' : `${((100 * part) / whole).toFixed(1)} %`;
}

function coverageLine(m: ModelCoverage): string {
  const graph = m.graph
    ? `states ${formatCount(m.states)}/${formatCount(m.graph.states)} (${percent(m.states, m.graph.states)}), edges ${formatCount(m.edges)}/${formatCount(m.graph.edges)} (${percent(m.edges, m.graph.edges)})`
    : `states ${formatCount(m.states)}, edges ${formatCount(m.edges)} (no state graph dumped for this model)`;
  return `  ${m.model}: ${m.traces} traces, ${formatCount(m.steps)} steps; ${graph}; spec states ${formatCount(m.specStates)}, spec steps ${formatCount(m.specSteps)}`;
}

/** The report as text. */
export function formatReport(report: ConformanceReport, options: { defect?: DefectName; maxShown: number }): string {
  const out: string[] = [];
  const core = options.defect ? `the DEFECTIVE core "${options.defect}" (${DEFECTS[options.defect].breaks}: broken)` : 'the TypeScript Raft core';
  out.push(`conformance: ${report.traces} traces, ${formatCount(report.steps)} steps replayed against ${core}`);
  for (const k of report.skipped) out.push(`not replayed: ${k.traces} ${k.spec} trace(s) of ${k.model} (no TypeScript implementation of ${k.spec} yet)`);
  const mismatches = report.enabledness.flatMap((e) => e.mismatches);
  if (report.divergences.length === 0) out.push('divergences: none');
  else {
    out.push(`divergences: ${report.divergences.length} trace(s) diverge`);
    for (const d of report.divergences.slice(0, options.maxShown)) out.push('', formatDivergence(d));
    if (report.divergences.length > options.maxShown) out.push('', `... and ${report.divergences.length - options.maxShown} more (--max-shown)`);
  }
  for (const e of report.enabledness) {
    out.push('', `enabledness on ${e.model}'s state graph: ${formatCount(e.states)} spec states, ${formatCount(e.specSteps)} spec steps, ${formatCount(e.inputsOffered)} inputs offered: ${e.mismatches.length === 0 ? 'the core takes exactly the steps the spec enables' : `${e.mismatches.length} mismatch(es)`}`);
    for (const m of e.mismatches.slice(0, options.maxShown)) {
      out.push(`  ${m.file}, state ${m.step}: ${formatLabel(m.action)}`, `    ${m.detail}`);
    }
    if (e.mismatches.length > options.maxShown) out.push(`  ... and ${e.mismatches.length - options.maxShown} more`);
  }
  const c = report.coverage;
  out.push('', 'coverage: replayed steps per action');
  out.push(indentLines(renderTable(['action', 'steps'], c.actions.map((a) => [a.name, formatCount(a.steps)]), new Set([1])), '  '));
  out.push(c.missingActions.length === 0 ? `  all ${c.actions.length} actions of the vocabulary replayed` : `  NOT replayed: ${c.missingActions.join(', ')}`);
  out.push('coverage: states and edges per model (as TLC counts them: label and history included)');
  for (const m of c.models) out.push(coverageLine(m));
  const failed = report.divergences.length > 0 || mismatches.length > 0;
  out.push('', failed ? `FAIL: ${report.divergences.length} divergence(s), ${mismatches.length} enabledness mismatch(es)` : `ok: ${formatCount(report.stepsMatched)} steps conform`);
  return out.join('\n');
}

/** Runs the command; resolves to the exit code. Never throws for expected failures. */
export async function conformanceCommand(argv: readonly string[], io: ConformanceIo): Promise<ExitCodeValue> {
  return runCommand('conformance', io.stderr, async () => {
    const options = parseOptions(argv);
    if (options === 'help') {
      io.stdout(`${HELP}\n`);
      return ExitCode.OK;
    }
    const corpus = await loadCorpus(options.paths, io.cwd);
    if (corpus.traces.length === 0) throw cli.usage(`No traces found in ${options.paths.join(', ')}; generate some with \`npm run traces\`.`);
    const report = await runConformance(corpus, {
      ...(options.defect ? { stepFn: DEFECTS[options.defect].step } : {}),
      context: options.context,
    });
    const failed = report.divergences.length > 0 || report.enabledness.some((e) => e.mismatches.length > 0);
    if (options.json) io.stdout(`${JSON.stringify({ defect: options.defect ?? null, passed: !failed, ...report }, null, 2)}\n`);
    else io.stdout(`${formatReport(report, { ...(options.defect ? { defect: options.defect } : {}), maxShown: options.maxShown })}\n`);
    return failed ? ExitCode.CHECK_FAILED : ExitCode.OK;
  });
}
