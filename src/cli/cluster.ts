/**
 * `npm run cluster`: a local Raft KV cluster, one process per node, until Ctrl-C; and
 * `npm run cluster -- merge-traces`: the nodes' recordings merged into one trace for validate-trace.
 *
 * @module
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { basename, join, relative, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { ExitCode, type ExitCodeValue, WorkbenchError } from '../errors.js';
import { MAX_INPUT_BYTES, readTextFile } from '../files/read.js';
import { unwritable, writeFileAtomic } from '../files/write.js';
import { queryStatus } from '../node/client.js';
import { CLUSTER_CONFIG_FILE, clusterHome, rememberLastCluster } from '../node/cluster-files.js';
import { type ClusterConfig, clusterConfigJson, formatAddress, loadClusterConfig } from '../node/config.js';
import { type NodeProcess, formatExit, freePorts, localConfig, startNode } from '../node/local-cluster.js';
import { type MergedTrace, mergeNodeTraces } from '../node/trace-merge.js';
import { commandLine } from './args.js';
import type { CommandIo } from './main.js';
import { parseRange } from './node.js';

const HELP = `Usage: npm run cluster -- [--nodes N] [--data <dir>] [--base-port <p>] [--record-dir <dir>]
                          [--election-timeout <a-b>] [--heartbeat <ms>] [--json]
       npm run cluster -- merge-traces <record dir | node files...> [--out <file>] [--json]

Starts a Raft key-value cluster on this machine, one process per node (npm run node), each with its own
data directory, and keeps it running until Ctrl-C, which stops every node cleanly. It prints who leads,
and every change of leader. Talk to it with npm run kv (it finds the last cluster started):

  npm run cluster                      # in one terminal
  npm run kv -- put a 1                # in another
  npm run kv -- get a

Restarting npm run cluster -- --data <dir> on the same folder brings every node back with its term, vote
and log (they were saved with fsync): the data survives.

Options:
  --nodes <n>              cluster size, 1..15 (default 3; on an existing --data, its size)
  --data <dir>             the cluster's folder: ${CLUSTER_CONFIG_FILE}, one data directory and one log per node
                           (default: a new folder under ${relative(process.cwd(), clusterHome(process.env)) || '.cache/cluster'}/)
  --base-port <p>          node i listens on p+2(i-1) (peers) and p+2(i-1)+1 (clients)
                           (default: free ports the system picks; an existing --data keeps its ports)
  --record-dir <dir>       every node records its steps into <dir>/nodes/<id>.ndjson; on Ctrl-C they are
                           merged into <dir>/trace.ndjson, for npm run validate-trace
  --election-timeout <a-b> passed to every node (default 150-300 ms)
  --heartbeat <ms>         passed to every node (default 50)
  --json                   one JSON object a line instead of text
  -h, --help               this help

merge-traces merges the recordings of one run's nodes (each written when its step was taken) into one
trace: the steps a killed process took but never saved are cut at its restart, and the nodes' steps are
ordered so that each message is handled after the step that sent it. Given a folder, it reads
<dir>/nodes/*.ndjson and writes <dir>/trace.ndjson (or --out).

Exit codes: 130 stopped by Ctrl-C (or SIGTERM, SIGHUP); 2 usage (a bad option or port, a --data folder
that is not a cluster's); 3 environment (a port in use, a node that could not start or every node gone);
4 a bad ${CLUSTER_CONFIG_FILE}, a corrupt data directory, or recordings that cannot be merged. A node that
cannot start has its own message printed, and its exit code becomes the cluster's.`;

const cli = commandLine('cluster');

interface ClusterOptions {
  readonly nodes: number | null;
  readonly data: string | null;
  readonly basePort: number | null;
  readonly recordDir: string | null;
  readonly nodeArgs: readonly string[];
  readonly json: boolean;
}

function parseOptions(argv: readonly string[], cwd: string): ClusterOptions | 'help' {
  const { values, positionals } = cli.parse(argv, {
    allowPositionals: true,
    options: {
      nodes: { type: 'string' },
      data: { type: 'string' },
      'base-port': { type: 'string' },
      'record-dir': { type: 'string' },
      'election-timeout': { type: 'string' },
      heartbeat: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return 'help';
  if (positionals.length > 0) throw cli.usage(`Unexpected argument "${positionals[0]?.slice(0, 40)}" (the only subcommand is merge-traces).`);
  const nodes = values.nodes === undefined ? null : cli.integer('nodes', values.nodes, 1);
  if (nodes !== null && nodes > 15) throw cli.usage(`--nodes must be at most 15, not ${nodes}.`);
  let basePort: number | null = null;
  if (values['base-port'] !== undefined) {
    const p = Number(values['base-port']);
    const top = 65535 - 2 * (nodes ?? 3) + 1;
    if (!Number.isSafeInteger(p) || p < 1024 || p > top) throw cli.usage(`--base-port must be a port from 1024 to ${top} (${nodes ?? 3} nodes take two ports each), not "${values['base-port']}".`);
    basePort = p;
  }
  const nodeArgs: string[] = [];
  if (values['election-timeout'] !== undefined) {
    parseRange(cli, 'election-timeout', values['election-timeout']);
    nodeArgs.push('--election-timeout', values['election-timeout']);
  }
  if (values.heartbeat !== undefined) nodeArgs.push('--heartbeat', String(cli.integer('heartbeat', values.heartbeat, 1)));
  for (const name of ['data', 'record-dir'] as const) if (values[name] === '') throw cli.usage(`--${name} needs a directory.`);
  return {
    nodes,
    data: values.data === undefined ? null : resolve(cwd, values.data),
    basePort,
    recordDir: values['record-dir'] === undefined ? null : resolve(cwd, values['record-dir']),
    nodeArgs,
    json: values.json,
  };
}

/** The cluster's configuration: the one in `dir`, or a new one written there. */
async function prepareConfig(dir: string, options: ClusterOptions): Promise<{ config: ClusterConfig; path: string; created: boolean }> {
  const path = join(dir, CLUSTER_CONFIG_FILE);
  if (existsSync(path)) {
    const config = await loadClusterConfig(path);
    if (options.nodes !== null && options.nodes !== config.members.length) {
      throw cli.usage(`--nodes ${options.nodes}: the cluster in ${dir} has ${config.members.length} members (membership changes are not supported). Drop --nodes, or use a new --data folder.`);
    }
    const first = config.members[0];
    if (options.basePort !== null && first !== undefined && first.peer.port !== options.basePort) {
      throw cli.usage(`--base-port ${options.basePort}: the cluster in ${dir} listens on the ports of its ${CLUSTER_CONFIG_FILE} (from ${first.peer.port}). Drop --base-port, or use a new --data folder.`);
    }
    return { config, path, created: false };
  }
  if (existsSync(dir)) {
    if (!statSync(dir).isDirectory()) throw cli.usage(`--data ${dir} is a file, not a folder.`);
    const entries = readdirSync(dir);
    if (entries.length > 0) throw cli.usage(`--data ${dir} is not empty and holds no ${CLUSTER_CONFIG_FILE}: it is not a cluster's folder. Name a new or empty folder.`);
  }
  const count = options.nodes ?? 3;
  const ports = options.basePort === null ? await freePorts(2 * count) : Array.from({ length: 2 * count }, (_, i) => (options.basePort as number) + i);
  const config = localConfig(`local-${randomBytes(3).toString('hex')}`, ports);
  try {
    await mkdir(dir, { recursive: true });
    await writeFileAtomic(path, clusterConfigJson(config));
  } catch (e) {
    throw unwritable(e, `the cluster folder ${dir}`);
  }
  return { config, path, created: true };
}

