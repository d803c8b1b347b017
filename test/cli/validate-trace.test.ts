// `npm run validate-trace` and `npm run sim -- --record`: the newcomer's pair of commands, exit codes,
// one clear message per bad input, the report and --json.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runSimCli } from '../../src/cli/sim.js';
import { validateTraceCommand } from '../../src/cli/validate-trace.js';
import { ExitCode } from '../../src/errors.js';
import type { TraceView } from '../../src/viewer/model.js';
import { tlcToolchain } from '../support/tlc.js';

const dir = mkdtempSync(join(tmpdir(), 'validate-cli-'));
const PAGES = join(dir, 'pages');

/** Runs the command in `dir`; a rejected trace's page goes to `pages`. */
async function validateWithPages(pages: string, ...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await validateTraceCommand(
    argv,
    { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), cwd: dir, env: process.env, interactive: false, signal: new AbortController().signal },
    await tlcToolchain(),
    pages,
  );
  return { code, stdout, stderr };
}

const validate = (...argv: string[]) => validateWithPages(PAGES, ...argv);

/** The view a page embeds. */
function pageView(file: string): TraceView {
  const html = readFileSync(file, 'utf8');
  const data = /<script type="application\/json" id="view-data">(.*?)<\/script>/s.exec(html)?.[1];
  return JSON.parse(data as string) as TraceView;
}

function sim(...argv: string[]) {
  let out = '';
  let err = '';
  const code = runSimCli(argv, (s) => (out += s), (s) => (err += s), { cwd: dir });
  return { code, out, err };
}

