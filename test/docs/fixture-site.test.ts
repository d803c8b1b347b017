// The docs generator on a fixture spec folder and fixture API: the "no TS mirror" negative control, the
// per-model verdicts, and the failures (broken link, spec errors, usage) with their exit codes.
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docs } from '../../src/cli/docs.js';
import { COUNTEREXAMPLE_PAGE_LINK, NO_MIRROR_MARK } from '../../src/docs/render.js';
import { type DocsBuildOptions, type DocsBuildResult, DocsBuildError, buildDocs } from '../../src/docs/site.js';
import { ExitCode } from '../../src/errors.js';
import { REPO_ROOT } from '../../src/tlc/toolchain.js';
import { links, pageContent, text } from './helpers/site.js';

const FIXTURE = join(REPO_ROOT, 'test', 'fixtures', 'docs');
const SRC = join(FIXTURE, 'src');
let out: string;
let site: DocsBuildResult;

function options(over: Partial<DocsBuildOptions> = {}): DocsBuildOptions {
  return {
    root: REPO_ROOT,
    outDir: join(out, 'site'),
    specsDir: join(FIXTURE, 'specs'),
    srcDir: SRC,
    summaryFile: join(FIXTURE, 'summary.json'),
    // A tsconfig of the fixture API alone keeps these builds from compiling the whole repository.
    typedocOverrides: { tsconfig: join(FIXTURE, 'tsconfig.json'), readme: 'none', name: 'Fixture' },
    env: process.env,
    // The fixture's one protocol: Lamp.tla, whose mirrors src/lamp/index.ts exports (Other.tla has none).
    protocols: [{ name: 'lamp', specModules: ['Lamp'], mirrors: 'test/fixtures/docs/src/lamp/index.ts' }],
    ...over,
  };
}

const page = (key: string) => text(pageContent(site.entryPages.get(key) as string));

beforeAll(async () => {
  out = await mkdtemp(join(tmpdir(), 'docs-fixture-'));
  site = await buildDocs(options());
});

afterAll(async () => {
  if (out) await rm(out, { recursive: true, force: true });
});

