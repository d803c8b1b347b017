import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DotIndex } from '../../src/trace/dot-index.js';
import { TlcOutputError } from '../../src/trace/tlc-output.js';

const dir = mkdtempSync(join(tmpdir(), 'dot-index-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, lines: readonly string[]): string {
  const path = join(dir, name);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

const node = (id: string, x: number, initial = false) => `${id} [label="/\\\\ x = ${x}\\n/\\\\ y = \\"a\\\\\\"b\\""${initial ? ',style = filled' : ''}]`;
const edge = (from: string, to: string, action: string) => `${from} -> ${to} [label="${action}",color="black",fontcolor="black"];`;

// As TLC writes it with several workers: an edge may name a state before its line, sources interleave,
// a step repeats (three servers restarting to the same state), and rank groups close the file.
const GRAPH = [
  'strict digraph DiskGraph {',
  'nodesep=0.35;',
  'subgraph cluster_graph {',
  node('-10', 0, true),
  edge('-10', '-10', 'Restart'),
  edge('-10', '-10', 'Restart'),
  edge('-10', '22', 'Timeout'),
  node('22', 1),
  edge('22', '33', 'Next'),
  edge('-10', '33', 'Next'),
  node('33', 2),
  edge('33', '-10', 'Reset'),
  '{rank = same; -10;}',
  '{rank = same; 22;33;}',
  '}',
  '}',
];

describe('DotIndex', () => {
  it('indexes states and distinct edges grouped by source, whatever order TLC wrote them in', async () => {
    const index = await DotIndex.open(file('graph.dot', GRAPH), 'graph.dot');
    try {
      expect(index.stateCount).toBe(3);
      expect(index.fingerprints).toEqual(['-10', '22', '33']);
      expect(index.edgeLines).toBe(6);
      expect(index.edgeCount).toBe(5); // the repeated Restart is one edge
      expect(index.initialStates()).toEqual([0]);
      expect(index.edgesFrom(0)).toEqual([
        { to: 0, action: 'Restart' },
        { to: 1, action: 'Timeout' },
        { to: 2, action: 'Next' },
      ]);
      expect(index.edgesFrom(2)).toEqual([{ to: 0, action: 'Reset' }]);
      expect([...index.successors(1)]).toEqual([2]);
    } finally {
      index.close();
    }
  });

  it('reads a state back from the file, escapes undone', async () => {
    const index = await DotIndex.open(file('graph2.dot', GRAPH), 'graph2.dot');
    try {
      expect(index.readStateText(1)).toBe('/\\ x = 1\n/\\ y = "a\\"b"');
      const vars = index.readState(2);
      expect(vars['x']).toEqual({ kind: 'int', value: 2n });
      expect(vars['y']).toEqual({ kind: 'str', value: 'a"b' });
    } finally {
      index.close();
    }
  });

  it('finds a shortest path of action names to a state', async () => {
    const index = await DotIndex.open(file('graph3.dot', GRAPH), 'graph3.dot');
    try {
      expect(index.pathTo(0)).toEqual([]);
      expect(index.pathTo(2)).toEqual(['Next']);
      expect(index.pathTo(1)).toEqual(['Timeout']);
    } finally {
      index.close();
    }
  });

  it('keeps the line of a state that an edge named before a state printed later', async () => {
    // State 3 is named (by an edge) before states 1 and 2 are printed, and printed after them.
    const index = await DotIndex.open(
      file('late.dot', [node('1', 1, true), edge('1', '3', 'Go'), node('2', 2), edge('1', '2', 'Go'), node('3', 3), edge('3', '1', 'Back')]),
      'late.dot',
    );
    try {
      expect(index.fingerprints).toEqual(['1', '3', '2']);
      expect(index.readState(1)['x']).toEqual({ kind: 'int', value: 3n });
    } finally {
      index.close();
    }
  });

  it('reads lines longer than its read buffer', async () => {
    const long = `1 [label="/\\\\ x = ${'1'.repeat(3 << 20)}",style = filled]`;
    const index = await DotIndex.open(file('long.dot', ['strict digraph DiskGraph {', long, edge('1', '1', 'Stay'), '}']), 'long.dot');
    try {
      expect(index.readStateText(0)).toHaveLength('/\\ x = '.length + (3 << 20));
      expect(index.edgesFrom(0)).toEqual([{ to: 0, action: 'Stay' }]);
    } finally {
      index.close();
    }
  });

  it('refuses a dump that names a state it does not print, or marks no initial state', async () => {
    await expect(DotIndex.open(file('dangling.dot', [node('1', 0, true), edge('1', '2', 'Go')]), 'dangling.dot')).rejects.toThrow(
      new TlcOutputError('dangling.dot', 'an edge names state 2, which the dump does not print'),
    );
    await expect(DotIndex.open(file('noinit.dot', [node('1', 0), edge('1', '1', 'Go')]), 'noinit.dot')).rejects.toThrow(/marks no initial state/);
  });
});
