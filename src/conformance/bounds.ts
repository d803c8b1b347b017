/**
 * The bounds of a trace model (specs/MCRaftTrace.tla's `TraceConstraint` and
 * `TraceActionConstraint`), read from its config and mirrored in TypeScript, so the enabledness
 * check can tell which of the core's possible steps stay inside the model TLC explored.
 *
 * @module
 */
import { join } from 'node:path';
import { ExitCode, WorkbenchError } from '../errors.js';
import { FileReadError, readTextFile, relativePathProblem, resolveInside } from '../files/read.js';
import type { SpecState } from '../raft/spec-state.js';
import { REPO_ROOT } from '../tlc/toolchain.js';
import { TraceError } from '../trace/itf-trace.js';

/** A trace model's bounds and constants. */
export interface ModelBounds {
  readonly maxTerm: number;
  readonly maxLogLen: number;
  readonly maxInFlight: number;
  readonly maxCopies: number;
  /** Action names the model never takes. */
  readonly disabledActions: readonly string[];
  /** The `Value` constant: what `ClientRequest` may carry. */
  readonly values: readonly string[];
}

function constant(text: string, name: string, file: string): string {
  const m = new RegExp(`^\\s*${name}\\s*=\\s*(.*?)\\s*$`, 'm').exec(text);
  if (!m) throw new WorkbenchError(`${file} sets no constant ${name}.`, ExitCode.SPEC_ERROR, 'Trace models set every constant of specs/MCRaftTrace.tla.');
  return m[1] as string;
}

function number(text: string, name: string, file: string): number {
  const value = constant(text, name, file);
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0) throw new WorkbenchError(`${file}: ${name} = ${value} is not a natural number.`, ExitCode.SPEC_ERROR);
  return n;
}

function set(text: string, name: string, file: string): string[] {
  const value = constant(text, name, file);
  const m = /^\{(.*)\}$/.exec(value);
  if (!m) throw new WorkbenchError(`${file}: ${name} = ${value} is not a set literal.`, ExitCode.SPEC_ERROR);
  return (m[1] as string)
    .split(',')
    .map((x) => x.trim().replace(/^"(.*)"$/, '$1'))
    .filter((x) => x !== '');
}

/** Parses the bounds out of a trace model's config text. */
export function parseModelBounds(text: string, file: string): ModelBounds {
  return {
    maxTerm: number(text, 'MaxTerm', file),
    maxLogLen: number(text, 'MaxLogLen', file),
    maxInFlight: number(text, 'MaxInFlight', file),
    maxCopies: number(text, 'MaxCopies', file),
    disabledActions: set(text, 'DisabledActions', file),
    values: set(text, 'Value', file),
  };
}

/** The largest model config read (the committed ones are about 2 KB). */
export const MAX_CONFIG_BYTES = 1024 * 1024;

const CONFIG_HINT =
  "A trace's #meta.config names the model config TLC ran, relative to the repository root and under specs/ (e.g. specs/traces/MCRaftTraceTour.cfg); regenerate the trace with `npm run traces`.";

/**
 * Reads a trace model's bounds from its config: `config` is the trace's `#meta.config`, relative to
 * the repository root `root`, and must name a file inside `root`/specs/ (no absolute path, no `..`,
 * no symbolic link out of specs/), so a shared trace cannot make this read any other file.
 * Throws a {@link TraceError} naming `trace` (how the trace is shown) otherwise.
 */
export async function readModelBounds(config: string, trace: string, root: string = REPO_ROOT): Promise<ModelBounds> {
  const refuse = (problem: string): never => {
    throw new TraceError(trace, undefined, `#meta.config ${JSON.stringify(config)} ${problem}`, CONFIG_HINT);
  };
  const segments = config.split(/[\\/]/);
  const syntax = relativePathProblem(config) ?? (segments[0] !== 'specs' || segments.length < 2 ? 'is not under specs/' : undefined);
  if (syntax !== undefined) refuse(syntax);
  const found = await resolveInside(join(root, 'specs'), segments.slice(1).join('/'));
  if ('problem' in found) return refuse(found.problem);
  let text: string;
  try {
    text = await readTextFile(found.path, { maxBytes: MAX_CONFIG_BYTES, what: 'trace model config', shown: config });
  } catch (error) {
    if (error instanceof FileReadError) return refuse(error.problem);
    throw error;
  }
  return parseModelBounds(text, config);
}

/** `TraceConstraint`: whether a state lies inside the model's bounds. */
export function withinBounds(state: SpecState, bounds: ModelBounds): boolean {
  for (const id of Object.keys(state.currentTerm)) {
    if ((state.currentTerm[id] as number) > bounds.maxTerm) return false;
    if ((state.log[id] as readonly unknown[]).length > bounds.maxLogLen) return false;
  }
  let total = 0;
  for (const { count } of state.messages) {
    if (count > bounds.maxCopies) return false;
    total += count;
  }
  return total <= bounds.maxInFlight;
}
