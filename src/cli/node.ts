/**
 * `npm run node`: one Raft KV node as a process (src/node/runtime.ts), until a signal stops it.
 *
 * @module
 */
import { resolve } from 'node:path';
import { ExitCode, WorkbenchError } from '../errors.js';
import { type ClusterConfig, defaultDataDir, loadClusterConfig, memberOf } from '../node/config.js';
import { NodeRuntime, type NodeRuntimeOptions } from '../node/runtime.js';
import { DEFECT_NAMES, type DefectName } from '../raft/index.js';
import { commandLine, type CommandLine } from './args.js';
import type { CommandIo } from './main.js';

const HELP = `Usage: npm run node -- --config <cluster.json> --id <id> [--data <dir>] [--record <file.ndjson>]
                       [--election-timeout <min-max>] [--heartbeat <ms>] [--clock-rate <r>]
                       [--request-timeout <ms>] [--defect <name>]

Runs one node of a Raft key-value cluster as this process: its term, vote and log are saved (fsync) in its
data directory before it acts on them, it talks to the other members over TCP, and clients send it
put/get/cas requests (npm run kv). It runs until SIGINT, SIGTERM or SIGHUP, then stops cleanly.

The configuration file lists the members:
  {"clusterId": "demo", "members": [{"id": "s1", "peer": "127.0.0.1:7001", "client": "127.0.0.1:7101"}, ...]}
The node listens on its own "peer" (other members) and "client" (clients) addresses and dials the other
members' "peer" addresses. npm run cluster writes such a file and starts every node.

Options:
  --config <file>            the cluster configuration (required)
  --id <id>                  which member this node is (required)
  --data <dir>               its data directory (default: <config folder>/<id>); created when missing
  --record <file>            append every step to this NDJSON trace (merge the nodes' files with
                             npm run cluster -- merge-traces, then npm run validate-trace)
  --election-timeout <a-b>   election timeouts drawn uniformly from a..b ms (default 150-300)
  --heartbeat <ms>           the leader's heartbeat interval (default 50)
  --clock-rate <r>           this node's timers run r times real speed (default 1; 2 = twice as fast)
  --request-timeout <ms>     a leader answers "unavailable" when a request is not applied in time (default 3000)
  --defect <name>            run a deliberately broken core, for negative controls only:
                             ${DEFECT_NAMES.join(', ')}
  -h, --help                 this help

Standard output carries one JSON object a line: {"event":"ready",...} once both ports listen, then
"election", "leader", "stepped-down" and "stopped" events. Standard error carries the log.

Exit codes: 130 stopped by a signal (after its saves completed); 2 usage (a bad option, an id not in the
configuration, a data directory of another node or in use); 3 environment (a port in use or forbidden, a
save that failed while running); 4 a bad configuration file or a corrupt data directory (refused, left
as it was).`;

/** A parsed node command line. */
export interface NodeCommandLine {
  readonly configPath: string;
  readonly config: ClusterConfig;
  readonly options: Omit<NodeRuntimeOptions, 'log' | 'emit' | 'config'>;
}

const cli = commandLine('node');

/** `150-300` as a range of milliseconds. */
export function parseRange(cl: CommandLine, name: string, text: string): { min: number; max: number } {
  const m = /^(\d+)-(\d+)$/.exec(text);
  const min = Number(m?.[1]);
  const max = Number(m?.[2]);
  if (m === null || min < 1 || max < min || max > 600_000) throw cl.usage(`--${name} must be a range of milliseconds "min-max" with 1 <= min <= max <= 600000, not "${text}".`);
  return { min, max };
}

/** A positive finite number. */
export function parseRate(cl: CommandLine, name: string, text: string): number {
  const r = Number(text);
  if (text.trim() === '' || !Number.isFinite(r) || r < 0.01 || r > 100) throw cl.usage(`--${name} must be a number from 0.01 to 100, not "${text}".`);
  return r;
}

function boundedInteger(name: string, text: string, min: number, max: number): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < min || n > max) throw cli.usage(`--${name} must be an integer from ${min} to ${max}, not "${text}".`);
  return n;
}

