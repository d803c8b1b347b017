/**
 * TLC's distributed mode: a `TLCServer` holds the model's state queue and fingerprint set, and `TLCWorker`
 * processes (on this machine or others) compute successor states for it over Java RMI.
 *
 * - The server listens on `port` (TLC's `tlc2.tool.distributed.TLCServer.port`); its RMI objects are
 *   exported on ephemeral ports besides, so a firewall between machines must let those through too.
 * - `localWorkers` worker JVMs are started on this machine once the server says it is ready, each under a
 *   guardian (none outlives this process); a worker that ends before the server is reported.
 * - The server prints a violation's behaviour but not the name of the invariant it broke, so the name is
 *   found afterwards by a local TLC run that starts in the behaviour's last state and checks the model's
 *   invariants there ({@link nameViolatedInvariant}).
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { startGuarded } from '../process/child.js';
import { type TlaValue, printTla } from '../tla/value.js';
import { parseConfigChecks, sectionLines } from './config-checks.js';
import { type TlcRun, type TlcRunOptions, runTlc } from './run.js';

/** TLC's default port for the distributed server. */
export const DEFAULT_SERVER_PORT = 10997;

/** Options of a distributed run. */
export interface DistributedOptions extends Omit<TlcRunOptions, 'mainClass' | 'workers'> {
  readonly port: number;
  /** Worker JVMs to start on this machine. */
  readonly localWorkers: number;
  /** Called once the server is ready, with the command a worker machine runs to join. */
  readonly onReady?: (joinCommand: string) => void;
}

/** A worker started here, and how it ended. */
export interface WorkerReport {
  readonly index: number;
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** It ended while the server was still running (killed, crashed, could not connect). */
  readonly endedEarly: boolean;
  /** Its last lines of output. */
  readonly lastOutput: readonly string[];
}

/** A distributed run: the server's result, and the local workers' reports. */
export interface DistributedRun extends TlcRun {
  readonly workerReports: readonly WorkerReport[];
}

function portOption(port: number): string {
  return `-Dtlc2.tool.distributed.TLCServer.port=${port}`;
}

/** The command a machine runs to join the server as a worker (same jar, same Java). */
export function workerCommand(java: string, jar: string, port: number, server: string): string[] {
  return [java, portOption(port), '-XX:+UseParallelGC', '-cp', jar, 'tlc2.tool.distributed.TLCWorker', server];
}

/** Runs a model on TLC's distributed server with `localWorkers` workers on this machine. */
export async function runDistributed(options: DistributedOptions): Promise<DistributedRun> {
  const { toolchain } = options;
  interface LocalWorker {
    readonly process: ReturnType<typeof startGuarded>;
    readonly output: string[];
    report?: WorkerReport;
  }
  const workers: LocalWorker[] = [];
  let serverDone = false;
  const startWorkers = () => {
    const [java, ...args] = workerCommand(toolchain.java.command, toolchain.jar, options.port, 'localhost');
    for (let i = 0; i < options.localWorkers; i++) {
      const process = startGuarded({ command: java as string, args, cwd: dirname(resolve(options.module)) });
      const worker: LocalWorker = { process, output: [] };
      const keep = (chunk: Buffer | string) => {
        worker.output.push(...chunk.toString().split('\n').filter((l) => l.trim() !== ''));
        worker.output.splice(0, Math.max(0, worker.output.length - 5));
      };
      process.stdout.on('data', keep);
      process.stderr.on('data', keep);
      void process.exited.then((exit) => {
        // A worker ends by itself, with 0, once the server says the work is done; anything else is early.
        const early = !serverDone && (exit.code !== 0 || exit.signal !== null);
        worker.report = { index: i + 1, code: exit.code, signal: exit.signal, endedEarly: early, lastOutput: [...worker.output] };
      });
      workers.push(worker);
    }
  };
  let ready = false;
  // The server prints its version as a plain line, not as TLC's framed version message.
  let version: string | undefined;
  const run = await runTlc({
    ...options,
    mainClass: 'tlc2.tool.distributed.TLCServer',
    jvmOptions: [portOption(options.port), ...(options.jvmOptions ?? [])],
    onEvent: (event) => {
      options.onEvent?.(event);
      if (event.type === 'output' && version === undefined && /^TLC2 TLC Server Version /.test(event.line)) version = event.line.trim();
      if (ready || event.type !== 'info' || !/TLC server at .* is ready/.test(event.text)) return;
      ready = true;
      options.onReady?.(workerCommand('java', toolchain.jar, options.port, hostname()).join(' '));
      startWorkers();
    },
  });
  serverDone = true;
  for (const w of workers) w.process.stop();
  await Promise.all(workers.map((w) => w.process.exited));
  // Let the exit callbacks above run.
  await new Promise((resume) => setImmediate(resume));
  const workerReports = workers.map((w, i) => w.report ?? { index: i + 1, code: null, signal: null, endedEarly: false, lastOutput: [...w.output] });
  const named = await withViolationNamed(run, options);
  return { ...named, ...(named.tlcVersion === undefined && version !== undefined ? { tlcVersion: version } : {}), workerReports };
}