describe('npm run sim -- --record, then npm run validate-trace', () => {
  it('the real core\'s run is valid (exit 0)', async () => {
    const s = sim('--seed', '1', '--quiet', '--record', 'real.ndjson');
    expect(s.code).toBe(ExitCode.OK);
    expect(s.err).toMatch(/^recorded [\d,]+ events to .*real\.ndjson$/m);
    const header = JSON.parse(readFileSync(join(dir, 'real.ndjson'), 'utf8').split('\n')[0] as string) as { source: { replay: string } };
    expect(header.source.replay).toBe('npm run sim -- --profile mixed --seed 1');
    const r = await validate('real.ndjson', '--quiet');
    expect(r.code).toBe(ExitCode.OK);
    expect(r.stdout).toMatch(/real\.ndjson: valid: [\d,]+ events are a behaviour of specs\/Raft\.tla/);
  });

  it('with --defect double-vote the first unexplainable event is reported (exit 1), as text and as JSON, with its page', async () => {
    const s = sim('--seed', '1', '--quiet', '--defect', 'double-vote', '--record', 'bad.ndjson');
    expect(s.code).toBe(ExitCode.CHECK_FAILED);
    const r = await validate('bad.ndjson', '--quiet');
    expect(r.code).toBe(ExitCode.CHECK_FAILED);
    expect(r.stdout).toMatch(/bad\.ndjson: REJECTED at event [\d,]+ of [\d,]+: no behaviour of specs\/Raft\.tla explains it/);
    expect(r.stdout).toMatch(/the event:\n {4}#\d+ \(line \d+\) .*HandleRequestVoteRequest/);
    expect(r.stdout).toMatch(/votedFor\[s\d\]: the spec has "s\d", the implementation logged "s\d"/);
    expect(r.stdout).toMatch(/steps the spec enables there for s\d:\n {4}Restart/);
    const j = await validate('bad.ndjson', '--json', '--quiet');
    expect(j.code).toBe(ExitCode.CHECK_FAILED);
    const report = JSON.parse(j.stdout) as { valid: boolean; traces: { verdict: string; specTakesLoggedStep: boolean; differences: string[]; event: { index: number } }[] };
    expect(report.valid).toBe(false);
    expect(report.traces[0]).toMatchObject({ verdict: 'rejected', specTakesLoggedStep: true });
    expect(report.traces[0]?.differences.some((d) => d.startsWith('votedFor['))).toBe(true);

    // The page of the rejected trace: the rejected event flagged and selected, its differing variable marked.
    expect(r.stdout).toMatch(/^ {2}Page: pages\/bad\.html \(npm run view\)$/m);
    const [verdict] = (JSON.parse(j.stdout) as { traces: { event: { index: number; node: string }; page: string }[] }).traces;
    expect(verdict?.page).toBe(join(PAGES, 'bad.html'));
    expect(j.stderr).toMatch(/^Page: pages\/bad\.html \(npm run view\)$/m);
    const view = pageView(verdict!.page);
    const step = verdict!.event.index;
    expect(view.highlight).toMatchObject({ step, title: expect.stringMatching(/^REJECTED at event [\d,]+ of [\d,]+: no behaviour of specs\/Raft\.tla explains it$/), paths: [`votedFor[${verdict!.event.node}]`] });
    expect(view.highlight?.lines.join('\n')).toMatch(/votedFor\[s\d\]: the spec has "s\d", the implementation logged "s\d"/);
    expect(view.steps[step]).toMatchObject({ name: 'HandleRequestVoteRequest', node: verdict!.event.node });
    expect(view.steps).toHaveLength(step + 1);
  });

  it('a page that cannot be written costs a note on stderr, not the verdict', async () => {
    sim('--seed', '1', '--quiet', '--defect', 'double-vote', '--record', 'unpaged.ndjson');
    writeFileSync(join(dir, 'not-a-folder'), '');
    const r = await validateWithPages(join(dir, 'not-a-folder', 'pages'), 'unpaged.ndjson', '--quiet');
    expect(r.code).toBe(ExitCode.CHECK_FAILED);
    expect(r.stdout).toMatch(/unpaged\.ndjson: REJECTED at event/);
    expect(r.stdout).not.toContain('Page:');
    expect(r.stderr).toMatch(/^validate-trace: no page for .*unpaged\.ndjson: /m);
  });
});

describe('npm run validate-trace: bad input', () => {
  it('--help exits 0 and documents the exit codes', async () => {
    const r = await validate('--help');
    expect(r.code).toBe(ExitCode.OK);
    expect(r.stdout).toMatch(/Exit codes: 0 every trace is valid; 1 a trace was rejected/);
  });

  it.each([
    [[], ExitCode.USAGE, /Name at least one trace file/],
    [['t.ndjson', '--max-gap', '-1'], ExitCode.USAGE, /--max-gap must be an integer >= 0/],
    [['t.ndjson', '--protocol', 'paxos'], ExitCode.USAGE, /No protocol named "paxos"/],
    [['missing.ndjson'], ExitCode.SPEC_ERROR, /missing\.ndjson/],
  ] as const)('%j exits %i', async (argv, code, message) => {
    const r = await validate(...argv);
    expect(r.code).toBe(code);
    expect(r.stderr).toMatch(message);
  });

  it('a malformed line is named by file and line (exit 4), before TLC starts', async () => {
    writeFileSync(join(dir, 'broken.ndjson'), '{"format":"workbench-impl-trace/1","protocol":"raft","constants":{"Server":{"#set":["s1"]}}}\n{"action":{"name":"Timeout","node":"s1"}\n');
    const r = await validate('broken.ndjson');
    expect(r.code).toBe(ExitCode.SPEC_ERROR);
    expect(r.stderr).toMatch(/broken\.ndjson:2: not JSON/);
  });

  it('a trace of another protocol than --protocol says so (exit 4); a protocol without validation is a usage error', async () => {
    writeFileSync(join(dir, 'ring.ndjson'), '{"format":"workbench-impl-trace/1","protocol":"hash-ring"}\n{"action":{"name":"Join"}}\n');
    const other = await validate('ring.ndjson', '--protocol', 'raft');
    expect(other.code).toBe(ExitCode.SPEC_ERROR);
    expect(other.stderr).toMatch(/ring\.ndjson:1: the trace is of protocol "hash-ring", not "raft"/);
    const none = await validate('ring.ndjson');
    expect(none.code).toBe(ExitCode.USAGE);
    expect(none.stderr).toMatch(/Protocol hash-ring cannot validate implementation traces yet/);
  });

  it('a value the spec cannot compare (a term that is a string) is a malformed trace (exit 4), with TLC\'s reason', async () => {
    writeFileSync(
      join(dir, 'shape.ndjson'),
      '{"format":"workbench-impl-trace/1","protocol":"raft","constants":{"Server":{"#set":["s1","s2"]}},"modelValues":["Nil"]}\n' +
        '{"action":{"name":"Timeout","node":"s1"},"vars":{"currentTerm":"one"}}\n',
    );
    const r = await validate('shape.ndjson', '--quiet');
    expect(r.code).toBe(ExitCode.SPEC_ERROR);
    expect(r.stderr).toMatch(/shape\.ndjson: TLC could not evaluate the spec on a value of the trace/);
  });
});
