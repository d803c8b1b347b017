// `npm run ring`: the report for a user's own numbers, and one clear message for bad input.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ringCommand } from '../../src/cli/ring.js';
import { ExitCode } from '../../src/errors.js';

async function ring(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const io = { stdout: (t: string) => (stdout += t), stderr: (t: string) => (stderr += t), env: {}, cwd: process.cwd(), interactive: false, signal: new AbortController().signal };
  const code = await ringCommand(argv, io);
  return { code, stdout, stderr };
}

describe('npm run ring', () => {
  it('--help', async () => {
    const r = await ring('--help');
    expect(r.code).toBe(ExitCode.OK);
    expect(r.stdout).toMatch(/^Usage: npm run ring -- \[--nodes N\]/);
  });

  it('a join: keys per node, imbalance, keys moved against the ideal, none misplaced', async () => {
    const r = await ring('--nodes', '5', '--vnodes', '64', '--keys', '20000', '--join', 'extra');
    expect(r.code).toBe(ExitCode.OK);
    expect(r.stdout).toMatch(/^5 nodes, 64 vnodes per unit of weight, 20,000 keys \(murmur3-x86-32\)$/m);
    expect(r.stdout).toMatch(/^imbalance \(fullest \/ mean\) 1\.\d{3}/m);
    expect(r.stdout).toMatch(/^join extra: [\d,]+ keys moved \([\d.]+ %\); ideal 16\.67 % \(1\/6\)/m);
    expect(r.stdout).toMatch(/keys that moved other than to extra: 0$/m);
  });

  it('--json with a leave', async () => {
    const r = await ring('--nodes', '4', '--vnodes', '16', '--keys', '5000', '--leave', 'node-2', '--json');
    expect(r.code).toBe(ExitCode.OK);
    const report = JSON.parse(r.stdout);
    expect(report.keys).toBe(5000);
    expect(Object.values(report.perNode as Record<string, number>).reduce((a, b) => a + b, 0)).toBe(5000);
    // Exactly node-2's keys move.
    expect(report.change).toMatchObject({ kind: 'leave', node: 'node-2', movedKeys: report.perNode['node-2'], misplaced: 0, idealFraction: 0.25 });
  });

  it('a layout file: weights scale the share', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ring-'));
    const file = join(dir, 'layout.json');
    writeFileSync(file, JSON.stringify({ format: 'hash-ring/1', hash: 'murmur3-x86-32', vnodes: 200, members: [{ node: 'big', weight: 3 }, { node: 'small', weight: 1 }] }));
    const r = await ring('--layout', file, '--keys', '40000', '--json');
    expect(r.code).toBe(ExitCode.OK);
    const { perNode } = JSON.parse(r.stdout);
    expect(perNode.big / perNode.small).toBeGreaterThan(2.4);
    expect(perNode.big / perNode.small).toBeLessThan(3.6);
  });

  it.each([
    [['--keys', '0'], ExitCode.USAGE, /--keys must be an integer in 1\.\.50,000,000, not "0"/],
    [['--leave', 'nobody'], ExitCode.USAGE, /Cannot leave nobody: nobody is not a member/],
    [['--join', 'node-1'], ExitCode.USAGE, /Cannot join node-1: node-1 is already a member/],
    [['--join', 'a', '--leave', 'b'], ExitCode.USAGE, /Give --join or --leave, not both/],
    [['--layout', '/no/such/layout.json'], ExitCode.SPEC_ERROR, /layout\.json/],
  ])('%j: one message, exit %i', async (argv, code, message) => {
    const r = await ring('--keys', '100', ...argv);
    expect(r.code).toBe(code);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n').length).toBeLessThanOrEqual(2);
  });

  it('a layout that is not one: exit 4, naming the field', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ring-'));
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ format: 'hash-ring/1', hash: 'murmur3-x86-32', vnodes: 0, members: [] }));
    const r = await ring('--layout', file);
    expect(r.code).toBe(ExitCode.SPEC_ERROR);
    expect(r.stderr).toMatch(/vnodes: expected a positive integer, got 0/);
  });
});
