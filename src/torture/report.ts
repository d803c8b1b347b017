/**
 * The torture run's report: its shape (also the `--json` output), the text a person reads, and the exit
 * code of the verdict.
 *
 * @module
 */
import { match } from 'ts-pattern';
import { ExitCode, type ExitCodeValue } from '../errors.js';
import { renderTable } from '../cli/format.js';
import type { ElectionSafetyViolation, LeaderSighting } from './elections.js';
import type { HistoryFigures, LatencyFigures, TortureEvent } from './history.js';
import type { AppliedFault } from './nemesis.js';
import type { NodeStatusView } from './run.js';
import type { NemesisKind, NemesisSchedule } from './schedule.js';

/**
 * - `ok`: linearizable, ElectionSafety held, the cluster served after the heal;
 * - `violation`: any check failed (see `problems`);
 * - `inconclusive`: nothing failed but the linearizability search ran out of budget;
 * - `error`: the run could not go on as planned (a node could not be restarted);
 * - `interrupted`: stopped by a signal.
 */
export type Verdict = 'ok' | 'violation' | 'inconclusive' | 'error' | 'interrupted';

/** The linearizability verdict. */
export type LinVerdict =
  | { readonly outcome: 'linearizable'; readonly explored: number }
  | { readonly outcome: 'unknown'; readonly explored: number; readonly part: string; readonly reason: 'state-budget' | 'time-budget' }
  | {
      readonly outcome: 'not-linearizable';
      readonly explored: number;
      readonly part: string;
      /** The minimal witness as `npm run sim` prints it. */
      readonly witness: string;
      readonly witnessOps: number;
      readonly minimal: boolean;
    };

/** Everything a run found. */
export interface TortureReport {
  readonly format: 'workbench-torture-report/1';
  /** The command that repeats the run (same plan; real timing differs). */
  readonly command: string;
  readonly seed: number;
  readonly members: readonly string[];
  readonly defect: string | null;
  readonly nemesis: readonly NemesisKind[];
  readonly clients: number;
  readonly keys: number;
  readonly runMs: number;
  /** How long the workload actually ran (longer than runMs when healing took time). */
  readonly workloadMs: number;
  /** The quiet period after the heal, and the operations that succeeded in it. */
  readonly quiet: { readonly fromMs: number; readonly toMs: number; readonly okOps: number };
  readonly schedule: NemesisSchedule;
  readonly faults: readonly AppliedFault[];
  readonly figures: HistoryFigures;
  /** Terms with a leader seen (first sighting each), the highest term seen. */
  readonly elections: { readonly seen: number; readonly maxTerm: number; readonly leaders: readonly LeaderSighting[] };
  readonly electionSafety: readonly ElectionSafetyViolation[];
  readonly finalStatus: readonly { readonly node: string; readonly status: NodeStatusView | null }[];
  readonly linearizability: LinVerdict;
  /** One line per failed check. */
  readonly problems: readonly string[];
  /** Why the run could not go on, for `error`. */
  readonly error?: string;
  readonly verdict: Verdict;
  readonly history: readonly TortureEvent[];
}

