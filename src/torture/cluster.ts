/**
 * A real cluster for the torture tool and the cluster benchmark: one node process per member (`npm run
 * node`'s entry point, each under a guardian, so none outlives this process), all on 127.0.0.1, and
 * optionally every peer link i -> j through its own {@link LinkProxy}: node i's configuration file gives
 * the proxy's port as j's peer address, so the nemesis can cut, one way or both, any directed link.
 *
 * ```
 * <dir>/s1.json     s1's configuration (its own real ports; the proxies' ports for the others)
 * <dir>/s1/         s1's data directory (kept across kills and restarts)
 * <dir>/s1.log      everything s1 printed, every incarnation, appended
 * ```
 *
 * Ports are drawn below the kernel's ephemeral range, so a port a killed node left free is not taken by
 * some outgoing connection before the node is restarted on it.
 *
 * @module
 */
import { createWriteStream, readFileSync, type WriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { ExitCode, WorkbenchError } from '../errors.js';
import type { KvOp } from '../kv/command.js';
import { KvConnection, queryStatus } from '../node/client.js';
import { clusterConfigJson, type ClusterConfig, type MemberConfig } from '../node/config.js';
import { LinkProxy, LOOPBACK, type LinkMode } from '../node/link-proxy.js';
import { REPO_ROOT } from '../paths.js';
import { startGuarded, type GuardedProcess } from '../process/child.js';
import type { KvCaller } from './clients.js';
import type { Completion } from './history.js';
import type { NodeStatusView, TortureCluster } from './run.js';

/** How to start the cluster. */
export interface RealClusterOptions {
  readonly nodes: number;
  /** The run's folder (configurations, data directories, logs); created if missing. */
  readonly dir: string;
  /** Route every peer link through a proxy the nemesis controls (default true). */
  readonly proxies?: boolean;
  /** A deliberately defective core for every node (`--defect`), or null. */
  readonly defect?: string | null;
  /** The node's entry point (default `scripts/node.ts` under tsx; the benchmark passes the compiled one). */
  readonly entry?: NodeEntry;
  /** Extra flags for every node (`--election-timeout 150-300`, ...). */
  readonly nodeArgs?: readonly string[];
  /** How long a node may take to print its ready line (default 30 s: tsx compiles on a loaded machine). */
  readonly readyTimeoutMs?: number;
  readonly clusterId?: string;
}

/** The program and arguments that run one node, before the node's own flags. */
export interface NodeEntry {
  readonly command: string;
  readonly args: readonly string[];
}

/** `node --import tsx scripts/node.ts`: what `npm run node` runs. */
export const TSX_NODE_ENTRY: NodeEntry = { command: process.execPath, args: ['--import', 'tsx', join(REPO_ROOT, 'scripts', 'node.ts')] };

/** A node that could not be started: its exit, and the end of what it printed. */
export class NodeStartError extends WorkbenchError {
  constructor(
    readonly node: string,
    message: string,
    readonly nodeExitCode: number | null,
  ) {
    // A node that refuses its own data directory after a crash is a finding; anything else is the environment.
    super(message, ExitCode.ENVIRONMENT);
    this.name = 'NodeStartError';
  }
}

interface Incarnation {
  readonly process: GuardedProcess;
  pid: number | null;
  /** Set by `kill`/`stop`: the exit that follows was asked for. */
  expectedExit: boolean;
  exited: boolean;
}

/** Ports below the ephemeral range, free right now, `count` of them. */
export async function allocatePorts(count: number): Promise<number[]> {
  let low = 32768;
  try {
    const [first] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/);
    if (Number(first) > 2048) low = Number(first);
  } catch {
    // Not Linux: the usual default.
  }
  const floor = Math.max(1024, low - 12_000);
  const span = low - floor - count - 1;
  const ports: number[] = [];
  // Probe from a random start; a port another program holds is skipped. Bounded by the range's size.
  let candidate = floor + Math.floor(Math.random() * Math.max(1, span));
  for (let tries = 0; ports.length < count && tries < low - floor; tries++) {
    const port = candidate;
    candidate = candidate + 1 >= low ? floor : candidate + 1;
    if (await isFree(port)) ports.push(port);
  }
  if (ports.length < count) throw new WorkbenchError(`could not find ${count} free ports on ${LOOPBACK} below ${low}`, ExitCode.ENVIRONMENT);
  return ports;
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, LOOPBACK, () => server.close(() => resolve(true)));
  });
}

