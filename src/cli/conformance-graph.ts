/**
 * `npm run conformance:graph`: the state-graph check. TLC dumps a model's whole state graph and every
 * state and every edge of it is checked against the protocol's implementation: each edge reproduced
 * by a step of its action, each step the implementation takes inside the model an edge.
 *
 * @module
 */
import { ExitCode, type ExitCodeValue } from '../errors.js';
import { runStateGraph, type StateGraphRunReport } from '../conformance/state-graph-run.js';
import type { GraphModel } from '../protocol/definition.js';
import type { Protocol } from '../protocol/protocol.js';
import { PROTOCOLS } from '../protocol/registry.js';
import { parseDuration } from '../units.js';
import { resolveToolchain } from '../tlc/toolchain.js';
import { commandLine, runCommand } from './args.js';
import { formatCount, formatSeconds, indentLines } from './format.js';
import type { CommandIo } from './main.js';

const DEFAULTS = { workers: 2, threads: 1, timeout: '60m', maxShown: 5, maxMismatches: 20 } as const;

function graphModels(registry: readonly Protocol[]): { protocol: Protocol; model: GraphModel }[] {
  return registry.flatMap((protocol) => protocol.graphModels.map((model) => ({ protocol, model })));
}

function help(registry: readonly Protocol[]): string {
  const listed = graphModels(registry);
  const width = (texts: readonly string[]) => Math.max(0, ...texts.map((t) => t.length));
  const [nameWidth, protocolWidth] = [width(listed.map(({ model }) => model.name)), width(listed.map(({ protocol }) => protocol.name))];
  const models = listed
    .map(({ protocol, model }) => `  ${model.name.padEnd(nameWidth)}  ${protocol.name.padEnd(protocolWidth)}  ${model.tier.padEnd(5)}  ${model.description}`)
    .join('\n');
  const defects = [...new Set(registry.flatMap((p) => (p.graphModels.length > 0 ? p.defects.map((d) => d.name) : [])))];
  return `Usage: npm run conformance:graph -- [options] [model ...]

Checks a model's whole state graph against the implementation. TLC dumps the graph
(-dump dot,actionlabels); in every state the implementation is put in that state and offered every
step of the vocabulary. Every edge must be reproduced by a step of its action (replay), and every
step the implementation takes that stays inside the model must be an edge (enabledness). A model
with SYMMETRY keeps one state per class of renamings of the servers: a step reaches an edge's target
when it reaches a renaming of it (and, when the label is in the state, with its own label renamed
alike). Default: the models of tier ci.

Models:
${models}

Options:
  --tier <ci|large>   the models of this tier (npm run conformance:large is --tier large)
  --defect <name>     check a deliberately broken core (negative control): ${defects.join(', ')}
  --max-mismatches <n> stop after this many mismatches (default ${DEFAULTS.maxMismatches})
  --max-shown <n>     mismatches printed in full (default ${DEFAULTS.maxShown})
  --workers <n>       TLC worker threads for the dump (default ${DEFAULTS.workers})
  --threads <n>       threads the check is split over, each a range of states (default ${DEFAULTS.threads})
  --timeout <d>       stop TLC's dump after this long (default ${DEFAULTS.timeout}; 90s, 10m, 1h)
  --json              print the reports as JSON
  --quiet             no progress output
  -V, --version       the workbench and TLC versions
  -h, --help          this help

Exit codes: 0 every state and edge conforms; 1 a mismatch; 2 usage; 3 environment (Java, TLC jar);
4 spec or config error; 5 TLC failure; 6 timeout; 130 interrupted.`;
}

interface Options {
  readonly jobs: readonly { protocol: Protocol; model: GraphModel }[];
  readonly defect?: string;
  readonly maxMismatches: number;
  readonly maxShown: number;
  readonly workers: number;
  readonly threads: number;
  readonly timeoutMs: number;
  readonly json: boolean;
  readonly quiet: boolean;
}

const cli = commandLine('conformance:graph');

