// The view of an implementation trace (NDJSON, `npm run sim -- --record`): an arrow per message a label
// consumes, lost and duplicated copies marked, copies of one message consumed oldest first, restarts, the
// state table built from each node's last logged variables, and the viewer reading the file by its header.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runSimCli } from '../../src/cli/sim.js';
import { ExitCode } from '../../src/errors.js';
import { type ImplTrace, parseImplTrace } from '../../src/validate/format.js';
import { inputStem, loadViews } from '../../src/viewer/inputs.js';
import type { TraceView } from '../../src/viewer/model.js';
import { buildRecordingView, recordingStates } from '../../src/viewer/recording-view.js';
import { arrowProblems, rowsAt } from './support.js';

const dir = mkdtempSync(join(tmpdir(), 'viewer-recording-'));

const HEADER = { format: 'workbench-impl-trace/1', protocol: 'toy', constants: { Server: { '#set': ['s1', 's2', 's3'] } }, modelValues: [], unlogged: [] };
const ping = (from: string, to: string, n: number) => ({ type: 'Ping', from, to, n });

/** A trace from its events (the header above unless given). */
function trace(events: readonly object[], header: object = HEADER): ImplTrace {
  return parseImplTrace([header, ...events].map((e) => JSON.stringify(e)).join('\n'), 'toy.ndjson');
}

/** A real run of the simulator, recorded (once per file). */
function recorded(profile: string, seed: number): ImplTrace {
  const file = `${profile}-${seed}.ndjson`;
  if (!existsSync(join(dir, file))) runSimCli(['--seed', String(seed), '--profile', profile, '--quiet', '--record', file], () => undefined, () => undefined, { cwd: dir });
  return parseImplTrace(readFileSync(join(dir, file), 'utf8'), file);
}

describe('arrows of a recording', () => {
  it.each([
    ['crashes', 3],
    ['network', 1],
  ] as const)('sim --profile %s --seed %i: an arrow per message a label delivers, drops or duplicates', (profile, seed) => {
    const t = recorded(profile, seed);
    const states = recordingStates(t);
    const v = buildRecordingView(t, 'run');
    expect(arrowProblems(v.messages, states)).toEqual([]);
    // Every delivered or lost copy was sent by an earlier event: no consumed message lacks its arrow.
    expect(v.facts.some(([k]) => k.startsWith('consumed, never sent') || k === 'deliveries')).toBe(false);
    expect(v.messages.every((m) => m.end === null || m.end > m.sent)).toBe(true);
    expect(v.nodes).toEqual(['s1', 's2', 's3', 's4', 's5'].slice(0, v.nodes.length));
    expect(v.steps.slice(1).every((s) => s.atMs !== undefined)).toBe(true);
    if (profile === 'crashes') {
      expect(v.restarts.length).toBe(t.events.filter((e) => e.name === 'Restart').length);
      expect(v.restarts.length).toBeGreaterThan(0);
    } else expect(v.messages.filter((m) => m.duplicate).length).toBeGreaterThan(0);
  });

  it('negative control: a recording that loses a send leaves a delivery without its arrow, and the check says so', () => {
    const t = recorded('network', 1);
    const at = t.events.findIndex((e) => e.sent?.kind === 'set' && e.sent.elements.length > 0);
    const broken: ImplTrace = { ...t, events: t.events.map((e, i) => (i === at ? { ...e, sent: { kind: 'set', elements: [] } } : e)) };
    const v = buildRecordingView(broken, 'broken');
    expect(arrowProblems(v.messages, recordingStates(broken)).length).toBeGreaterThan(0);
    expect(v.facts.find(([k]) => k.startsWith('consumed, never sent'))?.[1]).toMatch(/^\d+ messages? \(no arrow\)$/);
  });

  it('copies of one message are consumed oldest first; a loss keeps its note; a duplicate is marked', () => {
    const m = ping('s1', 's2', 1);
    const v = buildRecordingView(
      trace([
        { node: 's1', action: { name: 'Send', node: 's1' }, sent: { '#set': [m] }, atMs: 1 },
        { node: 's1', action: { name: 'Send', node: 's1' }, sent: { '#set': [m] }, atMs: 2 },
        { action: { name: 'DuplicateMessage', message: m }, atMs: 3 },
        { action: { name: 'DropMessage', message: m }, note: 'lost by the network', atMs: 4 },
        { node: 's2', action: { name: 'Receive', node: 's2', peer: 's1', message: m }, atMs: 5 },
        { node: 's2', action: { name: 'Receive', node: 's2', peer: 's1', message: m }, atMs: 6 },
      ]),
      'toy',
    );
    expect(v.messages.map(({ sent, end, fate, duplicate }) => ({ sent, end, fate, duplicate }))).toEqual([
      { sent: 1, end: 4, fate: 'dropped', duplicate: false },
      { sent: 2, end: 5, fate: 'delivered', duplicate: false },
      { sent: 3, end: 6, fate: 'delivered', duplicate: true },
    ]);
    expect(v.messages[0]).toMatchObject({ from: 's1', to: 's2', note: 'lost by the network' });
    expect(v.steps[4]).toMatchObject({ name: 'DropMessage', note: 'lost by the network', atMs: 4, node: null });
    expect(v.steps[5]?.label).toBe('Receive(node: "s2", peer: "s1", Ping s1→s2 n=1)');
  });
});