/**
 * The mode of each link proxy (`[i][j]`: the link i -> j; null on the diagonal) that loses exactly the
 * messages of the directed links given as `[from, to]`. Node i sends to j on the connection it dialed
 * through proxy i -> j (and may answer on a connection j dialed): so "i to j is cut" means proxy i -> j
 * discards what flows to its target and proxy j -> i discards what flows back from its target. Both
 * directions cut: the proxies blackhole (a silent network, as a firewall's DROP), not refuse.
 */
export function proxyModes(links: readonly (readonly [number, number])[], n: number): (LinkMode | null)[][] {
  const lost = new Set(links.map(([a, b]) => a * n + b));
  return Array.from({ length: n }, (_, i) =>
    Array.from({ length: n }, (_, j): LinkMode | null => {
      if (i === j) return null;
      const forward = lost.has(i * n + j);
      const backward = lost.has(j * n + i);
      if (forward && backward) return { kind: 'drop', newConnections: 'blackhole' };
      if (forward) return { kind: 'one-way', deliver: 'from-target' };
      if (backward) return { kind: 'one-way', deliver: 'to-target' };
      return { kind: 'pass' };
    }),
  );
}

/** What a node's stdout says, line by line. */
type NodeEvent = { readonly event: string; readonly id?: string; readonly pid?: number; readonly term?: number; readonly t?: number };

/** The cluster; see the module comment. */
export class RealCluster implements TortureCluster {
  readonly members: readonly string[];
  private readonly nodes = new Map<string, Incarnation>();
  private readonly paused = new Set<string>();
  private readonly rates = new Map<string, number>();
  /** proxies[i][j]: the proxy of the link i -> j (null on the diagonal). */
  private readonly proxies: (LinkProxy | null)[][];
  private readonly logs = new Map<string, WriteStream>();
  private readonly leaderListeners: ((node: string, term: number, epochMs: number) => void)[] = [];
  private readonly crashListeners: ((node: string, description: string) => void)[] = [];
  private readonly callers = new Set<KvConnection>();
  private lastLeader: { node: string; term: number } | null = null;
  private closed = false;

  private constructor(
    private readonly options: RealClusterOptions,
    /** The members as clients see them (real client ports). */
    readonly config: ClusterConfig,
    proxies: (LinkProxy | null)[][],
  ) {
    this.members = config.members.map((m) => m.id);
    this.proxies = proxies;
    for (const m of this.members) this.rates.set(m, 1);
  }

  /** Write the configurations, start the proxies and every node, and wait until all are ready. */
  static async start(options: RealClusterOptions): Promise<RealCluster> {
    const n = options.nodes;
    const ports = await allocatePorts(2 * n);
    const members: MemberConfig[] = Array.from({ length: n }, (_, i) => ({
      id: `s${i + 1}`,
      peer: { host: LOOPBACK, port: ports[2 * i] as number },
      client: { host: LOOPBACK, port: ports[2 * i + 1] as number },
    }));
    const config: ClusterConfig = { clusterId: options.clusterId ?? 'torture', members };
    const useProxies = options.proxies ?? true;
    const proxies: (LinkProxy | null)[][] = [];
    for (let i = 0; i < n; i++) {
      const row: (LinkProxy | null)[] = [];
      for (let j = 0; j < n; j++) row.push(i === j || !useProxies ? null : await LinkProxy.start({ targetPort: members[j]!.peer.port }));
      proxies.push(row);
    }
    const cluster = new RealCluster(options, config, proxies);
    try {
      await mkdir(options.dir, { recursive: true });
      for (let i = 0; i < n; i++) {
        // Node i's view: its own real ports, and the proxy of i -> j as j's peer address.
        const view: ClusterConfig = {
          clusterId: config.clusterId,
          members: members.map((m, j) => (j === i || !useProxies ? m : { ...m, peer: { host: LOOPBACK, port: proxies[i]![j]!.port } })),
        };
        await writeFile(cluster.configPath(memberId(members, i)), clusterConfigJson(view));
      }
      await Promise.all(cluster.members.map((id) => cluster.start(id, 1)));
    } catch (error) {
      await cluster.close();
      throw error;
    }
    return cluster;
  }