function newClusterFolder(env: NodeJS.ProcessEnv): string {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-').replace(/Z$/, '');
  return join(clusterHome(env), stamp);
}

/** The `npm run cluster` command. */
export async function clusterCommand(argv: readonly string[], io: CommandIo): Promise<number> {
  if (argv[0] === 'merge-traces') return mergeTracesCommand(argv.slice(1), io);
  const options = parseOptions(argv, io.cwd);
  if (options === 'help') {
    io.stdout(`${HELP}\n`);
    return ExitCode.OK;
  }
  const dir = options.data ?? newClusterFolder(io.env);
  const { config, path, created } = await prepareConfig(dir, options);
  await rememberLastCluster(io.env, path).catch(() => undefined);
  const say = (text: string, json: Record<string, unknown>) => io.stdout(options.json ? `${JSON.stringify(json)}\n` : `cluster: ${text}\n`);
  say(`${created ? 'starting' : 'restarting'} ${config.members.length} nodes of cluster ${config.clusterId} (folder ${dir})`, {
    event: 'starting',
    clusterId: config.clusterId,
    data: dir,
    config: path,
    created,
  });
  if (options.recordDir !== null) {
    try {
      await mkdir(join(options.recordDir, 'nodes'), { recursive: true });
    } catch (e) {
      throw unwritable(e, `the record folder ${options.recordDir}`);
    }
  }
  const nodes = config.members.map((member) =>
    startNode({
      configPath: path,
      id: member.id,
      logFile: join(dir, `${member.id}.log`),
      args: [...options.nodeArgs, ...(options.recordDir === null ? [] : ['--record', join(options.recordDir, 'nodes', `${member.id}.ndjson`)])],
    }),
  );
  const stopAll = async () => {
    for (const node of nodes) node.stop();
    await Promise.all(nodes.map((n) => n.exited));
  };
  try {
    await waitReady(nodes, io.signal, say);
  } catch (e) {
    await stopAll();
    throw e;
  }
  if (!options.json) {
    io.stdout(`cluster: up. Config: ${path}\n  npm run kv -- put a 1      npm run kv -- get a      (Ctrl-C stops every node)\n`);
  } else {
    io.stdout(`${JSON.stringify({ event: 'up', config: path })}\n`);
  }
  const code = await watch(config, nodes, io.signal, say);
  say(`stopping ${nodes.length} nodes ...`, { event: 'stopping' });
  await stopAll();
  if (options.recordDir !== null) {
    const merged = await mergeDirectory(options.recordDir, join(options.recordDir, 'trace.ndjson'));
    say(`merged the nodes' recordings into ${join(options.recordDir, 'trace.ndjson')} (${merged.events} events); check it: npm run validate-trace -- ${join(options.recordDir, 'trace.ndjson')}`, {
      event: 'trace',
      file: join(options.recordDir, 'trace.ndjson'),
      events: merged.events,
      nodes: merged.nodes,
    });
  }
  say(`stopped; the data is kept in ${dir} (start it again: npm run cluster -- --data ${dir})`, { event: 'stopped', data: dir, exitCode: code });
  return code;
}

