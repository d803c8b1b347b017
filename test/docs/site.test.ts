// Builds the real docs site once (TypeDoc over src/, SANY over specs/) and checks the Invariants pages.
import { readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readConfigChecks } from '../../src/tlc/config-checks.js';
import { NO_MIRROR_MARK } from '../../src/docs/render.js';
import { type DocsBuildResult, apiEntryPoints, buildDocs } from '../../src/docs/site.js';
import { REPO_ROOT } from '../../src/tlc/toolchain.js';
import { exists, links, pageContent, searchRows, text } from './helpers/site.js';

const SPECS = join(REPO_ROOT, 'specs');
let out: string;
let site: DocsBuildResult;

beforeAll(async () => {
  out = await mkdtemp(join(tmpdir(), 'docs-site-'));
  site = await buildDocs({
    root: REPO_ROOT,
    outDir: join(out, 'site'),
    specsDir: SPECS,
    srcDir: join(REPO_ROOT, 'src'),
    // No summary: every result must read "not yet checked" rather than fail.
    summaryFile: join(out, 'no-summary.json'),
    env: process.env,
  });
});

afterAll(async () => {
  if (out) await rm(out, { recursive: true, force: true });
});

describe('the API\'s entry points', () => {
  it('a folder with an index.ts is documented through it, any other folder file by file', () => {
    const entries = apiEntryPoints(join(REPO_ROOT, 'src')).map((f) => relative(REPO_ROOT, f));
    expect(entries).toContain(join('src', 'errors.ts'));
    expect(entries).toContain(join('src', 'raft', 'index.ts'));
    expect(entries).not.toContain(join('src', 'raft', 'step.ts'));
    expect(entries).toContain(join('src', 'tlc', 'run.ts'));
    expect(entries).toContain(join('src', 'docs', 'site.ts'));
  });
});

describe('npm run docs on the real specs and API', () => {
  it('builds without a single TypeDoc warning (warnings are errors)', () => {
    expect(site.warnings).toEqual([]);
    expect(exists(join(site.outDir, 'index.html'))).toBe(true);
  });

  it('every INVARIANT and PROPERTY named in every config under specs/ has an entry and a page', async () => {
    const configs = readdirSync(SPECS).filter((f) => f.endsWith('.cfg'));
    expect(configs.length).toBeGreaterThan(0);
    const overview = text(pageContent(site.invariantsPage));
    let named = 0;
    for (const cfg of configs) {
      const model = cfg.replace(/\.cfg$/, '');
      for (const check of await readConfigChecks(join(SPECS, cfg))) {
        named++;
        const entry = site.catalogue.entries.find((e) => e.name === check.name && e.checkedBy.some((c) => c.model.name === model && c.kind === check.kind));
        expect(entry, `${cfg}: ${check.kind} ${check.name}`).toBeDefined();
        if (entry === undefined) continue;
        const page = site.entryPages.get(entry.key) as string;
        expect(exists(page), `page of ${entry.key}`).toBe(true);
        const body = text(pageContent(page));
        // The TLA+ definition as written, the model that checks it, and a mirror link or the mark.
        expect(body).toContain(entry.definition.text);
        expect(body).toContain(model);
        expect(body).toContain('not yet checked');
        expect(overview).toContain(check.name);
      }
    }
    expect(named).toBeGreaterThan(0);
  });

  it('pairs spec operators with TS mirrors by name, linked into the API pages, else shows the mark', () => {
    for (const entry of site.catalogue.entries) {
      const page = site.entryPages.get(entry.key) as string;
      const mirror = site.mirrors.get(entry.key);
      const pageLinks = links(page);
      if (mirror?.status === 'found') {
        const link = pageLinks.find((l) => l.text === entry.name && relative(site.outDir, l.target).startsWith('functions'));
        expect(link, `${entry.key} links its mirror`).toBeDefined();
        expect(exists(link?.target as string)).toBe(true);
      } else {
        expect(text(pageContent(page))).toContain(NO_MIRROR_MARK);
      }
    }
    // ARCHITECTURE.md section 6's own example; and QuorumSafety's TypeOK is quorum safety's mirror, not Raft's.
    if (site.catalogue.entries.some((e) => e.key === 'Raft!ElectionSafety')) {
      expect(site.mirrors.get('Raft!ElectionSafety')).toMatchObject({ status: 'found', protocol: 'raft', mirror: { name: 'ElectionSafety' } });
    }
    const typeOk = site.mirrors.get('QuorumSafety!TypeOK');
    expect(typeOk).toMatchObject({ status: 'found', protocol: 'quorum-safety' });
    expect(typeOk?.status === 'found' && relative(REPO_ROOT, typeOk.mirror.file)).toBe(join('src', 'definitions', 'quorum-safety', 'invariants.ts'));
    // QuorumIntersection.tla is a spec no protocol implements: its operators have no mirror.
    const intersection = site.catalogue.entries.find((e) => e.module === 'QuorumIntersection');
    expect(intersection && site.mirrors.get(intersection.key)).toMatchObject({ status: 'missing', rejected: [] });
  });

  it('the Invariants pages are in the site\'s search index, one per entry', () => {
    const docs = searchRows(site.outDir).filter((r) => r.url.startsWith('documents/'));
    expect(docs.find((r) => r.name === 'Invariants')).toBeDefined();
    expect(docs.filter((r) => r.parent === 'Invariants')).toHaveLength(site.catalogue.entries.length);
  });

  it('links from the overview reach every entry page and the spec files', () => {
    const targets = links(site.invariantsPage).map((l) => l.target);
    for (const page of site.entryPages.values()) expect(targets).toContain(page);
    const specLinks = targets.filter((t) => t.endsWith('.tla'));
    expect(specLinks.length).toBeGreaterThan(0);
    for (const t of specLinks) expect(exists(t), t).toBe(true);
  });
});
