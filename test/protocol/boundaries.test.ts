// The pipeline is protocol-generic: no file outside a protocol's own folders imports its core or its
// definition, except the registry and what is built on that core (Raft's simulator, KV service, storage,
// and the benchmark that measures the generic replay against the Raft-specific loop it replaced).
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../src/paths.js';

const SRC = join(REPO_ROOT, 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? sourceFiles(join(dir, d.name)) : d.name.endsWith('.ts') ? [join(dir, d.name)] : []));
}

/** Every module a file imports, as a path relative to src/. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/^(?:import|export)\s[^;]*?from\s+'(\.[^']+)'/gms)].map((m) => relative(SRC, resolve(dirname(file), m[1] as string)));
}

/** Protocol-specific code, by protocol: its core and its definition(s). */
const PROTOCOL_FOLDERS = ['raft/', 'definitions/raft/', 'definitions/quorum-safety/', 'ring/', 'definitions/hash-ring/', 'quorum-kv/', 'definitions/quorum-kv/'];

/** Files allowed to import them, with why. */
const ALLOWED: readonly (readonly [RegExp, string])[] = [
  [/^raft\//, "the Raft core's own modules"],
  [/^definitions\/(raft|quorum-safety)\//, "the definitions of Raft and of quorum safety (a refinement onto the Raft core)"],
  [/^ring\//, "the ring's own modules"],
  [/^definitions\/hash-ring\//, "the hash ring's definition"],
  [/^quorum-kv\//, "the quorum store's own modules (a key's config comes from the ring)"],
  [/^definitions\/quorum-kv\//, "the quorum store's definition"],
  [/^(cli|bench)\/ring\.ts$/, "the ring's command and its benchmark (the ring is also a library)"],
  [/^(cli\/kv-sim|bench\/quorum)\.ts$/, "the quorum store simulator's command and the CAP/PACELC benchmark built on it"],
  [/^protocol\/registry\.ts$/, 'the registry'],
  [/^node\//, "Raft over TCP: the wire carries Raft messages (read with the trace reader's checks), a data directory holds Raft state"],
  [/^(sim|host|kv|storage)\//, "what is built on the Raft core: the simulator, the node host, the KV service, durable storage"],
  [/^cli\/(sim|soak)\.ts$/, "the simulator's commands"],
  [/^cli\/node\.ts$/, "the node command: its --defect names the Raft core's deliberately broken variants"],
  [/^cli\/torture\.ts$/, "the torture command: its --defect names the Raft core's deliberately broken variants"],
  [/^bench\/(replay|sim)\.ts$/, 'the benchmarks of Raft replay (its Raft-specific baseline) and of the simulator'],
];

describe('the pipeline is protocol-generic', () => {
  it('no file outside a protocol\'s folders imports its core or its definition, but the registry and Raft\'s drivers', () => {
    const offenders = sourceFiles(SRC)
      .map((f) => relative(SRC, f))
      .filter((f) => !ALLOWED.some(([pattern]) => pattern.test(f)))
      .flatMap((f) => importsOf(join(SRC, f)).filter((i) => PROTOCOL_FOLDERS.some((p) => i.startsWith(p))).map((i) => `${f} imports ${i}`));
    expect(offenders).toEqual([]);
  });

  it('the scan sees imports (a negative control: the registry does import the definitions)', () => {
    expect(importsOf(join(SRC, 'protocol', 'registry.ts')).filter((i) => i.startsWith('definitions/'))).toHaveLength(4);
    expect(importsOf(join(SRC, 'sim', 'monitor.ts')).some((i) => i.startsWith('raft/'))).toBe(true);
  });
});
