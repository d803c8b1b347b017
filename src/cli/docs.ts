/**
 * `npm run docs`: builds the documentation site — the API of `src/` plus one page per invariant and
 * property named in a model config (see {@link "docs/site"}).
 *
 * @module
 */
import { mkdir, rm } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { ExitCode, type ExitCodeValue } from '../errors.js';
import { assertReplaceable, besidePath, markOwned, type OwnershipMarker, replaceDirectory, unwritable } from '../files/write.js';
import { buildDocs } from '../docs/site.js';
import { commandLine, runCommand } from './args.js';
import { REPO_ROOT } from '../tlc/toolchain.js';

const HELP = `Usage: npm run docs -- [options]

Builds the documentation site: the API of src/ (TypeDoc, configured by typedoc.json) and an
Invariants section generated from the specs: for every INVARIANT and PROPERTY named in a model
config under specs/, its TLA+ definition and comment (read with SANY from the pinned TLC jar), its
TypeScript mirror of the same name in the API (or a "no TS mirror" mark), the configs that check it
and their latest result from npm run check-spec's summary (or "not yet checked").

Options:
  --out <dir>       where to write the site (default: docs/); built beside it and renamed into
                    place; an existing folder is replaced only if empty or an earlier site
                    (it holds the .workbench-docs marker)
  --specs <dir>     folder with the .tla/.cfg files (default: specs/)
  --summary <file>  check-spec's JSON summary (default: .cache/check-spec/summary.json)
  --quiet           print only problems
  -h, --help        this help

Exit codes: 0 site written; 1 TypeDoc reported an error or warning (a broken link, a bad doc
comment: typedoc.json treats warnings as errors); 2 usage error; 3 environment (Java, TLC jar,
unwritable output folder); 4 spec or config error (SANY error, a config naming an operator the
spec lacks).`;

/** Where the command writes and reads. */
export interface DocsIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  /** Stops SANY (Ctrl-C); the old site stays. */
  readonly signal?: AbortSignal;
}

const cli = commandLine('docs');

/** The marker `npm run docs` leaves in a site it wrote: only such a folder (or an empty one) is replaced. */
export const DOCS_MARKER: OwnershipMarker = { file: '.workbench-docs', owner: 'npm run docs' };

/** The site is built beside `--out` and renamed into place, so `--out src` would replace the sources: refuse what is not a site of ours. */
async function refuseToReplace(outDir: string, given: string): Promise<void> {
  if (!relative(outDir, REPO_ROOT).startsWith('..')) {
    throw cli.usage(`--out ${given} is the repository or contains it, and would be replaced; choose a folder of its own, such as docs/.`);
  }
  await assertReplaceable(outDir, DOCS_MARKER, '--out');
}

/** Runs `npm run docs` with the given arguments; returns the exit code (never throws for expected failures). */
export async function docs(argv: readonly string[], io: DocsIo): Promise<ExitCodeValue> {
  // No "docs:" prefix: most messages start with the file:line they are about.
  return runCommand(undefined, io.stderr, () => buildSite(argv, io));
}

async function buildSite(argv: readonly string[], io: DocsIo): Promise<ExitCodeValue> {
  const { values } = cli.parse(argv, {
    allowPositionals: false,
    options: {
      out: { type: 'string', default: join(REPO_ROOT, 'docs') },
      specs: { type: 'string', default: join(REPO_ROOT, 'specs') },
      summary: { type: 'string', default: join(REPO_ROOT, '.cache', 'check-spec', 'summary.json') },
      quiet: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    io.stdout(`${HELP}\n`);
    return ExitCode.OK;
  }
  for (const [name, value] of [['--out', values.out], ['--specs', values.specs], ['--summary', values.summary]] as const) {
    if (value.trim() === '') throw cli.usage(`${name} needs a path.`);
  }
  const outDir = resolve(io.cwd, values.out);
  await refuseToReplace(outDir, values.out);
  if (!values.quiet) io.stderr('Building the docs: SANY reads the specs, then TypeDoc converts the API ...\n');
  // Built beside the old site (same parent, so relative source links hold) and renamed into place: a
  // failed build leaves the old site as it was.
  const staging = besidePath(outDir, 'building');
  let built;
  try {
    await mkdir(dirname(outDir), { recursive: true });
    await mkdir(staging);
    built = await buildDocs({
      root: REPO_ROOT,
      outDir: staging,
      specsDir: resolve(io.cwd, values.specs),
      srcDir: join(REPO_ROOT, 'src'),
      summaryFile: resolve(io.cwd, values.summary),
      env: io.env,
      ...(io.signal ? { signal: io.signal } : {}),
    });
    await markOwned(staging, DOCS_MARKER);
    await replaceDirectory(outDir, staging);
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw unwritable(error, `the docs into ${values.out}`, 'Choose a writable folder with --out.');
  }
  const moved = (path: string) => join(outDir, relative(staging, path));
  const result = { ...built, outDir, invariantsPage: moved(built.invariantsPage) };
  for (const warning of result.warnings) io.stderr(`TypeDoc: ${warning}\n`);
  const summary = result.catalogue.summary;
  if (summary.status === 'unreadable') io.stderr(`warning: ${summary.file} could not be read (${summary.problem}); every result reads "not yet checked".\n`);
  if (!values.quiet) {
    const entries = result.catalogue.entries;
    const mirrored = entries.filter((e) => result.mirrors.get(e.key)?.status === 'found').length;
    const shown = (p: string) => relative(io.cwd, p) || p;
    io.stdout(
      `Docs written to ${shown(result.outDir)}/index.html\n` +
        `Invariants: ${shown(result.invariantsPage)} (${entries.length} invariants and properties from ${result.catalogue.models.length} configs, ${mirrored} with a TS mirror` +
        `${summary.status === 'found' ? `, TLC results of ${summary.summary.startedAt}` : ', no TLC results yet: run npm run check-spec'})\n`,
    );
  }
  return ExitCode.OK;
}
