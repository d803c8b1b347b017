/**
 * One self-contained HTML file per view: the page script (`page/main.ts`, bundled by esbuild into one
 * inline script), the styles and the view's data inline; no network, so it opens from `file://`.
 *
 * @module
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { writeFileAtomic } from '../files/write.js';
import type { NamedView } from './inputs.js';
import type { View } from './model.js';
import { PAGE_STYLE } from './style.js';

const ENTRY = fileURLToPath(new URL('./page/main.ts', import.meta.url));

let bundled: Promise<string> | undefined;

/** The page script, bundled once per process. */
export function pageScript(): Promise<string> {
  bundled ??= build({
    entryPoints: [ENTRY],
    bundle: true,
    write: false,
    format: 'iife',
    target: 'es2020',
    minify: true,
    legalComments: 'none',
    logLevel: 'silent',
  }).then((result) => {
    const file = result.outputFiles[0];
    if (file === undefined) throw new Error('internal: esbuild produced no page script');
    return file.text;
  });
  return bundled;
}

/** `text` safe inside a `<script>` element: no `</script>` or `<!--` can end or change it. */
function scriptSafe(text: string): string {
  return text.replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The whole page of `view`. */
export async function renderPage(view: View): Promise<string> {
  const script = await pageScript();
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(view.title)}</title>
<style>${PAGE_STYLE}</style>
</head>
<body>
<div id="app"></div>
<script type="application/json" id="view-data">${scriptSafe(JSON.stringify(view))}</script>
<script>${script.replace(/<\/script/gi, '<\\/script')}</script>
</body>
</html>
`;
}

/** Writes each view as `<dir>/<name>.html`; returns the pages' paths. For commands that print the page of each failure. */
export async function writeViewPages(views: readonly NamedView[], dir: string): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const paths: string[] = [];
  for (const { name, view } of views) {
    const path = join(dir, `${name.replace(/[^A-Za-z0-9._-]/g, '_')}.html`);
    await writeFileAtomic(path, await renderPage(view));
    paths.push(path);
  }
  return paths;
}
