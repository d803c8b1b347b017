/**
 * `npm run kv-sim`: replays one seeded run of the quorum store's simulator (src/quorum-kv/sim.ts) and
 * prints its history summary and the checker figures; exit 1 when a property the spec claims for that
 * configuration is violated.
 *
 * @module
 */
import { ExitCode } from '../errors.js';
import { type KvFigures, claimsOf, figuresOf, violations } from '../quorum-kv/checkers.js';
import { DEFAULT_SHAPE, DEFAULT_SIM, type KvSimOptions, type KvSimRun, kvSimCommand, runKvSim, simConfig, simMembers } from '../quorum-kv/sim.js';
import { KV_DEFECTS } from '../quorum-kv/defects.js';
import { MEMBERSHIP_DEFECTS, type MembershipChange, type MembershipReport, isMembershipDefect, joinerName, membershipViolations, planMembership } from '../quorum-kv/membership.js';
import type { Mode, Resolution } from '../quorum-kv/types.js';
import { resolve } from 'node:path';
import { writeFileAtomicSync } from '../files/write.js';
import { KvTraceRecorder } from '../quorum-kv/recording.js';
import { commandLine, runCommand } from './args.js';
import type { Command } from './main.js';

const HELP = `Usage: npm run kv-sim -- [--seed S] [--mode CP|AP] [--resolution LWW|VV] [--n N] [--r R] [--w W]
                         [--nodes K] [--clients C] [--workload-ms T] [--quiet-ms T] [--max-offset-ms T] [--defect NAME]
                         [--join-at T | --leave NODE --leave-at T | --membership-chance P] [--membership-defect NAME]
                         [--record FILE] [--json]

Simulates one key of the quorum store (specs/QuorumKV.tla, its core src/quorum-kv) in virtual time:
latency and message loss, a partition that splits and heals, a crash and restart, drifting LWW clocks,
hinted handoff, anti-entropy and read repair; the faults are drawn from the seed. Clients write unique
values and read with a timeout. Then the checkers judge the run: stale reads (NoStaleRead), lost
acknowledged writes after the heal and a quiet period (NoLostAckedWrite), siblings per read, time to
convergence after the heal, availability during the partition, and (CP) linearizability as a register.

Options:
  --seed <s>            the run's seed (default 1)
  --mode <m>            CP (strict quorums) or AP (sloppy quorums, hinted handoff) (default CP)
  --resolution <r>      LWW (last write wins by clock) or VV (version vectors, siblings) (default VV)
  --n, --r, --w <k>     replication factor, read and write quorums (default 3, 2, 2)
  --nodes <k>           cluster size; more than N places the key on a hash ring (default N, AP: N + 2)
  --clients <c>         sequential clients (default ${DEFAULT_SIM.clients})
  --workload-ms <t>     clients start operations until t (default ${DEFAULT_SIM.workloadMs})
  --quiet-ms <t>        repair-only time after the heal and the workload (default ${DEFAULT_SIM.quietMs})
  --max-offset-ms <t>   clock offsets are drawn from 0..t ms (default ${DEFAULT_SHAPE.maxOffsetMs})
  --defect <name>       run a deliberately broken core (${Object.keys(KV_DEFECTS).join(', ')})
  --join-at <t>         node n(K+1) joins the ring at t ms
  --leave <node>        this member leaves the ring (with --leave-at; needs more than N nodes)
  --leave-at <t>        when --leave's node leaves, in ms
  --membership-chance <p>  a join or a leave drawn from the seed with chance p (0..1; default none)
  --membership-defect <name>  a deliberately wrong transition (${Object.keys(MEMBERSHIP_DEFECTS).join(', ')})
  --record <file>       also write the run as an implementation trace (NDJSON) for
                        npm run validate-trace (not with a join or leave: the spec has no membership change)
  --json                print the run (history, schedule, final replicas) and the figures as JSON
  -h, --help            this help

The spec claims NoLostAckedWrite with version vectors, and NoStaleRead for CP with version vectors and
R + W > N; the other figures (LWW's losses, AP's stale reads) are measured, not claimed.

A join or leave recomputes the key's preference list from the ring (64 vnodes a node) and moves it the way
Cassandra and Riak do: the node entering the key's home replicas is a pending replica (it gets every write,
its acknowledgement does not count toward W), the old home replicas stream it what they hold, and only a
stream round that reached the replica leaving the home set and N - W + 1 old ones switches reads and
acknowledgements to the new home replicas; a leaving node stops serving only then. With --join-at or
--leave-at and no --workload-ms, clients keep going until twice that time, so the change is mid-run. After
a change, with version vectors, every acknowledged write must also be held by a new home replica or a
hint bound for one (NoStrandedAckedWrite), and the move must finish (MembershipCompletes).
Exit codes: 0 no claimed property violated, 1 a claimed property violated, 2 usage error.`;