/**
 * The server's result with its violation named: a behaviour without a violation message is an
 * invariant broken in its last state (the server checks only invariants in its workers' states).
 */
async function withViolationNamed(run: TlcRun, options: DistributedOptions): Promise<TlcRun> {
  const last = run.counterexample[run.counterexample.length - 1];
  if (run.violation !== undefined || last === undefined) return run;
  const name = await nameViolatedInvariant(options, last.vars);
  if (name === null) {
    return {
      ...run,
      outcome: 'tlc-error',
      message: 'TLC\'s distributed server printed a counterexample without saying what it violates, and no invariant of the config fails in its last state.',
    };
  }
  return { ...run, outcome: 'invariant-violated', violation: { kind: 'invariant', name }, message: undefined } as TlcRun;
}

// The config's sections that say how behaviours start, go on, and what temporal properties hold: replaced
// or dropped in the naming run, which starts in one state and stays there.
const BEHAVIOUR_SECTIONS: ReadonlySet<string> = new Set(['SPECIFICATION', 'INIT', 'NEXT', 'PROPERTY', 'PROPERTIES']);

/**
 * The name of the config's first invariant that fails in `state`, by a local TLC run of a generated
 * module whose only behaviour is that state; null when none fails or the run cannot tell.
 */
export async function nameViolatedInvariant(options: Pick<TlcRunOptions, 'module' | 'config' | 'toolchain' | 'signal'>, state: Readonly<Record<string, TlaValue>>): Promise<string | null> {
  const module = resolve(options.module);
  const configPath = resolve(options.config ?? module.replace(/\.tla$/, '.cfg'));
  const configText = await readFile(configPath, 'utf8');
  const invariants = parseConfigChecks(configText, configPath).filter((c) => c.kind === 'invariant');
  if (invariants.length === 0) return null;
  // Model values are written as constants of the generated module, bound to themselves by the config.
  const modelValues = new Set<string>();
  const collect = (v: TlaValue): void => {
    if (v.kind === 'modelValue') modelValues.add(v.name);
    else if (v.kind === 'set' || v.kind === 'seq') v.elements.forEach(collect);
    else if (v.kind === 'record') v.fields.forEach(collect);
    else if (v.kind === 'fn') v.entries.forEach(([k, e]) => (collect(k), collect(e)));
  };
  Object.values(state).forEach(collect);
  const constant = (name: string) => `MV_${name}`;
  const text = (v: TlaValue): string => printTla(renameModelValues(v, constant));
  const name = `NameCheck_${createHash('sha256').update(JSON.stringify(Object.keys(state))).digest('hex').slice(0, 8)}`;
  const vars = Object.keys(state);
  const moduleText = [
    `---- MODULE ${name} ----`,
    `EXTENDS ${basename(module, '.tla')}`,
    ...(modelValues.size > 0 ? [`CONSTANTS ${[...modelValues].map(constant).join(', ')}`] : []),
    `NameCheckInit ==\n${vars.map((v) => `    /\\ ${v} = ${text(state[v] as TlaValue)}`).join('\n')}`,
    `NameCheckNext == UNCHANGED <<${vars.join(', ')}>>`,
    '====',
    '',
  ].join('\n');
  const dropped = sectionLines(configText, configPath, BEHAVIOUR_SECTIONS);
  const kept = configText.split('\n').map((line, i) => (dropped.has(i + 1) ? `\\* ${line}` : line));
  const config = [...kept, 'INIT NameCheckInit', 'NEXT NameCheckNext', ...(modelValues.size > 0 ? ['CONSTANTS', ...[...modelValues].map((m) => `  ${constant(m)} = ${m}`)] : []), ''].join('\n');
  // Beside the model's module, so that the modules it extends are found as TLC finds them for the model.
  const dir = await mkdtemp(join(tmpdir(), 'workbench-name-'));
  try {
    await writeFile(join(dir, `${name}.tla`), moduleText);
    await writeFile(join(dir, `${name}.cfg`), config);
    const run = await runTlc({
      module: join(dir, `${name}.tla`),
      toolchain: options.toolchain,
      workers: 1,
      jvmOptions: [`-DTLA-Library=${dirname(module)}`],
      timeoutMs: 120_000,
      ...(options.signal === undefined ? {} : { signal: options.signal }),
      scratch: [dir],
    });
    return run.violation?.kind === 'invariant' && run.violation.name !== undefined ? run.violation.name : null;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function renameModelValues(v: TlaValue, rename: (name: string) => string): TlaValue {
  switch (v.kind) {
    case 'modelValue':
      return { kind: 'modelValue', name: rename(v.name) };
    case 'set':
    case 'seq':
      return { kind: v.kind, elements: v.elements.map((e) => renameModelValues(e, rename)) };
    case 'record':
      return { kind: 'record', fields: new Map([...v.fields].map(([k, e]) => [k, renameModelValues(e, rename)])) };
    case 'fn':
      return { kind: 'fn', entries: v.entries.map(([k, e]) => [renameModelValues(k, rename), renameModelValues(e, rename)] as const) };
    default:
      return v;
  }
}
