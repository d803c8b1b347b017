/**
 * `npm run kv`: one put, get or compare-and-set against a running cluster (src/node/client.ts).
 *
 * @module
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { match } from 'ts-pattern';
import { ExitCode } from '../errors.js';
import type { KvOp } from '../kv/command.js';
import { KvConnection, type KvCallResult } from '../node/client.js';
import { CLUSTER_CONFIG_FILE, clusterHome, lastClusterConfig } from '../node/cluster-files.js';
import { loadClusterConfig } from '../node/config.js';
import { commandLine } from './args.js';
import type { CommandIo } from './main.js';

const HELP = `Usage: npm run kv -- put <key> <value> | get <key> | cas <key> <expected> <new>
                     [--cluster <cluster.json> | --data <cluster folder>] [--timeout <ms>] [--client-id <id>] [--json]

Sends one operation to a running Raft KV cluster (npm run cluster) and waits for it to be applied. It goes
to the leader: a node that does not lead redirects the client there; a node that does not answer is
skipped. Every retry carries the same request id, so a put retried after a lost answer applies once.
Reads go through the log too: a get sees every write acknowledged before it (linearizable).

  put <key> <value>          set key to value
  get <key>                  print key's value (nothing, and a note on stderr, when absent)
  cas <key> <expected> <new> set key to new if it holds expected; expected "_" means "absent"

Keys and values: letters, digits and . : - only.

Options:
  --cluster <file>     the cluster's configuration file
  --data <dir>         a cluster folder holding ${CLUSTER_CONFIG_FILE} (what npm run cluster -- --data names)
                       (default: the last cluster npm run cluster started, from ${join('.cache', 'cluster', 'last.json')})
  --timeout <ms>       give up after this long (default 10000)
  --client-id <id>     the client id of the request (default: a random one)
  --json               print the outcome as JSON
  -h, --help           this help

Exit codes: 0 applied (put, get, or a cas, whether it swapped or not: a cas that did not swap says so on
stderr); 2 usage; 3 not applied: no node reachable, or no leader within --timeout; 4 a bad
configuration file; 6 --timeout reached after the request may have been applied (its outcome is unknown:
read the key to find out).`;

const cli = commandLine('kv');
const TOKEN = /^[A-Za-z0-9.:-]+$/;

function token(what: string, text: string | undefined): string {
  if (text === undefined) throw cli.usage(`Missing the ${what}.`);
  if (!TOKEN.test(text)) throw cli.usage(`The ${what} ${JSON.stringify(text.slice(0, 60))} may hold only letters, digits and . : - (it is written into the log as is).`);
  return text;
}

function operation(positionals: readonly string[]): KvOp {
  const [verb, ...rest] = positionals;
  const arity = (n: number, form: string) => {
    if (rest.length !== n) throw cli.usage(`${verb} takes ${n === 1 ? 'one argument' : `${n} arguments`}: ${form}.`);
  };
  switch (verb) {
    case 'put':
      arity(2, 'put <key> <value>');
      return { type: 'put', key: token('key', rest[0]), value: token('value', rest[1]) };
    case 'get':
      arity(1, 'get <key>');
      return { type: 'get', key: token('key', rest[0]) };
    case 'cas': {
      arity(3, 'cas <key> <expected> <new>');
      const expected = rest[1] === '_' ? null : token('expected value', rest[1]);
      return { type: 'cas', key: token('key', rest[0]), expected, value: token('new value', rest[2]) };
    }
    case undefined:
      throw cli.usage('Name an operation: put <key> <value>, get <key> or cas <key> <expected> <new>.');
    default:
      throw cli.usage(`Unknown operation "${verb.slice(0, 40)}": use put, get or cas.`);
  }
}

/** Which configuration file the command line names (or the last cluster's). */
function configPath(values: { cluster?: string | undefined; data?: string | undefined }, io: CommandIo): string {
  if (values.cluster !== undefined && values.data !== undefined) throw cli.usage('Give --cluster or --data, not both.');
  if (values.cluster !== undefined) return resolve(io.cwd, values.cluster);
  if (values.data !== undefined) return join(resolve(io.cwd, values.data), CLUSTER_CONFIG_FILE);
  const last = lastClusterConfig(io.env);
  if (last === null || !existsSync(last)) {
    throw cli.usage(`No cluster named, and no cluster started before (nothing in ${join(clusterHome(io.env), 'last.json')}). Start one with npm run cluster, or name one with --cluster <file>.`);
  }
  return last;
}

