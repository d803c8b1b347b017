// The benchmark corpus (bench/lin/corpus.json): its shape is the issue's, each history regenerates
// exactly from its seed, each injected anomaly carries its certificate, and the checker decides every
// history as expected: in particular none ends "unknown" when a part of it fails. (Speed is measured by
// `npm run bench -- lin`, never asserted here.)
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { benchLin, formatLinReport, historyFingerprint, loadLinCorpus, type CorpusEntry } from '../../src/bench/lin.js';
import { generateHistory, staleWitness } from '../../src/bench/lin-corpus.js';
import { ExitCode, WorkbenchError } from '../../src/errors.js';
import { kvModel } from '../../src/kv/lin-model.js';
import { checkLinearizable, explainFailure, searchLinearization } from '../../src/lin/index.js';

const corpus = loadLinCorpus();

describe('the linearizability corpus', () => {
  it("has the issue's shapes, linearizable and not", () => {
    const register = corpus.filter((e) => e.workload.kind === 'register');
    const kv = corpus.filter((e) => e.workload.kind === 'kv');
    expect(register.length).toBeGreaterThanOrEqual(10);
    expect(kv.length).toBeGreaterThanOrEqual(5);
    for (const e of register) {
      expect(e.workload.clients).toBeGreaterThanOrEqual(5);
      expect(e.workload.clients).toBeLessThanOrEqual(20);
      expect(e.workload.ops).toBeGreaterThanOrEqual(50);
      expect(e.workload.ops).toBeLessThanOrEqual(200);
    }
    for (const e of kv) {
      expect(e.workload.clients).toBeGreaterThanOrEqual(10);
      expect(e.workload.clients).toBeLessThanOrEqual(50);
      expect(e.workload.ops).toBeGreaterThanOrEqual(1000);
      expect(e.workload.ops).toBeLessThanOrEqual(10000);
    }
    for (const kind of ['register', 'kv']) {
      const expected = new Set(corpus.filter((e) => e.workload.kind === kind).map((e) => e.expected));
      expect(expected).toEqual(new Set(['linearizable', 'not-linearizable']));
    }
  });

  it('every history regenerates from its seed, its anomaly certified, and is decided as expected', () => {
    for (const entry of corpus) {
      const g = generateHistory(entry.workload);
      expect(historyFingerprint(g.ops), entry.name).toBe(entry.fingerprint);
      const timedOut = g.ops.filter((o) => o.status === 'timeout').length;
      expect(timedOut, `${entry.name}: operations of unknown outcome`).toBeGreaterThan(0);
      if (g.anomaly !== null) {
        const read = g.ops.find((o) => o.id === g.anomaly!.read)!;
        expect(staleWitness(g.ops, read)?.id, entry.name).toBe(g.anomaly.overwrittenBy);
      }
      const r = checkLinearizable(kvModel, g.ops, { explain: false });
      expect(r.outcome, entry.name).toBe(entry.expected);
    }
  });

  it("an explanation's witness is proved not linearizable, minimal or not", () => {
    const failing = corpus.filter((e) => e.expected === 'not-linearizable').sort((a, b) => a.workload.ops - b.workload.ops);
    for (const entry of failing.slice(0, 3)) {
      const ops = generateHistory(entry.workload).ops;
      const r = checkLinearizable(kvModel, ops, { explain: false });
      if (r.outcome !== 'not-linearizable') throw new Error(`${entry.name} is ${r.outcome}`);
      const part = kvModel.partition!(ops).find((p) => p.name === r.part)!;
      const e = explainFailure(kvModel, part, { maxExplored: 200_000 });
      expect(e.ops.length).toBeLessThan(part.ops.length);
      expect(searchLinearization(kvModel, e.ops).linearizable, entry.name).toBe(false);
    }
  });

  it('a malformed manifest is one message naming the field, exit 4', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'lin-corpus-')), 'corpus.json');
    const good = corpus[0]!;
    writeFileSync(file, JSON.stringify({ histories: [{ ...good, workload: { ...good.workload, clients: 0 } }] }));
    let error: unknown;
    try {
      loadLinCorpus(file);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(WorkbenchError);
    expect((error as WorkbenchError).exitCode).toBe(ExitCode.SPEC_ERROR);
    expect((error as WorkbenchError).message).toMatch(/histories\[0\]\.workload\.clients must be an integer from 1 to 1000/);
    writeFileSync(file, JSON.stringify({ histories: [{ ...good, expected: 'linearizable', workload: { ...good.workload, anomaly: 'stale-read' } }] }));
    expect(() => loadLinCorpus(file)).toThrow(/histories\[0\]\.expected contradicts the workload's anomaly/);
  });
});

describe('npm run bench -- lin (smoke: shapes, not speeds)', () => {
  it('measures each history with the checker, the plain search and the previous checker, and prints the table', () => {
    const small: CorpusEntry[] = corpus.filter((e) => e.name === 'etcd-10c-54op-s10' || e.name === 'etcd-13c-170op-s23');
    expect(small).toHaveLength(2);
    const lines: string[] = [];
    const f = benchLin({ repetitions: 1, corpus: small, progress: (l) => lines.push(l) });
    expect(f.histories.map((h) => [h.name, h.checker.verdict, h.plain.verdict, h.previous.verdict])).toEqual([
      ['etcd-10c-54op-s10', 'not-linearizable', 'not-linearizable', 'not-linearizable'],
      ['etcd-13c-170op-s23', 'linearizable', 'linearizable', 'linearizable'],
    ]);
    expect(f).toMatchObject({ wrongVerdicts: 0, hiddenFailures: 0 });
    expect(lines).toHaveLength(2);
    const failing = f.histories.find((h) => h.expected === 'not-linearizable')!;
    expect(failing.explanation?.witnessOps).toBeGreaterThan(0);
    const text = formatLinReport(f);
    expect(text).toMatch(/history +clients +ops +info +fail +parts +expected +verdict +configs +ms +explanation ms +witness/);
    expect(text).toMatch(/etcd-10c-54op-s10 .* NOT linearizable +NOT linearizable +[\d,]+ /);
    expect(text).toMatch(/unknown although a part fails: 0 \(previous checker: 0/);
  });
});
