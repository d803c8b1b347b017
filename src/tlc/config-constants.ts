/**
 * The values a model config gives its constants (`MaxTerm = 2`, `Value = {"v1", "v2"}`), for the
 * checks that must stay inside the model TLC explored (a protocol's bounds for the enabledness check).
 * Only the simple forms trace models use: natural numbers and sets of names.
 *
 * @module
 */
import { ExitCode, WorkbenchError } from '../errors.js';

/** The text after `name =` on the line that sets it; a config that does not set it is a spec error. */
export function constantText(text: string, name: string, file: string, hint?: string): string {
  const m = new RegExp(`^\\s*${name}\\s*=\\s*(.*?)\\s*$`, 'm').exec(text);
  if (!m) throw new WorkbenchError(`${file} sets no constant ${name}.`, ExitCode.SPEC_ERROR, hint);
  return m[1] as string;
}

/** Whether the config sets `name`. */
export function hasConstant(text: string, name: string): boolean {
  return new RegExp(`^\\s*${name}\\s*=`, 'm').test(text);
}

/** A constant that must be `TRUE` or `FALSE`. */
export function booleanConstant(text: string, name: string, file: string, hint?: string): boolean {
  const value = constantText(text, name, file, hint);
  if (value !== 'TRUE' && value !== 'FALSE') throw new WorkbenchError(`${file}: ${name} = ${value} is not TRUE or FALSE.`, ExitCode.SPEC_ERROR, hint);
  return value === 'TRUE';
}

/** A constant that must be a natural number. */
export function naturalConstant(text: string, name: string, file: string, hint?: string): number {
  const value = constantText(text, name, file, hint);
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n)) throw new WorkbenchError(`${file}: ${name} = ${value} is not a natural number.`, ExitCode.SPEC_ERROR, hint);
  return n;
}

/** A constant that must be a set literal of names or strings: `{s1, s2}`, `{"Restart"}`, `{}`. */
export function setConstant(text: string, name: string, file: string, hint?: string): string[] {
  const value = constantText(text, name, file, hint);
  const m = /^\{(.*)\}$/.exec(value);
  if (!m) throw new WorkbenchError(`${file}: ${name} = ${value} is not a set literal.`, ExitCode.SPEC_ERROR, hint);
  return (m[1] as string)
    .split(',')
    .map((x) => x.trim().replace(/^"(.*)"$/, '$1'))
    .filter((x) => x !== '');
}