function describe(op: KvOp): string {
  return match(op)
    .with({ type: 'put' }, (o) => `put ${o.key} ${o.value}`)
    .with({ type: 'get' }, (o) => `get ${o.key}`)
    .with({ type: 'cas' }, (o) => `cas ${o.key} ${o.expected ?? '_'} ${o.value}`)
    .exhaustive();
}

/** The exit code of an outcome. */
export function kvExitCode(result: KvCallResult): number {
  return match(result)
    // A cas that did not swap is an answer, not a failure: exit 1 is kept for a check that found a violation.
    .with({ type: 'ok' }, () => ExitCode.OK)
    .with({ type: 'fail' }, () => ExitCode.ENVIRONMENT)
    .with({ type: 'indeterminate' }, () => ExitCode.TIMEOUT)
    .exhaustive();
}

/** What the outcome of `op` prints: the answer on stdout, notes and failures on stderr. */
function report(op: KvOp, result: KvCallResult, clientId: string, timeoutMs: number, io: CommandIo): void {
  match(result)
    .with({ type: 'ok' }, ({ result: r }) =>
      match(r)
        .with({ type: 'get' }, ({ value }) => (value === null ? io.stderr(`${op.key} is absent\n`) : io.stdout(`${value}\n`)))
        .with({ type: 'cas', ok: false }, () =>
          io.stderr(`cas did not apply: ${op.key} ${op.type === 'cas' && op.expected !== null ? `does not hold ${op.expected}` : 'is not absent'}\n`),
        )
        .with({ type: 'cas', ok: true }, { type: 'put' }, () => io.stdout('OK\n'))
        .exhaustive(),
    )
    .with({ type: 'fail' }, ({ reason }) =>
      io.stderr(`kv: ${describe(op)} was not applied: ${reason.replace(/^not applied: /, '')}\n  Is the cluster running (npm run cluster)? Was --timeout ${timeoutMs} ms long enough for an election?\n`),
    )
    .with({ type: 'indeterminate' }, ({ reason }) =>
      io.stderr(
        `kv: ${describe(op)}: ${reason}\n  Its outcome is unknown: read the key, or retry this very command with --client-id ${clientId} (the same request id, so it applies at most once).\n`,
      ),
    )
    .exhaustive();
}

/** The `npm run kv` command. */
export async function kvCommand(argv: readonly string[], io: CommandIo): Promise<number> {
  const { values, positionals } = cli.parse(argv, {
    allowPositionals: true,
    options: {
      cluster: { type: 'string' },
      data: { type: 'string' },
      timeout: { type: 'string', default: '10000' },
      'client-id': { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    io.stdout(`${HELP}\n`);
    return ExitCode.OK;
  }
  const op = operation(positionals);
  const timeoutMs = cli.integer('timeout', values.timeout, 1);
  const clientId = values['client-id'];
  if (clientId !== undefined && !TOKEN.test(clientId)) throw cli.usage('--client-id may hold only letters, digits and . : -.');
  const config = await loadClusterConfig(configPath(values, io));
  const connection = new KvConnection({ members: config.members, ...(clientId === undefined ? {} : { clientId }) });
  const abort = () => connection.close();
  io.signal.addEventListener('abort', abort, { once: true });
  let result: KvCallResult;
  try {
    result = await connection.call(op, { timeoutMs });
  } finally {
    io.signal.removeEventListener('abort', abort);
    connection.close();
  }
  if (io.signal.aborted) return ExitCode.INTERRUPTED;
  if (values.json) {
    io.stdout(`${JSON.stringify({ op, client: connection.clientId, seq: connection.lastSeq, ...result })}\n`);
    return kvExitCode(result);
  }
  report(op, result, connection.clientId, timeoutMs, io);
  return kvExitCode(result);
}
