// `npm run node`, `npm run kv` and `npm run cluster` refuse bad input with one clear message and a
// documented exit code, leave files as they were, and never start anything they cannot finish.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { type Server, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCommand } from '../../src/cli/args.js';
import { clusterCommand } from '../../src/cli/cluster.js';
import { kvCommand } from '../../src/cli/kv.js';
import type { Command, CommandIo } from '../../src/cli/main.js';
import { nodeCommand } from '../../src/cli/node.js';
import { ExitCode } from '../../src/errors.js';
import { clusterConfigJson } from '../../src/node/config.js';
import { DATA_DIR_FILES, DataDir } from '../../src/node/data-dir.js';
import { freePorts, localConfig } from '../../src/node/local-cluster.js';
import { RaftLog } from '../../src/raft/index.js';

let dir: string;
let configPath: string;
let config: ReturnType<typeof localConfig>;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'node-cli-'));
  config = localConfig('clitest', await freePorts(6));
  configPath = join(dir, 'cluster.json');
  writeFileSync(configPath, clusterConfigJson(config));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function run(name: string, command: Command, argv: readonly string[], env: NodeJS.ProcessEnv = {}) {
  let stdout = '';
  let stderr = '';
  const io: CommandIo = {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    env: { ...process.env, WORKBENCH_CLUSTER_HOME: join(dir, 'home'), ...env },
    cwd: dir,
    interactive: false,
    signal: new AbortController().signal,
  };
  const code = await runCommand(name, io.stderr, () => command(argv, io));
  return { code, stdout, stderr };
}

const node = (...argv: string[]) => run('node', nodeCommand, argv);
const kv = (argv: readonly string[], env?: NodeJS.ProcessEnv) => run('kv', kvCommand, argv, env);
const cluster = (...argv: string[]) => run('cluster', clusterCommand, argv);

