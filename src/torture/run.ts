/**
 * One torture run against a running cluster: the nemesis follows its seeded schedule, the clients record
 * their history, a monitor polls every node's status (and the cluster reports the leadership lines of
 * the nodes' logs), and at the end the history is checked for linearizability and the sightings for
 * ElectionSafety. The cluster is anything implementing {@link TortureCluster}: real processes behind
 * link proxies (`cluster.ts`), or an in-memory stand-in in the tool's own tests.
 *
 * Time: the workload runs for `runMs`, or longer when healing took time, so that a full quiet period
 * (`quietMs`) always follows the moment everything was healed. Every wait is bounded.
 *
 * @module
 */
import { checkLinearizable } from '../lin/explain.js';
import { kvModel } from '../kv/lin-model.js';
import { type CallerFactory, runClients, sleep, type WorkloadOptions } from './clients.js';
import { describeElectionSafetyViolation, LeadershipLog, type LeaderSighting } from './elections.js';
import { historyFigures, HistoryRecorder, operationsOf, type Window } from './history.js';
import { Nemesis, NemesisError, type ClusterControl } from './nemesis.js';
import type { TortureReport, Verdict } from './report.js';
import { planSchedule, type NemesisKind, type ScheduleOptions } from './schedule.js';

/** A node's answer to a status request (the fields the torture tool reads). */
export interface NodeStatusView {
  readonly role: string;
  readonly term: number;
  readonly leader: string | null;
  readonly commitIndex: number;
  readonly lastApplied: number;
}

/** What a run needs from the cluster it tortures. */
export interface TortureCluster extends ClusterControl {
  readonly connect: CallerFactory;
  /** The node's status, or null when it does not answer within `timeoutMs`. */
  status(node: string, timeoutMs: number): Promise<NodeStatusView | null>;
  /** Called with every leadership line of a node's log from now on. */
  onLeaderLog(listener: (node: string, term: number, epochMs: number) => void): void;
  /** A node exited although nobody stopped it (a crash): called with its name and a description. */
  onCrash(listener: (node: string, description: string) => void): void;
}

/** What one run does. */
export interface TortureOptions {
  readonly seed: number;
  readonly runMs: number;
  readonly kinds: readonly NemesisKind[];
  readonly workload: WorkloadOptions;
  /** The quiet period after the heal (default: the schedule's). */
  readonly quietMs?: number;
  /** Faults start after this (default 1,500 ms). */
  readonly warmupMs?: number;
  /** How long faults last and the gaps between them (default: the schedule's). */
  readonly tuning?: Pick<ScheduleOptions, 'durations' | 'gapMs' | 'leaderBias' | 'oneWayShare'>;
  /** Status polling interval (default 100 ms). */
  readonly pollMs?: number;
  /** Limits of the linearizability check: configurations per key and time for the verdict and the explanation. */
  readonly lin?: { readonly maxExplored?: number; readonly timeBudgetMs?: number; readonly explainTimeBudgetMs?: number };
  /** What the report says about how to repeat the run. */
  readonly command: string;
  readonly defect: string | null;
  /** Progress lines (the nemesis's faults, phase changes). */
  readonly log?: (line: string) => void;
  readonly signal?: AbortSignal;
}

/** Default time for the linearizability verdict, and for cutting a failure down to a witness. */
export const DEFAULT_LIN_TIME_BUDGET_MS = 60_000;
export const DEFAULT_EXPLAIN_TIME_BUDGET_MS = 30_000;

