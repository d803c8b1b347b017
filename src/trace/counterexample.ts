/**
 * A TLC counterexample as a complete ITF trace (DESIGN section 4 of the architecture document), so
 * that it can be replayed, viewed or read by any ITF tool: `npm run check-spec` saves one per
 * violation next to its summary.
 *
 * @module
 */
import { relative } from 'node:path';
import { REPO_ROOT } from '../paths.js';
import type { CounterexampleState } from '../tlc/state.js';
import { unifyStates } from '../tla/unify.js';
import type { TlaValue } from '../tla/value.js';
import { ACTION_TAKEN, ITF_FORMAT_DESCRIPTION, type ItfDocumentJson, NONDET_PICKS, collectModelValues, splitActionLabel } from './itf-trace.js';
import { type ItfJson, toItf } from './itf-value.js';

/** What the file's `#meta` says besides the states. */
export interface CounterexampleInfo {
  /** The model (config name). */
  readonly model: string;
  readonly module: string;
  readonly config: string;
  /** TLC's version line. */
  readonly tlcVersion?: string;
  /** `invariant-violated ElectionSafety`, `deadlock` ... */
  readonly violation: string;
  /** The lasso of a liveness counterexample loops back to this state (1-based, as TLC numbers). */
  readonly loopsBackTo?: number;
  readonly endsInStuttering?: boolean;
  /** The variable holding the spec's action label, when it has one (DESIGN section 2). */
  readonly labelVariable?: string;
}

/**
 * The counterexample as an ITF document. Each variable keeps one shape in every state; when the spec
 * keeps an action label, each state also carries Quint's `mbt::actionTaken` and `mbt::nondetPicks`.
 */
export function counterexampleToItf(states: readonly CounterexampleState[], info: CounterexampleInfo): ItfDocumentJson {
  const unified = unifyStates(states.map((s) => s.vars));
  const vars = Object.keys(unified[0] ?? {});
  const labelVariable = info.labelVariable ?? 'action';
  const labels = unified.map((s) => splitActionLabel(s[labelVariable]));
  const labelled = labels.every((l) => l !== undefined);
  const meta: { [key: string]: ItfJson } = {
    format: 'ITF',
    'format-description': ITF_FORMAT_DESCRIPTION,
    source: shown(info.module),
    model: info.model,
    config: shown(info.config),
    ...(info.tlcVersion !== undefined ? { tlcVersion: info.tlcVersion } : {}),
    mode: 'counterexample',
    violation: info.violation,
    modelValues: collectModelValues(unified.flatMap((s) => Object.values(s))),
    description: `TLC's counterexample: ${info.violation} in ${info.model}`,
    regenerate: `npm run check-spec -- ${info.model}`,
    ...(info.loopsBackTo !== undefined ? { loopsBackToIndex: info.loopsBackTo - 1 } : {}),
    ...(info.endsInStuttering ? { endsInStuttering: true } : {}),
  };
  return {
    '#meta': meta,
    vars: labelled ? [...vars, ACTION_TAKEN, NONDET_PICKS] : vars,
    states: unified.map((state, index) => {
      const out: { [key: string]: ItfJson } = { '#meta': { index } };
      for (const name of vars) out[name] = toItf(state[name] as TlaValue);
      const label = labels[index];
      if (labelled && label !== undefined) {
        out[ACTION_TAKEN] = label.actionTaken;
        out[NONDET_PICKS] = toItf({ kind: 'record', fields: new Map(Object.entries(label.nondetPicks)) });
      }
      return out;
    }),
  };
}

function shown(path: string): string {
  const rel = relative(REPO_ROOT, path);
  return rel.startsWith('..') ? path : rel;
}
