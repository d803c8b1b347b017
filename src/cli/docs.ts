/**
 * `npm run docs`: builds the documentation site — the API of `src/` plus one page per invariant and
 * property named in a model config (see {@link "docs/site"}).
 *
 * @module
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { ExitCode, type ExitCodeValue, WorkbenchError } from '../errors.js';
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
  --out <dir>       where to write the site (default: docs/; emptied first)
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
}

const cli = commandLine('docs');

/**
 * TypeDoc empties its output folder first, so `--out src` would delete the sources: only a new or
 * empty folder, or one holding an earlier TypeDoc site, may be used.
 */
function refuseToEmpty(outDir: string, given: string): void {
  if (!relative(outDir, REPO_ROOT).startsWith('..')) {
    throw cli.usage(`--out ${given} is the repository or contains it, and would be emptied; choose a folder of its own, such as docs/.`);
  }
  if (!existsSync(outDir)) return;
  if (!statSync(outDir).isDirectory()) throw cli.usage(`--out ${given} is a file, not a folder.`);
  const earlierSite = existsSync(join(outDir, 'assets', 'main.js')) && existsSync(join(outDir, 'index.html'));
  if (readdirSync(outDir).length > 0 && !earlierSite) {
    throw cli.usage(`--out ${given} is not empty and does not hold an earlier docs build; refusing to empty it.`);
  }
}

/** Runs `npm run docs` with the given arguments; returns the exit code (never throws for expected failures). */
export async function docs(argv: readonly string[], io: DocsIo): Promise<ExitCodeValue> {
  // No "docs:" prefix: most messages start with the file:line they are about.
  return runCommand(undefined, io.stderr, async () => {
    try {
      return await buildSite(argv, io);
    } catch (error) {
      throw asUnwritableOutput(error);
    }
  });
}

const UNWRITABLE = new Set(['EACCES', 'EROFS', 'ENOSPC', 'EPERM']);

/** A failure to write the site is the environment's (exit 3), not a bug. */
function asUnwritableOutput(error: unknown): unknown {
  if (error instanceof Error && UNWRITABLE.has((error as NodeJS.ErrnoException).code ?? '')) {
    return new WorkbenchError(`Could not write the docs: ${error.message}`, ExitCode.ENVIRONMENT, 'Choose a writable folder with --out.');
  }
  return error;
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
  refuseToEmpty(outDir, values.out);
  if (!values.quiet) io.stderr('Building the docs: SANY reads the specs, then TypeDoc converts the API ...\n');
  const result = await buildDocs({
    root: REPO_ROOT,
    outDir,
    specsDir: resolve(io.cwd, values.specs),
    srcDir: join(REPO_ROOT, 'src'),
    summaryFile: resolve(io.cwd, values.summary),
    env: io.env,
  });
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
