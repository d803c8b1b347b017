/**
 * The invariant catalogue: every invariant and property any model config under the specs folder names,
 * with its TLA+ definition, the comment that states it in English, the models that check it and their
 * latest TLC results. Built from the specs themselves on every run, never kept by hand.
 *
 * An entry is one operator of one module: `TypeOK` of `QuorumSafety.tla` and `TypeOK` of `Raft.tla` are
 * two entries, while `NoSplitBrain`, checked by five configs of `MCQuorumSafety` (which EXTENDS
 * `QuorumSafety`), is one entry listing five models.
 *
 * @module
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { ExitCode, WorkbenchError } from '../errors.js';
import { type ModelSpec, discoverModels } from '../tlc/models.js';
import { type CheckKind, readConfigChecks } from '../tlc/config-checks.js';
import { type ModelResult, type SummaryStatus, modelResult, readSummary } from './results.js';
import type { SpecScope, TlaLocation } from './sany.js';
import { SourceRangeError, type TlaSourceDefinition, extractDefinition } from './tla-source.js';

/** A TLA+ operator definition, located and cut from its file. */
export interface TlaDefinition extends TlaSourceDefinition {
  readonly name: string;
  /** The module that defines it (which an `MC*` harness may EXTEND). */
  readonly module: string;
  /** Absolute path of that module's `.tla` file. */
  readonly file: string;
  readonly location: TlaLocation;
}

/** One model config that checks an entry. */
export interface ModelCheck {
  readonly model: ModelSpec;
  /** How this config lists it: under INVARIANT(S) or PROPERTY/PROPERTIES. */
  readonly kind: CheckKind;
  /** Line of the name in the config. */
  readonly configLine: number;
  readonly result: ModelResult;
}

/** One invariant or property: a TLA+ operator named in at least one model config. */
export interface InvariantEntry {
  /** `Module!Name`, unique across the catalogue. */
  readonly key: string;
  readonly name: string;
  readonly module: string;
  /** Every way the configs list it (usually one). */
  readonly kinds: readonly CheckKind[];
  readonly definition: TlaDefinition;
  /** The configs that check it, by model name. */
  readonly checkedBy: readonly ModelCheck[];
}

/** Everything the invariant pages are made of, before pairing with TypeScript mirrors. */
export interface InvariantCatalogue {
  readonly specsDir: string;
  readonly models: readonly ModelSpec[];
  /** Entries by module name, then by position in the module. */
  readonly entries: readonly InvariantEntry[];
  readonly summary: SummaryStatus;
}

/** Inputs of {@link buildCatalogue}. */
export interface CatalogueOptions {
  readonly specsDir: string;
  /** `npm run check-spec`'s JSON summary (may not exist yet). */
  readonly summaryFile: string;
  /** Paths in messages, and the summary's relative config paths, are relative to this directory. */
  readonly root: string;
  /** The root module's scope: SANY in production (see {@link "docs/sany"!loadSpecScope}). */
  readonly loadScope: (modulePath: string) => Promise<SpecScope>;
}

/** Builds the catalogue from every `.cfg` in `specsDir` (see the module comment). */
export async function buildCatalogue(options: CatalogueOptions): Promise<InvariantCatalogue> {
  const { specsDir, root } = options;
  const shown = (file: string) => relative(root, file) || file;
  const models = await discoverModels(specsDir);
  const summary = await readSummary(options.summaryFile);

  // One SANY run per root module, shared by every config that checks it.
  const scopes = new Map<string, Promise<SpecScope>>();
  const scopeOf = (module: string) => {
    let scope = scopes.get(module);
    if (scope === undefined) scopes.set(module, (scope = options.loadScope(module)));
    return scope;
  };
  const sources = new Map<string, Promise<string>>();
  const sourceOf = (file: string) => {
    let text = sources.get(file);
    if (text === undefined) sources.set(file, (text = readFile(file, 'utf8')));
    return text;
  };

  interface Building {
    definition: TlaDefinition;
    kinds: Set<CheckKind>;
    checkedBy: ModelCheck[];
  }
  const byKey = new Map<string, Building>();

  // Start every SANY run at once (a JVM start is most of each); failures surface in config order below.
  for (const model of models) scopeOf(model.module).catch(() => {});
  for (const model of models) {
    const [checks, scope] = await Promise.all([readConfigChecks(model.config, shown(model.config)), scopeOf(model.module)]);
    for (const check of checks) {
      const location = scope.definitions.get(check.name);
      if (location === undefined) {
        throw new WorkbenchError(
          `${shown(model.config)}:${check.line}: ${check.kind === 'invariant' ? 'INVARIANT' : 'PROPERTY'} ${check.name} is not defined in ${scope.rootModule}.tla or the modules it extends.`,
          ExitCode.SPEC_ERROR,
          'Define the operator in the spec, or fix its name in the config.',
        );
      }
      const key = `${location.module}!${check.name}`;
      let entry = byKey.get(key);
      const file = join(specsDir, `${location.module}.tla`);
      if (entry === undefined) {
        if (!existsSync(file)) {
          throw new WorkbenchError(
            `${shown(model.config)}:${check.line}: ${check.name} is defined in module ${location.module}, which is not a file under ${shown(specsDir)}.`,
            ExitCode.SPEC_ERROR,
            'Invariants and properties must be defined in the specs folder (not in a standard module) to be documented.',
          );
        }
        let source: TlaSourceDefinition;
        try {
          source = extractDefinition(await sourceOf(file), location);
        } catch (error) {
          if (!(error instanceof SourceRangeError)) throw error;
          throw new WorkbenchError(`${shown(file)}: ${error.message}.`, ExitCode.SPEC_ERROR, 'Was the file edited while the docs were being built? Run again.');
        }
        entry = { definition: { ...source, name: check.name, module: location.module, file, location }, kinds: new Set(), checkedBy: [] };
        byKey.set(key, entry);
      }
      // A config may repeat a name; TLC checks it once.
      if (entry.checkedBy.some((c) => c.model === model && c.kind === check.kind)) continue;
      entry.kinds.add(check.kind);
      const dependsOn = [model.config, model.module, file];
      entry.checkedBy.push({
        model,
        kind: check.kind,
        configLine: check.line,
        result: await modelResult(summary, model, check, dependsOn, root),
      });
    }
  }

  const entries = [...byKey.entries()]
    .map(([key, e]): InvariantEntry => ({
      key,
      name: e.definition.name,
      module: e.definition.module,
      kinds: [...e.kinds].sort(),
      definition: e.definition,
      checkedBy: e.checkedBy,
    }))
    .sort((a, b) => a.module.localeCompare(b.module) || a.definition.location.startLine - b.definition.location.startLine);
  return { specsDir, models, entries, summary };
}
