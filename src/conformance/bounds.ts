/**
 * The bounds of a trace model (specs/MCRaftTrace.tla's `TraceConstraint` and
 * `TraceActionConstraint`), read from its config and mirrored in TypeScript, so the enabledness
 * check can tell which of the core's possible steps stay inside the model TLC explored.
 *
 * @module
 */
import { readFile } from 'node:fs/promises';
import { ExitCode, WorkbenchError } from '../errors.js';
import type { SpecState } from '../raft/spec-state.js';

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

/** Reads a trace model's bounds from its config file. */
export async function readModelBounds(file: string): Promise<ModelBounds> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new WorkbenchError(`The trace model config ${file} cannot be read.`, ExitCode.SPEC_ERROR, "The trace's #meta.config names it; run from the repository that generated the trace.");
  }
  return parseModelBounds(text, file);
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
