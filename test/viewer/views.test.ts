// The views a page draws, built in Node: arrows against what the labels say, the state table's rows
// rebuilt from the deltas, every input kind read into views, and the command line.
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { conformanceCommand } from '../../src/cli/conformance.js';
import { viewCommand } from '../../src/cli/view.js';
import { ExitCode, WorkbenchError } from '../../src/errors.js';
import { REPO_ROOT } from '../../src/paths.js';
import { type TlaValue, tla } from '../../src/tla/value.js';
import { buildHistoryView } from '../../src/viewer/history-view.js';
import { renderPage } from '../../src/viewer/html.js';
import { loadViews } from '../../src/viewer/inputs.js';
import type { TraceView } from '../../src/viewer/model.js';
import { type BehaviourState, buildTraceView } from '../../src/viewer/trace-view.js';
import { STALE_READ, arrowProblems, readBehaviour, rowsAt, syntheticBehaviour } from './support.js';

const view = (states: readonly BehaviourState[]): TraceView => buildTraceView({ title: 't', facts: [], states, hidden: ['action'] });

const RAFT_TRACES = readdirSync(join(REPO_ROOT, 'traces/raft/scenario')).map((f) => `traces/raft/scenario/${f}`);

describe('message-sequence chart', () => {
  it.each(RAFT_TRACES)('%s: an arrow per message a label delivers, drops or duplicates', (file) => {
    const states = readBehaviour(file);
    const v = view(states);
    expect(arrowProblems(v.messages, states)).toEqual([]);
    expect(v.nodes).toEqual(['s1', 's2', 's3']);
  });

  it('negative control: a chart that loses the duplicate mark or a delivery is caught', () => {
    const states = readBehaviour('traces/raft/scenario/duplicate-redelivered.itf.json');
    const arrows = view(states).messages;
    expect(arrowProblems(arrows.map((a) => ({ ...a, duplicate: false })), states)).toContain('0 duplicate arrows, labels duplicate 1');
    const firstDelivered = arrows.findIndex((a) => a.fate === 'delivered');
    expect(arrowProblems(arrows.map((a, i) => (i === firstDelivered ? { ...a, fate: 'in-flight' as const, end: null } : a)), states).length).toBeGreaterThan(0);
  });

  it('quorum-kv: a set of addressed records is the message variable; lanes show crashes', () => {
    const file = readdirSync(join(REPO_ROOT, 'traces/quorum-kv/scenario')).find((f) => f.startsWith('hint-handed-off'))!;
    const v = view(readBehaviour(`traces/quorum-kv/scenario/${file}`));
    expect(v.nodes).toEqual(['n1', 'n2', 'n3', 'n4']);
    expect(v.messages.length).toBeGreaterThan(0);
    expect(v.messages.every((m) => v.nodes.includes(m.from) && v.nodes.includes(m.to))).toBe(true);
  });

  it('lanes: a role and term change is a change point of the lane', () => {
    const v = view(readBehaviour('traces/raft/scenario/leader-elected.itf.json'));
    const s1 = v.lanes[0]!;
    expect(s1[0]).toEqual({ step: 0, status: { role: 'Follower', term: '0', down: false, side: null } });
    expect(s1.map((c) => c.status.role)).toContain('Leader');
  });
});

describe('state table rows', () => {
  it('every state of a trace is rebuilt exactly from the first state and the deltas', () => {
    const states = readBehaviour('traces/raft/scenario/stale-suffix-behind-prefix.itf.json');
    const v = view(states);
    states.forEach((s, k) => expect(rowsAt(v, k)).toEqual(rowsAt(view([s]), 0)));
  });

  it('property: rebuilt rows equal each state\'s own rows, and a delta holds only what changed (seeded)', () => {
    const value: fc.Arbitrary<TlaValue> = fc.oneof(
      fc.integer({ min: 0, max: 3 }).map((n) => tla.int(n)),
      fc.constantFrom('a', 'b').map((s) => tla.str(s)),
      fc.uniqueArray(fc.constantFrom('x', 'y', 'z'), { maxLength: 3 }).map((ks) => tla.fn(ks.map((k) => [tla.modelValue(k), tla.int(k.length)] as const))),
    );
    const state = fc.record({ a: value, b: value, c: value }).map((vars): BehaviourState => ({ vars, name: 'Step', params: {} }));
    fc.assert(
      fc.property(fc.array(state, { minLength: 1, maxLength: 12 }), (states) => {
        const v = view(states);
        states.forEach((s, k) => {
          const own = rowsAt(view([s]), 0);
          expect(rowsAt(v, k)).toEqual(own);
          if (k > 0) {
            const before = rowsAt(v, k - 1);
            const changed = new Set<string>();
            for (let i = 0; i < v.deltas[k]!.length; i += 2) changed.add(v.paths[v.deltas[k]![i]!]!);
            for (const path of new Set([...before.keys(), ...own.keys()])) expect(changed.has(path)).toBe(before.get(path) !== own.get(path));
          }
        });
      }),
      { seed: 18, numRuns: 150 },
    );
  });
});

