// `npm run conformance` on a corpus someone else shared: the manifest may only name files inside its
// folder, a trace's #meta.config is never read, nothing a file holds is echoed when it does not parse,
// and names read from a trace never reach a plain object's prototype.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CoverageCollector } from '../../src/conformance/coverage.js';
import { loadTrace } from '../../src/conformance/replay.js';
import { loadCorpus, runConformance } from '../../src/conformance/run.js';
import { RAFT, RAFT_DEFINITION } from '../../src/definitions/raft/definition.js';
import { ExitCode, WorkbenchError } from '../../src/errors.js';
import { REPO_ROOT } from '../../src/paths.js';
import { PROTOCOLS } from '../../src/protocol/registry.js';
import { TraceError, parseTrace, readTrace } from '../../src/trace/itf-trace.js';

const SCENARIO = 'traces/raft/scenario/vote-refused-already-voted.itf.json';
const TOUR = 'traces/raft/tour/tour-001.itf.json';
// A JSON document the tests mutate freely.
type Json = any;

const tmp = () => mkdtempSync(join(tmpdir(), 'untrusted-corpus-'));

function manifest(files: readonly unknown[]): Json {
  return {
    formatVersion: 1,
    description: 'shared by someone else',
    totals: { traces: files.length, steps: 0 },
    batches: [
      {
        mode: 'scenario',
        protocol: 'raft',
        spec: 'Raft',
        model: 'MCRaftTraceScenario',
        config: 'specs/traces/MCRaftTraceScenario.cfg',
        tlcVersion: '2.18 of 20 March 2023',
        regenerate: 'npm run traces -- --mode scenario',
        count: files.length,
        steps: 0,
        traces: files.map((file) => ({ file, steps: 0 })),
      },
    ],
  };
}

/** A trace folder holding one good trace (raft/scenario/t.itf.json) and the given manifest. */
function folder(files: readonly unknown[] | undefined): string {
  const dir = tmp();
  mkdirSync(join(dir, 'raft', 'scenario'), { recursive: true });
  cpSync(join(REPO_ROOT, SCENARIO), join(dir, 'raft', 'scenario', 't.itf.json'));
  if (files !== undefined) writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest(files)));
  return dir;
}

async function loadError(dir: string): Promise<WorkbenchError> {
  try {
    await loadCorpus([dir], dir, { registry: PROTOCOLS });
  } catch (e) {
    expect(e).toBeInstanceOf(WorkbenchError);
    expect((e as WorkbenchError).exitCode).toBe(ExitCode.SPEC_ERROR);
    return e as WorkbenchError;
  }
  throw new Error('expected a WorkbenchError');
}

describe('manifest entries stay inside the trace folder', () => {
  it('a well-formed folder still loads', async () => {
    const corpus = await loadCorpus([folder(['raft/scenario/t.itf.json'])], REPO_ROOT, { registry: PROTOCOLS });
    expect(corpus.traces).toHaveLength(1);
  });

  it.each([
    ['../../../../etc/passwd', 'climbs out of the folder with ".."'],
    ['raft/../../../etc/passwd', 'climbs out of the folder with ".."'],
    ['/etc/passwd', 'is an absolute path'],
  ])('an entry %j is refused before anything is read', async (entry, problem) => {
    const e = await loadError(folder([entry]));
    expect(e).toBeInstanceOf(TraceError);
    expect(e.message).toBe(`manifest.json: lists ${JSON.stringify(entry)}, which ${problem}`);
    expect(e.message).not.toMatch(/root:/);
  });

  it('an entry that is a symbolic link out of the folder is refused, even to a valid trace', async () => {
    const outside = tmp();
    cpSync(join(REPO_ROOT, SCENARIO), join(outside, 'elsewhere.itf.json'));
    const dir = folder(['raft/scenario/t.itf.json', 'raft/link.itf.json']);
    symlinkSync(join(outside, 'elsewhere.itf.json'), join(dir, 'raft', 'link.itf.json'));
    expect((await loadError(dir)).message).toBe('manifest.json: lists "raft/link.itf.json", which leads outside the folder (through a symbolic link)');
    const viaDir = folder(['out/elsewhere.itf.json']);
    symlinkSync(outside, join(viaDir, 'out'));
    expect((await loadError(viaDir)).message).toMatch(/lists "out\/elsewhere.itf.json", which leads outside the folder/);
  });

  it('an entry that does not exist, or is not a path at all', async () => {
    expect((await loadError(folder(['raft/scenario/gone.itf.json']))).message).toBe('manifest.json: lists "raft/scenario/gone.itf.json", which does not exist');
    for (const entry of [42, null, { evil: true }]) {
      const dir = tmp();
      writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ ...manifest([]), batches: [{ ...manifest([]).batches[0], traces: [{ file: entry, steps: 0 }] }] }));
      expect((await loadError(dir)).message).toBe('manifest.json: a trace entry has no "file" path (a string)');
    }
  });

  it('a manifest that is a link out of the folder is refused', async () => {
    const outside = tmp();
    writeFileSync(join(outside, 'secret.json'), JSON.stringify(manifest(['raft/scenario/t.itf.json'])));
    const dir = folder(undefined);
    symlinkSync(join(outside, 'secret.json'), join(dir, 'manifest.json'));
    expect((await loadError(dir)).message).toBe('manifest.json: leads outside the folder (through a symbolic link)');
  });

  it('a manifest that is not JSON: where it breaks, not what it holds', async () => {
    const dir = folder(undefined);
    writeFileSync(join(dir, 'manifest.json'), 'SECRET=hunter2\nTOKEN=abc\n');
    const e = await loadError(dir);
    expect(e.message).toBe('manifest.json: malformed JSON at line 1, column 1: a value cannot start with this character');
    expect(e.message).not.toMatch(/SECRET|hunter2|TOKEN/);
  });

  it('a folder without a manifest: a trace file that links out of the folder is refused', async () => {
    const outside = tmp();
    cpSync(join(REPO_ROOT, SCENARIO), join(outside, 'elsewhere.itf.json'));
    const dir = folder(undefined);
    symlinkSync(join(outside, 'elsewhere.itf.json'), join(dir, 'raft', 'link.itf.json'));
    expect((await loadError(dir)).message).toBe('raft/link.itf.json: leads outside the folder (through a symbolic link)');
  });

  it('a trace named in the manifest that is not JSON is not echoed', async () => {
    const dir = folder(['raft/scenario/t.itf.json']);
    writeFileSync(join(dir, 'raft', 'scenario', 't.itf.json'), 'root:x:0:0:root:/root:/bin/bash\n');
    const e = await loadError(dir);
    expect(e.message).toBe('raft/scenario/t.itf.json: malformed JSON at line 1, column 1: a value cannot start with this character');
  });
});

