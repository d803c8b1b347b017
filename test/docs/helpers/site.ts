// Reading a built TypeDoc site back: page text, links, and the search index.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { inflateSync } from 'node:zlib';

/** The main content of a page (TypeDoc's typography panel), as HTML. */
export function pageContent(file: string): string {
  const html = readFileSync(file, 'utf8');
  const start = html.indexOf('<div class="tsd-panel tsd-typography">');
  const end = html.indexOf('<div class="col-sidebar">');
  return html.slice(start, end);
}

const ENTITIES: Record<string, string> = { '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'", '&amp;': '&' };

/** Visible text of some HTML: tags removed, entities decoded, whitespace kept. */
export function text(html: string): string {
  return html
    .replace(/<br\s*\/?>/g, '\n')
    .replace(/<[^>]+>/g, '')
    .replace(/&(lt|gt|quot|#39|amp);/g, (e) => ENTITIES[e] ?? e);
}

/** Every link of a page: its text and where its href points (absolute path, anchor dropped). */
export function links(file: string, html: string = pageContent(file)): { readonly text: string; readonly target: string }[] {
  return [...html.matchAll(/<a href="([^"#]*)[^"]*"[^>]*>(.*?)<\/a>/g)]
    .filter((m) => m[1] !== '')
    .map((m) => ({ text: text(m[2] as string).trim(), target: resolve(dirname(file), m[1] as string) }));
}

/** The rows of TypeDoc's search index (name, kind, url, parent). */
export function searchRows(outDir: string): { readonly name: string; readonly kind: number; readonly url: string; readonly parent?: string }[] {
  const script = readFileSync(join(outDir, 'assets', 'search.js'), 'utf8');
  const data = /"([^"]+)"/.exec(script)?.[1] ?? '';
  return (JSON.parse(inflateSync(Buffer.from(data, 'base64')).toString()) as { rows: { name: string; kind: number; url: string; parent?: string }[] }).rows;
}

/** Whether the file a link points at exists. */
export const exists = (path: string) => existsSync(path);
