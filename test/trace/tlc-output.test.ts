// Reading TLC's simulation trace modules and state-graph dumps (fixtures captured from the pinned TLC on
// test/fixtures/specs/Counter.tla), and realising a tour of the dumped graph as traces.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { canonicalize, printTla, tla } from '../../src/tla/value.js';
import { canonicalOrder, tourTraces } from '../../src/trace/generate.js';
import type { TraceModel } from '../../src/trace/models.js';
import { coverPaths } from '../../src/trace/path-cover.js';
import { TlcOutputError, parseDotDump, parseSimulationTrace } from '../../src/trace/tlc-output.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'traces');
const read = (name: string) => readFileSync(join(FIXTURES, name), 'utf8');

const COUNTER: TraceModel = {
  name: 'CounterOk',
  spec: 'Counter',
  mode: 'tour',
  module: join(import.meta.dirname, '..', 'fixtures', 'specs', 'Counter.tla'),
  config: join(import.meta.dirname, '..', 'fixtures', 'specs', 'CounterOk.cfg'),
  labelVariable: 'action',
};

describe('simulation trace modules (-simulate file=...)', () => {
  it('reads every STATE_n in order, with its values', () => {
    const states = parseSimulationTrace(read('counter-walk.tla'), 'counter-walk.tla');
    expect(states.map((s) => s['x'])).toEqual([tla.int(0), tla.int(1), tla.int(2)]);
    expect(states[1]?.['action']).toEqual(tla.record({ name: tla.str('Inc'), node: tla.modelValue('s1') }));
    expect(states[2]?.['seen']).toEqual(tla.set(tla.modelValue('s1'), tla.modelValue('s2')));
  });

  it('refuses a module without states, or with states out of order', () => {
    expect(() => parseSimulationTrace('---- MODULE x ----\n====', 'x')).toThrow(TlcOutputError);
    expect(() => parseSimulationTrace('STATE_2 == \n/\\ x = 1\n', 'x')).toThrow(/STATE_2 follows STATE_0/);
  });
});

describe('state-graph dumps (-dump dot,actionlabels)', () => {
  const graph = parseDotDump(read('counter.dot'), 'counter.dot');

  it('reads every state with its full values, the initial state, and the distinct edges', () => {
    expect(graph.states).toHaveLength(13);
    expect(graph.states.filter((s) => s.initial).map((s) => s.vars['x'])).toEqual([tla.int(0)]);
    expect(graph.states.every((s) => s.vars['info']?.kind === 'record')).toBe(true);
    const keys = graph.edges.map((e) => `${e.from} ${e.to}`);
    expect(new Set(keys).size).toBe(keys.length);
    // Every edge enters a state labelled with the step that produced it.
    for (const e of graph.edges) expect(graph.states[e.to]?.vars['action']).toMatchObject({ kind: 'record' });
  });

  it('a tour of the graph: traces from Init that together take every edge, each state carrying its label', () => {
    const ordered = canonicalOrder(graph);
    const paths = coverPaths({
      stateCount: ordered.states.length,
      initial: ordered.states.flatMap((s, i) => (s.initial ? [i] : [])),
      edges: ordered.edges.map((e) => [e.from, e.to] as const),
    });
    const traces = tourTraces(ordered, COUNTER, paths, { tlcVersion: '2.18', regenerate: 'test' });
    const taken = new Set<string>();
    for (const t of traces) {
      expect(t.states[0]?.actionTaken).toBe('Init');
      expect(t.states.slice(1).every((s) => s.actionTaken === 'Inc' && s.nondetPicks['node']?.kind === 'modelValue')).toBe(true);
      const key = (i: number) => printTla(canonicalize(tla.record(t.states[i]?.vars ?? {})));
      for (let i = 1; i < t.states.length; i++) taken.add(`${key(i - 1)}->${key(i)}`);
      expect(t.meta.modelValues).toEqual(['s1', 's2']);
    }
    expect(taken.size).toBe(graph.edges.length);
  });

  it('is independent of the order TLC explored states in', () => {
    const reversed = { states: [...graph.states].reverse(), edges: graph.edges.map((e) => ({ ...e, from: graph.states.length - 1 - e.from, to: graph.states.length - 1 - e.to })) };
    expect(canonicalOrder(reversed)).toEqual(canonicalOrder(graph));
  });

  it('refuses an edge to a state the dump does not define, and a dump without an initial state', () => {
    expect(() => parseDotDump('1 [label="/\\\\ x = 0",style = filled]\n1 -> 2 [label="Inc"];', 'd.dot')).toThrow(/names a state the dump does not define/);
    expect(() => parseDotDump('1 [label="/\\\\ x = 0"];', 'd.dot')).toThrow(/no initial state/);
  });
});