describe("a trace's #meta.config is never read", () => {
  /** Runs the enabledness check on one tour trace whose #meta says `meta`. */
  async function runTour(meta: Record<string, string>) {
    const read = await readTrace(join(REPO_ROOT, TOUR), TOUR);
    const t = RAFT.load({ ...read, meta: { ...read.meta, ...meta } }, TOUR);
    // A graph exactly as large as what this one trace covers, so the tour counts as complete.
    const covered = new CoverageCollector(RAFT.name, RAFT.actions);
    covered.add(t, t.steps.length);
    const m = covered.report().models[0]!;
    return runConformance({ traces: [t], graphs: new Map([[t.meta.model, { states: m.states, edges: m.edges, initialStates: 1 }]]), skipped: [] }, [RAFT]);
  }

  it.each(['../../../../etc/passwd', '/etc/passwd', 'specs/../package.json', '/dev/zero'])('%j: the bounds come from the protocol\'s own config of the model', async (config) => {
    const report = await runTour({ config });
    expect(report.protocols[0]?.enabledness).toHaveLength(1);
  });

  it('a tour of a model the protocol does not have is refused, naming the trace', async () => {
    const e = await runTour({ model: 'MCEvilTour' }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(e).toBeInstanceOf(TraceError);
    expect((e as TraceError).exitCode).toBe(ExitCode.SPEC_ERROR);
    expect((e as TraceError).message).toBe(`${TOUR}: is a tour of MCEvilTour, which is not a tour model of protocol raft (MCRaftTraceTour)`);
  });
});

describe('names from a trace are looked up as own properties only', () => {
  const original = (): Json => JSON.parse(readFileSync(join(REPO_ROOT, SCENARIO), 'utf8'));
  const loadError = (json: Json): TraceError => {
    try {
      loadTrace(RAFT_DEFINITION, parseTrace(JSON.stringify(json), SCENARIO), SCENARIO);
    } catch (e) {
      expect(e).toBeInstanceOf(TraceError);
      expect((e as TraceError).exitCode).toBe(ExitCode.SPEC_ERROR);
      return e as TraceError;
    }
    throw new Error('expected a TraceError');
  };

  it.each(['constructor', 'toString', '__proto__', 'hasOwnProperty'])('a message with mtype %j is refused, not a crash', (mtype) => {
    const json = original();
    const state = json.states[2];
    const [message] = state.messages['#map'][0];
    message.mtype = mtype;
    expect(loadError(json).message).toBe(
      `${SCENARIO}, state 2: the state is not type-correct: messages (message 1).mtype: expected one of RequestVoteRequest, RequestVoteResponse, AppendEntriesRequest, AppendEntriesResponse, got ${JSON.stringify(mtype)}`,
    );
  });

  it.each(['__proto__', 'constructor', 'hasOwnProperty'])('a server named %j is refused with a clear message', (name) => {
    const text = readFileSync(join(REPO_ROOT, SCENARIO), 'utf8').replaceAll('"s1"', JSON.stringify(name));
    const e = loadError(JSON.parse(text));
    expect(e.message).toBe(
      `${SCENARIO}, state 0: the state is not type-correct: currentTerm: server ${JSON.stringify(name)} is a name every JavaScript object inherits (Object.prototype); rename it`,
    );
  });

  it('an action label with a field named "__proto__" is refused', () => {
    const json = original();
    Object.defineProperty(json.states[1].action, '__proto__', { value: 's2', enumerable: true, writable: true, configurable: true });
    expect(loadError(json).message).toMatch(/state 1: malformed action label: action: Timeout takes node, not "__proto__"/);
  });

  it('an action named after an inherited property is an unknown action', () => {
    const json = original();
    const step = json.states[2];
    step.action.name = 'constructor';
    step['mbt::actionTaken'] = 'constructor';
    expect(loadError(json).message).toBe(`${SCENARIO}, state 2: unknown action: action: unknown action name "constructor"`);
  });
});
