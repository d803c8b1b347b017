/**
 * The nemesis: carries out a {@link NemesisSchedule} against a running cluster, one fault at a time, and
 * records what it actually did and when (a planned time is when a fault was due; a real restart or a
 * status lookup takes time of its own). At the end of the fault window it heals everything that may be
 * left (paused nodes resumed, dead ones restarted, links restored, clocks back to rate 1), whatever
 * happened before, so the quiet period always runs on a whole cluster.
 *
 * @module
 */
import { match } from 'ts-pattern';
import { sleep } from './clients.js';
import { cutLinks, describePlannedFault, type FaultTarget, type NemesisSchedule, type PlannedFault } from './schedule.js';

/** What the nemesis needs from the cluster. Node ids are the members' names. */
export interface ClusterControl {
  readonly members: readonly string[];
  /** The node believed to lead now (from the latest status), or null. */
  leader(): string | null;
  /** `kill -9` the node's process and wait until it is gone. */
  kill(node: string): Promise<void>;
  /** Start the node on its data directory (after a kill) and wait until it is ready. */
  start(node: string, clockRate: number): Promise<void>;
  /** Stop the node (SIGTERM, then SIGKILL) and start it again with the given clock rate. */
  restart(node: string, clockRate: number): Promise<void>;
  /** SIGSTOP / SIGCONT the node's process. */
  pause(node: string): void;
  resume(node: string): void;
  /** Lose every message from `from` to `to` for each pair given (member positions); all others flow. */
  cut(links: readonly (readonly [number, number])[]): void;
  /** Whether the node's process is running (not killed). */
  isRunning(node: string): boolean;
  /** Whether it is stopped by SIGSTOP. */
  isPaused(node: string): boolean;
  /** The clock rate the node runs at. */
  clockRate(node: string): number;
}

/** One fault as it happened. */
export interface AppliedFault {
  readonly kind: PlannedFault['kind'] | 'heal';
  /** What was done, with the node names resolved (`kill -9 s2 (the leader)`). */
  readonly description: string;
  readonly plannedAtMs: number;
  /** When it took effect and when it was healed, ms since the workload started. */
  readonly startedMs: number;
  readonly healedMs: number;
  /** Set when carrying it out failed (the run reports it). */
  readonly error?: string;
}

/** A node that could not be brought back, which ends the run's usefulness. */
export class NemesisError extends Error {
  constructor(
    message: string,
    readonly node: string,
  ) {
    super(message);
  }
}

/** Runs `schedule` against `cluster`; `now` is ms since the workload started. */
export class Nemesis {
  private readonly applied: AppliedFault[] = [];

  constructor(
    private readonly schedule: NemesisSchedule,
    private readonly cluster: ClusterControl,
    private readonly now: () => number,
    private readonly log: (line: string) => void = () => undefined,
  ) {}

  /** The faults carried out so far. */
  get faults(): readonly AppliedFault[] {
    return this.applied;
  }

  /**
   * Carry out every fault, then heal at the end of the fault window. Resolves once everything is healed
   * (or, when `signal` aborts, once what was started is healed as far as possible).
   */
  async run(signal?: AbortSignal): Promise<void> {
    try {
      for (const fault of this.schedule.faults) {
        await sleep(fault.atMs - this.now(), signal);
        if (signal?.aborted) break;
        await this.inject(fault, signal);
      }
      await sleep(this.schedule.faultsUntilMs - this.now(), signal);
    } finally {
      // Interrupted: the cluster is about to be stopped, so restarting nodes would only delay that.
      await this.healAll(signal?.aborted !== true);
    }
  }

  private resolve(target: FaultTarget): { node: string; note: string } {
    const members = this.cluster.members;
    if (target.kind === 'node') return { node: members[target.index] as string, note: '' };
    const leader = this.cluster.leader();
    // No known leader (mid-election): any running node will do; the report says so.
    if (leader !== null && this.cluster.isRunning(leader)) return { node: leader, note: ' (the leader)' };
    const running = members.filter((m) => this.cluster.isRunning(m));
    return { node: running[Math.floor(this.now()) % Math.max(1, running.length)] ?? (members[0] as string), note: ' (no leader known: a running node)' };
  }

