/**
 * States of a TLC counterexample: `N: <Action line L, col C to ... of module M>` followed by one
 * `/\ variable = value` conjunct per variable (values may span several lines).
 *
 * @module
 */
import { TlaValueSyntaxError, parseTlaValue } from '../tla/parse-value.js';
import { INHERITED_NAME, type TlaValue, isInheritedName } from '../tla/value.js';

/** Where in the spec the action that produced a state is defined. */
export interface SourceRange {
  readonly module: string;
  readonly line: number;
  readonly column: number;
  readonly endLine: number;
  readonly endColumn: number;
}

/** The TLA+ action TLC names for a step (`null` for the initial state). */
export interface TlcAction {
  readonly name: string;
  readonly location?: SourceRange;
}

/** One state of a counterexample, its variables parsed into the shared value model. */
export interface CounterexampleState {
  /** 1-based position in the behavior, as TLC numbers it. */
  readonly index: number;
  readonly action: TlcAction | null;
  /** Variable name to value, in the order TLC printed them. */
  readonly vars: Readonly<Record<string, TlaValue>>;
}

const HEADER = /^(\d+):\s*<(.*)>\s*$/;
const LOCATION = /^(\S+) line (\d+), col (\d+) to line (\d+), col (\d+) of module (\S+)$/;

/** Parses the header line of a state: its index and the action that led to it. */
function parseHeader(line: string): { index: number; action: TlcAction | null } {
  const header = HEADER.exec(line.trim());
  if (!header) return { index: Number.NaN, action: { name: line.trim() } };
  const index = Number(header[1]);
  const label = (header[2] as string).trim();
  if (label === 'Initial predicate') return { index, action: null };
  const loc = LOCATION.exec(label);
  if (!loc) return { index, action: { name: label } };
  return {
    index,
    action: {
      name: loc[1] as string,
      location: {
        module: loc[6] as string,
        line: Number(loc[2]),
        column: Number(loc[3]),
        endLine: Number(loc[4]),
        endColumn: Number(loc[5]),
      },
    },
  };
}

// `name = ` at the start of a conjunct: the name a TLA+ identifier (letters, digits and _, at least one letter).
const ASSIGNMENT = /^\s*([A-Za-z0-9_]*[A-Za-z][A-Za-z0-9_]*)\s*=\s*/;

/**
 * Parses the variable conjuncts of a state (`/\ x = 1` lines, or a lone `x = 1` when the spec has
 * one variable) into values. Variable names are TLA+ identifiers, so `1st` is one. Anything else,
 * a variable printed twice, or a name every JavaScript object inherits (`constructor`,
 * `__proto__`: it cannot key the result) is a {@link TlaValueSyntaxError}, as is a value that
 * does not parse.
 */
export function parseStateBody(text: string): Record<string, TlaValue> {
  const conjuncts: string[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('/\\ ')) conjuncts.push(line.slice(3));
    else if (conjuncts.length === 0) conjuncts.push(line);
    else conjuncts[conjuncts.length - 1] += `\n${line}`;
  }
  const vars: Record<string, TlaValue> = {};
  for (const conjunct of conjuncts) {
    if (conjunct.trim() === '') continue;
    const eq = ASSIGNMENT.exec(conjunct);
    if (!eq) throw new TlaValueSyntaxError('not a variable assignment (`name = value`, the name a TLA+ identifier)', conjunct, 0);
    const name = eq[1] as string;
    if (isInheritedName(name)) throw new TlaValueSyntaxError(`variable name ${JSON.stringify(name)} is ${INHERITED_NAME}; rename the variable`, conjunct, 0);
    if (Object.hasOwn(vars, name)) throw new TlaValueSyntaxError(`variable ${name} is assigned twice`, conjunct, 0);
    vars[name] = parseTlaValue(conjunct.slice(eq[0].length));
  }
  return vars;
}

/** Parses a whole state message (header line plus variables). */
export function parseStateBlock(body: string): CounterexampleState {
  const newline = body.indexOf('\n');
  const headerLine = newline < 0 ? body : body.slice(0, newline);
  const { index, action } = parseHeader(headerLine);
  return { index, action, vars: newline < 0 ? {} : parseStateBody(body.slice(newline + 1)) };
}
