import { describe, expect, it } from 'vitest';
import { conformanceGraphCommand } from '../../src/cli/conformance-graph.js';
import type { CommandIo } from '../../src/cli/main.js';

async function run(argv: readonly string[]) {
  let stdout = '';
  let stderr = '';
  const io: CommandIo = {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    env: process.env,
    cwd: process.cwd(),
    interactive: false,
    signal: new AbortController().signal,
  };
  const code = await conformanceGraphCommand(argv, io);
  return { code, stdout, stderr };
}

describe('npm run conformance:graph', () => {
  it('--help lists the models with their tier, and the exit codes', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ {2}MCRaftTraceTour3 +raft +ci /m);
    expect(r.stdout).toMatch(/^ {2}MCRaft +raft +large /m);
    expect(r.stdout).toMatch(/^ {2}MCQuorumGraph3 +quorum-safety +ci /m);
    expect(r.stdout).toMatch(/^ {2}MCQuorum5 +quorum-safety +large /m);
    expect(r.stdout).toMatch(/Exit codes: 0 every state and edge conforms; 1 a mismatch; 2 usage/);
  });

  it.each([
    [['MCNoSuch'], /^conformance:graph: No state-graph model "MCNoSuch"\. Models: MCRaftTraceTour3, MCRaft, MCQuorumGraph3, MCQuorum5\./],
    [['--tier', 'huge'], /--tier is ci or large, not "huge"/],
    [['--tier', 'ci', 'MCRaft'], /Name models or a --tier, not both/],
    [['--defect', 'no-such-defect'], /Protocol raft has no defect "no-such-defect"\. Its defects: double-vote/],
    [['--defect', 'commit-old-term', 'MCQuorumGraph3'], /Protocol quorum-safety has no defect "commit-old-term"\. Its defects: double-vote, minority-quorum\./],
    [['--timeout', 'soon'], /--timeout must be a duration such as 90s, 10m or 1h, not "soon"/],
    [['--max-mismatches', '0'], /--max-mismatches must be an integer >= 1, not "0"/],
  ])('refuses %j with one message and exit 2, before TLC starts', async (argv, message) => {
    const r = await run(argv);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(2); // the message and the --help hint
  });
});