  private async inject(fault: PlannedFault, signal: AbortSignal | undefined): Promise<void> {
    const members = this.cluster.members;
    const startedMs = this.now();
    const record = (description: string, error?: string) => {
      const entry: AppliedFault = { kind: fault.kind, description, plannedAtMs: fault.atMs, startedMs, healedMs: this.now(), ...(error === undefined ? {} : { error }) };
      this.applied.push(entry);
      this.log(`${(entry.startedMs / 1000).toFixed(2)}-${(entry.healedMs / 1000).toFixed(2)} s  ${description}${error === undefined ? '' : `  FAILED: ${error}`}`);
    };
    const until = async () => sleep(fault.untilMs - this.now(), signal);
    await match(fault)
      .with({ kind: 'kill' }, async (f) => {
        const { node, note } = this.resolve(f.target);
        await this.cluster.kill(node);
        await until();
        if (signal?.aborted) return record(`kill -9 ${node}${note} (interrupted before the restart)`);
        try {
          await this.cluster.start(node, 1);
          record(`kill -9 ${node}${note}, restarted on its data`);
        } catch (error) {
          record(`kill -9 ${node}${note}`, message(error));
          throw new NemesisError(`${node} could not be restarted on its data directory after kill -9: ${message(error)}`, node);
        }
      })
      .with({ kind: 'pause' }, async (f) => {
        const { node, note } = this.resolve(f.target);
        this.cluster.pause(node);
        await until();
        this.cluster.resume(node);
        record(`pause ${node}${note} (SIGSTOP, then SIGCONT)`);
      })
      .with({ kind: 'partition' }, async (f) => {
        this.cluster.cut(cutLinks(f, members.length));
        await until();
        this.cluster.cut([]);
        record(describePlannedFault(f, members));
      })
      .with({ kind: 'skew' }, async (f) => {
        const { node, note } = this.resolve(f.target);
        try {
          await this.cluster.restart(node, f.clockRate);
          await until();
          if (signal?.aborted) return record(`clock skew: ${node}${note} restarted with --clock-rate ${f.clockRate} (interrupted)`);
          await this.cluster.restart(node, 1);
          record(`clock skew: ${node}${note} restarted with --clock-rate ${f.clockRate}, then back to 1`);
        } catch (error) {
          record(`clock skew: ${node}${note} at rate ${f.clockRate}`, message(error));
          throw new NemesisError(`${node} could not be restarted for a clock skew: ${message(error)}`, node);
        }
      })
      .exhaustive();
  }

  /**
   * Resume and reconnect everything, and (unless `restart` is false) restart dead nodes and those off
   * clock rate 1; records a `heal` entry when there was anything to heal.
   */
  async healAll(restart = true): Promise<void> {
    const startedMs = this.now();
    const done: string[] = [];
    this.cluster.cut([]);
    for (const node of this.cluster.members) {
      if (this.cluster.isPaused(node)) {
        this.cluster.resume(node);
        done.push(`resumed ${node}`);
      }
    }
    const errors: string[] = [];
    for (const node of restart ? this.cluster.members : []) {
      try {
        if (!this.cluster.isRunning(node)) {
          await this.cluster.start(node, 1);
          done.push(`restarted ${node}`);
        } else if (this.cluster.clockRate(node) !== 1) {
          await this.cluster.restart(node, 1);
          done.push(`${node} back to clock rate 1`);
        }
      } catch (error) {
        errors.push(`${node}: ${message(error)}`);
      }
    }
    if (done.length > 0 || errors.length > 0) {
      const entry: AppliedFault = {
        kind: 'heal',
        description: `heal everything: ${done.join(', ') || 'links restored'}`,
        plannedAtMs: this.schedule.faultsUntilMs,
        startedMs,
        healedMs: this.now(),
        ...(errors.length === 0 ? {} : { error: errors.join('; ') }),
      };
      this.applied.push(entry);
      this.log(`${(startedMs / 1000).toFixed(2)} s  ${entry.description}${entry.error === undefined ? '' : `  FAILED: ${entry.error}`}`);
    }
    if (errors.length > 0) throw new NemesisError(`could not heal the cluster: ${errors.join('; ')}`, errors[0]?.split(':')[0] ?? '');
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