/** The exit code of a verdict (documented in the command's help). */
export function exitCodeOf(verdict: Verdict): ExitCodeValue {
  return match(verdict)
    .with('ok', () => ExitCode.OK)
    .with('violation', () => ExitCode.CHECK_FAILED)
    .with('inconclusive', () => ExitCode.TIMEOUT)
    .with('error', () => ExitCode.ENVIRONMENT)
    .with('interrupted', () => ExitCode.INTERRUPTED)
    .exhaustive();
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const fixed = (x: number, digits = 1) => (Number.isFinite(x) ? x.toFixed(digits) : '-');

function latencyRow(name: string, l: LatencyFigures): string[] {
  return [name, String(l.count), fixed(l.p50Ms), fixed(l.p99Ms), fixed(l.maxMs)];
}

/** The report as text. */
export function renderReport(report: TortureReport): string {
  const f = report.figures;
  const lines: string[] = [];
  lines.push(
    `torture: ${report.members.length} nodes (${report.members.join(', ')})${report.defect === null ? '' : `, DEFECTIVE core ${report.defect}`}; nemesis ${report.nemesis.join(',') || 'none'}; ` +
      `${report.clients} clients on ${report.keys} keys; seed ${report.seed}`,
  );
  lines.push(`workload ran ${seconds(report.workloadMs)} (planned ${seconds(report.runMs)}); quiet after the heal: ${seconds(report.quiet.fromMs)} .. ${seconds(report.quiet.toMs)}`);
  lines.push('', 'Faults injected:');
  if (report.faults.length === 0) lines.push('  none');
  for (const fault of report.faults) {
    lines.push(`  ${seconds(fault.startedMs).padStart(9)} .. ${seconds(fault.healedMs).padStart(9)}  ${fault.description}${fault.error === undefined ? '' : `  FAILED: ${fault.error}`}`);
  }
  lines.push(
    '',
    `Operations: ${f.invoked} invoked, ${f.ok} ok, ${f.failed} failed (not applied), ${f.indeterminate} indeterminate (may or may not have applied${f.open > 0 ? `; ${f.open} still open at the end` : ''})`,
    `Availability: ${fixed(f.duringFaults.okPerSecond)} ok ops/s during faults (${fixed(f.duringFaults.seconds)} s), ${fixed(f.quiet.okPerSecond)} ok ops/s otherwise (${fixed(f.quiet.seconds)} s)`,
    '',
    renderTable(['latency of ok ops', 'count', 'p50 ms', 'p99 ms', 'max ms'], [latencyRow('all', f.latency.all), latencyRow('writes (put, cas)', f.latency.writes), latencyRow('reads (get)', f.latency.reads)], new Set([1, 2, 3, 4])),
    '',
    `Elections: ${report.elections.seen} terms with a leader seen, highest term ${report.elections.maxTerm}` +
      (report.elections.leaders.length === 0 ? '' : ` (${report.elections.leaders.map((s) => `${s.term}:${s.node}`).join(' ')})`),
  );
  const statusLine = report.finalStatus.map(({ node, status }) => (status === null ? `${node} no answer` : `${node} ${status.role} term ${status.term} commit ${status.commitIndex}`)).join('; ');
  lines.push(`Final status: ${statusLine}`);
  lines.push('', renderLin(report.linearizability));
  if (report.error !== undefined) lines.push('', `The run could not go on: ${report.error}`);
  lines.push('');
  lines.push(
    match(report.verdict)
      .with('ok', () => 'Verdict: linearizable, ElectionSafety held, the cluster served after the heal.')
      .with('violation', () => `Verdict: VIOLATION\n${report.problems.map((p) => `  ${p}`).join('\n')}`)
      .with('inconclusive', () => 'Verdict: inconclusive (no violation found, but the linearizability search ran out of budget).')
      .with('error', () => 'Verdict: error (the run could not be completed as planned).')
      .with('interrupted', () => 'Verdict: interrupted.')
      .exhaustive(),
  );
  lines.push(`repeat (same plan; real timing differs): ${report.command}`);
  return `${lines.join('\n')}\n`;
}

function renderLin(lin: LinVerdict): string {
  return match(lin)
    .with({ outcome: 'linearizable' }, (l) => `Linearizability: linearizable (${l.explored.toLocaleString('en-US')} configurations explored)`)
    .with({ outcome: 'unknown' }, (l) => `Linearizability: inconclusive for ${l.part}: the search ran out of its ${l.reason === 'time-budget' ? 'time' : 'state'} budget`)
    .with({ outcome: 'not-linearizable' }, (l) => `Linearizability: NOT linearizable (${l.minimal ? 'minimal witness' : 'witness, not reduced to a minimum'}):\n${l.witness}`)
    .exhaustive();
}