describe('invariant pages from a fixture spec folder', () => {
  it('one entry per operator and defining module, across configs and EXTENDS', () => {
    expect(site.catalogue.entries.map((e) => e.key)).toEqual([
      'Lamp!TypeOK',
      'Lamp!Bounded',
      'Lamp!NoComment',
      'Lamp!Renamed',
      'Lamp!Monotonic',
      'MCLamp!HarnessInv',
      'Other!TypeOK',
    ]);
    const bounded = site.catalogue.entries.find((e) => e.key === 'Lamp!Bounded');
    expect(bounded?.checkedBy.map((c) => c.model.name)).toEqual(['LampDirect', 'MCLamp']);
    // LampDirect lists TypeOK twice; TLC checks it once.
    expect(site.catalogue.entries.find((e) => e.key === 'Lamp!TypeOK')?.checkedBy.map((c) => c.model.name)).toEqual(['LampDirect', 'MCLamp']);
  });

  it('negative control: a renamed mirror is reported as missing, on its page and in the overview', () => {
    expect(site.mirrors.get('Lamp!Renamed')).toEqual({ status: 'missing', protocol: 'lamp', rejected: [] });
    expect(page('Lamp!Renamed')).toContain(`${NO_MIRROR_MARK}.`);
    expect(page('Lamp!Renamed')).toContain('The module protocol lamp names for its mirrors exports nothing named Renamed');
    const html = pageContent(site.invariantsPage);
    const renamedRow = /<tr>\s*<td><a [^>]*>Renamed<\/a>[\s\S]*?<\/tr>/.exec(html)?.[0] ?? '';
    expect(text(renamedRow)).toContain(NO_MIRROR_MARK);
  });

  it('a present mirror is linked to its API page; another spec\'s same-named export is not borrowed', () => {
    const typeOk = links(site.entryPages.get('Lamp!TypeOK') as string).find((l) => l.text === 'TypeOK');
    expect(typeOk?.target).toBe(join(site.outDir, 'functions', 'lamp.TypeOK.html'));
    expect(site.mirrors.get('Lamp!NoComment')).toMatchObject({ status: 'found', mirror: { name: 'NoComment' } });
    // Defined in the harness MCLamp.tla: its mirror is among the mirrors of the spec it extends.
    expect(site.mirrors.get('MCLamp!HarnessInv')).toMatchObject({ status: 'found' });
    expect(site.mirrors.get('Other!TypeOK')).toMatchObject({ status: 'missing', rejected: [{ owner: 'lamp' }] });
    expect(page('Other!TypeOK')).toContain('No protocol definition covers Other.tla');
    expect(page('Other!TypeOK')).toContain('TypeOK in test/fixtures/docs/src/lamp/index.ts is not it: that module holds the mirrors of protocol lamp');
  });

  it('shows the TLA+ text with the comment above it, and the comment as prose (escaped, not parsed)', () => {
    const typeOk = page('Lamp!TypeOK');
    expect(typeOk).toContain('\\* Every variable has its type: on is a BOOLEAN, count a natural <= Limit.\n');
    expect(typeOk).toContain('TypeOK ==\n    /\\ on \\in BOOLEAN\n    /\\ count \\in 0..Limit');
    expect(typeOk).toContain('Markdown must not eat this: a_b *c* [d](e) <f> @g {@link h} | i.');
    expect(page('Lamp!Bounded')).toContain('The count never passes the limit.\nA second paragraph.');
    expect(page('Lamp!NoComment')).toContain('The spec has no comment above NoComment');
    expect(site.entryPages.get('Lamp!TypeOK')).not.toBe(site.entryPages.get('Other!TypeOK'));
  });

  it('per model: the latest result from the summary, what it means for this operator, or "not yet checked"', () => {
    const renamed = page('Lamp!Renamed');
    expect(renamed).toMatch(/LampDirect[\s\S]*violated, as this negative control expects\s*4\s*2030-01-02 03:04 UTC/);
    expect(page('Lamp!Bounded')).toMatch(/LampDirect[\s\S]*not refuted: TLC stopped at a violation of Renamed first[\s\S]*MCLamp[\s\S]*holds in every reachable state\s*7\s*2030-01-02 03:04 UTC/);
    expect(page('Other!TypeOK')).toContain('not yet checked (not in the last check-spec run)');
    expect(page('Lamp!Monotonic')).toMatch(/MCLamp.cfg line 9 \(property\)/);
  });

  it('a violated operator links the counterexample page check-spec wrote; the site keeps a copy of it', async () => {
    // The fixture summary's LampDirect violates Renamed; here it has a counterexample with its page, written in that run.
    const summary = JSON.parse(await readFile(join(FIXTURE, 'summary.json'), 'utf8')) as { startedAt: string; models: { name: string; counterexampleFile?: string }[] };
    summary.startedAt = new Date(Date.now() - 60_000).toISOString();
    const saved = join(out, 'counterexamples');
    await mkdir(saved);
    summary.models.find((m) => m.name === 'LampDirect')!.counterexampleFile = join(saved, 'LampDirect.itf.json');
    await writeFile(join(saved, 'LampDirect.html'), '<!doctype html><title>LampDirect</title>');
    await writeFile(join(out, 'linked-summary.json'), JSON.stringify(summary));
    const linked = await buildDocs(options({ outDir: join(out, 'linked-site'), summaryFile: join(out, 'linked-summary.json') }));
    const renamed = linked.entryPages.get('Lamp!Renamed') as string;
    const link = links(renamed).find((l) => l.text === COUNTEREXAMPLE_PAGE_LINK);
    expect(link).toBeDefined();
    expect(await readFile(link!.target, 'utf8')).toContain('<title>LampDirect</title>');
    expect(link!.target.startsWith(linked.outDir)).toBe(true);
    // Bounded was not violated by that model (it stopped at Renamed first): no link.
    expect(links(linked.entryPages.get('Lamp!Bounded') as string).some((l) => l.text === COUNTEREXAMPLE_PAGE_LINK)).toBe(false);
  });
});

