/**
 * Reading what TLC writes besides its console: the trace modules of `-simulate file=...` and the
 * state graph of `-dump dot,actionlabels`. Both print states as TLA+ conjuncts (`/\ x = value`),
 * which keep sets, sequences, strings and model values apart (unlike `-dumpTrace json`, DESIGN
 * section 4), so they go through the same value parser as counterexamples.
 *
 * @module
 */
import { parseStateBody } from '../tlc/state.js';
import type { TlaValue } from '../tla/value.js';

/** One state as TLC printed it: variable name to value. */
export type TlcStateVars = Readonly<Record<string, TlaValue>>;

/** A TLC output file could not be read as expected (names the file and the offending part). */
export class TlcOutputError extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(`${file}: ${message}`);
    this.name = 'TlcOutputError';
  }
}

/**
 * Parses a trace module written by `-simulate file=...`: `STATE_1 == /\ x = ...` definitions, in
 * order, between the module header and the closing `====`.
 */
export function parseSimulationTrace(text: string, file: string): TlcStateVars[] {
  const states: TlcStateVars[] = [];
  const parts = text.split(/^STATE_(\d+) ==[ \t]*$/m);
  // parts: [header, "1", body1, "2", body2, ...]
  for (let i = 1; i < parts.length; i += 2) {
    const number = Number(parts[i]);
    if (number !== states.length + 1) throw new TlcOutputError(file, `STATE_${number} follows STATE_${states.length}`);
    const body = (parts[i + 1] ?? '').replace(/^=+\s*$/m, '').trim();
    try {
      states.push(parseStateBody(body));
    } catch (error) {
      throw new TlcOutputError(file, `STATE_${number} does not parse: ${(error as Error).message}`);
    }
  }
  if (states.length === 0) throw new TlcOutputError(file, 'holds no STATE_n definition');
  return states;
}

/** TLC's state graph as `-dump dot` writes it. */
export interface DotStateGraph {
  /** Every state, with TLC's fingerprint as `id`; `initial` for the states of Init. */
  readonly states: readonly { readonly id: string; readonly initial: boolean; readonly vars: TlcStateVars }[];
  /** Distinct edges as indexes into `states`, with TLC's edge label (its name for the action). */
  readonly edges: readonly { readonly from: number; readonly to: number; readonly label: string }[];
}

/** A state's line of a dot dump: fingerprint, the printed state (escaped), the rest (`style = filled` marks an initial state). */
export const DOT_NODE_LINE = /^(-?\d+) \[label="((?:[^"\\]|\\.)*)"(.*)\];?\s*$/;
/** An edge's line of a dot dump: source, target, TLC's name for the action. */
export const DOT_EDGE_LINE = /^(-?\d+) -> (-?\d+) \[label="((?:[^"\\]|\\.)*)"/;

/** A dot label as TLC printed it: the dot writer escapes backslashes, quotes and newlines. */
export function unescapeDot(text: string): string {
  return text.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
}

/** Parses a `-dump dot,actionlabels` file into states (with their values) and distinct edges. */
export function parseDotDump(text: string, file: string): DotStateGraph {
  const index = new Map<string, number>();
  const states: { id: string; initial: boolean; vars: TlcStateVars }[] = [];
  const rawEdges: [string, string, string][] = [];
  for (const line of text.split('\n')) {
    const edge = DOT_EDGE_LINE.exec(line);
    if (edge) {
      rawEdges.push([edge[1] as string, edge[2] as string, unescapeDot(edge[3] as string)]);
      continue;
    }
    const node = DOT_NODE_LINE.exec(line);
    if (!node) continue;
    const id = node[1] as string;
    if (index.has(id)) continue;
    let vars: TlcStateVars;
    try {
      vars = parseStateBody(unescapeDot(node[2] as string));
    } catch (error) {
      throw new TlcOutputError(file, `state ${id} does not parse: ${(error as Error).message}`);
    }
    index.set(id, states.length);
    states.push({ id, initial: /style\s*=\s*filled/.test(node[3] as string), vars });
  }
  const seen = new Set<string>();
  const edges: { from: number; to: number; label: string }[] = [];
  for (const [a, b, label] of rawEdges) {
    const from = index.get(a);
    const to = index.get(b);
    if (from === undefined || to === undefined) throw new TlcOutputError(file, `edge ${a} -> ${b} names a state the dump does not define`);
    const key = `${from} ${to}`;
    if (seen.has(key)) continue;
    seen.add(key);
    edges.push({ from, to, label });
  }
  if (!states.some((s) => s.initial)) throw new TlcOutputError(file, 'marks no initial state');
  return { states, edges };
}
