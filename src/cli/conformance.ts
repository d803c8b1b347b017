/**
 * `npm run conformance`: replays TLC-generated traces against the TypeScript cores, each trace through
 * the protocol its `#meta.spec` names, and reports divergences, enabledness mismatches and coverage
 * per protocol.
 *
 * @module
 */
import { join, resolve } from 'node:path';
import { type ConformanceReport, conformanceFailed, loadCorpus, type ProtocolReport, runConformance } from '../conformance/run.js';
import { formatDivergence } from '../conformance/replay.js';
import type { ModelCoverage } from '../conformance/coverage.js';
import { ExitCode, type ExitCodeValue } from '../errors.js';
import { REPO_ROOT, shownPath } from '../paths.js';
import type { Protocol } from '../protocol/protocol.js';
import { PROTOCOLS, selectProtocols } from '../protocol/registry.js';
import { writeViewPages } from '../viewer/html.js';
import { conformanceReportViews } from '../viewer/inputs.js';
import { commandLine, runCommand } from './args.js';
import { formatCount, indentLines, renderTable } from './format.js';

function help(registry: readonly Protocol[]): string {
  const defects = [...new Set(registry.flatMap((p) => p.defects.map((d) => d.name)))];
  return `Usage: npm run conformance -- [options] [trace file or folder ...]

Replays TLC-generated ITF traces (default: traces/, through its manifest) against the TypeScript
cores. Each trace is read by the protocol its #meta.spec names (${registry.map((p) => `${p.spec}: ${p.name}`).join(', ')}):
each step's action label drives the implementation, which must reach the trace's next state in every
compared variable. On a tour model's state graph it also checks that the implementation takes exactly
the steps the spec enables in each state. Prints, per protocol, divergences (file, step, action,
variable path, expected, actual, the steps before), enabledness and coverage.

Options:
  --protocol <name>  replay only this protocol's traces (repeatable): ${registry.map((p) => p.name).join(', ')}
  --defect <name>    replay a deliberately broken core (negative control) in every protocol that has
                     it: ${defects.join(', ')}
  --context <n>      earlier steps shown with a divergence (default 3)
  --max-shown <n>    divergences printed in full per protocol (default 5; all are counted)
  --json             print the report as JSON
  -V, --version      the workbench and TLC versions
  -h, --help         this help

Exit codes: 0 no divergence; 1 a divergence or enabledness mismatch; 2 usage; 4 a trace is
malformed, of another model, outside its folder, has an unknown action or a state that is not
type-correct.`;
}

/** Where the command writes. */
export interface ConformanceIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly cwd: string;
}

interface Options {
  readonly paths: readonly string[];
  readonly protocols: readonly string[];
  readonly defect?: string;
  readonly context: number;
  readonly maxShown: number;
  readonly json: boolean;
}

const cli = commandLine('conformance');

