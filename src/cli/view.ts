/**
 * `npm run view`: one self-contained HTML page per trace, counterexample, divergence or client history.
 *
 * @module
 */
import { spawn } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { dirname, extname, join, resolve } from 'node:path';
import { shownPath, REPO_ROOT } from '../paths.js';
import { unwritable, writeFileAtomic } from '../files/write.js';
import { renderPage } from '../viewer/html.js';
import { inputStem, loadViews, type NamedView } from '../viewer/inputs.js';
import { commandLine, runCommand } from './args.js';
import type { Command } from './main.js';

const HELP = `Usage: npm run view -- <input> [--out file.html] [--open]

Writes one self-contained HTML page (inline script and styles, no network: it opens from file://) for:
  an ITF trace               traces/raft/scenario/leader-elected.itf.json
  a check-spec summary       .cache/check-spec/summary.json, or the output of npm run check-spec -- --json
                             (a page per counterexample); or a saved counterexample .itf.json
  a conformance report       the output of npm run conformance -- --json (a page per divergence)
  a simulator run            the output of npm run sim -- --json (its client history and the
                             linearizability verdict)
  an implementation trace    NDJSON written by npm run sim -- --record t.ndjson (lanes per server,
                             an arrow from the event that sent a message to the one that consumed it,
                             virtual time, each node's last logged variables)

A trace page shows a message-sequence chart (a lane per node with its role and term; an arrow per
message from send to delivery, lost and duplicated copies marked), the step list, and the state of the
selected step with values marked added (+), modified (~) or deleted (−); ←/→ move between steps.

Options:
  --out <file>   the page to write (default: .cache/view/<input name>.html); when the input holds
                 several views, each is written as <file name>-<view>.html
  --open         open the page in the desktop's browser (xdg-open, open or start)
  -h, --help     this help

Exit codes: 0 written, 2 usage error, 4 an input the viewer cannot read.`;

const cli = commandLine('view');

/** Where each view is written: `out` for a single view, `<out stem>-<name>.html` for several. */
export function pagePaths(out: string, views: readonly NamedView[]): string[] {
  if (views.length === 1) return [out];
  const ext = extname(out) || '.html';
  const stem = out.slice(0, out.length - extname(out).length);
  return views.map((v) => `${stem}-${v.name.replace(/[^A-Za-z0-9._-]/g, '_')}${ext}`);
}

/** Writes the pages of `input`; returns their paths. */
export async function writePages(input: string, out: string | undefined): Promise<string[]> {
  const views = await loadViews(input);
  const stem = inputStem(input);
  const paths = pagePaths(out ?? join(REPO_ROOT, '.cache', 'view', `${stem}.html`), views);
  for (const [i, view] of views.entries()) {
    const path = paths[i]!;
    try {
      await mkdir(dirname(path), { recursive: true });
      await writeFileAtomic(path, await renderPage(view.view));
    } catch (error) {
      throw unwritable(error, `the page ${path}`, 'Choose a writable --out location.');
    }
  }
  return paths;
}

function openInBrowser(path: string): void {
  const opener = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  const child = spawn(opener, [path], { stdio: 'ignore', detached: true });
  child.on('error', () => undefined);
  child.unref();
}

export const viewCommand: Command = (argv, io) =>
  runCommand('view', io.stderr, async () => {
    const { values, positionals } = cli.parse(argv, {
      options: { out: { type: 'string' }, open: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false } },
      allowPositionals: true,
    });
    if (values.help) {
      io.stdout(`${HELP}\n`);
      return 0;
    }
    if (positionals.length !== 1) throw cli.usage(positionals.length === 0 ? 'Give the input to view.' : `Give one input, not ${positionals.length}.`);
    const input = resolve(io.cwd, positionals[0]!);
    const paths = await writePages(input, values.out === undefined ? undefined : resolve(io.cwd, values.out));
    for (const path of paths) {
      io.stdout(`${shownPath(io.cwd, path)}\n`);
      if (values.open) openInBrowser(path);
    }
    return 0;
  });
