import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { lex, scanSource } from './helpers/purity.js';

const RAFT_DIR = fileURLToPath(new URL('../../src/raft/', import.meta.url));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? sourceFiles(join(dir, d.name)) : d.name.endsWith('.ts') ? [join(dir, d.name)] : [],
  );
}

describe('the Raft core is pure', () => {
  it('imports only its own modules and ts-pattern, and uses no clock, timer, randomness or process', () => {
    const files = sourceFiles(RAFT_DIR);
    expect(files.length).toBeGreaterThanOrEqual(10);
    const findings = files.flatMap((f) => scanSource(f, readFileSync(f, 'utf8')));
    expect(findings).toEqual([]);
  });
});

describe('the purity scanner', () => {
  it.each([
    ["import { readFile } from 'node:fs';", /imports "node:fs"/],
    ['import * as fs from "fs";', /imports "fs"/],
    ["export { x } from '../storage/index.js';", /imports "..\/storage\/index.js"/],
    ["import { x } from '../protocol/definition.js';", /imports "..\/protocol\/definition.js"/],
    ["import type { Socket } from 'net';", /imports "net"/],
    ["import 'crypto';", /imports "crypto"/],
    ["import fc from 'fast-check';", /imports "fast-check"/],
    ['const now = Date.now();', /clock \(Date\)/],
    ['const t = new Date();', /clock \(Date\)/],
    ['const r = Math.random();', /Math.random/],
    ['const r = Math . random();', /Math.random/],
    ['setTimeout(() => {}, 10);', /setTimeout/],
    ['setInterval(tick, 10);', /setInterval/],
    ['const t = performance.now();', /performance/],
    ['if (process.env.DEBUG) {}', /process/],
    ['const id = crypto.randomUUID();', /crypto/],
    ["const m = await import('node:fs');", /import\(\)/],
    ["const fs = require('fs');", /require/],
    ['console.log(state);', /console/],
    ['const s = `${Date.now()}`;', /clock \(Date\)/],
  ])('flags %s', (snippet, rule) => {
    const findings = scanSource('bad.ts', snippet);
    expect(findings.length).toBeGreaterThan(0);
    expect(findings.map((f) => f.rule).join('\n')).toMatch(rule);
  });

  it('ignores comments and string contents, and allows relative imports and ts-pattern', () => {
    const good = [
      "import { match } from 'ts-pattern';",
      "import type { NodeState } from './types.js';",
      '// no Date, no Math.random(), no setTimeout: drivers own time',
      '/* process.env is for drivers */',
      "const reason = 'the process crashed at a Date';",
      'const text = `performance ${a + `console ${b}`} Date`;',
      'const url = "http://example.com"; const x = 1;',
      'const updated = validateDates(x); const processed = 1;',
    ].join('\n');
    expect(scanSource('good.ts', good)).toEqual([]);
  });

  it('reports the line of each finding', () => {
    const findings = scanSource('bad.ts', "const a = 1;\n// Date\nconst b = Date.now();\nimport x from 'os';");
    expect(findings.map((f) => [f.line, f.rule])).toEqual([
      [4, 'imports "os" (only ./relative, ts-pattern and ../exhaustive.js allowed)'],
      [3, 'reads the clock (Date)'],
    ]);
  });

  it('keeps line structure while blanking comments and strings', () => {
    const { code, bare } = lex("a /* x\ny */ 'q\\'s' // z\nb");
    expect(code.split('\n')).toHaveLength(3);
    expect(bare).not.toMatch(/[xyqsz]/);
    expect(code).toContain("'q\\'s'");
  });
});
