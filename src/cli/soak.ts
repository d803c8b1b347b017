/**
 * `npm run soak`: a long seeded run over many generated scenarios (see `runSoak` in `src/sim/soak.ts`), with
 * progress on stderr and the first violation's report.
 *
 * @module
 */
import { ExitCode, WorkbenchError } from '../errors.js';
import { PROFILE_NAMES, type ProfileName } from '../sim/arbitraries.js';
import { randomInt } from 'node:crypto';
import { SOAK_PLANS, type SoakPlanName, type SoakProgress, runSoak } from '../sim/soak.js';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { unwritable, writeFileAtomicSync } from '../files/write.js';
import { commandLine } from './args.js';

/** The `--help` text. */
export const SOAK_HELP = `Usage: npm run soak -- [--plan name] [--steps N] [--seed S|random] [--profile name ...] [--time-limit s]
                       [--record-dir d [--record-every k]] [--json]

Simulates generated scenarios one after another (rotating through the profiles) until N simulated
steps have run, checking every invariant mirror and durability check at every step, every client
history for linearizability, and liveness after healing. Stops at the first violation and prints its report.

Options:
  --plan <name>      a named soak (its steps, profiles and seed, unless given below):
${Object.values(SOAK_PLANS).map((p) => `                       ${p.name.padEnd(8)} ${p.description}`).join('\n')}
  --steps <n>        simulated steps (events) to run (default 1000000)
  --seed <s>         first scenario seed (default 1), or random (printed); scenario k uses seed s+k
  --profile <name>   restrict to a profile (repeatable): ${PROFILE_NAMES.join(', ')} (default all)
  --time-limit <s>   stop after this many seconds of wall time (exit 6)
  --record-dir <d>   write schedules as implementation traces (NDJSON) into this folder, for
                     \`npm run validate-trace\`: every --record-every-th one, and the one that fails
  --record-every <k> record one schedule in k (default 100; 1 records them all)
  --json             print the final figures as JSON
  -h, --help         this help

Exit codes: 0 no violation, 1 a violation was found, 2 usage error, 6 time limit reached,
130 interrupted (the figures so far are printed).`;

const cli = commandLine('soak', 'See npm run soak -- --help.');

/** Run `npm run soak` with `argv`; returns the exit code. */
export async function runSoakCli(argv: readonly string[], out: (s: string) => void, err: (s: string) => void, signal?: AbortSignal, cwd = process.cwd()): Promise<number> {
  const { values } = cli.parse(argv, {
    options: {
      plan: { type: 'string' },
      steps: { type: 'string' },
      seed: { type: 'string' },
      profile: { type: 'string', multiple: true },
      'time-limit': { type: 'string' },
      'record-dir': { type: 'string' },
      'record-every': { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    out(`${SOAK_HELP}\n`);
    return ExitCode.OK;
  }
  const int = (name: string, raw: string): number => {
    const n = Number(raw);
    if (!Number.isSafeInteger(n) || n < 0) throw new WorkbenchError(`${name} must be a non-negative integer, not "${raw}".`, ExitCode.USAGE);
    return n;
  };
  const planNames = Object.keys(SOAK_PLANS);
  if (values.plan !== undefined && !planNames.includes(values.plan)) {
    throw new WorkbenchError(`Unknown plan ${values.plan}.`, ExitCode.USAGE, `Known plans: ${planNames.join(', ')}.`);
  }
  const plan = values.plan === undefined ? undefined : SOAK_PLANS[values.plan as SoakPlanName];
  const profiles = (values.profile ?? plan?.profiles ?? PROFILE_NAMES) as string[];
  const unknown = profiles.filter((p) => !(PROFILE_NAMES as string[]).includes(p));
  if (unknown.length > 0) throw new WorkbenchError(`Unknown profile ${unknown.join(', ')}.`, ExitCode.USAGE, `Known profiles: ${PROFILE_NAMES.join(', ')}.`);
  const steps = int('--steps', values.steps ?? String(plan?.steps ?? 1_000_000));
  const seedArg = values.seed ?? (plan?.freshSeed === true ? 'random' : '1');
  const seed = seedArg === 'random' ? randomInt(2 ** 31) : int('--seed', seedArg);
  // Printed first, so even a run cut short can be repeated.
  if (seedArg === 'random') err(`soak: seed ${seed} (repeat with --seed ${seed})\n`);
  const limit = values['time-limit'] === undefined ? 0 : int('--time-limit', values['time-limit']) * 1000;
  if (values['record-every'] !== undefined && values['record-dir'] === undefined) throw new WorkbenchError('--record-every needs --record-dir, the folder the traces go to.', ExitCode.USAGE);
  const recordEvery = int('--record-every', values['record-every'] ?? '100');
  if (recordEvery === 0) throw new WorkbenchError('--record-every must be at least 1.', ExitCode.USAGE);
  const recordDir = values['record-dir'] === undefined ? null : resolve(cwd, values['record-dir']);
  if (recordDir !== null) {
    try {
      mkdirSync(recordDir, { recursive: true });
    } catch (error) {
      throw unwritable(error, `the folder ${recordDir}`);
    }
  }
  let recordedTraces = 0;
  const line = (p: SoakProgress): string =>
    `steps ${p.steps.toLocaleString('en-US')} / ${steps.toLocaleString('en-US')} (${Math.min(100, (100 * p.steps) / Math.max(steps, 1)).toFixed(1)} %), ` +
    `schedules ${p.schedules}, violations ${p.violations}, ${Math.round(p.steps / Math.max(p.elapsedMs / 1000, 1e-9)).toLocaleString('en-US')} steps/s, ${(p.elapsedMs / 1000).toFixed(0)} s`;
  const r = await runSoak({
    steps,
    seed,
    profiles: profiles as ProfileName[],
    timeLimitMs: limit,
    ...(recordDir === null
      ? {}
      : {
          record: {
            every: recordEvery,
            write: (name: string, lines: readonly string[]) => {
              writeFileAtomicSync(join(recordDir, `${name}.ndjson`), `${lines.join('\n')}\n`, 'the recorded trace');
              recordedTraces++;
            },
          },
        }),
    onProgress: (p) => err(`soak: ${line(p)}\n`),
    ...(signal ? { signal } : {}),
  });
  if (values.json) out(`${JSON.stringify({ seed, ...r }, null, 2)}\n`);
  else {
    out(
      `soak: ${r.steps.toLocaleString('en-US')} steps over ${r.schedules} schedules (seeds ${seed}..${seed + r.schedules - 1}), ` +
        `${r.delivered.toLocaleString('en-US')} messages delivered, ${r.elections} elections, ${r.crashes} crashes, ${r.opsOk} operations ok, ` +
        `${r.violations} violations, ${(r.elapsedMs / 1000).toFixed(1)} s\n` +
        `soak: schedules per profile: ${profiles.map((name) => `${name} ${r.schedulesByProfile[name as ProfileName] ?? 0}`).join(', ')}\n` +
        (recordDir === null ? '' : `soak: ${recordedTraces} trace(s) recorded in ${recordDir} (check them with npm run validate-trace -- ${recordDir}/*.ndjson)\n`),
    );
  }
  if (r.failure !== null) {
    err(`${r.failure}\n`);
    return ExitCode.CHECK_FAILED;
  }
  if (r.interrupted) {
    err(`soak: interrupted after ${r.steps} steps (no violation so far)\n`);
    return ExitCode.INTERRUPTED;
  }
  if (r.timedOut) {
    err(`soak: time limit reached after ${r.steps} steps (no violation so far)\n`);
    return ExitCode.TIMEOUT;
  }
  return ExitCode.OK;
}