/** Run the workload and the nemesis against `cluster` (already started and ready), then check. */
export async function runTorture(cluster: TortureCluster, options: TortureOptions): Promise<TortureReport> {
  const log = options.log ?? (() => undefined);
  const members = cluster.members;
  const schedule = planSchedule({
    seed: options.seed,
    nodes: members.length,
    runMs: options.runMs,
    kinds: options.kinds,
    ...(options.quietMs === undefined ? {} : { quietMs: options.quietMs }),
    ...(options.warmupMs === undefined ? {} : { warmupMs: options.warmupMs }),
    ...options.tuning,
  });
  const quietMs = schedule.runMs - schedule.faultsUntilMs;
  const startedAt = performance.now();
  const startEpoch = Date.now();
  const now = () => performance.now() - startedAt;
  const leadership = new LeadershipLog();
  const problems: string[] = [];
  const crashes: { node: string; atMs: number; description: string }[] = [];
  const noteSafety = (sighting: LeaderSighting) => {
    const v = leadership.saw(sighting);
    if (v !== null) log(`VIOLATION ${describeElectionSafetyViolation(v)}`);
  };
  cluster.onLeaderLog((node, term, epochMs) => noteSafety({ node, term, atMs: epochMs - startEpoch, source: 'log' }));
  cluster.onCrash((node, description) => {
    crashes.push({ node, atMs: now(), description });
    log(`${(now() / 1000).toFixed(2)} s  ${node} exited by itself: ${description}`);
  });

  // The status monitor: every node's role and term, every pollMs, until the workload is over.
  const monitorStop = new AbortController();
  const pollMs = options.pollMs ?? 100;
  const monitor = (async () => {
    while (!monitorStop.signal.aborted) {
      await Promise.all(
        members.map(async (node) => {
          if (!cluster.isRunning(node) || cluster.isPaused(node)) return;
          const s = await cluster.status(node, 250).catch(() => null);
          if (s === null) return;
          leadership.sawTerm(s.term);
          if (s.role === 'Leader') noteSafety({ node, term: s.term, atMs: now(), source: 'status' });
        }),
      );
      await sleep(pollMs, monitorStop.signal);
    }
  })();

  const recorder = new HistoryRecorder(now);
  const nemesis = new Nemesis(schedule, cluster, now, log);
  let healedAtMs: number | null = null;
  let nemesisError: NemesisError | null = null;
  const stopAll = new AbortController();
  const onAbort = () => stopAll.abort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  log(`workload: ${options.workload.clients} clients on ${options.workload.keys} keys for ${(options.runMs / 1000).toFixed(0)} s; ${schedule.faults.length} faults planned between ${(schedule.faultsFromMs / 1000).toFixed(1)} and ${(schedule.faultsUntilMs / 1000).toFixed(1)} s`);
  const nemesisDone = nemesis
    .run(stopAll.signal)
    .catch((error: unknown) => {
      if (!(error instanceof NemesisError)) throw error;
      nemesisError = error;
      log(`nemesis stopped: ${error.message}`);
      // A node that cannot come back leaves nothing more to learn: stop the workload too.
      stopAll.abort();
    })
    .finally(() => {
      healedAtMs = now();
      log(`${(healedAtMs / 1000).toFixed(2)} s  everything healed; quiet period of ${(quietMs / 1000).toFixed(1)} s`);
    });
  // The workload ends at runMs, and never before a full quiet period after the heal.
  const keepGoing = () => now() < options.runMs || healedAtMs === null || now() < healedAtMs + quietMs;
  const workloadDone = runClients(options.workload, options.seed, cluster.connect, recorder, keepGoing, stopAll.signal);
  await Promise.all([nemesisDone, workloadDone]);
  const workloadMs = now();
  monitorStop.abort();
  await monitor;
  options.signal?.removeEventListener('abort', onAbort);
  const interrupted = options.signal?.aborted === true;

  // Final statuses, for the report.
  const finalStatus = await Promise.all(members.map(async (node) => ({ node, status: cluster.isRunning(node) ? await cluster.status(node, 1000).catch(() => null) : null })));
  for (const { status } of finalStatus) if (status !== null) leadership.sawTerm(status.term);

  const faultWindows: Window[] = nemesis.faults.map((f) => ({ fromMs: f.startedMs, toMs: f.healedMs }));
  const figures = historyFigures(recorder.events, workloadMs, faultWindows);
  const quietFromMs = healedAtMs ?? workloadMs;
  const okAfterHeal = recorder.events.filter((e) => e.type === 'ok' && e.time >= quietFromMs).length;

  for (const v of leadership.electionSafetyViolations) problems.push(describeElectionSafetyViolation(v));
  for (const c of crashes) problems.push(`${c.node} exited by itself at ${(c.atMs / 1000).toFixed(2)} s: ${c.description}`);
  if (!interrupted && nemesisError === null && okAfterHeal === 0) {
    problems.push(`liveness: no operation succeeded in the ${((workloadMs - quietFromMs) / 1000).toFixed(1)} s after everything was healed`);
  }

  log(`checking linearizability of ${figures.invoked} operations ...`);
  const lin = checkLinearizable(kvModel, operationsOf(recorder.events), {
    ...(options.lin?.maxExplored === undefined ? {} : { maxExplored: options.lin.maxExplored }),
    timeBudgetMs: options.lin?.timeBudgetMs ?? DEFAULT_LIN_TIME_BUDGET_MS,
    explainTimeBudgetMs: options.lin?.explainTimeBudgetMs ?? DEFAULT_EXPLAIN_TIME_BUDGET_MS,
  });
  const linearizability: TortureReport['linearizability'] =
    lin.outcome === 'linearizable'
      ? { outcome: 'linearizable', explored: lin.explored }
      : lin.outcome === 'unknown'
        ? { outcome: 'unknown', explored: lin.explored, part: lin.part, reason: lin.reason }
        : { outcome: 'not-linearizable', explored: lin.explored, part: lin.part, witness: lin.explanation.text, witnessOps: lin.explanation.ops.length, minimal: lin.explanation.minimal };
  if (lin.outcome === 'not-linearizable') problems.unshift(`linearizability: ${lin.part} is not linearizable (witness of ${lin.explanation.ops.length} operations below)`);

  const verdict: Verdict = interrupted
    ? 'interrupted'
    : problems.length > 0
      ? 'violation'
      : nemesisError !== null
        ? 'error'
        : lin.outcome === 'unknown'
          ? 'inconclusive'
          : 'ok';
  return {
    format: 'workbench-torture-report/1',
    command: options.command,
    seed: options.seed,
    members: [...members],
    defect: options.defect,
    nemesis: [...options.kinds],
    clients: options.workload.clients,
    keys: options.workload.keys,
    runMs: options.runMs,
    workloadMs,
    quiet: { fromMs: quietFromMs, toMs: workloadMs, okOps: okAfterHeal },
    schedule,
    faults: [...nemesis.faults],
    figures,
    elections: { seen: leadership.electionsSeen, maxTerm: leadership.maxTerm, leaders: [...leadership.terms] },
    electionSafety: [...leadership.electionSafetyViolations],
    finalStatus: finalStatus.map(({ node, status }) => ({ node, status })),
    linearizability,
    problems,
    ...(nemesisError === null ? {} : { error: (nemesisError as NemesisError).message }),
    verdict,
    history: [...recorder.events],
  };
}
