/**
 * A local cluster of node processes (`npm run node`) on 127.0.0.1, each a guarded child: started, waited
 * for, watched, stopped. `npm run cluster` and the integration tests use it.
 *
 * @module
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { REPO_ROOT } from '../paths.js';
import { type GuardedExit, type GuardedProcess, startGuarded } from '../process/child.js';
import type { NodeId } from '../raft/index.js';
import { type ClusterConfig, type MemberConfig } from './config.js';

/** The script a node process runs. */
export const NODE_SCRIPT = join(REPO_ROOT, 'scripts', 'node.ts');

/** The command line of a node process: Node with the TypeScript loader, run from the repository. */
export function nodeCommand(args: readonly string[]): { command: string; args: string[]; cwd: string } {
  return { command: process.execPath, args: ['--import', 'tsx', NODE_SCRIPT, ...args], cwd: REPO_ROOT };
}

/** `count` free TCP ports on 127.0.0.1 (bound at once, then released: another program could take one meanwhile). */
export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<import('node:net').Server>((resolve, reject) => {
          const server = createServer();
          server.once('error', reject);
          server.listen(0, '127.0.0.1', () => resolve(server));
        }),
    ),
  );
  const ports = servers.map((s) => (s.address() as AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  return ports;
}

/** A configuration of `count` members `s1..sN` on 127.0.0.1, at the given ports (two per member: peer, client). */
export function localConfig(clusterId: string, ports: readonly number[]): ClusterConfig {
  const members: MemberConfig[] = [];
  for (let i = 0; 2 * i + 1 < ports.length; i++) {
    members.push({ id: `s${i + 1}`, peer: { host: '127.0.0.1', port: ports[2 * i] as number }, client: { host: '127.0.0.1', port: ports[2 * i + 1] as number } });
  }
  return { clusterId, members };
}

/** What a node's `ready` line says (the fields the cluster uses). */
export interface ReadyNode {
  readonly id: NodeId;
  readonly pid: number;
  readonly peer: string;
  readonly client: string;
  readonly term: number;
  readonly logLength: number;
  readonly restarted: boolean;
}

/** One node process. */
export interface NodeProcess {
  readonly id: NodeId;
  readonly child: GuardedProcess;
  /** Resolves with the ready line, or rejects when the process ends (or `timeoutMs` passes) first. */
  readonly ready: Promise<ReadyNode>;
  readonly exited: Promise<GuardedExit>;
  /** Every JSON event the node printed, in order. */
  readonly events: Record<string, unknown>[];
  /** The last lines of its standard error (for reports of a failed start). */
  stderrTail(): string;
  /** SIGTERM, then SIGKILL after the grace period. */
  stop(): void;
}

/** How a node process is started. */
export interface StartNodeOptions {
  readonly configPath: string;
  readonly id: NodeId;
  /** Extra command-line options (`--data`, `--record`, timing). */
  readonly args?: readonly string[];
  /** Where its standard error goes (appended); `null` keeps only the tail. */
  readonly logFile?: string | null;
  /** Called for each JSON event line. */
  readonly onEvent?: (event: Record<string, unknown>) => void;
  readonly readyTimeoutMs?: number;
}

const TAIL_LINES = 20;

/** Starts one node process under a guardian. */
export function startNode(options: StartNodeOptions): NodeProcess {
  const command = nodeCommand(['--config', options.configPath, '--id', options.id, ...(options.args ?? [])]);
  const child = startGuarded({ ...command, graceMs: 3000 });
  const events: Record<string, unknown>[] = [];
  const tail: string[] = [];
  let log: WriteStream | null = null;
  if (options.logFile !== undefined && options.logFile !== null) {
    log = createWriteStream(options.logFile, { flags: 'a' });
    log.on('error', () => undefined);
  }
  child.stderr.setEncoding('utf8');
  createInterface({ input: child.stderr }).on('line', (line) => {
    log?.write(`${line}\n`);
    tail.push(line);
    if (tail.length > TAIL_LINES) tail.shift();
  });
  let onReady: (node: ReadyNode) => void = () => undefined;
  const ready = new Promise<ReadyNode>((resolve, reject) => {
    onReady = resolve;
    const timer = setTimeout(() => reject(new Error(`${options.id} printed no ready line within ${options.readyTimeoutMs ?? 30000} ms`)), options.readyTimeoutMs ?? 30000);
    timer.unref();
    void child.exited.then((exit) => {
      clearTimeout(timer);
      reject(Object.assign(new Error(`${options.id} ended before it was ready (${formatExit(exit)})`), { exit }));
    });
  });
  // Nobody may wait for it (a node stopped before it was ready): no unhandled rejection.
  ready.catch(() => undefined);
  createInterface({ input: child.stdout }).on('line', (line) => {
    let event: unknown;
    try {
      event = JSON.parse(line);
    } catch {
      return;
    }
    if (typeof event !== 'object' || event === null) return;
    const record = event as Record<string, unknown>;
    events.push(record);
    if (record['event'] === 'ready') onReady(record as unknown as ReadyNode);
    options.onEvent?.(record);
  });
  const exited = child.exited.then((exit) => {
    log?.end();
    return exit;
  });
  return { id: options.id, child, ready, exited, events, stderrTail: () => tail.join('\n'), stop: () => child.stop() };
}

/** `exit code 4`, `signal SIGKILL`, `could not start: ...`. */
export function formatExit(exit: GuardedExit): string {
  if (exit.spawnError !== undefined) return `could not start: ${exit.spawnError.message}`;
  if (exit.signal !== null) return `signal ${exit.signal}`;
  return `exit code ${exit.code ?? '?'}`;
}
