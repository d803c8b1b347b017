/**
 * Builds the documentation site: TypeDoc's API docs for `src/` plus the generated Invariants pages.
 *
 * The invariant pages are TypeDoc documents added by a small in-process plugin at the start of TypeDoc's
 * resolve phase. By then every API reflection exists, so each operator is paired with the exported
 * symbol TypeDoc actually documents (a mirror the site cannot link to is no mirror), and the pages go
 * through the same link resolution and validation as hand-written docs: with `treatWarningsAsErrors`
 * in `typedoc.json`, a broken `{@link}` in a generated page fails the build. Being documents, the pages
 * are in the site's navigation and search.
 *
 * @module
 */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, resolve, sep } from 'node:path';
import {
  Application,
  ConsoleLogger,
  Converter,
  DeclarationReflection,
  DocumentReflection,
  LogLevel,
  Logger,
  MinimalSourceFile,
  type ProjectReflection,
  ReflectionKind,
  type TypeDocOptions,
  TSConfigReader,
  TypeDocReader,
  normalizePath,
  PageEvent,
} from 'typedoc';
import { ExitCode, WorkbenchError } from '../errors.js';
import { findJava, javaCommand, resolveTlcJar } from '../tlc/toolchain.js';
import { type InvariantCatalogue, type InvariantEntry, buildCatalogue } from './catalogue.js';
import { PROTOCOLS } from '../protocol/registry.js';
import { type MirrorCandidate, type MirrorMatch, type MirrorSource, matchMirror } from './mirrors.js';
import { type RenderedPage, renderInvariants } from './render.js';
import { loadSpecScope } from './sany.js';

/** Inputs of {@link buildDocs}. */
export interface DocsBuildOptions {
  /** The repository root: `typedoc.json` and `tsconfig.json` live here, and paths are shown relative to it. */
  readonly root: string;
  /** Where the site is written (emptied first by TypeDoc). */
  readonly outDir: string;
  /** The folder of `.tla` modules and `.cfg` model configs. */
  readonly specsDir: string;
  /**
   * The TypeScript source root: the API documented is {@link apiEntryPoints} of it, and its first-level
   * folders are protocol folders for pairing mirrors (see {@link "docs/mirrors"}).
   */
  readonly srcDir: string;
  /** `npm run check-spec`'s JSON summary. */
  readonly summaryFile: string;
  /** TypeDoc options file; default `<root>/typedoc.json`. */
  readonly typedocConfig?: string;
  /** Options that override the file's and the derived entry points (tests use a small tsconfig). */
  readonly typedocOverrides?: TypeDocOptions;
  /** Environment for finding Java and the TLC jar (`JAVA_HOME`, `TLA2TOOLS_JAR`). */
  readonly env: NodeJS.ProcessEnv;
  /** Stops the SANY runs (the command was interrupted). */
  readonly signal?: AbortSignal;
  /** The protocols whose definitions name the mirrors (default: the registry's). */
  readonly protocols?: readonly MirrorSource[];
}

/** A built site. */
export interface DocsBuildResult {
  readonly outDir: string;
  readonly catalogue: InvariantCatalogue;
  /** Every entry's mirror, by entry key (`Module!Name`). */
  readonly mirrors: ReadonlyMap<string, MirrorMatch>;
  /** Path of the Invariants overview page inside `outDir`. */
  readonly invariantsPage: string;
  /** Path of every entry's page inside `outDir`, by entry key. */
  readonly entryPages: ReadonlyMap<string, string>;
  /** TypeDoc's warnings, when `treatWarningsAsErrors` is off (with it on, a warning fails the build). */
  readonly warnings: readonly string[];
}

/** TypeDoc logged errors, or warnings while `treatWarningsAsErrors` is set. */
export class DocsBuildError extends WorkbenchError {
  constructor(stage: string, messages: readonly string[]) {
    super(
      `The docs build failed while ${stage}:\n  ${messages.join('\n  ') || '(TypeDoc gave no message)'}`,
      ExitCode.CHECK_FAILED,
      'Fix the doc comments or links named above (typedoc.json treats warnings as errors).',
    );
  }
}