/** Waits for every node's ready line; a node that ends first is reported with its own message and exit code. */
async function waitReady(nodes: readonly NodeProcess[], signal: AbortSignal, say: (text: string, json: Record<string, unknown>) => void): Promise<void> {
  const aborted = new Promise<never>((_, reject) => {
    const fail = () => reject(signal.reason instanceof Error ? signal.reason : new WorkbenchError('interrupted', ExitCode.INTERRUPTED));
    if (signal.aborted) fail();
    else signal.addEventListener('abort', fail, { once: true });
  });
  aborted.catch(() => undefined);
  await Promise.race([
    aborted,
    Promise.all(
      nodes.map(async (node) => {
        let ready;
        try {
          ready = await node.ready;
        } catch (e) {
          const exit = (e as { exit?: { code: number | null } }).exit;
          const tail = node.stderrTail().trim();
          throw new WorkbenchError(
            `${node.id} did not start: ${(e as Error).message}.${tail === '' ? '' : `\n  Its last words:\n    ${tail.split('\n').slice(-6).join('\n    ')}`}`,
            nodeExitCode(exit?.code ?? null),
          );
        }
        say(`${node.id} ready (pid ${ready.pid}, peer ${ready.peer}, client ${ready.client}; ${ready.restarted ? `restarted from disk: term ${ready.term}, log length ${ready.logLength}` : 'new'})`, {
          event: 'ready',
          ...ready,
        });
      }),
    ),
  ]);
}

/** A node's usage, environment or file error becomes the cluster's; anything else is an environment failure. */
function nodeExitCode(code: number | null): ExitCodeValue {
  const passed: readonly ExitCodeValue[] = [ExitCode.USAGE, ExitCode.ENVIRONMENT, ExitCode.SPEC_ERROR];
  return passed.find((c) => c === code) ?? ExitCode.ENVIRONMENT;
}

