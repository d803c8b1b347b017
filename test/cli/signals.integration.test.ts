// What a real Ctrl-C, a CI runner's cancel, or a killed parent does to a command that runs TLC: the JVM
// never outlives the command, the temporary files go with it, and what was done is reported.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ExitCode } from '../../src/errors.js';
import { REPO_ROOT } from '../../src/paths.js';
import { FIXTURE_SPECS } from '../support/tlc.js';

/** Processes whose command line mentions `text` (the run's private temporary folder). */
function processesMentioning(text: string): string[] {
  try {
    return execFileSync('pgrep', ['-f', text], { encoding: 'utf8' }).split('\n').filter((l) => l.trim() !== '');
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
}

async function waitFor(condition: () => boolean, what: string, ms = 20_000): Promise<void> {
  const until = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

interface Started {
  readonly child: ChildProcess;
  readonly temp: string;
  readonly output: () => { stdout: string; stderr: string };
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts `npm run check-spec` on the fixture model that runs for minutes, in its own process group, and waits for TLC. */
async function startLongCheck(extraArgs: readonly string[] = []): Promise<Started> {
  const temp = mkdtempSync(join(tmpdir(), 'signals-'));
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(REPO_ROOT, 'scripts', 'check-spec.ts'), '--specs', FIXTURE_SPECS, '--workers', '1', '--summary', join(temp, 'summary.json'), ...extraArgs, 'Big'],
    { cwd: REPO_ROOT, env: { ...process.env, TMPDIR: temp }, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  // TLC is running once its metadir exists and a JVM names it.
  await waitFor(() => readdirSync(temp).some((f) => f.startsWith('workbench-tlc-')), 'the TLC metadir');
  await waitFor(() => processesMentioning(`${temp}/workbench-tlc-`).some((p) => p.length > 0) && /Big: running TLC/.test(stderr), 'the JVM');
  await new Promise((r) => setTimeout(r, 1500));
  return { child, temp, output: () => ({ stdout, stderr }), exited };
}

/** What the run left in its temporary folder (tsx keeps its compile cache there: not ours). */
function leftovers(temp: string): string[] {
  return readdirSync(temp).filter((f) => f !== 'summary.json' && !f.startsWith('tsx-'));
}

describe('signals and processes (real TLC)', () => {
  it.each(['SIGINT', 'SIGTERM', 'SIGHUP'] as const)(
    '%s to the whole process group (a terminal, a CI cancel): the table with the run cancelled, exit 130, no JVM and no temporary files left',
    async (signal) => {
      const run = await startLongCheck();
      process.kill(-(run.child.pid as number), signal);
      const end = await run.exited;
      expect(end).toEqual({ code: ExitCode.INTERRUPTED, signal: null });
      expect(run.output().stdout).toMatch(/Big\s+ok\s+cancelled\s+[\d,-]+/);
      expect(run.output().stdout).toContain('Interrupted: 0 of 1 models finished.');
      expect(run.output().stderr).toContain(`check-spec: ${signal}: stopping`);
      await waitFor(() => processesMentioning(run.temp).length === 0, 'no process of the run');
      expect(leftovers(run.temp)).toEqual([]);
    },
  );

  it('SIGTERM to the command alone (what npm forwards): the same clean stop', async () => {
    const run = await startLongCheck();
    run.child.kill('SIGTERM');
    expect((await run.exited).code).toBe(ExitCode.INTERRUPTED);
    await waitFor(() => processesMentioning(run.temp).length === 0, 'no process of the run');
    expect(leftovers(run.temp)).toEqual([]);
  });

  it('SIGKILL to the command, which can clean up nothing: its guardian stops the JVM and deletes the metadir', async () => {
    const run = await startLongCheck();
    run.child.kill('SIGKILL');
    expect((await run.exited).signal).toBe('SIGKILL');
    await waitFor(() => processesMentioning(run.temp).length === 0, 'the JVM to be stopped by its guardian');
    await waitFor(() => leftovers(run.temp).length === 0, 'the metadir to be deleted');
  });

  it('the parent going away (npm killed with SIGKILL): the command notices, stops TLC and cleans up', async () => {
    const temp = mkdtempSync(join(tmpdir(), 'signals-parent-'));
    // A shell stands in for npm: it starts the command in the background, then dies with SIGKILL.
    const script = `"${process.execPath}" --import tsx scripts/check-spec.ts --specs "${FIXTURE_SPECS}" --workers 1 --summary "${temp}/summary.json" Big > "${temp}/out.txt" 2>&1 & sleep 4; kill -9 $$`;
    const shell = spawn('sh', ['-c', script], { cwd: REPO_ROOT, env: { ...process.env, TMPDIR: temp }, stdio: 'ignore' });
    await new Promise((r) => shell.on('exit', r));
    await waitFor(() => processesMentioning(temp).length === 0, 'every process of the run to end', 30_000);
    await waitFor(() => readdirSync(temp).every((f) => !f.startsWith('workbench-tlc-')), 'the metadir to be deleted');
  });

  it('traces: SIGTERM mid-batch leaves the corpus as it was, no JVM and no temporary walks', async () => {
    const temp = mkdtempSync(join(tmpdir(), 'signals-traces-'));
    const out = join(temp, 'corpus');
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(REPO_ROOT, 'scripts', 'traces.ts'), '--protocol', 'raft', '--mode', 'simulation', '--count', '10000', '--depth', '10000', '--out', out],
      { cwd: REPO_ROOT, env: { ...process.env, TMPDIR: temp }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await waitFor(() => readdirSync(temp).some((f) => f.startsWith('workbench-traces-')) && processesMentioning(`${temp}/workbench-tlc-`).length > 0, 'TLC writing walks');
    await new Promise((r) => setTimeout(r, 1000));
    child.kill('SIGTERM');
    expect(await exited).toBe(ExitCode.INTERRUPTED);
    expect(stderr).toContain('traces: interrupted during raft simulation: nothing of raft simulation was written');
    await waitFor(() => processesMentioning(temp).length === 0, 'no process of the run');
    expect(leftovers(temp).filter((f) => f !== 'corpus')).toEqual([]);
    // The corpus folder was made ready (it is checked before TLC runs), and nothing was written into it.
    expect(readdirSync(out)).toEqual([]);
  });
});
