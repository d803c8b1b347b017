// `npm run cluster` as a user runs it: the nodes come up, a leader is reported, `npm run kv` writes, the
// stop signal stops every node (exit 130), and the same --data brings the cluster back with its data.
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { runCommand } from '../../src/cli/args.js';
import { kvCommand } from '../../src/cli/kv.js';
import type { CommandIo } from '../../src/cli/main.js';
import { ExitCode } from '../../src/errors.js';
import { REPO_ROOT } from '../../src/paths.js';
import { type GuardedProcess, startGuarded } from '../../src/process/child.js';

let dir: string | undefined;
const running: GuardedProcess[] = [];

afterAll(async () => {
  for (const child of running) child.stop();
  await Promise.all(running.map((c) => c.exited));
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

/** Starts `npm run cluster -- --json ...` and collects its JSON lines. */
function startCluster(home: string, args: readonly string[]) {
  const child = startGuarded({
    command: process.execPath,
    args: ['--import', 'tsx', join(REPO_ROOT, 'scripts', 'cluster.ts'), '--json', ...args],
    cwd: REPO_ROOT,
    env: { ...process.env, WORKBENCH_CLUSTER_HOME: home },
    graceMs: 10_000,
  });
  running.push(child);
  const events: Record<string, unknown>[] = [];
  const waiters: { test: (e: Record<string, unknown>) => boolean; resolve: (e: Record<string, unknown>) => void }[] = [];
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  createInterface({ input: child.stdout }).on('line', (line) => {
    const e = JSON.parse(line) as Record<string, unknown>;
    events.push(e);
    for (const w of [...waiters]) if (w.test(e)) w.resolve(e);
  });
  const next = (test: (e: Record<string, unknown>) => boolean, what: string, ms = 60_000) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const seen = events.find(test);
      if (seen !== undefined) return resolve(seen);
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}; stderr: ${stderr.slice(-2000)}`)), ms);
      waiters.push({ test, resolve: (e) => (clearTimeout(timer), resolve(e)) });
      void child.exited.then((exit) => reject(new Error(`the cluster ended (${JSON.stringify(exit)}) before ${what}; stderr: ${stderr.slice(-2000)}`)));
    });
  return { child, events, next, stderr: () => stderr };
}

async function kv(home: string, argv: readonly string[]) {
  let stdout = '';
  let stderr = '';
  const io: CommandIo = {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    env: { ...process.env, WORKBENCH_CLUSTER_HOME: home },
    cwd: REPO_ROOT,
    interactive: false,
    signal: new AbortController().signal,
  };
  const code = await runCommand('kv', io.stderr, () => kvCommand(argv, io));
  return { code, stdout, stderr };
}

describe('npm run cluster', () => {
  it('starts the nodes, reports the leader, stops on a signal (130), and restarts on its data with the data kept', async () => {
    dir = await mkdtemp(join(tmpdir(), 'cluster-cmd-'));
    const home = join(dir, 'home');
    const data = join(dir, 'cluster');
    const records = join(dir, 'rec');

    const first = startCluster(home, ['--data', data, '--record-dir', records]);
    await first.next((e) => e['event'] === 'up', 'the cluster to be up');
    const leader = await first.next((e) => e['event'] === 'leader', 'a leader');
    expect(['s1', 's2', 's3']).toContain(leader['id']);
    // npm run kv finds the last cluster started by itself.
    expect(await kv(home, ['put', 'answer', '42', '--timeout', '20000'])).toMatchObject({ code: ExitCode.OK, stdout: 'OK\n' });
    expect(await kv(home, ['cas', 'answer', '41', '43'])).toMatchObject({ code: ExitCode.OK, stderr: 'cas did not apply: answer does not hold 41\n' });

    first.child.stop();
    expect((await first.child.exited).code).toBe(ExitCode.INTERRUPTED);
    expect(first.events.map((e) => e['event'])).toEqual(expect.arrayContaining(['starting', 'ready', 'up', 'leader', 'stopping', 'trace', 'stopped']));
    const trace = first.events.find((e) => e['event'] === 'trace');
    expect(trace?.['events']).toBeGreaterThan(10);
    expect(existsSync(join(records, 'trace.ndjson'))).toBe(true);
    for (const id of ['s1', 's2', 's3']) expect(readFileSync(join(data, `${id}.log`), 'utf8')).toMatch(new RegExp(`${id} started on a new data directory`));

    const second = startCluster(home, ['--data', data]);
    const readies = await Promise.all(['s1', 's2', 's3'].map((id) => second.next((e) => e['event'] === 'ready' && e['id'] === id, `${id} ready`)));
    for (const r of readies) expect(r['restarted']).toBe(true);
    await second.next((e) => e['event'] === 'leader', 'a leader after the restart');
    expect(await kv(home, ['get', 'answer', '--data', data, '--timeout', '20000'])).toMatchObject({ code: ExitCode.OK, stdout: '42\n' });
    second.child.stop();
    expect((await second.child.exited).code).toBe(ExitCode.INTERRUPTED);
  });
});