/** Polls the nodes' status until the signal; reports leader changes and nodes that exit. Resolves to the exit code. */
async function watch(config: ClusterConfig, nodes: readonly NodeProcess[], signal: AbortSignal, say: (text: string, json: Record<string, unknown>) => void): Promise<number> {
  let alive = nodes.length;
  let allGone: () => void = () => undefined;
  const gone = new Promise<void>((resolve) => (allGone = resolve));
  for (const node of nodes) {
    void node.exited.then((exit) => {
      alive--;
      if (!signal.aborted) {
        say(`${node.id} exited (${formatExit(exit)}); the others go on. Its log: ${node.stderrTail().split('\n').slice(-1)[0] ?? ''}`, { event: 'node-exit', id: node.id, ...exit });
      }
      if (alive === 0) allGone();
    });
  }
  let leader: { id: string; term: number } | null = null;
  let leaderlessPolls = 0;
  const stopped = new Promise<void>((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true })));
  let ended = false;
  void Promise.race([stopped, gone]).then(() => (ended = true));
  while (!ended) {
    const statuses = await Promise.all(config.members.map((m) => queryStatus(m.client, 400).catch(() => null)));
    const leaders = statuses.filter((s) => s !== null && s.role === 'Leader').sort((a, b) => (b?.term ?? 0) - (a?.term ?? 0));
    const now = leaders[0];
    if (now !== undefined && now !== null) {
      leaderlessPolls = 0;
      if (leader === null || leader.id !== now.id || leader.term !== now.term) {
        leader = { id: now.id, term: now.term };
        const member = config.members.find((m) => m.id === now.id);
        say(`leader: ${now.id} (term ${now.term}, client ${member === undefined ? '?' : formatAddress(member.client)}, commit index ${now.commitIndex})`, { event: 'leader', id: now.id, term: now.term, commitIndex: now.commitIndex });
      }
    } else if (leader !== null && ++leaderlessPolls === 4) {
      say(`no leader (the last was ${leader.id} of term ${leader.term})`, { event: 'no-leader' });
      leader = null;
    }
    await Promise.race([stopped, gone, new Promise((r) => setTimeout(r, 250))]);
  }
  if (signal.aborted) return signal.reason instanceof WorkbenchError ? signal.reason.exitCode : ExitCode.INTERRUPTED;
  throw new WorkbenchError('Every node of the cluster exited.', ExitCode.ENVIRONMENT, 'Their logs are in the cluster folder (<id>.log).');
}

// ---------------------------------------------------------------------------------------------------------
// merge-traces

async function mergeDirectory(dir: string, out: string): Promise<MergedTrace> {
  const nodesDir = join(dir, 'nodes');
  const from = existsSync(nodesDir) ? nodesDir : dir;
  const files = readdirSync(from)
    .filter((f) => f.endsWith('.ndjson') && join(from, f) !== out)
    .sort()
    .map((f) => join(from, f));
  if (files.length === 0) throw cli.usage(`${dir} holds no recordings (*.ndjson in ${from}).`);
  return mergeFiles(files, out);
}

async function mergeFiles(files: readonly string[], out: string): Promise<MergedTrace> {
  const recordings = await Promise.all(files.map(async (file) => ({ file, text: await readTextFile(file, { maxBytes: MAX_INPUT_BYTES, what: 'node recording' }) })));
  const merged = mergeNodeTraces(recordings);
  try {
    await writeFileAtomic(out, `${merged.lines.join('\n')}\n`);
  } catch (e) {
    throw unwritable(e, `the merged trace ${out}`);
  }
  return merged;
}

async function mergeTracesCommand(argv: readonly string[], io: CommandIo): Promise<number> {
  const { values, positionals } = cli.parse(argv, {
    allowPositionals: true,
    options: { out: { type: 'string' }, json: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false } },
  });
  if (values.help) {
    io.stdout(`${HELP}\n`);
    return ExitCode.OK;
  }
  if (positionals.length === 0) throw cli.usage('merge-traces needs a record folder (npm run cluster -- --record-dir) or the nodes\' recording files.');
  const paths = positionals.map((p) => resolve(io.cwd, p));
  const single = paths.length === 1 ? (paths[0] as string) : null;
  const isDir = single !== null && existsSync(single) && statSync(single).isDirectory();
  if (!isDir && values.out === undefined) throw cli.usage('Name the merged trace with --out <file> when merging files.');
  const out = values.out === undefined ? join(single as string, 'trace.ndjson') : resolve(io.cwd, values.out);
  const merged = isDir ? await mergeDirectory(single as string, out) : await mergeFiles(paths, out);
  if (values.json) {
    io.stdout(`${JSON.stringify({ out, events: merged.events, nodes: merged.nodes })}\n`);
  } else {
    for (const n of merged.nodes) {
      io.stdout(
        `  ${n.node}: ${n.kept} events from ${basename(n.file)} (${n.runs} run${n.runs === 1 ? '' : 's'}${n.cut > 0 ? `, ${n.cut} unsaved step${n.cut === 1 ? '' : 's'} of a killed run cut` : ''}${n.truncatedLine ? ', a half-written last line ignored' : ''})\n`,
      );
    }
    io.stdout(`merged ${merged.nodes.length} recordings into ${out}: ${merged.events} events. Check it: npm run validate-trace -- ${out}\n`);
  }
  return ExitCode.OK;
}
