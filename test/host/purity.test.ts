/**
 * The node host knows nothing of the world it runs in: no clock, timer, randomness or process, no I/O, and
 * nothing of the simulator. Its environment supplies all of that, so a real runtime can drive the same code.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { scanSource } from '../raft/helpers/purity.js';

const HOST_DIR = fileURLToPath(new URL('../../src/host/', import.meta.url));

/** What the host may import besides its own modules: the Raft core, the storage contract and the KV service. */
const ALLOWED_IMPORTS = /^imports "\.\.\/(raft\/index|storage\/types|kv\/(command|client|state-machine))\.js"/;

function findings(file: string, source: string): string[] {
  return scanSource(file, source)
    .filter((f) => !ALLOWED_IMPORTS.test(f.rule))
    .map((f) => `${f.file}:${f.line} ${f.rule}`);
}

describe('the node host is pure', () => {
  it('reads no clock, starts no timer, draws no random number, and imports neither I/O nor the simulator', () => {
    const files = readdirSync(HOST_DIR).filter((f) => f.endsWith('.ts'));
    expect(files).toContain('node-host.ts');
    expect(files.flatMap((f) => findings(f, readFileSync(join(HOST_DIR, f), 'utf8')))).toEqual([]);
  });

  it('the scan catches what the host must not do (negative control)', () => {
    expect(findings('x.ts', "import { EventQueue } from '../sim/queue.js';")).toEqual(['x.ts:1 imports "../sim/queue.js" (only ./relative, ts-pattern and ../exhaustive.js allowed)']);
    expect(findings('x.ts', "import { FileStorage } from '../storage/file.js';")).toHaveLength(1);
    expect(findings('x.ts', 'const t = setTimeout(() => {}, 1);')).toHaveLength(1);
    expect(findings('x.ts', "import { step } from '../raft/index.js';")).toEqual([]);
  });
});
