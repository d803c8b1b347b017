/**
 * Model discovery. Every `.cfg` file under the specs folder is a model, named by its file name
 * without `.cfg`. Directives in `\*` comments at the top of the config say what to expect:
 *
 * ```
 * \* @description 3 servers, terms <= 2
 * \* @module MCRaft                                (the .tla to check; default: the config's own name)
 * \* @expect invariant-violated ElectionSafety     (default: ok)
 * \* @tier large                                   (default: ci)
 * ```
 *
 * `@expect` takes an outcome (`ok`, `invariant-violated`, `property-violated`, `deadlock`) and, for
 * violations, the name TLC must report. A model expected to fail is a negative control: it passes
 * only when TLC finds exactly that violation.
 *
 * @module
 */
import { existsSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { basename, join, relative } from 'node:path';
import { ExitCode, WorkbenchError } from '../errors.js';
import type { TlcResult } from './result.js';

/** Which runs include a model: `ci` by default (and in CI), `large` only when asked for. */
export type ModelTier = 'ci' | 'large';

/** The outcome a model must produce for check-spec to count it as passing. */
export type Expectation =
  | { readonly outcome: 'ok' }
  | { readonly outcome: 'invariant-violated' | 'property-violated'; readonly name: string }
  | { readonly outcome: 'deadlock' };

/** One model: a config plus the module it checks. */
export interface ModelSpec {
  readonly name: string;
  readonly config: string;
  readonly module: string;
  readonly description?: string;
  readonly expect: Expectation;
  readonly tier: ModelTier;
}

const DIRECTIVE = /^\s*\\\*\s*@(\w+)\s*(.*?)\s*$/;
const KNOWN_DIRECTIVES = ['description', 'module', 'expect', 'tier'] as const;

/** A model config's directives are malformed. */
export class ModelConfigError extends WorkbenchError {
  constructor(file: string, line: number, problem: string) {
    super(`${file}:${line}: ${problem}`, ExitCode.SPEC_ERROR, 'Fix the directive (see "Model configs" in the README).');
  }
}

function parseExpectation(text: string, file: string, line: number): Expectation {
  const [outcome, name, ...extra] = text.split(/\s+/);
  if (extra.length > 0) throw new ModelConfigError(file, line, `@expect takes an outcome and at most one name, got "${text}"`);
  switch (outcome) {
    case 'ok':
    case 'deadlock':
      if (name !== undefined) throw new ModelConfigError(file, line, `@expect ${outcome} takes no name`);
      return { outcome };
    case 'invariant-violated':
    case 'property-violated':
      if (name === undefined) throw new ModelConfigError(file, line, `@expect ${outcome} needs the name TLC must report`);
      return { outcome, name };
    default:
      throw new ModelConfigError(
        file,
        line,
        `unknown expected outcome "${outcome}": use ok, invariant-violated <Name>, property-violated <Name> or deadlock`,
      );
  }
}

/** Reads one model config's directives. */
export async function readModel(configPath: string, displayRoot = process.cwd()): Promise<ModelSpec> {
  const text = await readFile(configPath, 'utf8');
  const shown = relative(displayRoot, configPath) || configPath;
  const name = basename(configPath, '.cfg');
  let moduleName = name;
  let description: string | undefined;
  let expect: Expectation = { outcome: 'ok' };
  let tier: ModelTier = 'ci';
  text.split('\n').forEach((lineText, i) => {
    const directive = DIRECTIVE.exec(lineText);
    if (!directive) return;
    const [, key, value = ''] = directive;
    const line = i + 1;
    switch (key as (typeof KNOWN_DIRECTIVES)[number]) {
      case 'description':
        description = value;
        return;
      case 'module':
        moduleName = value.replace(/\.tla$/, '');
        return;
      case 'expect':
        expect = parseExpectation(value, shown, line);
        return;
      case 'tier':
        if (value !== 'ci' && value !== 'large') throw new ModelConfigError(shown, line, `@tier must be ci or large, got "${value}"`);
        tier = value;
        return;
      default:
        throw new ModelConfigError(shown, line, `unknown directive @${key} (known: ${KNOWN_DIRECTIVES.map((d) => `@${d}`).join(', ')})`);
    }
  });
  const module = join(configPath, '..', `${moduleName}.tla`);
  if (!existsSync(module)) throw new ModelConfigError(shown, 1, `the module ${moduleName}.tla it checks does not exist`);
  return { name, config: configPath, module, ...(description !== undefined ? { description } : {}), expect, tier };
}

/** Every model under a folder (not recursive), sorted by name. */
export async function discoverModels(specsDir: string): Promise<ModelSpec[]> {
  if (!existsSync(specsDir)) {
    throw new WorkbenchError(`The specs folder ${specsDir} does not exist.`, ExitCode.USAGE, 'Pass --specs <dir> or run from the repository root.');
  }
  const configs = (await readdir(specsDir)).filter((f) => f.endsWith('.cfg')).sort();
  return Promise.all(configs.map((f) => readModel(join(specsDir, f))));
}

/**
 * Selects models by exact name or `*` glob. An exact name runs whatever its tier; a glob only matches
 * models of the selected tier, so `MCRaft*` does not start an hours-long opt-in model by accident.
 * Unknown names are a usage error listing what exists.
 */
export function selectModels(models: readonly ModelSpec[], patterns: readonly string[], tier: ModelTier | 'all'): ModelSpec[] {
  const inTier = (m: ModelSpec) => tier === 'all' || m.tier === tier;
  if (patterns.length === 0) return models.filter(inTier);
  const selected = new Set<ModelSpec>();
  for (const pattern of patterns) {
    const isGlob = pattern.includes('*');
    const regex = new RegExp(`^${pattern.split('*').map(escapeRegex).join('.*')}$`);
    const named = models.filter((m) => regex.test(m.name));
    const matches = isGlob ? named.filter(inTier) : named;
    if (matches.length === 0) {
      throw new WorkbenchError(
        named.length > 0
          ? `"${pattern}" matches only models outside tier ${tier}: ${named.map((m) => `${m.name} (${m.tier})`).join(', ')}.`
          : `No model named "${pattern}".`,
        ExitCode.USAGE,
        named.length > 0
          ? `Name them exactly, or add --tier ${named[0]?.tier ?? 'all'}.`
          : `Known models: ${models.map((m) => m.name).join(', ')}. Use --list to see them with their tiers.`,
      );
    }
    for (const m of matches) selected.add(m);
  }
  return models.filter((m) => selected.has(m));
}

function escapeRegex(text: string): string {
  return text.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
}

/** Prints an expectation the way the directive writes it. */
export function describeExpectation(expect: Expectation): string {
  return 'name' in expect ? `${expect.outcome} ${expect.name}` : expect.outcome;
}

/** Whether a TLC result is what the model expects. */
export function meetsExpectation(expect: Expectation, result: Pick<TlcResult, 'outcome' | 'violation'>): boolean {
  if (result.outcome !== expect.outcome) return false;
  if (!('name' in expect)) return true;
  // TLC does not name violated temporal properties; accept the outcome alone then.
  return result.violation?.name === undefined || result.violation.name === expect.name;
}
