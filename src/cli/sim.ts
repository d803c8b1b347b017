/**
 * `npm run sim`: replay one scenario with a readable event log. The scenario is the one fast-check
 * generates for `--seed` (and `--path`, as printed by a failing property test) under `--profile`, or a JSON
 * file from `--scenario`.
 *
 * @module
 */
import { resolve } from 'node:path';
import { RAFT_DEFINITION } from '../definitions/raft/definition.js';
import { KV_DEFECT_NAMES, type KvDefect } from '../kv/state-machine.js';
import { ExitCode, WorkbenchError } from '../errors.js';
import { PROFILE_NAMES, PROFILES, scenarioAt, type ProfileName } from '../sim/arbitraries.js';
import { describeScenario, replayCommand } from '../sim/report.js';
import { readScenarioFile } from '../sim/scenario-file.js';
import type { Scenario } from '../sim/scenario.js';
import type { InvariantCheck } from '../sim/monitor.js';
import { serverIds, simulate } from '../sim/simulator.js';
import { RaftTraceWriter } from '../sim/recording.js';
import { writeFileAtomicSync } from '../files/write.js';

const INVARIANT_CHECKS: readonly InvariantCheck[] = ['incremental', 'full'];
import { commandLine } from './args.js';

// The Raft core's deliberately broken versions, as Raft's protocol definition lists them.
const DEFECTS = RAFT_DEFINITION.defects;
const DEFECT_NAMES = Object.keys(DEFECTS);

/** The `--help` text. */
export const SIM_HELP = `Usage: npm run sim -- [options]

Replays one simulated scenario of the Raft KV service with a readable event log: every
delivery, loss, durable write, crash, election, client operation, and the first violated
invariant (if any), then the linearizability verdict on the client history.

Options:
  --seed <n>          fast-check seed of the scenario (default 1)
  --path <p>          fast-check path within that seed, as printed by a failing property test
                      (default 0: the first scenario of the seed)
  --profile <name>    generator profile: ${PROFILE_NAMES.join(', ')} (default mixed)
  --nodes <n>         cluster size, overriding the profile's choice (1..9)
  --scenario <file>   run the scenario in this JSON file instead of generating one
  --defect <name>     run a deliberately broken Raft core: ${DEFECT_NAMES.join(', ')}
  --kv-defect <name>  run a deliberately broken KV state machine: ${KV_DEFECT_NAMES.join(', ')}
  --check <how>       how the invariant mirrors are checked after each step: incremental (default:
                      only what the step changed) or full (every mirror over the whole cluster, the
                      reference); both report the same violation at the same event
  --verbose           also log every message sent
  --quiet             no event log, only the summary
  --json              print {scenario, violation, stats, history} as JSON (no event log)
  --record <file>     also write the run as an implementation trace (NDJSON) that
                      \`npm run validate-trace\` checks against specs/Raft.tla
  -h, --help          this help

Exit codes: 0 no violation, 1 a violation was found, 2 usage error, 4 a --scenario file that cannot be
used (missing, a folder, over 10 MB, not JSON, or a field missing, of the wrong type or out of range:
the message names the field's JSON path).

A --scenario file holds a scenario (as printed after "scenario as JSON" in a failure report) or the
output of --json, whose "scenario" field is replayed.`;

function positiveInt(name: string, raw: string, max = Number.MAX_SAFE_INTEGER): number {
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 0 || n > max) throw new WorkbenchError(`${name} must be an integer in 0..${max}, not "${raw}".`, ExitCode.USAGE);
  return n;
}

const cli = commandLine('sim', 'See npm run sim -- --help.');