function configFile(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('npm run node refuses bad input', () => {
  it.each<[string, () => string[], number, RegExp]>([
    ['no --config', () => ['--id', 's1'], ExitCode.USAGE, /--config <cluster.json> is required/],
    ['a node id not in the configuration', () => ['--config', configPath, '--id', 's9'], ExitCode.USAGE, /--id s9: no member of that id in .*cluster\.json \(cluster clitest: s1, s2, s3\)/],
    ['a config file that is not JSON', () => ['--config', configFile('bad.json', '{"clusterId": "x",'), '--id', 's1'], ExitCode.SPEC_ERROR, /Cluster configuration .*bad\.json: malformed JSON at line 1/],
    ['a missing config file', () => ['--config', join(dir, 'nope.json'), '--id', 's1'], ExitCode.SPEC_ERROR, /nope\.json does not exist/],
    [
      'a bad port in the config',
      () => ['--config', configFile('port.json', '{"clusterId":"x","members":[{"id":"s1","peer":"127.0.0.1:70000","client":"127.0.0.1:7101"}]}'), '--id', 's1'],
      ExitCode.SPEC_ERROR,
      /members\[0\]\.peer: the port of "127\.0\.0\.1:70000" is not in 1\.\.65535/,
    ],
    [
      'an unknown field in the config',
      () => ['--config', configFile('field.json', '{"clusterId":"x","members":[{"id":"s1","peer":"127.0.0.1:7001","client":"127.0.0.1:7101","role":"leader"}]}'), '--id', 's1'],
      ExitCode.SPEC_ERROR,
      /members\[0\] has an unknown field "role"/,
    ],
    [
      'two members sharing an address',
      () => ['--config', configFile('shared.json', '{"clusterId":"x","members":[{"id":"s1","peer":"127.0.0.1:7001","client":"127.0.0.1:7101"},{"id":"s2","peer":"127.0.0.1:7001","client":"127.0.0.1:7102"}]}'), '--id', 's1'],
      ExitCode.SPEC_ERROR,
      /the address 127\.0\.0\.1:7001 is given twice/,
    ],
    ['a bad election timeout', () => ['--config', configPath, '--id', 's1', '--election-timeout', '300-150'], ExitCode.USAGE, /--election-timeout must be a range of milliseconds "min-max"/],
    ['a heartbeat as long as the election timeout', () => ['--config', configPath, '--id', 's1', '--heartbeat', '200'], ExitCode.USAGE, /--heartbeat 200 must be shorter than the shortest election timeout \(150 ms\)/],
    ['a clock rate of zero', () => ['--config', configPath, '--id', 's1', '--clock-rate', '0'], ExitCode.USAGE, /--clock-rate must be a number from 0\.01 to 100, not "0"/],
    ['an unknown defect', () => ['--config', configPath, '--id', 's1', '--defect', 'nope'], ExitCode.USAGE, /--defect: no defective core named "nope" \(known: double-vote, /],
  ])('%s', async (_name, argv, code, message) => {
    const r = await node(...argv());
    expect(r.stderr).toMatch(message);
    expect(r.stderr.split('\n').filter((l) => l.startsWith('node:'))).toHaveLength(1);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.code).toBe(code);
  });

  it('a busy port: exit 3 naming the node and the address, and the data directory is released', async () => {
    const member = config.members[0];
    if (member === undefined) throw new Error('no member');
    const server: Server = createServer();
    await new Promise<void>((resolve) => server.listen(member.peer.port, '127.0.0.1', () => resolve()));
    try {
      const data = join(dir, 'busy-s1');
      const r = await node('--config', configPath, '--id', 's1', '--data', data);
      expect(r.stderr).toMatch(new RegExp(`s1 cannot listen on 127\\.0\\.0\\.1:${member.peer.port} \\(its peer address\\): the address is already in use\\.`));
      expect(r.stderr).toMatch(/Stop whatever uses it, or give s1 another peer port/);
      expect(r.code).toBe(ExitCode.ENVIRONMENT);
      expect(existsSync(join(data, DATA_DIR_FILES.lock))).toBe(false);
      expect(r.stdout).toBe('');
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('a corrupt state file: exit 4, and the file is left exactly as it was', async () => {
    const data = join(dir, 'corrupt-s2');
    const open = await DataDir.open({ dir: data, nodeId: 's2', cluster: { clusterId: 'clitest', members: ['s1', 's2', 's3'] } });
    await open.storage.save({ hardState: { currentTerm: 3, votedFor: 's1' }, logWrite: { fromIndex: 1, entries: RaftLog.from([{ term: 1, value: 'noop' }]).toArray() } });
    await open.close();
    const state = join(data, DATA_DIR_FILES.state);
    const bytes = readFileSync(state);
    const spoiled = Buffer.from(bytes);
    spoiled[spoiled.length - 3] = (spoiled[spoiled.length - 3] as number) ^ 0x20;
    writeFileSync(state, spoiled);
    const r = await node('--config', configPath, '--id', 's2', '--data', data);
    expect(r.stderr).toMatch(/raft\.state/);
    expect(r.code).toBe(ExitCode.SPEC_ERROR);
    expect(readFileSync(state).equals(spoiled)).toBe(true);
    expect(existsSync(join(data, DATA_DIR_FILES.lock))).toBe(false);
  });

  it("another node's data directory: exit 2, naming whose it is", async () => {
    const data = join(dir, 'owned-by-s3');
    await (await DataDir.open({ dir: data, nodeId: 's3', cluster: { clusterId: 'clitest', members: ['s1', 's2', 's3'] } })).close();
    const r = await node('--config', configPath, '--id', 's1', '--data', data);
    expect(r.stderr).toMatch(/belongs to node s3 of cluster clitest \(s1, s2, s3\), not to s1/);
    expect(r.code).toBe(ExitCode.USAGE);
  });
});

describe('npm run kv refuses bad input and says when the cluster is unreachable', () => {
  it('an unreachable cluster: exit 3, not applied, within the time bound', async () => {
    const r = await kv(['put', 'a', '1', '--cluster', configPath, '--timeout', '400']);
    expect(r.stderr).toMatch(/kv: put a 1 was not applied: .*ECONNREFUSED/);
    expect(r.code).toBe(ExitCode.ENVIRONMENT);
  });

  it.each<[string, string[], number, RegExp]>([
    ['a key with a space', ['put', 'a b', '1', '--cluster', 'cluster.json'], ExitCode.USAGE, /The key "a b" may hold only letters, digits and \. : -/],
    ['an unknown operation', ['delete', 'a', '--cluster', 'cluster.json'], ExitCode.USAGE, /Unknown operation "delete": use put, get or cas/],
    ['a cas without its new value', ['cas', 'a', '1', '--cluster', 'cluster.json'], ExitCode.USAGE, /cas takes 3 arguments: cas <key> <expected> <new>/],
    ['no operation', ['--cluster', 'cluster.json'], ExitCode.USAGE, /Name an operation/],
    ['--cluster and --data together', ['get', 'a', '--cluster', 'cluster.json', '--data', '.'], ExitCode.USAGE, /Give --cluster or --data, not both/],
    ['no cluster named and none started', ['get', 'a'], ExitCode.USAGE, /No cluster named, and no cluster started before/],
    ['a bad config file', ['get', 'a', '--cluster', 'bad-kv.json'], ExitCode.SPEC_ERROR, /Cluster configuration .*bad-kv\.json: "members" must be a non-empty list/],
  ])('%s', async (_name, argv, code, message) => {
    configFile('bad-kv.json', '{"clusterId":"x","members":[]}');
    const r = await kv(argv);
    expect(r.stderr).toMatch(message);
    expect(r.code).toBe(code);
  });
});

describe('npm run cluster refuses bad input', () => {
  it.each<[string, () => string[], number, RegExp]>([
    ['a privileged base port', () => ['--base-port', '80'], ExitCode.USAGE, /--base-port must be a port from 1024 to 65530 \(3 nodes take two ports each\), not "80"/],
    ['too many nodes', () => ['--nodes', '16'], ExitCode.USAGE, /--nodes must be at most 15/],
    ['a --data folder that is not a cluster', () => ['--data', mkdirIn('not-a-cluster', 'x.txt')], ExitCode.USAGE, /is not empty and holds no cluster\.json: it is not a cluster's folder/],
    ['--nodes unlike the existing cluster', () => ['--data', clusterFolder(), '--nodes', '5'], ExitCode.USAGE, /--nodes 5: the cluster in .* has 3 members/],
    ['a corrupt cluster.json', () => ['--data', mkdirIn('corrupt-cluster', 'cluster.json')], ExitCode.SPEC_ERROR, /Cluster configuration .*cluster\.json: malformed JSON/],
    ['merge-traces without input', () => ['merge-traces'], ExitCode.USAGE, /merge-traces needs a record folder/],
    ['merge-traces of files without --out', () => ['merge-traces', 'a.ndjson', 'b.ndjson'], ExitCode.USAGE, /Name the merged trace with --out <file>/],
    ['merge-traces of a file that is not a recording', () => ['merge-traces', configFile('junk.ndjson', 'hello\n'), '--out', join(dir, 'm.ndjson')], ExitCode.SPEC_ERROR, /junk\.ndjson:1: not JSON/],
  ])('%s', async (_name, argv, code, message) => {
    const r = await cluster(...argv());
    expect(r.stderr).toMatch(message);
    expect(r.code).toBe(code);
  });
});

function mkdirIn(name: string, file: string): string {
  const folder = join(dir, name);
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, file), '{');
  return folder;
}

function clusterFolder(): string {
  const folder = join(dir, 'existing-cluster');
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, 'cluster.json'), clusterConfigJson(config));
  return folder;
}