describe('state table of a recording', () => {
  const v = buildRecordingView(
    trace([
      { node: 's1', action: { name: 'Tick', node: 's1' }, vars: { currentTerm: 1, role: 'Leader', log: [] }, sent: { '#set': [] } },
      { node: 's2', action: { name: 'Tick', node: 's2' }, vars: { currentTerm: 5 }, sent: { '#set': [] } },
      { node: 's1', action: { name: 'Tick', node: 's1' }, vars: { currentTerm: 2 }, sent: { '#set': [] } },
      { node: 's2', action: { name: 'Restart', node: 's2' }, vars: { currentTerm: 5, role: 'Follower' } },
    ]),
    'toy',
  );

  it('each node\'s last logged values; a variable an event leaves out keeps its value', () => {
    expect(rowsAt(v, 0)).toEqual(new Map());
    expect(rowsAt(v, 1)).toEqual(new Map([['currentTerm[s1]', '1'], ['role[s1]', '"Leader"'], ['log[s1]', '<<>>']]));
    expect(rowsAt(v, 3)).toEqual(new Map([['currentTerm[s1]', '2'], ['currentTerm[s2]', '5'], ['role[s1]', '"Leader"'], ['log[s1]', '<<>>']]));
    // Only what the step's node logged differently is in its delta.
    expect(v.deltas[3]!.length).toBe(2);
    expect(rowsAt(v, 4).get('role[s2]')).toBe('"Follower"');
  });

  it('lanes are the header\'s servers (s3 logs nothing), with roles and terms; a restart is marked', () => {
    expect(v.nodes).toEqual(['s1', 's2', 's3']);
    expect(v.lanes[0]?.map((c) => c.status)).toEqual([
      { role: null, term: null, down: false, side: null },
      { role: 'Leader', term: '1', down: false, side: null },
      { role: 'Leader', term: '2', down: false, side: null },
    ]);
    expect(v.restarts).toEqual([{ step: 4, node: 's2', name: 'Restart' }]);
    expect(v.steps[0]?.name).toBe('Start');
  });

  it('a flagged event is the highlight, its node\'s rows of the named variables marked', () => {
    const t = trace([
      { node: 's1', action: { name: 'Tick', node: 's1' }, vars: { next: { s1: 1, s2: 1 }, term: 1 }, sent: { '#set': [] } },
      { node: 's2', action: { name: 'Tick', node: 's2' }, vars: { next: { s1: 3, s2: 3 }, term: 1 }, sent: { '#set': [] } },
    ]);
    const flagged = buildRecordingView(t, 'toy', { event: 2, title: 'REJECTED at event 2', lines: ['why'], variables: ['next'] });
    expect(flagged.highlight).toEqual({ step: 2, title: 'REJECTED at event 2', lines: ['why'], paths: ['next[s2].s1', 'next[s2].s2'] });
  });
});

describe('globals of a recording', () => {
  it('a variable not indexed by node shows as logged last; one logged by entries keeps those an event leaves out', () => {
    const t = trace([
      { action: { name: 'Write', value: 'v1' }, globals: { writes: { '#map': [['v1', 1]] }, splits: 1 } },
      { action: { name: 'Write', value: 'v2' }, globals: { writes: { '#map': [['v2', 2]] }, splits: 2 } },
    ]);
    expect(rowsAt(buildRecordingView(t, 'toy', undefined, new Set(['writes'])), 2)).toEqual(new Map([['writes["v1"]', '1'], ['writes["v2"]', '2'], ['splits', '2']]));
    // Not declared as logged by entries: each event's value is the whole variable.
    expect(rowsAt(buildRecordingView(t, 'toy'), 2)).toEqual(new Map([['writes["v2"]', '2'], ['splits', '2']]));
  });

  it('labels that never name the message they consume: the page says its arrows run on to the end', () => {
    const t = trace([
      { node: 's1', action: { name: 'Send', node: 's1' }, sent: { '#set': [ping('s1', 's2', 1)] } },
      { node: 's2', action: { name: 'Take', node: 's2', peer: 's1', n: 1 }, sent: { '#set': [] } },
    ]);
    const v = buildRecordingView(t, 'toy');
    expect(v.messages.map((m) => m.fate)).toEqual(['in-flight']);
    expect(v.facts).toContainEqual(['deliveries', 'no label names the message it consumes: arrows run on to the end']);
  });
});

describe('npm run view on an implementation trace', () => {
  it('is told by its header line, named without .ndjson; a bad line is exit 4 with file and line', async () => {
    const file = join(dir, 'toy.ndjson');
    writeFileSync(file, [HEADER, { node: 's1', action: { name: 'Tick', node: 's1' }, vars: { term: 1 } }].map((l) => JSON.stringify(l)).join('\n'));
    const [named, ...rest] = await loadViews(file);
    expect(rest).toEqual([]);
    expect(named?.name).toBe('toy');
    expect((named?.view as TraceView).steps.map((s) => s.name)).toEqual(['Start', 'Tick']);
    expect(inputStem('/x/t.ndjson')).toBe('t');
    writeFileSync(file, `${JSON.stringify(HEADER)}\n{"action": 3}\n`);
    await expect(loadViews(file)).rejects.toMatchObject({ exitCode: ExitCode.SPEC_ERROR, message: expect.stringContaining('toy.ndjson:2:') });
  });
});