  private configPath(id: string): string {
    return join(this.options.dir, `${id}.json`);
  }

  /** The data directory of a node. */
  dataDir(id: string): string {
    return join(this.options.dir, id);
  }

  private log(id: string): WriteStream {
    let stream = this.logs.get(id);
    if (stream === undefined) {
      stream = createWriteStream(join(this.options.dir, `${id}.log`), { flags: 'a' });
      stream.on('error', () => undefined);
      this.logs.set(id, stream);
    }
    return stream;
  }

  onLeaderLog(listener: (node: string, term: number, epochMs: number) => void): void {
    this.leaderListeners.push(listener);
  }

  onCrash(listener: (node: string, description: string) => void): void {
    this.crashListeners.push(listener);
  }

  leader(): string | null {
    return this.lastLeader?.node ?? null;
  }

  isRunning(node: string): boolean {
    const inc = this.nodes.get(node);
    return inc !== undefined && !inc.exited;
  }

  isPaused(node: string): boolean {
    return this.paused.has(node);
  }

  clockRate(node: string): number {
    return this.rates.get(node) ?? 1;
  }

  /** Start `id` on its data directory and wait for its ready line. */
  async start(id: string, clockRate: number): Promise<void> {
    if (this.closed) throw new WorkbenchError('the cluster is closed', ExitCode.INTERRUPTED);
    if (this.isRunning(id)) throw new Error(`${id} is already running`);
    const entry = this.options.entry ?? TSX_NODE_ENTRY;
    const args = [
      ...entry.args,
      '--config',
      this.configPath(id),
      '--id',
      id,
      '--data',
      this.dataDir(id),
      '--clock-rate',
      String(clockRate),
      ...(this.options.defect ? ['--defect', this.options.defect] : []),
      ...(this.options.nodeArgs ?? []),
    ];
    const child = startGuarded({ command: entry.command, args, cwd: REPO_ROOT, graceMs: 2000 });
    const incarnation: Incarnation = { process: child, pid: null, expectedExit: false, exited: false };
    this.nodes.set(id, incarnation);
    this.rates.set(id, clockRate);
    this.paused.delete(id);
    const log = this.log(id);
    log.write(`--- ${new Date().toISOString()} starting ${id} (clock rate ${clockRate}) ---\n`);
    const tail: string[] = [];
    child.stderr.on('data', (chunk: Buffer) => {
      log.write(chunk);
      tail.push(...chunk.toString().split('\n').filter((l) => l.trim() !== ''));
      tail.splice(0, Math.max(0, tail.length - 8));
    });
    let onReady: (() => void) | null = null;
    const ready = new Promise<void>((resolve) => (onReady = resolve));
    createInterface({ input: child.stdout }).on('line', (line) => {
      log.write(`${line}\n`);
      let event: NodeEvent;
      try {
        event = JSON.parse(line) as NodeEvent;
      } catch {
        return;
      }
      if (event.event === 'ready' && typeof event.pid === 'number') {
        incarnation.pid = event.pid;
        onReady?.();
      } else if (event.event === 'leader' && typeof event.term === 'number') {
        this.sawLeader(id, event.term);
        for (const l of this.leaderListeners) l(id, event.term, typeof event.t === 'number' ? event.t : Date.now());
      }
    });
    const exited = child.exited.then((exit) => {
      incarnation.exited = true;
      this.paused.delete(id);
      const description = exit.spawnError !== undefined ? exit.spawnError.message : exit.signal !== null ? `killed by ${exit.signal}` : `exit code ${exit.code}`;
      if (!incarnation.expectedExit && !this.closed && incarnation.pid !== null) {
        for (const l of this.crashListeners) l(id, `${description}${tail.length > 0 ? `: ${tail.slice(-3).join(' | ')}` : ''}`);
      }
      return { exit, description };
    });
    const timeoutMs = this.options.readyTimeoutMs ?? 30_000;
    let timer: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([
      ready.then(() => 'ready' as const),
      exited.then((e) => e),
      new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs))),
    ]);
    clearTimeout(timer);
    if (outcome === 'ready') return;
    incarnation.expectedExit = true;
    child.stop();
    await child.exited;
    if (outcome === 'timeout') throw new NodeStartError(id, `${id} did not say it was ready within ${timeoutMs} ms${tail.length > 0 ? `; it said: ${tail.join(' | ')}` : ''}`, null);
    throw new NodeStartError(id, `${id} could not start (${outcome.description})${tail.length > 0 ? `: ${tail.join(' | ')}` : ''}`, outcome.exit.code);
  }

  private sawLeader(node: string, term: number): void {
    if (this.lastLeader === null || term >= this.lastLeader.term) this.lastLeader = { node, term };
  }

  private signal(id: string, signal: NodeJS.Signals): void {
    const inc = this.nodes.get(id);
    if (inc === undefined || inc.exited || inc.pid === null) return;
    try {
      process.kill(inc.pid, signal);
    } catch {
      // Gone already.
    }
  }

  async kill(id: string): Promise<void> {
    const inc = this.nodes.get(id);
    if (inc === undefined || inc.exited) return;
    inc.expectedExit = true;
    this.signal(id, 'SIGKILL');
    if (this.lastLeader?.node === id) this.lastLeader = null;
    await inc.process.exited;
  }

  /** Stop gracefully (SIGTERM, SIGKILL after the grace period) and wait for the exit. */
  async stop(id: string): Promise<void> {
    const inc = this.nodes.get(id);
    if (inc === undefined || inc.exited) return;
    inc.expectedExit = true;
    if (this.paused.has(id)) this.resume(id);
    inc.process.stop();
    if (this.lastLeader?.node === id) this.lastLeader = null;
    await inc.process.exited;
  }

  async restart(id: string, clockRate: number): Promise<void> {
    await this.stop(id);
    await this.start(id, clockRate);
  }

  pause(id: string): void {
    if (!this.isRunning(id)) return;
    this.signal(id, 'SIGSTOP');
    this.paused.add(id);
  }

  resume(id: string): void {
    if (!this.paused.delete(id)) return;
    this.signal(id, 'SIGCONT');
  }

  /** Lose every message of the given directed links (see {@link proxyModes}); all other links pass. */
  cut(links: readonly (readonly [number, number])[]): void {
    const modes = proxyModes(links, this.members.length);
    this.proxies.forEach((row, i) =>
      row.forEach((proxy, j) => {
        const mode = modes[i]?.[j];
        if (proxy !== null && mode != null && JSON.stringify(mode) !== JSON.stringify(proxy.mode)) proxy.setMode(mode);
      }),
    );
  }

  readonly connect = (clientId: string): KvCaller => {
    const connection = new KvConnection({ members: this.config.members, clientId });
    this.callers.add(connection);
    return {
      call: async (op: KvOp, timeoutMs: number): Promise<Completion> => {
        const options = { timeoutMs };
        const r =
          op.type === 'put'
            ? await connection.put(op.key, op.value, options)
            : op.type === 'get'
              ? await connection.get(op.key, options)
              : await connection.cas(op.key, op.expected, op.value, options);
        if (r.type === 'ok') return { type: 'ok', result: r.result };
        if (r.type === 'fail') return { type: 'fail', reason: r.reason };
        return { type: 'info', reason: r.reason };
      },
      close: () => {
        this.callers.delete(connection);
        connection.close();
      },
    };
  };

  async status(id: string, timeoutMs: number): Promise<NodeStatusView | null> {
    const member = this.config.members.find((m) => m.id === id);
    if (member === undefined) return null;
    try {
      const s = await queryStatus(member.client, timeoutMs);
      if (s.role === 'Leader') this.sawLeader(id, s.term);
      return s;
    } catch {
      return null;
    }
  }

  /** Stop every node (resumed first, so SIGTERM is seen), close the proxies and the logs. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const c of this.callers) c.close();
    for (const id of [...this.paused]) this.resume(id);
    await Promise.all(
      [...this.nodes.entries()].map(async ([, inc]) => {
        if (inc.exited) return;
        inc.expectedExit = true;
        inc.process.stop();
        await inc.process.exited;
      }),
    );
    await Promise.all(this.proxies.flat().map((p) => p?.close()));
    await Promise.all([...this.logs.values()].map((s) => new Promise<void>((resolve) => s.end(() => resolve()))));
  }
}

function memberId(members: readonly MemberConfig[], i: number): string {
  return (members[i] as MemberConfig).id;
}
