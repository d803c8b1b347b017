// `npm run kv-sim` with a node joining or leaving: what moved and when the stream finished, in text and
// JSON; the options in --help; one clear message and exit 2 for each bad value; exit 1 for a wrong
// transition that the checkers catch.
import { describe, expect, it } from 'vitest';
import { kvSimCommandLine } from '../../src/cli/kv-sim.js';
import type { CommandIo } from '../../src/cli/main.js';
import type { MembershipReport } from '../../src/quorum-kv/membership.js';

async function cli(argv: readonly string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const io: CommandIo = { stdout: (t) => (out += t), stderr: (t) => (out += t), env: {}, cwd: '.', interactive: false, signal: new AbortController().signal };
  const code = await kvSimCommandLine(argv, io);
  return { code, out };
}

describe('npm run kv-sim with a membership change', () => {
  it('--join-at prints what moved, when the stream finished, and the verdicts; the replay line keeps the change', async () => {
    const { code, out } = await cli(['--nodes', '5', '--join-at', '40']);
    expect(code).toBe(0);
    expect(out).toMatch(/membership: n6 joins at 40\.0 ms; the ring moved \d+ ranges \([\d.]+ % of its positions\): n\d -> n6 /);
    expect(out).toMatch(/the key \(ring position \d+.*\): home n4 n2 n1 -> n4 n6 n2 \(n6 enters, n1 leaves the home set\)/);
    expect(out).toMatch(/pending replica n6: sent \d+ client write\(s\); stream: \d+ round\(s\)/);
    expect(out).toMatch(/switched reads and acknowledgements to n4 n6 n2 at [\d.]+ ms \([\d.]+ ms after the change\)/);
    expect(out).toContain('No claimed property violated.');
    // Without --workload-ms the clients run until twice the change's time, so it happens mid-run.
    expect(out).toContain('replay: npm run kv-sim -- --seed 1 --mode CP --resolution VV --n 3 --r 2 --w 2 --nodes 5 --workload-ms 80 --join-at 40');
  });

  it('--leave with --leave-at: the leaver stops serving once its successor has its versions; --json carries the report', async () => {
    const text = await cli(['--nodes', '5', '--leave', 'n1', '--leave-at', '30', '--workload-ms', '60']);
    expect(text.code).toBe(0);
    expect(text.out).toMatch(/membership: n1 leaves at 30\.0 ms/);
    expect(text.out).toMatch(/; n1 stopped serving then/);
    const json = await cli(['--nodes', '5', '--leave', 'n1', '--leave-at', '30', '--workload-ms', '60', '--json']);
    const parsed = JSON.parse(json.out) as { membership: MembershipReport; finalStores: Record<string, unknown>; violations: string[] };
    expect(parsed.membership.change).toEqual({ kind: 'leave', node: 'n1', atMs: 30 });
    expect(parsed.membership.entering).toEqual(['n5']);
    expect(parsed.membership.switchedAtMs).toBeGreaterThanOrEqual(30);
    expect(parsed.membership.leftAtMs).toBe(parsed.membership.switchedAtMs);
    expect(Object.keys(parsed.finalStores)).not.toContain('n1');
    expect(parsed.violations).toEqual([]);
  });

  it('a wrong transition the checkers catch exits 1 and names the property', async () => {
    const { code, out } = await cli(['--seed', '15', '--nodes', '5', '--join-at', '30', '--workload-ms', '60', '--membership-defect', 'switch-before-stream']);
    expect(code).toBe(1);
    expect(out).toContain('WRONG TRANSITION switch-before-stream');
    expect(out).toMatch(/VIOLATED:\n {2}NoStaleRead: /);
    expect(out).toContain('--join-at 30 --membership-defect switch-before-stream');
  });

  it('--membership-chance draws the change from the seed, and the replay line keeps it', async () => {
    const { code, out } = await cli(['--seed', '4', '--nodes', '5', '--membership-chance', '1']);
    expect(code).toBe(0);
    expect(out).toMatch(/membership: n\d (joins|leaves) at/);
    expect(out).toContain('--membership-chance 1');
  });

  it('--help documents the options', async () => {
    const { code, out } = await cli(['--help']);
    expect(code).toBe(0);
    for (const option of ['--join-at <t>', '--leave <node>', '--leave-at <t>', '--membership-chance <p>', '--membership-defect <name>', 'switch-before-stream', 'stream-from-any-replica', 'pending replica']) {
      expect(out).toContain(option);
    }
  });

  const bad: readonly (readonly [string, readonly string[], RegExp])[] = [
    ['a time that is not a number', ['--join-at', 'soon'], /--join-at must be an integer in 0\.\.600000, not "soon"/],
    ['a negative time', ['--nodes', '5', '--leave', 'n1', '--leave-at', '-4'], /--leave-at must be an integer/],
    ['a join and a leave together', ['--nodes', '5', '--join-at', '10', '--leave', 'n1', '--leave-at', '20'], /one membership change a run/],
    ['--leave without --leave-at', ['--nodes', '5', '--leave', 'n1'], /--leave n1 needs --leave-at/],
    ['--leave-at without --leave', ['--leave-at', '20'], /--leave-at needs --leave <node>/],
    ['a leaver that is not a member', ['--nodes', '5', '--leave', 'n9', '--leave-at', '20'], /"n9" is not a member \(members: n1, n2, n3, n4, n5\)/],
    ['a leave from N nodes', ['--leave', 'n1', '--leave-at', '20'], /a leave needs more than N/],
    ['a chance outside 0..1', ['--membership-chance', '1.5'], /--membership-chance must be a probability in 0\.\.1/],
    ['a chance with an explicit change', ['--join-at', '10', '--membership-chance', '0.5'], /give it or --join-at \/ --leave, not both/],
    ['an unknown defect', ['--join-at', '10', '--membership-defect', 'nope'], /no wrong transition named "nope" \(known: switch-before-stream, stream-from-any-replica\)/],
    ['a defect without a change', ['--membership-defect', 'switch-before-stream'], /needs a membership change/],
  ];
  for (const [what, argv, message] of bad) {
    it(`refuses ${what} with one message and exit 2`, async () => {
      const { code, out } = await cli(argv);
      expect(code).toBe(2);
      expect(out).toMatch(message);
      expect(out).not.toMatch(/\n\s+at /);
    });
  }
});
