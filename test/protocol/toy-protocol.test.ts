// A protocol the workbench does not ship, brought by a definition alone (test/fixtures/toy-lock/): it
// goes through the same pipeline as Raft's, end to end with the real TLC: traces, replay, enabledness,
// a defective core caught, and the docs' pairing of its invariants with their TypeScript mirrors.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { conformanceCommand } from '../../src/cli/conformance.js';
import { tracesCommand } from '../../src/cli/traces.js';
import { buildDocs } from '../../src/docs/site.js';
import { ExitCode } from '../../src/errors.js';
import { REPO_ROOT } from '../../src/paths.js';
import { LOCK } from '../fixtures/toy-lock/definition.js';

const TOY = join(REPO_ROOT, 'test', 'fixtures', 'toy-lock');
let out: string;

function io() {
  const seen = { stdout: '', stderr: '' };
  return { seen, io: { stdout: (t: string) => void (seen.stdout += t), stderr: (t: string) => void (seen.stderr += t), env: process.env, cwd: REPO_ROOT } };
}

beforeAll(async () => {
  out = await mkdtemp(join(tmpdir(), 'toy-traces-'));
});
afterAll(async () => {
  await rm(out, { recursive: true, force: true });
});

describe('a toy protocol through the whole pipeline', () => {
  it('npm run traces: random walks and a complete tour from the real TLC, with a manifest', async () => {
    const { seen, io: capture } = io();
    const code = await tracesCommand(['--out', out, '--quiet'], capture, [LOCK]);
    expect(seen.stderr).toBe('');
    expect(code).toBe(ExitCode.OK);
    expect(seen.stdout).toMatch(/^lock simulation: LockSim: 5 traces, \d+ steps/m);
    expect(seen.stdout).toMatch(/^lock tour: \d+ traces, \d+ steps covering \d+ states and \d+ edges/m);
    const manifest = JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8')) as { batches: { protocol: string; mode: string }[] };
    expect(manifest.batches.map((b) => `${b.protocol} ${b.mode}`)).toEqual(['lock simulation', 'lock tour']);
  });

  it('npm run conformance: every trace replays, the tour is covered, the core enables exactly the spec\'s steps', async () => {
    const { seen, io: capture } = io();
    const code = await conformanceCommand([out], capture, [LOCK]);
    expect(seen.stderr).toBe('');
    expect(code).toBe(ExitCode.OK);
    expect(seen.stdout).toMatch(/^== lock: /m);
    expect(seen.stdout).toContain('divergences: none');
    expect(seen.stdout).toMatch(/enabledness on LockTour's state graph: .*: the implementation takes exactly the steps the spec enables/);
    expect(seen.stdout).toContain('all 3 actions of the vocabulary replayed');
    expect(seen.stdout).toMatch(/LockTour: \d+ traces, [\d,]+ steps; states (\d+)\/\1 \(100\.0 %\), edges (\d+)\/\2 \(100\.0 %\)/);
  });

  it('--defect: a server that grants a held lock is caught, at Grant', async () => {
    const { seen, io: capture } = io();
    const code = await conformanceCommand([out, '--defect', 'grant-twice'], capture, [LOCK]);
    expect(code).toBe(ExitCode.CHECK_FAILED);
    expect(seen.stdout).toMatch(/DEFECTIVE core "grant-twice"/);
    expect(seen.stdout).toMatch(/state \d+: Grant\(c\d\)\n {4}the implementation takes this step here; the spec does not enable it/);
  });

  it('npm run docs pairs the spec\'s invariants with the mirrors the definition names', async () => {
    const site = await buildDocs({
      root: REPO_ROOT,
      outDir: join(out, 'site'),
      specsDir: join(TOY, 'specs'),
      srcDir: TOY,
      summaryFile: join(out, 'no-summary.json'),
      typedocOverrides: { tsconfig: join(TOY, 'tsconfig.json'), readme: 'none', name: 'Toy' },
      env: process.env,
      protocols: [LOCK],
    });
    expect(site.catalogue.entries.map((e) => e.key)).toEqual(['Lock!TypeOK', 'Lock!HolderNotWaiting']);
    for (const key of ['Lock!TypeOK', 'Lock!HolderNotWaiting']) {
      expect(site.mirrors.get(key)).toMatchObject({ status: 'found', protocol: 'lock', mirror: { file: join(TOY, 'invariants.ts') } });
    }
  });
});
