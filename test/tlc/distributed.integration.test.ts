// TLC's distributed mode on loopback: a local worker killed mid-run is reported as ended early, and the
// server, left with the other worker, still reaches the model's full state count.
import { execSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runDistributed } from '../../src/tlc/distributed.js';
import { SPECS, tlcToolchain } from '../support/tlc.js';

describe('runDistributed', () => {
  it('survives a worker killed mid-run, reports it, and finds every state', async () => {
    const port = 24_000 + Math.floor(Math.random() * 10_000);
    const started = performance.now();
    let killed: string | null = null;
    const run = await runDistributed({
      module: join(SPECS, 'MCQuorumSafety.tla'),
      config: join(SPECS, 'MCQuorum5.cfg'),
      toolchain: await tlcToolchain(),
      port,
      localWorkers: 2,
      timeoutMs: 600_000,
      onEvent: (event) => {
        // Once the workers have been at it for a few seconds, kill one JVM outright.
        if (killed !== null || event.type !== 'progress' || performance.now() - started < 8000) return;
        const pids = execSync(`pgrep -f "TLCServer.port=${port} .*TLCWorker"`).toString().trim().split('\n');
        killed = pids[0] ?? null;
        if (killed !== null) execSync(`kill -9 ${killed}`);
      },
    });
    expect(killed, 'the run ended before a worker could be killed').not.toBeNull();
    expect(run.outcome).toBe('ok');
    // MCQuorum5's distinct states, as the local run counts them (check-spec's summary).
    expect(run.stats?.distinct).toBe(161_310);
    const early = run.workerReports.filter((w) => w.endedEarly);
    expect(early).toHaveLength(1);
    expect(early[0]?.signal).toBe('SIGKILL');
    expect(run.workerReports.filter((w) => !w.endedEarly)).toHaveLength(1);
  }, 600_000);
});