describe('inputs', () => {
  it('an ITF trace: one view, the action label left out of the table', async () => {
    const views = await loadViews(join(REPO_ROOT, 'traces/raft/scenario/leader-elected.itf.json'));
    expect(views).toHaveLength(1);
    const v = views[0]!.view as TraceView;
    expect(v.steps.map((s) => s.name)).toEqual(['Init', 'Timeout', 'HandleRequestVoteRequest', 'HandleRequestVoteResponse', 'BecomeLeader']);
    expect(v.paths.some((p) => p.startsWith('action'))).toBe(false);
  });

  it('a check-spec summary: a view per counterexample, its last state flagged', async () => {
    const views = await loadViews(join(REPO_ROOT, 'test/viewer/fixtures/check-spec-summary.json'));
    expect(views.map((v) => v.name).sort()).toEqual(['MCQuorumKVShortAck', 'MCRaftDoubleVote']);
    const raft = views.find((v) => v.name === 'MCRaftDoubleVote')!.view as TraceView;
    expect(raft.highlight?.step).toBe(raft.steps.length - 1);
    expect(raft.highlight?.title).toContain('ElectionSafety');
    // The saved counterexample's #meta says which strings are model values: they print bare.
    expect(raft.paths).toContain('role[s1]');
  });

  it('a conformance report: a view per divergence, at its step, its differences marked', async () => {
    let out = '';
    const io = { stdout: (t: string) => (out += t), stderr: () => undefined, env: {}, cwd: REPO_ROOT, interactive: false, signal: new AbortController().signal };
    const code = await conformanceCommand(['--protocol', 'raft', '--defect', 'double-vote', '--json', 'traces/raft/scenario/vote-refused-already-voted.itf.json'], io);
    expect(code).toBe(ExitCode.CHECK_FAILED);
    const file = join(mkdtempSync(join(tmpdir(), 'view-')), 'conformance.json');
    writeFileSync(file, out);
    const [divergence] = await loadViews(file);
    const v = divergence!.view as TraceView;
    expect(v.highlight).toMatchObject({ step: 5, paths: expect.arrayContaining(['votedFor[s1]']) });
    expect(v.paths).toContain('votedFor[s1]');
  });

  it('an input of another kind is refused with exit 4', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'view-')), 'other.json');
    writeFileSync(file, '{"hello": 1}');
    await expect(loadViews(file)).rejects.toMatchObject({ exitCode: ExitCode.SPEC_ERROR, message: expect.stringContaining('not a kind of input the viewer knows') });
    writeFileSync(file, JSON.stringify({ tool: 'check-spec', models: [] }));
    await expect(loadViews(file)).rejects.toBeInstanceOf(WorkbenchError);
  });
});


describe('history', () => {
  it('a stale read: not linearizable, the witness is the write and the read', () => {
    const v = buildHistoryView('h', [], STALE_READ);
    expect(v.verdict.outcome).toBe('not-linearizable');
    expect([...v.core].sort()).toEqual([0, 1]);
  });

  it('a linearizable history: an order per key covering every operation', () => {
    const ok = STALE_READ.map((o) => (o.id === 1 ? { ...o, output: { type: 'get' as const, value: 'v1' } } : o));
    const v = buildHistoryView('h', [], ok);
    expect(v.verdict.outcome).toBe('linearizable');
    expect(v.core).toEqual([]);
    expect(v.orders).toEqual({ 'key k': [0, 1], 'key j': [2] });
  });
});

describe('page and command line', () => {
  it('a page is one file: no external script, style or link; data cannot close its script element', async () => {
    const states = syntheticBehaviour(5);
    const tricky = buildTraceView({ title: '</script><b>', facts: [['x', '</script>']], states, hidden: [] });
    const html = await renderPage(tricky);
    // Nothing is fetched: no script or style by URL, no link, no import (the SVG namespace URI is a name, not a fetch).
    expect(/<script[^>]+src=|<link|(src|href)\s*=\s*["']?https?:|@import|url\(\s*["']?https?:/i.test(html)).toBe(false);
    expect(html.match(/<\/script>/g)).toHaveLength(2);
  });

  it('npm run view writes the page and prints its path; usage errors exit 2', async () => {
    let out = '';
    let err = '';
    const dir = mkdtempSync(join(tmpdir(), 'view-'));
    const io = { stdout: (t: string) => (out += t), stderr: (t: string) => (err += t), env: {}, cwd: dir, interactive: false, signal: new AbortController().signal };
    expect(await viewCommand([join(REPO_ROOT, 'traces/raft/scenario/leader-elected.itf.json'), '--out', 'page.html'], io)).toBe(ExitCode.OK);
    expect(out.trim()).toBe('page.html');
    expect(readFileSync(join(dir, 'page.html'), 'utf8')).toContain('id="view-data"');
    expect(await viewCommand([], io)).toBe(ExitCode.USAGE);
    expect(err).toContain('Give the input to view.');
  });
});