/** A path as a shell word: bare when it is plain, else single-quoted. */
function quoteArg(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** Parsed `sim` options. */
export interface SimCliOptions {
  readonly scenario: Scenario;
  /** The command that replays this run with its event log. */
  readonly replay: string;
  readonly defect: string | null;
  readonly kvDefect: KvDefect | null;
  /** How the monitor checks the invariant mirrors after each step. */
  readonly check: InvariantCheck;
  readonly verbose: boolean;
  readonly quiet: boolean;
  readonly json: boolean;
  /** Where `--record` writes the trace (resolved against the user's folder). */
  readonly record: string | null;
}

/**
 * Parse the command line; throws `WorkbenchError` with exit code 2 (usage) or 4 (a --scenario file that
 * cannot be used). A relative --scenario path starts at `cwd` (default: the process's).
 */
export function parseSimArgs(argv: readonly string[], cwd?: string): SimCliOptions | 'help' {
  const { values } = cli.parse(argv, {
    options: {
      seed: { type: 'string', default: '1' },
      path: { type: 'string', default: '0' },
      profile: { type: 'string', default: 'mixed' },
      nodes: { type: 'string' },
      scenario: { type: 'string' },
      defect: { type: 'string' },
      'kv-defect': { type: 'string' },
      check: { type: 'string', default: 'incremental' },
      verbose: { type: 'boolean', default: false },
      quiet: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      record: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.record === '') throw new WorkbenchError('--record needs a file name.', ExitCode.USAGE);
  if (values.help) return 'help';
  if (!(PROFILE_NAMES as string[]).includes(values.profile)) {
    throw new WorkbenchError(`Unknown profile "${values.profile}".`, ExitCode.USAGE, `Known profiles: ${PROFILE_NAMES.join(', ')}.`);
  }
  const defect = values.defect ?? null;
  if (defect !== null && !DEFECT_NAMES.includes(defect)) {
    throw new WorkbenchError(`Unknown defect "${defect}".`, ExitCode.USAGE, `Known defects: ${DEFECT_NAMES.join(', ')}.`);
  }
  const kvDefect = values['kv-defect'] ?? null;
  if (kvDefect !== null && !(KV_DEFECT_NAMES as string[]).includes(kvDefect)) {
    throw new WorkbenchError(`Unknown KV defect "${kvDefect}".`, ExitCode.USAGE, `Known KV defects: ${KV_DEFECT_NAMES.join(', ')}.`);
  }
  if (!(INVARIANT_CHECKS as readonly string[]).includes(values.check)) {
    throw new WorkbenchError(`--check must be ${INVARIANT_CHECKS.join(' or ')}, not "${values.check}".`, ExitCode.USAGE);
  }
  if (!/^\d+(:\d+)*$/.test(values.path)) throw new WorkbenchError(`--path must look like 0 or 12:3:0, not "${values.path}".`, ExitCode.USAGE);
  const seed = positiveInt('--seed', values.seed, 2 ** 31 - 1);
  const nodes = values.nodes === undefined ? undefined : positiveInt('--nodes', values.nodes, 9);
  if (nodes === 0) throw new WorkbenchError('--nodes must be at least 1.', ExitCode.USAGE);
  const profile = PROFILES[values.profile as ProfileName];
  let scenario: Scenario;
  let replay: string;
  if (values.scenario !== undefined) {
    scenario = readScenarioFile(values.scenario, cwd === undefined ? {} : { cwd });
    if (nodes !== undefined) scenario = { ...scenario, nodes };
    // --seed, --path and --profile choose a generated scenario; a file's run is replayed from the file.
    const flags = [
      `--scenario ${quoteArg(values.scenario)}`,
      ...(nodes === undefined ? [] : [`--nodes ${nodes}`]),
      ...(defect === null ? [] : [`--defect ${defect}`]),
      ...(kvDefect === null ? [] : [`--kv-defect ${kvDefect}`]),
    ];
    replay = `npm run sim -- ${flags.join(' ')}`;
  } else {
    scenario = scenarioAt(profile, seed, values.path, { nodes });
    replay = replayCommand({ profile: profile.name, seed, path: values.path, defect, kvDefect });
    if (nodes !== undefined) replay += ` --nodes ${nodes}`;
  }
  return {
    scenario,
    replay,
    defect,
    kvDefect: kvDefect as KvDefect | null,
    check: values.check as InvariantCheck,
    verbose: values.verbose,
    quiet: values.quiet,
    json: values.json,
    record: values.record === undefined ? null : resolve(cwd ?? process.cwd(), values.record),
  };
}

/**
 * Run `npm run sim` with `argv`; writes to the given streams and returns the exit code. `options.cwd`:
 * where a relative --scenario path starts (the folder the user typed the command in).
 */
export function runSimCli(argv: readonly string[], out: (s: string) => void, err: (s: string) => void, options: { readonly cwd?: string } = {}): number {
  const parsed = parseSimArgs(argv, options.cwd);
  if (parsed === 'help') {
    out(`${SIM_HELP}\n`);
    return ExitCode.OK;
  }
  const { scenario, json, quiet } = parsed;
  if (!json && !quiet) out(`scenario:\n${describeScenario(scenario)}\n\nevent log:\n`);
  const recorded: string[] = [];
  const writer =
    parsed.record === null
      ? null
      : new RaftTraceWriter(
          serverIds(scenario.nodes),
          (line) => recorded.push(line),
          { tool: 'sim', replay: parsed.replay },
        );
  const result = simulate(scenario, {
    record: writer?.record ?? null,
    stepFn: parsed.defect === null ? undefined : DEFECTS[parsed.defect]?.core,
    kvDefect: parsed.kvDefect,
    invariantCheck: parsed.check,
    verbose: parsed.verbose,
    log: json || quiet ? null : (line) => out(`${line}\n`),
  });
  const s = result.stats;
  if (writer !== null && parsed.record !== null) {
    writeFileAtomicSync(parsed.record, `${recorded.join('\n')}\n`, 'the recorded trace');
    err(`recorded ${writer.events.toLocaleString('en-US')} events to ${parsed.record}\n`);
  }
  if (json) {
    out(`${JSON.stringify({ scenario, violation: result.violation, stats: s, history: result.history.map((o) => ({ ...o, ret: Number.isFinite(o.ret) ? o.ret : null })) }, null, 2)}\n`);
  } else {
    out(
      `\nsummary: ${s.events} events, ${s.delivered} Raft messages delivered, ${s.dropped} lost, ${s.elections} elections (max term ${s.maxTerm}), ` +
        `${s.crashes} crashes (${s.crashesMidWrite} mid-write), ${s.opsOk} operations ok, ${s.opsTimedOut} timed out, ${s.checks} invariant checks, ended at ${s.endMs.toFixed(1)} ms\n`,
    );
    if (result.violation === null) out('result: no violation (invariants held at every step, history linearizable, live after healing)\n');
    else {
      err(`result: VIOLATION (${result.violation.kind})\n${result.violation.message}\n`);
      err(`replay: ${parsed.replay}\n`);
    }
  }
  return result.violation === null ? ExitCode.OK : ExitCode.CHECK_FAILED;
}
