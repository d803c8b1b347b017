/**
 * Runs the real TLC model checker on one model: `java ... tlc2.TLC -tool ...` spawned with an
 * argument array (never a shell) under a guardian (the JVM never outlives this process), its own
 * metadir, a worker count, a timeout that kills the JVM, and cancellation through an `AbortSignal`.
 * Output is framed and typed as it streams in.
 *
 * @module
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { startGuarded } from '../process/child.js';
import { setLongTimeout } from '../process/timer.js';
import { type TlcEvent, toTlcEvent } from './events.js';
import { TlcOutputFramer } from './framing.js';
import { type TlcResult, TlcResultBuilder } from './result.js';
import type { TlcToolchain } from './toolchain.js';

/** Options of one TLC run. */
export interface TlcRunOptions {
  /** The `.tla` module to check. Modules it EXTENDS are looked up next to it. */
  readonly module: string;
  /** The model config; defaults to the module's path with `.cfg`. */
  readonly config?: string;
  readonly toolchain: TlcToolchain;
  /** TLC worker threads; `auto` uses every available core. Default 1. */
  readonly workers?: number | 'auto';
  /** Kill the JVM after this many milliseconds (outcome `timeout`). */
  readonly timeoutMs?: number;
  /** Aborting kills the JVM (outcome `cancelled`). */
  readonly signal?: AbortSignal;
  /** Maximum JVM heap, e.g. `4g` (passed as `-Xmx`). Default: the JVM's own (1/4 of RAM). */
  readonly heap?: string;
  /** More JVM options, before `-cp`. */
  readonly jvmOptions?: readonly string[];
  /** More TLC options, e.g. `['-depth', '20']` or `['-simulate']`. */
  readonly tlcOptions?: readonly string[];
  /** Called for every event as TLC prints it (progress, states, errors ...). */
  readonly onEvent?: (event: TlcEvent) => void;
  /**
   * Other folders TLC writes into (a `-simulate file=` or `-dump` target) that must not outlive this
   * process: the guardian deletes them should this process die first. The caller deletes them otherwise.
   */
  readonly scratch?: readonly string[];
  /** Keep the metadir (TLC's states/ folder) instead of deleting it; its path is then returned. */
  readonly keepMetadir?: boolean;
  /**
   * TLC's metadir, owned by the caller and kept (a checkpointed run's, to resume from); created when
   * missing. Default: a temporary folder of this run.
   */
  readonly stateDir?: string;
  /** The Java class to run: TLC (default), or the server of TLC's distributed mode. */
  readonly mainClass?: 'tlc2.TLC' | 'tlc2.tool.distributed.TLCServer';
}

/** A finished run: the result plus what the wrapper did. */
export interface TlcRun extends TlcResult {
  readonly command: readonly string[];
  readonly metadir?: string;
}

// How long TLC gets to exit after SIGTERM before it is killed outright.
const KILL_GRACE_MS = 3000;

/** The model config a run reads: the given one, or the module's path with `.cfg`. */
function configOf(options: Pick<TlcRunOptions, 'module' | 'config'>): string {
  return resolve(options.config ?? resolve(options.module).replace(/\.tla$/, '.cfg'));
}

/** Builds the java argument array for a run (exposed so benchmarks can run the same command raw). */
export function tlcCommand(options: TlcRunOptions, metadir: string, javaTmp = metadir): string[] {
  const module = resolve(options.module);
  const config = configOf(options);
  const workers = options.workers === 'auto' ? availableParallelism() : (options.workers ?? 1);
  return [
    options.toolchain.java.command,
    // TLC copies the standard modules (TLC.tla, Naturals.tla, ...) out of its jar into java.io.tmpdir and
    // parses them from there; with the shared /tmp, a run starting beside another could read a file the
    // other was still writing, a spurious parse error. Each run's own metadir keeps them apart.
    `-Djava.io.tmpdir=${javaTmp}`,
    '-XX:+UseParallelGC',
    ...(options.heap ? [`-Xmx${options.heap}`] : []),
    ...(options.jvmOptions ?? []),
    '-cp',
    options.toolchain.jar,
    options.mainClass ?? 'tlc2.TLC',
    '-tool',
    // The distributed server has no threads of its own to count: its workers are other processes.
    ...(options.mainClass === 'tlc2.tool.distributed.TLCServer' ? [] : ['-workers', String(workers)]),
    '-metadir',
    metadir,
    '-config',
    config,
    ...(options.tlcOptions ?? []),
    basename(module),
  ];
}

/** Runs TLC and resolves when the JVM has exited; never rejects for TLC's own failures. */
export async function runTlc(options: TlcRunOptions): Promise<TlcRun> {
  const specDir = dirname(resolve(options.module));
  const scratchDir = await mkdtemp(join(tmpdir(), 'workbench-tlc-'));
  if (options.stateDir !== undefined) await mkdir(options.stateDir, { recursive: true });
  const metadir = options.stateDir ?? scratchDir;
  const command = tlcCommand(options, metadir, scratchDir);
  const builder = new TlcResultBuilder(
    (module) => {
      const file = join(specDir, `${module}.tla`);
      return existsSync(file) ? file : undefined;
    },
    configOf(options),
  );
  const stderr: string[] = [];
  const started = performance.now();
  let timedOut = false;
  let cancelled = false;

  const [java, ...args] = command as [string, ...string[]];
  // The guardian deletes the metadir when this process dies before it can; otherwise this function does.
  const kept = options.keepMetadir === true || options.stateDir !== undefined;
  const child = startGuarded({ command: java, args, cwd: specDir, scratch: [...(options.keepMetadir ? [] : [scratchDir]), ...(options.scratch ?? [])], graceMs: KILL_GRACE_MS });
  let unreadable = false;
  const framer = new TlcOutputFramer((chunk) => {
    if (unreadable) return;
    try {
      const event = toTlcEvent(chunk);
      builder.add(event);
      options.onEvent?.(event);
    } catch (error) {
      // Output this reader cannot follow (a construct the value parser does not know), or a listener
      // that failed on it: the result would be a guess, so the run stops here as a TLC failure that
      // says why, and the JVM and its metadir go as after any other failure.
      unreadable = true;
      builder.unreadable(`TLC's output could not be read: ${(error as Error).message}`);
      child.stop();
    }
  });
  let stderrPending = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => framer.push(d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    stderrPending += d;
    const lines = stderrPending.split('\n');
    stderrPending = lines.pop() ?? '';
    stderr.push(...lines);
  });
  const timer =
    options.timeoutMs !== undefined
      ? setLongTimeout(() => {
          timedOut = true;
          child.stop();
        }, options.timeoutMs)
      : undefined;
  const onAbort = () => {
    cancelled = true;
    child.stop();
  };
  if (options.signal?.aborted) onAbort();
  else options.signal?.addEventListener('abort', onAbort, { once: true });

  const exit = await child.exited;
  timer?.cancel();
  options.signal?.removeEventListener('abort', onAbort);
  framer.end();
  if (stderrPending) stderr.push(stderrPending);
  if (exit.spawnError) stderr.push(`could not start ${java}: ${exit.spawnError.code}: ${exit.spawnError.message}`);

  if (!options.keepMetadir) await rm(scratchDir, { recursive: true, force: true });
  const result = builder.finish({
    exitCode: exit.code,
    signal: exit.signal,
    timedOut,
    cancelled,
    ...(exit.spawnError ? { spawnError: exit.spawnError } : {}),
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    durationMs: performance.now() - started,
    stderr,
  });
  return { ...result, command, ...(kept ? { metadir } : {}) };
}
