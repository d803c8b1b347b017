// `npm run conformance` command line: exit codes, one clear message per bad input, the report.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { conformanceCommand } from '../../src/cli/conformance.js';
import { ExitCode } from '../../src/errors.js';
import { REPO_ROOT } from '../../src/paths.js';

async function run(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await conformanceCommand(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), cwd: REPO_ROOT });
  return { code, stdout, stderr };
}

const SCENARIOS = 'traces/raft/scenario';

describe('npm run conformance', () => {
  it('--help', async () => {
    const r = await run('--help');
    expect(r.code).toBe(ExitCode.OK);
    expect(r.stdout).toMatch(/--defect <name>.*double-vote/s);
    expect(r.stdout).toMatch(/--protocol <name>.*raft, quorum-safety, hash-ring, quorum-kv/);
  });

  it('a conforming folder: exit 0, every scenario replayed, coverage printed', async () => {
    const r = await run(SCENARIOS);
    expect(r.code).toBe(ExitCode.OK);
    expect(r.stdout).toMatch(/^== raft: specs\/Raft\.tla against the Raft core/m);
    expect(r.stdout).toMatch(/\d+ traces, \d+ steps replayed against the real core/);
    expect(r.stdout).toMatch(/divergences: none/);
    expect(r.stdout).toMatch(/coverage: replayed steps per action/);
    expect(r.stdout).toMatch(/^ok: [\d,]+ steps of 1 protocol\(s\) conform$/m);
  });

  it('the whole corpus: a block per protocol; --protocol keeps one and says what it left out', async () => {
    const all = await run();
    expect(all.code).toBe(ExitCode.OK);
    expect(all.stdout.match(/^== /gm)).toHaveLength(4);
    expect(all.stdout).toMatch(/^== hash-ring: specs\/HashRing\.tla against the consistent-hashing ring of src\/ring$/m);
    expect(all.stdout).toMatch(/^== quorum-safety: .*refinement mapping$/m);
    const one = await run('--protocol', 'quorum-safety');
    expect(one.code).toBe(ExitCode.OK);
    expect(one.stdout.match(/^== /gm)).toHaveLength(1);
    expect(one.stdout).toMatch(/not replayed: \d+ Raft trace\(s\) of MCRaftTraceTour \(not selected by --protocol\)/);
  });

  it('--json', async () => {
    const r = await run(`${SCENARIOS}/leader-elected.itf.json`, '--json');
    expect(r.code).toBe(ExitCode.OK);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({ defect: null, passed: true, protocols: [{ protocol: 'raft', traces: 1, divergences: [] }] });
    expect(report.protocols[0].coverage.actions.find((a: { name: string }) => a.name === 'BecomeLeader').steps).toBe(1);
  });

  it('--defect: the divergence report names file, step, action, paths, expected, actual, steps before; exit 1', async () => {
    const r = await run(`${SCENARIOS}/vote-refused-already-voted.itf.json`, '--defect', 'double-vote');
    expect(r.code).toBe(ExitCode.CHECK_FAILED);
    expect(r.stdout).toMatch(/DEFECTIVE core "double-vote"/);
    expect(r.stdout).toMatch(/vote-refused-already-voted\.itf\.json, step \d+: HandleRequestVoteRequest\(/);
    expect(r.stdout).toMatch(/votedFor\[s\d\]: expected s\d, actual s\d/);
    expect(r.stdout).toMatch(/mvoteGranted \|-> false.*: expected 1 copy, actual 0 copies/);
    expect(r.stdout).toMatch(/steps before:/);
    expect(r.stdout).toMatch(/raft: FAIL: 1 divergence/);
  });

  it.each([
    [['--defect', 'gremlins'], /Unknown defect "gremlins". Known defects: double-vote, skip-log-check, commit-old-term, volatile-voted-for/],
    [['--protocol', 'paxos'], /No protocol named "paxos".\n {2}Known protocols: raft, quorum-safety, hash-ring, quorum-kv/],
    [['--context', 'many'], /--context must be an integer >= 0, not "many"/],
    [['--nope'], /Unknown option '--nope'/],
    [['no/such/folder'], /No trace file or folder no\/such\/folder/],
  ])('usage error %j: exit 2', async (argv, message) => {
    const r = await run(...argv);
    expect(r.code).toBe(ExitCode.USAGE);
    expect(r.stderr).toMatch(message);
  });

  it('a malformed trace: exit 4, one message naming the file, no stack trace', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'conformance-test-'));
    const file = join(dir, 'broken.itf.json');
    writeFileSync(file, '{"#meta": {"format": "ITF"}, "vars": [');
    const r = await run(file);
    expect(r.code).toBe(ExitCode.SPEC_ERROR);
    expect(r.stderr).toMatch(/^conformance: .*broken\.itf\.json: malformed JSON/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stdout).toBe('');
  });
});
