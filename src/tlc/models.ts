/**
 * Model discovery. Every `.cfg` file under the specs folder is a model, named by its file name
 * without `.cfg`. Directives in `\*` comments at the top of the config say what to expect:
 *
 * ```
 * \* @description 3 servers, terms <= 2
 * \* @module MCRaft                                (the .tla to check; default: the config's own name)
 * \* @expect invariant-violated ElectionSafety     (default: ok)
 * \* @tier large                                   (default: ci; or simulate)
 * \* @budget 2m                                    (a simulate-tier model's time budget)
 * ```
 *
 * A `simulate`-tier model is too large to exhaust: `check-spec --tier simulate` runs TLC's random
 * simulation on it for its budget (default 1 minute) instead.
 *
 * `@expect` takes an outcome (`ok`, `invariant-violated`, `property-violated`, `deadlock`) and, for
 * violations, the name TLC must report. A model expected to fail is a negative control: it passes
 * only when TLC finds exactly that violation.
 *
 * @module
 */
import { existsSync, statSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { ExitCode, WorkbenchError } from '../errors.js';
import { shownPath } from '../paths.js';
import { parseDuration } from '../units.js';
import { parseConfigChecks } from './config-checks.js';
import type { TlcResult } from './result.js';

/**
 * Which runs include a model: `ci` by default (and in CI), `large` only when asked for, `simulate` only
 * when asked for and then by simulation for a time budget.
 */
export type ModelTier = 'ci' | 'large' | 'simulate';

/** The tiers, in the order `--help` lists them. */
export const MODEL_TIERS: readonly ModelTier[] = ['ci', 'large', 'simulate'];

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
  /** How long to simulate it (`@budget`), for the simulate tier or `--simulate`. */
  readonly budgetMs?: number;
  /** The properties the config names (`PROPERTY`/`PROPERTIES`), to tell which one TLC refuted. */
  readonly properties: readonly string[];
  /**
   * What is wrong with the config, when something is (a bad directive, a syntax error): the model is
   * then reported as a spec error without running TLC, and every other model still runs.
   */
  readonly problem?: string;
}

const DIRECTIVE = /^\s*\\\*\s*@(\w+)\s*(.*?)\s*$/;
const KNOWN_DIRECTIVES = ['description', 'module', 'expect', 'tier', 'budget'] as const;

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

// A TLA+ module name: letters, digits and underscores (so `@module` cannot point outside the folder).
const MODULE_NAME = /^\w*[A-Za-z]\w*$/;

/**
 * Reads one model config's directives. A config with a problem is still returned, with
 * {@link ModelSpec.problem} set, so one bad config does not stop the others (or `--list`).
 */
export async function readModel(configPath: string, displayRoot = process.cwd()): Promise<ModelSpec> {
  const name = basename(configPath, '.cfg');
  try {
    return await parseModel(configPath, displayRoot);
  } catch (error) {
    if (!(error instanceof WorkbenchError) || error.exitCode !== ExitCode.SPEC_ERROR) throw error;
    return { name, config: configPath, module: join(configPath, '..', `${name}.tla`), expect: { outcome: 'ok' }, tier: 'ci', properties: [], problem: error.message };
  }
}

async function parseModel(configPath: string, displayRoot: string): Promise<ModelSpec> {
  const text = await readFile(configPath, 'utf8');
  const shown = shownPath(displayRoot, configPath);
  const name = basename(configPath, '.cfg');
  let moduleName = name;
  let description: string | undefined;
  let expect: Expectation = { outcome: 'ok' };
  let tier: ModelTier = 'ci';
  let budgetMs: number | undefined;
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
        if (!MODULE_NAME.test(moduleName)) {
          throw new ModelConfigError(shown, line, `@module takes a module name in the same folder (letters, digits, _), not "${value}"`);
        }
        return;
      case 'expect':
        expect = parseExpectation(value, shown, line);
        return;
      case 'tier':
        if (!(MODEL_TIERS as readonly string[]).includes(value)) throw new ModelConfigError(shown, line, `@tier must be ${MODEL_TIERS.join(', ')}, got "${value}"`);
        tier = value as ModelTier;
        return;
      case 'budget': {
        const ms = parseDuration(value);
        if (ms === null) throw new ModelConfigError(shown, line, `@budget takes a duration such as 90s, 10m or 1h, not "${value}"`);
        budgetMs = ms;
        return;
      }
      default:
        throw new ModelConfigError(shown, line, `unknown directive @${key} (known: ${KNOWN_DIRECTIVES.map((d) => `@${d}`).join(', ')})`);
    }
  });
  const module = join(configPath, '..', `${moduleName}.tla`);
  if (!existsSync(module)) throw new ModelConfigError(shown, 1, `the module ${moduleName}.tla it checks does not exist`);
  const properties = parseConfigChecks(text, shown)
    .filter((c) => c.kind === 'property')
    .map((c) => c.name);
  return { name, config: configPath, module, ...(description !== undefined ? { description } : {}), expect, tier, ...(budgetMs !== undefined ? { budgetMs } : {}), properties };
}

// TLC loads a class file found beside a spec (`Foo.class` next to `Foo.tla`) as the module's operator
// overrides and runs its static initializer: checking a folder with one runs its code.
const CODE_FILE = /\.(class|jar)$/i;

/** Options of {@link discoverModels}. */
export interface DiscoverOptions {
  /** Allow `.class` and `.jar` files in the folder (TLC would load and run them). */
  readonly allowCode?: boolean;
}

/** Every model under a folder (not recursive), sorted by name. */
export async function discoverModels(specsDir: string, options: DiscoverOptions = {}): Promise<ModelSpec[]> {
  if (!existsSync(specsDir)) {
    throw new WorkbenchError(`The specs folder ${specsDir} does not exist.`, ExitCode.USAGE, 'Pass --specs <dir> or run from the repository root.');
  }
  if (!statSync(specsDir).isDirectory()) throw new WorkbenchError(`--specs ${specsDir} is a file, not a folder.`, ExitCode.USAGE);
  const files = await readdir(specsDir);
  const code = files.filter((f) => CODE_FILE.test(f));
  if (code.length > 0 && options.allowCode !== true) {
    throw new WorkbenchError(
      `The specs folder ${specsDir} holds compiled code (${code.slice(0, 5).join(', ')}${code.length > 5 ? ', ...' : ''}): TLC would load it as operator overrides and run it.`,
      ExitCode.USAGE,
      'Remove the files if you did not put them there; pass --allow-class-files if you trust them.',
    );
  }
  const configs = files.filter((f) => f.endsWith('.cfg')).sort();
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

/**
 * Whether a TLC result is what the model expects. A violation must be exactly the one expected, found
 * in a run that parsed cleanly and reported no error: a negative control cannot pass on a stray
 * message that merely looks like its violation.
 */
export function meetsExpectation(
  model: Pick<ModelSpec, 'expect' | 'properties' | 'problem'>,
  result: Pick<TlcResult, 'outcome' | 'violation' | 'diagnostics' | 'errors'>,
): boolean {
  const expect = model.expect;
  if (model.problem !== undefined || result.outcome !== expect.outcome) return false;
  if (result.diagnostics.length > 0 || result.errors.length > 0) return false;
  if (!('name' in expect)) return true;
  const name = result.violation?.name;
  if (name !== undefined) return name === expect.name;
  // TLC does not name a violated temporal property: it can only be the expected one when the config
  // checks no other property.
  return expect.outcome === 'property-violated' && model.properties.length === 1 && model.properties[0] === expect.name;
}