function parseOptions(argv: readonly string[], registry: readonly Protocol[]): Options | 'help' {
  const { values: v, positionals } = cli.parse(argv, {
    allowPositionals: true,
    options: {
      tier: { type: 'string' },
      defect: { type: 'string' },
      'max-mismatches': { type: 'string', default: String(DEFAULTS.maxMismatches) },
      'max-shown': { type: 'string', default: String(DEFAULTS.maxShown) },
      workers: { type: 'string', default: String(DEFAULTS.workers) },
      threads: { type: 'string', default: String(DEFAULTS.threads) },
      timeout: { type: 'string', default: DEFAULTS.timeout },
      json: { type: 'boolean', default: false },
      quiet: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (v.help) return 'help';
  const all = graphModels(registry);
  if (v.tier !== undefined && v.tier !== 'ci' && v.tier !== 'large') throw cli.usage(`--tier is ci or large, not "${v.tier}".`);
  if (v.tier !== undefined && positionals.length > 0) throw cli.usage('Name models or a --tier, not both.');
  for (const name of positionals) {
    if (!all.some(({ model }) => model.name === name)) throw cli.usage(`No state-graph model "${name}". Models: ${all.map(({ model }) => model.name).join(', ')}.`);
  }
  const tier = v.tier ?? 'ci';
  let jobs = positionals.length > 0 ? all.filter(({ model }) => positionals.includes(model.name)) : all.filter(({ model }) => model.tier === tier);
  if (v.defect !== undefined) {
    const hasDefect = (protocol: Protocol) => protocol.defects.some((d) => d.name === v.defect);
    // Without named models, a defect picks the tier's models of the protocols that have it.
    if (positionals.length === 0 && jobs.some(({ protocol }) => hasDefect(protocol))) jobs = jobs.filter(({ protocol }) => hasDefect(protocol));
    const lacking = jobs.filter(({ protocol }) => !hasDefect(protocol));
    if (lacking.length > 0) {
      throw cli.usage(`Protocol ${lacking[0]?.protocol.name} has no defect "${v.defect}". Its defects: ${lacking[0]?.protocol.defects.map((d) => d.name).join(', ')}.`);
    }
  }
  const timeout = parseDuration(v.timeout);
  if (timeout === null) throw cli.usage(`--timeout must be a duration such as 90s, 10m or 1h, not "${v.timeout}".`);
  return {
    jobs,
    ...(v.defect !== undefined ? { defect: v.defect } : {}),
    maxMismatches: cli.integer('max-mismatches', v['max-mismatches'], 1),
    maxShown: cli.integer('max-shown', v['max-shown'], 0),
    workers: cli.integer('workers', v.workers, 1),
    threads: cli.integer('threads', v.threads, 1),
    timeoutMs: timeout,
    json: v.json,
    quiet: v.quiet,
  };
}

/** One model's report as text. */
export function formatGraphReport(r: StateGraphRunReport, model: GraphModel, maxShown: number, defect: string | undefined): string {
  const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
  const core = defect === undefined ? 'the real core' : `the DEFECTIVE core "${defect}"`;
  const out = [
    `== ${r.protocol}: ${r.model} (${model.description}) against ${core}`,
    `TLC ${r.tlc.version}: ${formatCount(r.tlc.distinct)} distinct states (${formatCount(r.tlc.generated)} generated) in ${formatSeconds(r.tlc.durationMs)} s; dump ${mib(r.tlc.dumpBytes)}, indexed in ${formatSeconds(r.indexMs)} s`,
    `states ${formatCount(r.statesChecked)}/${formatCount(r.states)} checked, edges ${formatCount(r.edgesReplayed)}/${formatCount(r.edges)} replayed, ${formatCount(r.inputsOffered)} steps offered (${formatCount(r.stepsInsideModel)} taken inside the model)`,
    `check: ${formatSeconds(r.durationMs)} s (${formatCount(Math.round(r.statesChecked / Math.max(r.durationMs / 1000, 0.001)))} states/s), heap ${mib(r.heapBytes)}`,
  ];
  if (r.mismatchCount === 0 && r.interrupted) {
    out.push(`interrupted after ${formatCount(r.statesChecked)} of ${formatCount(r.states)} states: no mismatch so far`);
    return out.join('\n');
  }
  if (r.mismatchCount === 0) {
    out.push(`ok: every state and every edge of ${r.model} conforms`);
    return out.join('\n');
  }
  out.push(`FAIL: ${r.mismatchCount} mismatch(es)${r.stoppedEarly ? ` (stopped at ${r.mismatchCount}, after ${formatCount(r.statesChecked)} states)` : ''}`);
  for (const m of r.mismatches.slice(0, maxShown)) {
    const path = r.paths[m.fingerprint] ?? [];
    out.push('', `state ${m.fingerprint}, reached by ${path.length === 0 ? 'Init' : `${path.length} step(s): ${path.join(', ')}`}`);
    out.push(`  ${m.kind}: ${m.action}`, `    ${m.detail}`);
    for (const d of m.differences) out.push(`    ${d.path}: spec ${d.expected}, implementation ${d.actual}`);
    const printed = r.printedStates[m.fingerprint];
    if (printed !== undefined) out.push('  the state, as TLC printed it:', indentLines(printed, '    '));
  }
  if (r.mismatches.length > maxShown) out.push('', `... and ${r.mismatches.length - maxShown} more (--max-shown)`);
  return out.join('\n');
}

/** Runs the command; resolves to the exit code. `registry` is for tests. */
export async function conformanceGraphCommand(argv: readonly string[], io: CommandIo, registry: readonly Protocol[] = PROTOCOLS): Promise<ExitCodeValue> {
  return runCommand('conformance:graph', io.stderr, async () => {
    const options = parseOptions(argv, registry);
    if (options === 'help') {
      io.stdout(`${help(registry)}\n`);
      return ExitCode.OK;
    }
    if (options.jobs.length === 0) throw cli.usage('No state-graph model selected.');
    const toolchain = await resolveToolchain(io.env);
    const reports: StateGraphRunReport[] = [];
    for (const { protocol, model } of options.jobs) {
      const report = await runStateGraph(
        {
          toolchain,
          workers: options.workers,
          timeoutMs: options.timeoutMs,
          signal: io.signal,
          ...(options.quiet ? {} : { progress: (line: string) => io.stderr(`${line}\n`) }),
        },
        protocol,
        model,
        { ...(options.defect !== undefined ? { defect: options.defect } : {}), maxMismatches: options.maxMismatches, threads: options.threads },
      );
      reports.push(report);
      if (!options.json) io.stdout(`${formatGraphReport(report, model, options.maxShown, options.defect)}\n`);
      if (report.interrupted) break;
    }
    const failed = reports.some((r) => r.mismatchCount > 0);
    const interrupted = reports.some((r) => r.interrupted);
    if (options.json) io.stdout(`${JSON.stringify({ defect: options.defect ?? null, passed: !failed && !interrupted, interrupted, reports }, null, 2)}\n`);
    return failed ? ExitCode.CHECK_FAILED : interrupted ? ExitCode.INTERRUPTED : ExitCode.OK;
  });
}