function parseOptions(argv: readonly string[], registry: readonly Protocol[]): Options | 'help' {
  const { values: v, positionals } = cli.parse(argv, {
    allowPositionals: true,
    options: {
      protocol: { type: 'string', multiple: true },
      defect: { type: 'string' },
      context: { type: 'string', default: '3' },
      'max-shown': { type: 'string', default: '5' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (v.help) return 'help';
  const protocols = selectProtocols(v.protocol ?? [], registry).map((p) => p.name);
  if (v.defect !== undefined && !registry.some((p) => p.defects.some((d) => d.name === v.defect))) {
    const known = [...new Set(registry.flatMap((p) => p.defects.map((d) => d.name)))];
    throw cli.usage(`Unknown defect "${v.defect}". Known defects: ${known.join(', ')}.`);
  }
  return {
    paths: positionals.length > 0 ? positionals : [resolve(REPO_ROOT, 'traces')],
    protocols: v.protocol === undefined ? [] : protocols,
    ...(v.defect !== undefined ? { defect: v.defect } : {}),
    context: cli.integer('context', v.context, 0),
    maxShown: cli.integer('max-shown', v['max-shown'], 0),
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

function formatProtocol(r: ProtocolReport, maxShown: number): string {
  const out: string[] = [];
  const core = r.defect ? `the DEFECTIVE core "${r.defect.name}" (${r.defect.breaks}: broken)` : 'the real core';
  out.push(`== ${r.protocol}: ${r.title}`, `${r.traces} traces, ${formatCount(r.steps)} steps replayed against ${core}`);
  if (r.divergences.length === 0) out.push('divergences: none');
  else {
    out.push(`divergences: ${r.divergences.length} trace(s) diverge`);
    for (const d of r.divergences.slice(0, maxShown)) out.push('', formatDivergence(d));
    if (r.divergences.length > maxShown) out.push('', `... and ${r.divergences.length - maxShown} more (--max-shown)`);
  }
  for (const e of r.enabledness) {
    out.push(
      '',
      `enabledness on ${e.model}'s state graph: ${formatCount(e.states)} spec states, ${formatCount(e.specSteps)} spec steps, ${formatCount(e.inputsOffered)} steps offered: ${e.mismatches.length === 0 ? 'the implementation takes exactly the steps the spec enables' : `${e.mismatches.length} mismatch(es)`}`,
    );
    for (const m of e.mismatches.slice(0, maxShown)) out.push(`  ${m.file}, state ${m.step}: ${m.action}`, `    ${m.detail}`);
    if (e.mismatches.length > maxShown) out.push(`  ... and ${e.mismatches.length - maxShown} more`);
  }
  const c = r.coverage;
  out.push('', 'coverage: replayed steps per action');
  out.push(indentLines(renderTable(['action', 'steps'], c.actions.map((a) => [a.name, formatCount(a.steps)]), new Set([1])), '  '));
  out.push(c.missingActions.length === 0 ? `  all ${c.actions.length} actions of the vocabulary replayed` : `  NOT replayed: ${c.missingActions.join(', ')}`);
  out.push('coverage: states and edges per model (as TLC counts them: label and history included)');
  for (const m of c.models) out.push(coverageLine(m));
  const mismatches = r.enabledness.reduce((n, e) => n + e.mismatches.length, 0);
  const failed = r.divergences.length > 0 || mismatches > 0;
  out.push('', failed ? `${r.protocol}: FAIL: ${r.divergences.length} divergence(s), ${mismatches} enabledness mismatch(es)` : `${r.protocol}: ok: ${formatCount(r.stepsMatched)} steps conform`);
  return out.join('\n');
}

/** The report as text: a block per protocol, then what was not replayed and the verdict. */
export function formatReport(report: ConformanceReport, options: { readonly maxShown: number; readonly defect?: string }): string {
  const out = report.protocols.map((p) => formatProtocol(p, options.maxShown));
  const notes: string[] = [];
  for (const name of report.withoutDefect) notes.push(`not replayed: the ${name} traces (protocol ${name} has no defect "${options.defect ?? ''}": it breaks a rule ${name} does not state)`);
  for (const k of report.skipped) {
    notes.push(`not replayed: ${k.traces} ${k.spec} trace(s) of ${k.model} (${k.reason === 'no-protocol' ? `no protocol replays ${k.spec}` : 'not selected by --protocol'})`);
  }
  if (notes.length > 0) out.push(notes.join('\n'));
  const failed = conformanceFailed(report);
  const steps = report.protocols.reduce((n, p) => n + p.stepsMatched, 0);
  out.push(failed ? `FAIL: ${report.protocols.filter((p) => p.divergences.length > 0 || p.enabledness.some((e) => e.mismatches.length > 0)).map((p) => p.protocol).join(', ')} diverge` : `ok: ${formatCount(steps)} steps of ${report.protocols.length} protocol(s) conform`);
  return out.join('\n\n');
}

/** Runs the command; resolves to the exit code. Never throws for expected failures. `registry` is for tests. */
export async function conformanceCommand(argv: readonly string[], io: ConformanceIo, registry: readonly Protocol[] = PROTOCOLS): Promise<ExitCodeValue> {
  return runCommand('conformance', io.stderr, async () => {
    const options = parseOptions(argv, registry);
    if (options === 'help') {
      io.stdout(`${help(registry)}\n`);
      return ExitCode.OK;
    }
    const corpus = await loadCorpus(options.paths, io.cwd, { registry, ...(options.protocols.length > 0 ? { selected: options.protocols } : {}) });
    if (corpus.traces.length === 0) throw cli.usage(`No traces to replay in ${options.paths.join(', ')}; generate some with \`npm run traces\`.`);
    const report = await runConformance(corpus, registry, {
      ...(options.defect !== undefined ? { defect: options.defect } : {}),
      context: options.context,
    });
    const failed = conformanceFailed(report);
    if (options.json) io.stdout(`${JSON.stringify({ defect: options.defect ?? null, passed: !failed, ...report }, null, 2)}\n`);
    else io.stdout(`${formatReport(report, { maxShown: options.maxShown, ...(options.defect !== undefined ? { defect: options.defect } : {}) })}\n`);
    if (report.protocols.some((p) => p.divergences.length > 0)) {
      // The viewer's page of each divergence shown; a page that cannot be made costs a note, not the verdict.
      try {
        const pages = await writeViewPages(await conformanceReportViews(report, options.maxShown), join(REPO_ROOT, '.cache', 'view', 'conformance'));
        io[options.json ? 'stderr' : 'stdout'](`Pages of the divergences (npm run view):\n${pages.map((p) => `  ${shownPath(io.cwd, p)}`).join('\n')}\n`);
      } catch (error) {
        io.stderr(`conformance: no pages for the divergences: ${error instanceof Error ? error.message : String(error)}\n`);
      }
    }
    return failed ? ExitCode.CHECK_FAILED : ExitCode.OK;
  });
}