/**
 * Keeps TypeDoc's warnings and errors (with their file:line context) instead of printing them, so that
 * the command shows them once: in the failure message, or after a build that tolerates warnings.
 */
class CollectingLogger extends ConsoleLogger {
  readonly messages: string[] = [];

  override log(message: string, level: Exclude<LogLevel, LogLevel.None>): void {
    // The base class counts warnings and errors (hasWarnings/hasErrors); ConsoleLogger's own log would
    // print to the console. ConsoleLogger is extended only for the file:line context it adds.
    Logger.prototype.log.call(this, message, level);
    // TypeDoc colours that context for a terminal; the message may end up anywhere.
    if (level >= LogLevel.Warn) this.messages.push(message.replace(/\x1b\[[0-9;]*m/g, ''));
  }
}

/** Top-level exports TypeDoc documents, as possible mirrors, with a `{@link}` reference for each. */
export function mirrorCandidates(project: ProjectReflection): MirrorCandidate[] {
  const kinds = ReflectionKind.Function | ReflectionKind.Variable | ReflectionKind.Class;
  const candidates: MirrorCandidate[] = [];
  for (const reflection of project.getReflectionsByKind(kinds)) {
    if (!(reflection instanceof DeclarationReflection)) continue;
    const parent = reflection.parent;
    const source = reflection.sources?.[0];
    if (parent === undefined || source === undefined) continue;
    let declarationReference: string;
    if (parent === project) declarationReference = reflection.name;
    else if (parent.kindOf(ReflectionKind.Module) && parent.parent === project) declarationReference = `"${parent.name}"!${reflection.name}`;
    else continue; // a namespace member or a class member is not a mirror
    candidates.push({ name: reflection.name, file: resolve(source.fullFileName), line: source.line, declarationReference });
  }
  return candidates;
}

/**
 * The API's entry points under `srcDir`: a folder with an `index.ts` is its public API and is documented
 * through that file alone (what it re-exports appears under the folder's name); in any other folder each
 * `.ts` file is a module, and subfolders follow the same rule.
 */
export function apiEntryPoints(srcDir: string): string[] {
  const entries = readdirSync(srcDir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name));
  const files = entries.filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')).map((e) => join(srcDir, e.name));
  const folders = entries.filter((e) => e.isDirectory()).flatMap((e) => {
    const dir = join(srcDir, e.name);
    return existsSync(join(dir, 'index.ts')) ? [join(dir, 'index.ts')] : apiEntryPoints(dir);
  });
  return [...files, ...folders];
}

function entryFileName(entry: InvariantEntry): string {
  return `${entry.module}.${entry.name}.md`;
}

/**
 * Builds the site into `outDir`: runs SANY on the specs, reads the configs and the check-spec summary,
 * converts the API with TypeDoc, adds the Invariants pages, validates and writes.
 *
 * @throws WorkbenchError: {@link ExitCode.ENVIRONMENT} (Java, jar), {@link ExitCode.SPEC_ERROR}
 * (spec or config), {@link ExitCode.CHECK_FAILED} ({@link DocsBuildError}: TypeDoc errors or warnings).
 */