describe('failures a user can act on', () => {
  it('a broken link in the API docs fails the build (warnings are errors)', async () => {
    const error = await buildDocs(options({ outDir: join(out, 'broken'), srcDir: join(FIXTURE, 'broken-src') })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DocsBuildError);
    expect((error as DocsBuildError).exitCode).toBe(ExitCode.CHECK_FAILED);
    expect((error as DocsBuildError).message).toContain('Failed to resolve link to "NoSuchSymbol"');
  });

  async function run(...argv: string[]) {
    let stdout = '';
    let stderr = '';
    const code = await docs(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), env: process.env, cwd: REPO_ROOT });
    return { code, stdout, stderr };
  }

  it('a config naming an operator the spec lacks: exit 4, with file and line', async () => {
    const r = await run('--specs', join(FIXTURE, 'bad-specs'), '--out', join(out, 'bad'));
    expect(r.code).toBe(ExitCode.SPEC_ERROR);
    expect(r.stderr).toContain('test/fixtures/docs/bad-specs/Undefined.cfg:5: INVARIANT NotThere is not defined in Undefined.tla or the modules it extends.');
  });

  it('a spec SANY cannot parse: exit 4, with file:line:col', async () => {
    const r = await run('--specs', join(FIXTURE, 'syntax-error'), '--out', join(out, 'bad'));
    expect(r.code).toBe(ExitCode.SPEC_ERROR);
    expect(r.stderr).toMatch(/SANY could not parse Broken\.tla:\n {2}\S*Broken\.tla:3:\d+: /);
  });

  it('usage: --help, unknown options, and an --out folder that is not ours to empty', async () => {
    const help = await run('--help');
    expect(help.code).toBe(ExitCode.OK);
    expect(help.stdout).toMatch(/^Usage: npm run docs -- \[options\]/);
    expect((await run('--bogus')).code).toBe(ExitCode.USAGE);
    const notOurs = join(out, 'precious');
    await mkdir(notOurs, { recursive: true });
    await writeFile(join(notOurs, 'thesis.tex'), 'do not delete');
    const refused = await run('--out', notOurs);
    expect(refused.code).toBe(ExitCode.USAGE);
    expect(refused.stderr).toContain('is not empty and was not written by `npm run docs` (it has no .workbench-docs marker); refusing to replace it.');
    // A folder that merely looks like a site (index.html, assets/main.js) is not ours either.
    const lookalike = join(out, 'lookalike');
    await mkdir(join(lookalike, 'assets'), { recursive: true });
    await writeFile(join(lookalike, 'index.html'), '<html></html>');
    await writeFile(join(lookalike, 'assets', 'main.js'), '');
    expect((await run('--out', lookalike)).code).toBe(ExitCode.USAGE);
    // Nor is a symbolic link, wherever it points.
    const link = join(out, 'link');
    await symlink(join(out, 'elsewhere'), link);
    const linked = await run('--out', link);
    expect(linked.code).toBe(ExitCode.USAGE);
    expect(linked.stderr).toContain('is a symbolic link');
    expect(await readFile(join(notOurs, 'thesis.tex'), 'utf8')).toBe('do not delete');
    expect((await run('--out', REPO_ROOT)).code).toBe(ExitCode.USAGE);
  });

  it('a folder that cannot be written: exit 3 with why, nothing half-written', async () => {
    // /sys refuses new entries even to root.
    const r = await run('--quiet', '--out', '/sys/workbench-docs-test');
    expect(r.code).toBe(ExitCode.ENVIRONMENT);
    expect(r.stderr).toMatch(/^Could not write the docs into \/sys\/workbench-docs-test: (permission denied|the file system is read-only) \(E\w+\)\. Nothing was changed\.\n {2}Choose a writable folder with --out\./);
  });

  it('a missing TLC jar: exit 3 with what to do', async () => {
    let stderr = '';
    const code = await docs(['--out', join(out, 'nojar')], {
      stdout: () => {},
      stderr: (t) => (stderr += t),
      env: { ...process.env, TLA2TOOLS_JAR: join(out, 'no-such.jar') },
      cwd: REPO_ROOT,
    });
    expect(code).toBe(ExitCode.ENVIRONMENT);
    expect(stderr).toContain('TLA2TOOLS_JAR points at');
  });
});
