// check-spec end to end on fixture models, with the real TLC.
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type CheckSpecSummary, checkSpec } from '../../src/cli/check-spec.js';
import { type TlaValue, tla } from '../../src/tla/value.js';
import { counterexampleToItf } from '../../src/trace/counterexample.js';
import { ExitCode } from '../../src/errors.js';
import { FIXTURE_SPECS } from '../support/tlc.js';

async function run(args: string[], env: NodeJS.ProcessEnv = process.env, summary?: string, signal?: AbortSignal) {
  let stdout = '';
  let stderr = '';
  const summaryFile = summary ?? join(await mkdtemp(join(tmpdir(), 'check-spec-')), 'summary.json');
  const code = await checkSpec(['--specs', FIXTURE_SPECS, '--workers', '1', '--summary', summaryFile, ...args], {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    interactive: false,
    env,
    cwd: process.cwd(),
    ...(signal ? { signal } : {}),
  });
  return { code, stdout, stderr, summaryFile };
}

function writeTemp(name: string, content: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'check-spec-file-')), name);
  writeFileSync(file, content, 'latin1');
  return file;
}

describe('check-spec', () => {
  it('passes when every model ends as expected, negative controls included: one line per passed control, the table', async () => {
    const r = await run(['CounterOk', 'CounterViolated', 'CounterDeadlock', 'CounterActionViolated', 'CounterLiveness']);
    expect(r.code).toBe(ExitCode.OK);
    expect(r.stdout).toMatch(/CounterViolated\s+invariant-violated BelowThree\s+invariant-violated BelowThree\s+[\d,]+\s+\d+\s+[\d.]+\s+pass/);
    // A passed negative control is one line, with where its counterexample was saved; no story.
    expect(r.stdout).toMatch(/^CounterViolated: negative control refuted as expected \(invariant-violated BelowThree, 4 states\); counterexample: .*counterexamples\/CounterViolated\.itf\.json; page: .*counterexamples\/CounterViolated\.html$/m);
    expect(r.stdout).not.toMatch(/Inc\(node: s[12]\)/);
    expect(r.stdout).toContain('5 of 5 models as expected (exit 0)');
  });

  it('--show-expected: a passed control also tells its story, step by step', async () => {
    const r = await run(['--show-expected', 'CounterViolated']);
    expect(r.code).toBe(ExitCode.OK);
    expect(r.stdout).toMatch(/CounterViolated: negative control refuted as expected \(invariant-violated BelowThree\); counterexample: .*:\n/);
    expect(r.stdout).toMatch(/ 2 {2}Inc\(node: (s[12])\)\n\s+seen: \+ \1\n\s+x = 1\n\s+info\.fn = \(s1 :> \d @@ s2 :> \d\)/);
  });

  it('saves each counterexample as a complete ITF trace, one shape per variable, with the action labels', async () => {
    const r = await run(['CounterViolated']);
    const file = join(dirname(r.summaryFile), 'counterexamples', 'CounterViolated.itf.json');
    const itf = JSON.parse(await readFile(file, 'utf8')) as { '#meta': Record<string, unknown>; vars: string[]; states: Record<string, unknown>[] };
    expect(itf['#meta']).toMatchObject({ format: 'ITF', model: 'CounterViolated', mode: 'counterexample', violation: 'invariant-violated BelowThree', modelValues: ['s1', 's2'] });
    expect(itf.vars).toEqual(['seen', 'action', 'x', 'info', 'mbt::actionTaken', 'mbt::nondetPicks']);
    expect(itf.states.map((s) => s['mbt::actionTaken'])).toEqual(['Init', 'Inc', 'Inc', 'Inc']);
    expect(itf.states[0]).toMatchObject({ seen: { '#set': [] }, x: { '#bigint': '0' } });
    const summary = JSON.parse(await readFile(r.summaryFile, 'utf8')) as CheckSpecSummary;
    expect(summary.models[0]?.counterexampleFile).toBe(file);
  });

  it('a bag that is empty in the first state (<<>> to TLC) keeps the function shape of the later states in the ITF file', () => {
    const bag = (n: number): TlaValue => (n === 0 ? tla.seq() : tla.fn([[tla.str('m'), tla.int(n)]]));
    const states = [0, 1, 2].map((n, i) => ({ index: i + 1, action: null, vars: { messages: bag(n), log: tla.seq() } }));
    const itf = counterexampleToItf(states, { model: 'M', module: '/x/M.tla', config: '/x/M.cfg', violation: 'deadlock' });
    expect(itf.states.map((s) => (s as Record<string, unknown>)['messages'])).toEqual([{ '#map': [] }, { '#map': [['m', { '#bigint': '1' }]] }, { '#map': [['m', { '#bigint': '2' }]] }]);
    // A variable that is a sequence in every state stays one.
    expect(itf.states.map((s) => (s as Record<string, unknown>)['log'])).toEqual([[], [], []]);
  });

  it('a property violation fails a control that expects another property (TLC does not name temporal properties)', async () => {
    const r = await run(['CounterWrongProperty']);
    expect(r.code).toBe(ExitCode.CHECK_FAILED);
    expect(r.stdout).toContain('CounterWrongProperty: expected property-violated Monotonic, but TLC says property-violated.');
    expect(r.stdout).toContain('this config checks Reaches, not Monotonic');
  });

  it('merges its results into the saved summary: a later run of other models keeps the earlier ones', async () => {
    const first = await run(['CounterOk']);
    const second = await run(['CounterViolated'], process.env, first.summaryFile);
    const summary = JSON.parse(await readFile(second.summaryFile, 'utf8')) as CheckSpecSummary;
    expect(summary.models.map((m) => [m.name, m.outcome])).toEqual([
      ['CounterOk', 'ok'],
      ['CounterViolated', 'invariant-violated'],
    ]);
    expect(summary.lastRun).toEqual(['CounterViolated']);
    expect(summary.models.every((m) => typeof m.checkedAt === 'string')).toBe(true);
  });

  it('an interrupted run keeps the earlier results of the models it did not finish', async () => {
    const first = await run(['CounterOk']);
    const interrupt = new AbortController();
    interrupt.abort();
    const r = await run(['CounterOk'], process.env, first.summaryFile, interrupt.signal);
    expect(r.code).toBe(ExitCode.INTERRUPTED);
    expect(r.stdout).toContain('Interrupted: 0 of 1 models finished.');
    const summary = JSON.parse(await readFile(first.summaryFile, 'utf8')) as CheckSpecSummary;
    expect(summary.models.map((m) => [m.name, m.outcome])).toEqual([['CounterOk', 'ok']]);
  });

  it('fails a model expected to hold that TLC refutes (exit 1), showing the counterexample', async () => {
    const r = await run(['CounterWronglyTrusted']);
    expect(r.code).toBe(ExitCode.CHECK_FAILED);
    expect(r.stdout).toContain('CounterWronglyTrusted: expected ok, but TLC says invariant-violated BelowThree.');
    expect(r.stdout).toMatch(/ {2}Counterexample \(as ITF: \S+\/counterexamples\/CounterWronglyTrusted\.itf\.json\):\n +1 {2}Init/);
  });

  it('fails a negative control whose violation TLC does not find (exit 1)', async () => {
    const r = await run(['CounterControlMissed']);
    expect(r.code).toBe(ExitCode.CHECK_FAILED);
    expect(r.stdout).toContain('CounterControlMissed: expected invariant-violated BelowThree, but TLC says ok.');
  });

  it('a syntax error: exit 4 with file:line:col', async () => {
    const r = await run(['SyntaxError']);
    expect(r.code).toBe(ExitCode.SPEC_ERROR);
    expect(r.stdout).toMatch(/test\/fixtures\/specs\/SyntaxError\.tla:5:20: parse error: .*Encountered "1"/);
  });

  it('a config naming a missing operator: exit 4 with TLC\'s message', async () => {
    const r = await run(['CounterUnknownOp']);
    expect(r.code).toBe(ExitCode.SPEC_ERROR);
    expect(r.stdout).toContain('\n  The invariant NoSuchInvariant specified in the configuration file\n  is not defined in the specification.');
  });

  it('an evaluation error: exit 5', async () => {
    expect((await run(['EvalError'])).code).toBe(ExitCode.TLC_FAILURE);
  });

  it('a timeout: exit 6', async () => {
    const r = await run(['--timeout', '2', 'Big']);
    expect(r.code).toBe(ExitCode.TIMEOUT);
    expect(r.stdout).toContain('did not finish within 2.0 s');
  });

  it('usage errors: exit 2 with one clear message', async () => {
    const unknown = await run(['NoSuchModel']);
    expect(unknown.code).toBe(ExitCode.USAGE);
    expect(unknown.stderr).toMatch(/^check-spec: No model named "NoSuchModel"\.\n {2}Known models: .*CounterOk/);
    expect((await run(['--workers', 'many'])).stderr).toContain('--workers must be a positive integer or auto');
    expect((await run(['--frobnicate'])).code).toBe(ExitCode.USAGE);
  });

  it('environment errors: exit 3 before running anything', async () => {
    const r = await run(['CounterOk'], { ...process.env, TLA2TOOLS_JAR: '/nope/tla2tools.jar' });
    expect(r.code).toBe(ExitCode.ENVIRONMENT);
    expect(r.stderr).toContain('TLA2TOOLS_JAR points at /nope/tla2tools.jar');
  });

  it.each([
    ['a text file', () => writeTemp('notes.jar', 'hello'), /which is not a jar \(not a zip file\)/],
    ['a folder', () => mkdtempSync(join(tmpdir(), 'jar-dir-')), /which is a folder, not a jar file/],
    ['a jar without TLC', () => writeTemp('other.jar', 'PK\x03\x04 some/other/Class.class'), /which is a jar without TLC in it \(no tlc2\/TLC\.class\)/],
  ])('TLA2TOOLS_JAR pointing at %s: exit 3 with what is wrong, the saved summary untouched', async (_what, make, message) => {
    const first = await run(['CounterOk']);
    const before = await readFile(first.summaryFile, 'utf8');
    const r = await run(['CounterViolated'], { ...process.env, TLA2TOOLS_JAR: make() }, first.summaryFile);
    expect(r.code).toBe(ExitCode.ENVIRONMENT);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(await readFile(first.summaryFile, 'utf8')).toBe(before);
  });

  it('a JVM that cannot start (a heap too small): exit 3 with Java\'s own words, the saved summary untouched', async () => {
    const first = await run(['CounterOk']);
    const before = await readFile(first.summaryFile, 'utf8');
    const r = await run(['--heap', '1m', 'CounterViolated'], process.env, first.summaryFile);
    expect(r.code).toBe(ExitCode.ENVIRONMENT);
    expect(r.stderr).toMatch(/check-spec: Java could not start TLC: Error occurred during initialization of VM Too small maximum heap/);
    expect(await readFile(first.summaryFile, 'utf8')).toBe(before);
  });

  it('a syntax error in a .cfg: exit 4 with file:line and TLC\'s words, no framing markers', async () => {
    const r = await run(['CfgSyntax']);
    expect(r.code).toBe(ExitCode.SPEC_ERROR);
    expect(r.stdout).toMatch(/test\/fixtures\/specs\/CfgSyntax\.cfg:4:1: config error: It was expecting = or <-, but did not find it\./);
    expect(r.stdout).not.toContain('@!@!@');
  });

  it('a variable whose name starts with a digit is read like any other', async () => {
    const r = await run(['DigitVariable', '--show-expected']);
    expect(r.code).toBe(ExitCode.OK);
    expect(r.stdout).toMatch(/ 3 {2}.*\n\s+1st = 2/);
  });

  it('--tlc-args reaches TLC (-deadlock turns deadlock checking off, so the deadlock control fails); options the wrapper sets are refused', async () => {
    expect((await run(['CounterDeadlock'])).code).toBe(ExitCode.OK);
    const r = await run(['--tlc-args', '-deadlock', 'CounterDeadlock']);
    expect(r.code).toBe(ExitCode.CHECK_FAILED);
    expect(r.stdout).toContain('CounterDeadlock: expected deadlock, but TLC says ok.');
    const refused = await run(['--tlc-args', '-workers 4 -config x.cfg', 'CounterOk']);
    expect(refused.code).toBe(ExitCode.USAGE);
    expect(refused.stderr).toContain('--tlc-args may not set -workers, -config');
  });

  it('a bad directive in one config fails that model (exit 4) and the others still run; --list shows it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'specs-'));
    for (const f of ['Counter.tla', 'CounterOk.cfg']) cpSync(join(FIXTURE_SPECS, f), join(dir, f));
    writeFileSync(join(dir, 'BadTier.cfg'), '\\* @module Counter\n\\* @tier nightly\nINIT Init\nNEXT Next\n');
    const r = await run(['--specs', dir]);
    expect(r.code).toBe(ExitCode.SPEC_ERROR);
    expect(r.stdout).toMatch(/BadTier: the config is invalid, TLC was not run\.\n\s+\S*\/BadTier\.cfg:2: @tier must be ci, large, simulate, got "nightly"/);
    expect(r.stdout).toMatch(/CounterOk\s+ok\s+ok\s+13\s+.*pass/);
    const list = await run(['--specs', dir, '--list']);
    expect(list.code).toBe(ExitCode.SPEC_ERROR);
    expect(list.stdout).toMatch(/BadTier\s+ci\s+ok\s+INVALID: .*@tier must be ci, large, simulate/);
    expect(list.stdout).toMatch(/CounterOk\s+ci\s+ok\s+passing fixture/);
  });

  it('a negative number for a count is the command\'s own message, and a timeout of months does not fire at once', async () => {
    const r = await run(['--workers', '-3', 'CounterOk']);
    expect(r.code).toBe(ExitCode.USAGE);
    expect(r.stderr).toContain('--workers must be a positive integer or auto, not "-3"');
    // 40 days: above setTimeout's limit of about 24.8 days, which would fire after 1 ms.
    expect((await run(['--timeout', String(40 * 24 * 3600), 'CounterOk'])).code).toBe(ExitCode.OK);
  });

  it('--help and --list', async () => {
    expect((await run(['--help'])).stdout).toContain('Usage: npm run check-spec');
    const list = await run(['--list']);
    expect(list.stdout).toMatch(/CounterViolated\s+ci\s+invariant-violated BelowThree/);
  });
});