export async function buildDocs(options: DocsBuildOptions): Promise<DocsBuildResult> {
  const { root, specsDir, srcDir } = options;
  const outDir = resolve(options.outDir);
  const [java, jar] = await Promise.all([findJava(javaCommand(options.env), options.env), resolveTlcJar(options.env)]);
  // SANY runs in its own JVMs: let it work while TypeDoc starts up.
  const cataloguePromise = buildCatalogue({
    specsDir,
    summaryFile: options.summaryFile,
    root,
    loadScope: (module) => loadSpecScope(module, { java, jar: jar.jar, ...(options.signal ? { signal: options.signal } : {}) }),
  });
  cataloguePromise.catch(() => {}); // awaited below; this only keeps an early failure from going unhandled

  // The generated Markdown lives outside outDir, which TypeDoc empties before writing.
  const pagesDir = await mkdtemp(join(tmpdir(), 'workbench-docs-'));
  try {
    const app = await Application.bootstrapWithPlugins(
      {
        options: options.typedocConfig ?? join(root, 'typedoc.json'),
        tsconfig: join(root, 'tsconfig.json'),
        entryPoints: apiEntryPoints(srcDir),
        ...options.typedocOverrides,
        // The invariant pages show TLA+ in ```tla blocks; TypeDoc's highlighter has no TLA+ grammar.
        ignoredHighlightLanguages: ['tla'],
        out: outDir,
        // Source links point at the checked-out files: {path} is relative to the entry points' common
        // folder (srcDir), and pages with source links sit one folder below outDir.
        sourceLinkTemplate: `${relative(join(outDir, 'functions'), srcDir).split(sep).join('/')}/{path}#L{line}`,
      },
      [new TypeDocReader(), new TSConfigReader()],
    );
    const logger = new CollectingLogger();
    const bootstrapFailed = app.logger.hasErrors();
    app.logger = logger;
    if (bootstrapFailed) throw new DocsBuildError('reading the TypeDoc options (see the messages above)', []);
    const catalogue = await cataloguePromise;
    const strict = app.options.getValue('treatWarningsAsErrors');
    const failed = () => logger.hasErrors() || (strict && logger.hasWarnings());

    const mirrors = new Map<string, MirrorMatch>();
    let invariantsDoc: DocumentReflection | undefined;
    const entryDocs = new Map<string, DocumentReflection>();

    // After TypeDoc's own resolve-begin work (comment plugin removing @hidden/@internal reflections),
    // before link resolution: the lowest priority runs last.
    app.converter.on(
      Converter.EVENT_RESOLVE_BEGIN,
      (context) => {
        const project = context.project;
        const candidates = mirrorCandidates(project);
        for (const entry of catalogue.entries) mirrors.set(entry.key, matchMirror(entry, candidates, { root, protocols: options.protocols ?? PROTOCOLS }));
        const rendered = renderInvariants(catalogue, mirrors, {
          overviewFile: join(pagesDir, 'Invariants.md'),
          entryFile: (entry) => join(pagesDir, 'invariants', entryFileName(entry)),
          root,
        });
        mkdirSync(join(pagesDir, 'invariants'), { recursive: true });
        // Every page is on disk before any is parsed: TypeDoc checks that relative link targets exist.
        for (const page of [rendered.overview, ...rendered.entries.map((e) => e.page)]) writeFileSync(page.file, page.markdown);
        const addDocument = (parent: ProjectReflection | DocumentReflection, page: RenderedPage) => {
          const path = normalizePath(page.file);
          const file = new MinimalSourceFile(page.markdown, path);
          const { content, frontmatter } = app.converter.parseRawComment(file, project.files);
          const doc = new DocumentReflection(page.title, parent, content, frontmatter);
          parent.addChild(doc);
          // Registering the file path lets relative links between the generated pages resolve to them.
          project.registerReflection(doc, undefined, path);
          app.converter.trigger(Converter.EVENT_CREATE_DOCUMENT, undefined, doc);
          return doc;
        };
        invariantsDoc = addDocument(project, rendered.overview);
        for (const { entry, page } of rendered.entries) {
          entryDocs.set(entry.key, addDocument(invariantsDoc, page));
        }
      },
      -100,
    );

    const urls = new Map<DocumentReflection, string>();
    app.renderer.on(PageEvent.END, (page) => {
      if (page.model instanceof DocumentReflection) urls.set(page.model, join(outDir, page.url));
    });

    const project = await app.convert();
    if (project === undefined || failed()) throw new DocsBuildError('converting the API and the invariant pages', logger.messages);
    app.validate(project);
    if (failed()) throw new DocsBuildError('validating links', logger.messages);
    await app.generateDocs(project, outDir);
    if (failed()) throw new DocsBuildError('writing the site', logger.messages);

    const urlOf = (doc: DocumentReflection | undefined) => (doc === undefined ? undefined : urls.get(doc)) ?? outDir;
    return {
      outDir,
      catalogue,
      mirrors,
      invariantsPage: urlOf(invariantsDoc),
      entryPages: new Map([...entryDocs].map(([key, doc]) => [key, urlOf(doc)])),
      warnings: logger.messages,
    };
  } finally {
    await rm(pagesDir, { recursive: true, force: true });
  }
}