async function parse(argv: readonly string[], cwd: string): Promise<NodeCommandLine | 'help'> {
  const { values } = cli.parse(argv, {
    options: {
      config: { type: 'string' },
      id: { type: 'string' },
      data: { type: 'string' },
      record: { type: 'string' },
      'election-timeout': { type: 'string', default: '150-300' },
      heartbeat: { type: 'string', default: '50' },
      'clock-rate': { type: 'string', default: '1' },
      'request-timeout': { type: 'string', default: '3000' },
      defect: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return 'help';
  if (values.config === undefined || values.config === '') throw cli.usage('--config <cluster.json> is required.');
  if (values.id === undefined || values.id === '') throw cli.usage('--id <member id> is required.');
  if (values.record === '') throw cli.usage('--record needs a file name.');
  if (values.data === '') throw cli.usage('--data needs a directory.');
  const electionTimeoutMs = parseRange(cli, 'election-timeout', values['election-timeout']);
  const heartbeatMs = boundedInteger('heartbeat', values.heartbeat, 1, 600_000);
  if (heartbeatMs >= electionTimeoutMs.min) throw cli.usage(`--heartbeat ${heartbeatMs} must be shorter than the shortest election timeout (${electionTimeoutMs.min} ms), or followers would start elections under a live leader.`);
  const clockRate = parseRate(cli, 'clock-rate', values['clock-rate']);
  const requestTimeoutMs = boundedInteger('request-timeout', values['request-timeout'], 1, 3_600_000);
  const defect = values.defect ?? null;
  if (defect !== null && !(DEFECT_NAMES as readonly string[]).includes(defect)) throw cli.usage(`--defect: no defective core named "${defect}" (known: ${DEFECT_NAMES.join(', ')}).`);
  const configPath = resolve(cwd, values.config);
  const config = await loadClusterConfig(configPath);
  const id = values.id;
  if (memberOf(config, id) === undefined) {
    throw cli.usage(`--id ${id}: no member of that id in ${configPath} (cluster ${config.clusterId}: ${config.members.map((m) => m.id).join(', ')}).`);
  }
  return {
    configPath,
    config,
    options: {
      id,
      dataDir: values.data === undefined ? defaultDataDir(configPath, id) : resolve(cwd, values.data),
      record: values.record === undefined ? null : resolve(cwd, values.record),
      electionTimeoutMs,
      heartbeatMs,
      clockRate,
      requestTimeoutMs,
      defect: defect as DefectName | null,
      source: { command: `npm run node -- ${argv.join(' ')}`, node: id, pid: process.pid },
    },
  };
}

/** Resolves when `signal` is aborted, with its reason. */
function aborted(signal: AbortSignal): Promise<unknown> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve(signal.reason);
    else signal.addEventListener('abort', () => resolve(signal.reason), { once: true });
  });
}

/** The `npm run node` command. */
export async function nodeCommand(argv: readonly string[], io: CommandIo): Promise<number> {
  const parsed = await parse(argv, io.cwd);
  if (parsed === 'help') {
    io.stdout(`${HELP}\n`);
    return ExitCode.OK;
  }
  const { options, config } = parsed;
  if (options.defect !== null) io.stderr(`node: WARNING: ${options.id} runs the deliberately broken core "${options.defect}" (for negative controls only).\n`);
  const runtime = await NodeRuntime.start({
    ...options,
    config,
    log: (line) => io.stderr(`${line}\n`),
    emit: (event) => io.stdout(`${JSON.stringify(event)}\n`),
  });
  const ended = await Promise.race([aborted(io.signal).then((reason) => ({ kind: 'signal' as const, reason })), runtime.failed.then((error) => ({ kind: 'failed' as const, error }))]);
  if (ended.kind === 'failed') {
    await runtime.stop('its disk failed');
    throw ended.error;
  }
  const why = ended.reason instanceof Error ? ended.reason.message.replace(/^interrupted by /, '') : 'interrupted';
  await runtime.stop(why);
  if (ended.reason instanceof WorkbenchError) return ended.reason.exitCode;
  return ExitCode.INTERRUPTED;
}
