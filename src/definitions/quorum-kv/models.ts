/**
 * The constants of the quorum store's trace models. A spec state does not carry N, R, W, the mode,
 * the resolution or the walk, yet the core needs them; every model of this protocol names a distinct
 * set of nodes, values and reads, so a state's domains tell its model, whose constants are read from
 * the protocol's own config (as the tour's bounds are; a trace's `#meta.config` is never read).
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../paths.js';
import type { ClusterConfig } from '../../quorum-kv/index.js';
import { constantText, naturalConstant, setConstant } from '../../tlc/config-constants.js';
import { ExitCode, WorkbenchError } from '../../errors.js';
import type { TraceModel } from '../../trace/models.js';

export const HARNESS = join(REPO_ROOT, 'specs', 'MCQuorumKV.tla');

export function kvModel(name: string, mode: TraceModel['mode']): TraceModel {
  return { name, spec: 'QuorumKV', mode, module: HARNESS, config: join(REPO_ROOT, 'specs', 'traces', `${name}.cfg`), labelVariable: 'action' };
}

/** A model's constants: the cluster's config and the domains of its states. */
export interface KVModelConstants {
  readonly model: string;
  readonly config: ClusterConfig;
  readonly values: readonly string[];
  readonly readIds: readonly number[];
}

/** The harness's sequence `name == <<n1, n2>>` (a config cannot write a sequence of model values). */
function harnessSequence(harness: string, name: string, file: string): string[] {
  const m = new RegExp(`^${name}\\s*==\\s*<<(.*)>>\\s*$`, 'm').exec(harness);
  if (!m) throw new WorkbenchError(`${file}: ${name} is not a sequence of nodes defined in specs/MCQuorumKV.tla.`, ExitCode.SPEC_ERROR);
  return (m[1] as string).split(',').map((x) => x.trim()).filter((x) => x !== '');
}

/** A constant given by a definition of the harness (`Pref <- Walk3`) or directly. */
function harnessConstant(text: string, harness: string, name: string, file: string): string[] {
  const sub = new RegExp(`^\\s*${name}\\s*<-\\s*(\\w+)\\s*$`, 'm').exec(text);
  if (sub) {
    const def = sub[1] as string;
    const set = new RegExp(`^${def}\\s*==\\s*\\{(.*)\\}\\s*$`, 'm').exec(harness);
    if (set) return (set[1] as string).split(',').map((x) => x.trim()).filter((x) => x !== '');
    return harnessSequence(harness, def, file);
  }
  return setConstant(text, name, file);
}

const stringConstant = (text: string, name: string, file: string): string => constantText(text, name, file).replace(/^"(.*)"$/, '$1');
function booleanConstant(text: string, name: string, file: string): boolean {
  const v = constantText(text, name, file);
  if (v !== 'TRUE' && v !== 'FALSE') throw new WorkbenchError(`${file}: ${name} = ${v} is not TRUE or FALSE.`, ExitCode.SPEC_ERROR);
  return v === 'TRUE';
}

/** Reads a model's constants from its config text and the harness. */
export function readModelConstants(model: string, text: string, harness: string, file: string): KVModelConstants {
  const walk = harnessConstant(text, harness, 'Pref', file);
  const nodes = harnessConstant(text, harness, 'Node', file);
  if ([...walk].sort().join() !== [...nodes].sort().join()) throw new WorkbenchError(`${file}: the walk ${walk.join(', ')} is not every node once.`, ExitCode.SPEC_ERROR);
  const mode = stringConstant(text, 'Mode', file);
  const resolution = stringConstant(text, 'Resolution', file);
  if ((mode !== 'CP' && mode !== 'AP') || (resolution !== 'LWW' && resolution !== 'VV')) throw new WorkbenchError(`${file}: Mode must be "CP" or "AP", Resolution "LWW" or "VV".`, ExitCode.SPEC_ERROR);
  if (booleanConstant(text, 'UNSAFE_AckShortOfW', file)) throw new WorkbenchError(`${file}: UNSAFE_AckShortOfW is a negative control of the spec; the core implements the safe rule.`, ExitCode.SPEC_ERROR);
  const readIds = setConstant(text, 'Reads', file).map((x) => {
    if (!/^\d+$/.test(x)) throw new WorkbenchError(`${file}: Reads must be a set of natural numbers.`, ExitCode.SPEC_ERROR);
    return Number(x);
  });
  return {
    model,
    config: {
      walk,
      n: naturalConstant(text, 'N', file),
      r: naturalConstant(text, 'R', file),
      w: naturalConstant(text, 'W', file),
      mode,
      resolution,
      lossy: booleanConstant(text, 'Lossy', file),
      oneClient: booleanConstant(text, 'OneClient', file),
    },
    values: setConstant(text, 'Value', file).sort(),
    readIds: readIds.sort((a, b) => a - b),
  };
}

const signature = (nodes: readonly string[], values: readonly string[], readIds: readonly number[]): string => JSON.stringify([[...nodes].sort(), [...values].sort(), [...readIds].sort((a, b) => a - b)]);

let cache: Map<string, KVModelConstants> | undefined;

/** The protocol's models by the nodes, values and reads their states have; two models alike are refused. */
export function modelsBySignature(models: readonly TraceModel[]): Map<string, KVModelConstants> {
  if (cache !== undefined) return cache;
  const harness = readFileSync(HARNESS, 'utf8');
  const out = new Map<string, KVModelConstants>();
  for (const m of models) {
    const c = readModelConstants(m.name, readFileSync(m.config, 'utf8'), harness, m.config);
    const key = signature(c.config.walk, c.values, c.readIds);
    const other = out.get(key);
    if (other !== undefined) throw new Error(`quorum-kv's models ${other.model} and ${m.name} have the same nodes, values and reads: a state could not tell them apart`);
    out.set(key, c);
  }
  cache = out;
  return out;
}

export function constantsFor(models: readonly TraceModel[], nodes: readonly string[], values: readonly string[], readIds: readonly number[]): KVModelConstants | undefined {
  return modelsBySignature(models).get(signature(nodes, values, readIds));
}