const cli = commandLine('kv-sim');

function integer(name: string, raw: string, min: number, max: number): number {
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < min || n > max) throw cli.usage(`--${name} must be an integer in ${min}..${max}, not "${raw}".`);
  return n;
}

/** The simulator options a command line asks for. */
export function kvSimOptions(argv: readonly string[], cwd: string = process.cwd()): { readonly options: KvSimOptions; readonly json: boolean; readonly record: string | null } | 'help' {
  const { values } = cli.parse(argv, {
    options: {
      seed: { type: 'string', default: '1' },
      mode: { type: 'string', default: 'CP' },
      resolution: { type: 'string', default: 'VV' },
      n: { type: 'string', default: '3' },
      r: { type: 'string', default: '2' },
      w: { type: 'string', default: '2' },
      nodes: { type: 'string' },
      clients: { type: 'string', default: String(DEFAULT_SIM.clients) },
      'workload-ms': { type: 'string' },
      'quiet-ms': { type: 'string', default: String(DEFAULT_SIM.quietMs) },
      'max-offset-ms': { type: 'string', default: String(DEFAULT_SHAPE.maxOffsetMs) },
      defect: { type: 'string' },
      'join-at': { type: 'string' },
      leave: { type: 'string' },
      'leave-at': { type: 'string' },
      'membership-chance': { type: 'string' },
      'membership-defect': { type: 'string' },
      record: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return 'help';
  if (values.record === '') throw cli.usage('--record needs a file name.');
  if (values.record !== undefined && (values['join-at'] !== undefined || values.leave !== undefined || values['membership-chance'] !== undefined)) {
    // Reconfigure and Stream are not actions of specs/QuorumKV.tla: TLC could not explain such a run.
    throw cli.usage('--record cannot record a run with a join or leave: specs/QuorumKV.tla has no membership change, so TLC could not validate it. Drop --join-at / --leave / --membership-chance.');
  }
  if (values.mode !== 'CP' && values.mode !== 'AP') throw cli.usage(`--mode must be CP or AP, not "${values.mode}".`);
  if (values.resolution !== 'LWW' && values.resolution !== 'VV') throw cli.usage(`--resolution must be LWW or VV, not "${values.resolution}".`);
  const mode: Mode = values.mode;
  const resolution: Resolution = values.resolution;
  const n = integer('n', values.n, 1, 9);
  const r = integer('r', values.r, 1, n);
  const w = integer('w', values.w, 1, n);
  const nodes = values.nodes === undefined ? (mode === 'AP' ? n + 2 : n) : integer('nodes', values.nodes, n, 16);
  const membership = membershipOf(values, nodes, n);
  const chance = values['membership-chance'] === undefined ? undefined : probability('membership-chance', values['membership-chance']);
  if (membership !== undefined && chance !== undefined) throw cli.usage('--membership-chance draws a change from the seed; give it or --join-at / --leave, not both.');
  const membershipDefect = values['membership-defect'];
  if (membershipDefect !== undefined && !isMembershipDefect(membershipDefect)) {
    throw cli.usage(`--membership-defect: no wrong transition named "${membershipDefect}" (known: ${Object.keys(MEMBERSHIP_DEFECTS).join(', ')}).`);
  }
  if (membershipDefect !== undefined && membership === undefined && chance === undefined) throw cli.usage('--membership-defect needs a membership change: --join-at, --leave with --leave-at, or --membership-chance.');
  const workloadMs =
    values['workload-ms'] === undefined ? Math.max(DEFAULT_SIM.workloadMs, 2 * (membership?.atMs ?? 0)) : integer('workload-ms', values['workload-ms'], 1, 600_000);
  const options: KvSimOptions = {
    ...DEFAULT_SIM,
    seed: integer('seed', values.seed, -(2 ** 31), 2 ** 31 - 1),
    mode,
    resolution,
    n,
    r,
    w,
    nodes,
    clients: integer('clients', values.clients, 1, 32),
    workloadMs,
    quietMs: integer('quiet-ms', values['quiet-ms'], 1, 600_000),
    ...(values.defect === undefined ? {} : { defect: values.defect }),
    shape: { ...DEFAULT_SHAPE, maxOffsetMs: integer('max-offset-ms', values['max-offset-ms'], 0, 60_000), ...(chance === undefined ? {} : { membershipChance: chance }) },
    ...(membership === undefined ? {} : { membership }),
    ...(membershipDefect === undefined ? {} : { membershipDefect }),
  };
  simConfig(options);
  if (membership !== undefined) planMembership(simMembers(nodes), options, membership);
  if (values.defect !== undefined && KV_DEFECTS[values.defect] === undefined) throw cli.usage(`--defect: no defective core named "${values.defect}" (known: ${Object.keys(KV_DEFECTS).join(', ')}).`);
  return { options, json: values.json, record: values.record === undefined ? null : resolve(cwd, values.record) };
}

function probability(name: string, raw: string): number {
  const p = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(p) || p < 0 || p > 1) throw cli.usage(`--${name} must be a probability in 0..1, not "${raw}".`);
  return p;
}

/** The membership change the options ask for (a join of the next node, or a member's leave). */
function membershipOf(values: { readonly 'join-at'?: string; readonly leave?: string; readonly 'leave-at'?: string }, nodes: number, n: number): MembershipChange | undefined {
  const members = simMembers(nodes);
  if (values['join-at'] !== undefined) {
    if (values.leave !== undefined || values['leave-at'] !== undefined) throw cli.usage('one membership change a run: give --join-at or --leave with --leave-at, not both.');
    return { kind: 'join', node: joinerName(members), atMs: integer('join-at', values['join-at'], 0, 600_000) };
  }
  if (values.leave === undefined && values['leave-at'] === undefined) return undefined;
  if (values.leave === undefined) throw cli.usage('--leave-at needs --leave <node>: which member leaves.');
  if (values['leave-at'] === undefined) throw cli.usage(`--leave ${values.leave} needs --leave-at <ms>: when it leaves.`);
  if (!members.includes(values.leave)) throw cli.usage(`--leave: "${values.leave}" is not a member (members: ${members.join(', ')}).`);
  if (nodes <= n) throw cli.usage(`--leave: the cluster has ${nodes} nodes for N = ${n} replicas; a leave needs more than N (raise --nodes).`);
  return { kind: 'leave', node: values.leave, atMs: integer('leave-at', values['leave-at'], 0, 600_000) };
}

const pct = (part: number, whole: number) => (whole === 0 ? 'n/a' : `${((100 * part) / whole).toFixed(1)} %`);

/** The run and its figures as text. */
export function renderKvSim(run: KvSimRun, figures: KvFigures, broken: readonly string[]): string {
  const { config, schedule } = run;
  const claims = claimsOf(config);
  const p = schedule.partition;
  const lines = [
    `${config.mode} ${config.resolution}, N = ${config.n}, R = ${config.r}, W = ${config.w}; walk ${config.walk.join(' ')} (home ${config.walk.slice(0, config.n).join(' ')})`,
    `faults: ${p === null ? 'no partition' : `split {${p.side.join(', ')}} from the rest at ${p.startMs.toFixed(1)} ms, heal at ${p.healMs.toFixed(1)} ms`}; ` +
      `${schedule.crashes.map((c) => `${c.node} down ${c.atMs.toFixed(1)}..${c.restartMs.toFixed(1)} ms`).join(', ') || 'no crash'}; loss ${(100 * schedule.lossRate).toFixed(1)} %`,
    `clocks: ${Object.entries(schedule.clocks).map(([node, c]) => `${node} +${c.offsetMs.toFixed(1)} ms x${c.rate.toFixed(3)}`).join(', ')}`,
    `run: ${run.endMs.toFixed(1)} ms virtual, ${run.stats.events} events, ${run.stats.messages} messages (${run.stats.lost} lost), ${run.stats.coreSteps} core steps`,
    ...(run.membership === null ? [] : renderMembership(run.membership)),
    '',
    `writes: ${figures.writes}, acknowledged ${figures.writesAcked} (${pct(figures.writesAcked, figures.writes)})`,
    `reads:  ${figures.reads}, answered ${figures.readsAnswered} (${pct(figures.readsAnswered, figures.reads)})`,
    figures.partition === null
      ? 'during the partition: no partition'
      : `during the partition: writes accepted ${pct(figures.partition.writesAcked, figures.partition.writes)} of ${figures.partition.writes}, reads answered ${pct(figures.partition.readsAnswered, figures.partition.reads)} of ${figures.partition.reads}`,
    `stale reads: ${figures.staleReads}${claims.noStaleRead ? ' (NoStaleRead claimed)' : ' (not claimed for this configuration)'}`,
    `lost acknowledged writes: ${figures.lostAckedWrites}${figures.lostAckedWrites > 0 ? ` (${figures.lostValues.join(', ')})` : ''}${claims.noLostAckedWrite ? ' (NoLostAckedWrite claimed)' : ' (not claimed for LWW)'}`,
    `siblings per read: max ${figures.maxSiblings}, mean ${figures.meanSiblings.toFixed(2)}`,
    `convergence: ${figures.convergenceMs === null ? 'the home replicas never agreed' : `${figures.convergenceMs.toFixed(1)} ms after ${run.convergeFromMs.toFixed(1)} ms (heal or end of workload)`}`,
    `linearizable as a register: ${figures.linearizable}`,
    '',
    broken.length === 0 ? 'No claimed property violated.' : `VIOLATED:\n${broken.map((b) => `  ${b}`).join('\n')}`,
    `replay: ${kvSimCommand(run.options)}`,
  ];
  return `${lines.join('\n')}\n`;
}

const share = (x: number) => `${(100 * x).toFixed(1)} %`;

/** What moved, and when the stream finished. */
export function renderMembership(m: MembershipReport): string[] {
  const { change } = m;
  const flows = m.flows.map((f) => `${f.from ?? 'nobody'} -> ${f.to ?? 'nobody'} ${share(f.share)}`).join(', ');
  const lines = [
    `membership: ${change.node} ${change.kind === 'join' ? 'joins' : 'leaves'} at ${change.atMs.toFixed(1)} ms; the ring moved ${m.movedRanges} ranges (${share(m.movedShare)} of its positions): ${flows}`,
  ];
  const keyLine = `  the key (ring position ${m.keyPosition}${m.keyOwnerMoved ? ', its primary owner moved' : ''}): home ${m.oldHome.join(' ')} -> ${m.newHome.join(' ')}`;
  if (m.entering.length === 0) lines.push(`${keyLine} (unchanged: nothing of this key to stream)`);
  else lines.push(`${keyLine} (${m.entering.join(', ')} enters, ${m.leavingHome.join(', ')} leaves the home set)`);
  if (m.defect !== null) lines.push(`  WRONG TRANSITION ${m.defect}: ${MEMBERSHIP_DEFECTS[m.defect].breaks}`);
  if (m.entering.length > 0 && m.defect === null) {
    lines.push(
      `  pending replica ${m.entering.join(', ')}: sent ${m.writesToPending} client write(s); stream: ${m.streamRounds} round(s), ${m.streamsSent} stream(s) sent (${m.streamsLost} lost), ` +
        `${m.streamsUnreachable} not possible (an end down or split away), ${m.versionsStreamed} version(s) carried`,
    );
  }
  lines.push(
    m.switchedAtMs === null
      ? '  the stream never finished: reads and acknowledgements stayed with the old home replicas'
      : `  switched reads and acknowledgements to ${m.newHome.join(' ')} at ${m.switchedAtMs.toFixed(1)} ms (${(m.switchedAtMs - change.atMs).toFixed(1)} ms after the change)` +
          (m.leftAtMs === null ? '' : `; ${change.node} stopped serving then`),
  );
  return lines;
}

export const kvSimCommandLine: Command = (argv, io) =>
  runCommand('kv-sim', io.stderr, () => {
    let parsed: ReturnType<typeof kvSimOptions>;
    try {
      parsed = kvSimOptions(argv, io.cwd);
    } catch (error) {
      if (error instanceof RangeError) throw cli.usage(`${error.message}.`);
      throw error;
    }
    if (parsed === 'help') {
      io.stdout(`${HELP}\n`);
      return ExitCode.OK;
    }
    const recorder = parsed.record === null ? null : new KvTraceRecorder(simConfig(parsed.options), { tool: 'kv-sim', replay: kvSimCommand(parsed.options) });
    const run = runKvSim(recorder === null ? parsed.options : { ...parsed.options, observe: recorder.observe });
    if (recorder !== null && parsed.record !== null) {
      const lines = recorder.finish();
      writeFileAtomicSync(parsed.record, `${lines.join('\n')}\n`, 'the recorded trace');
      io.stderr(`recorded ${(lines.length - 1).toLocaleString('en-US')} events to ${parsed.record}\n`);
    }
    const figures = figuresOf(run, { lin: true });
    const broken = [...violations(run, figures), ...membershipViolations(run)];
    if (parsed.json) {
      const { core: _core, observe: _observe, ...options } = run.options;
      io.stdout(`${JSON.stringify({ ...run, options, figures, violations: broken }, null, 2)}\n`);
    } else io.stdout(renderKvSim(run, figures, broken));
    return broken.length === 0 ? ExitCode.OK : ExitCode.CHECK_FAILED;
  });
