/**
 * Where each operator of a TLA+ spec is defined, as SANY (the TLA+ front end inside the TLC jar) sees it.
 *
 * Why SANY and not `@tlaplus/tree-sitter-tlaplus`: installing that npm package pulls in its peer
 * `tree-sitter-cli`, whose install script downloads a binary from GitHub, so `npm install` fails on a
 * machine that reaches only the npm registry; and a tree-sitter grammar is only a syntax tree, leaving
 * EXTENDS resolution (an `MC*.tla` harness extends the real spec) to be redone by hand. SANY is the
 * parser TLC itself uses, it is already pinned and checksummed (`npm install` fetches it), it resolves
 * EXTENDS exactly as TLC will, and its XML export gives every definition's module and exact source
 * range. Its one gap: the XML carries no comments, so {@link "docs/tla-source"} takes the comment
 * above a definition from the source lines just before SANY's range.
 *
 * @module
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { ExitCode, WorkbenchError } from '../errors.js';
import { parseSanyDiagnostics } from '../tlc/result.js';
import { type CollectedOutput, collectOutput } from '../process/child.js';
import type { JavaRuntime } from '../tlc/toolchain.js';

/** A source range as SANY reports it: 1-based lines and columns, both ends inclusive. */
export interface TlaLocation {
  /** The module the definition is written in (SANY's name for the file, without `.tla`). */
  readonly module: string;
  readonly startLine: number;
  readonly startColumn: number;
  readonly endLine: number;
  readonly endColumn: number;
}

/** The operators visible in a root module (its own and every EXTENDed module's), by name. */
export interface SpecScope {
  readonly rootModule: string;
  readonly definitions: ReadonlyMap<string, TlaLocation>;
}

/** What running SANY needs: a Java runtime and the tla2tools jar. */
export interface SanyToolchain {
  readonly java: JavaRuntime;
  readonly jar: string;
  /** Stops SANY (the command was interrupted). */
  readonly signal?: AbortSignal;
}

/** The XML export does not match the shape this reader knows (another tla2tools version). */
export class SanyXmlError extends WorkbenchError {
  constructor(problem: string) {
    super(
      `Could not read SANY's XML export: ${problem}.`,
      ExitCode.ENVIRONMENT,
      'The docs generator knows the XML of the pinned tla2tools 1.1.0 (TLC 2.18); unset TLA2TOOLS_JAR to use it.',
    );
  }
}

type XmlNode = { readonly [key: string]: unknown };

function isNode(value: unknown): value is XmlNode {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function child(node: XmlNode, key: string, what: string): XmlNode {
  const value = node[key];
  if (!isNode(value)) throw new SanyXmlError(`${what} has no <${key}>`);
  return value;
}

function text(node: XmlNode, key: string, what: string): string {
  const value = node[key];
  if (typeof value !== 'string' && typeof value !== 'number') throw new SanyXmlError(`${what} has no <${key}> text`);
  return String(value);
}

function int(node: XmlNode, key: string, what: string): number {
  const n = Number(text(node, key, what));
  if (!Number.isInteger(n)) throw new SanyXmlError(`${what}: <${key}> is not an integer`);
  return n;
}

function nodes(value: unknown): XmlNode[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).filter(isNode);
}

function location(node: XmlNode, what: string): TlaLocation {
  const loc = child(node, 'location', what);
  const line = child(loc, 'line', what);
  const column = child(loc, 'column', what);
  return {
    module: text(loc, 'filename', what),
    startLine: int(line, 'begin', what),
    endLine: int(line, 'end', what),
    startColumn: int(column, 'begin', what),
    endColumn: int(column, 'end', what),
  };
}

/**
 * Reads the output of `tla2sany.xml.XMLExporter`: the root module's scope, i.e. every user-defined
 * operator the root module can name (which is what a model config may list), with where it is defined.
 */
export function parseSanyXml(xml: string): SpecScope {
  const parser = new XMLParser({
    ignoreAttributes: true,
    parseTagValue: false,
    isArray: (name) => name === 'entry' || name === 'UserDefinedOpKindRef',
    // Operator bodies are most of the document and never needed: leave them unparsed.
    stopNodes: ['modules.context.entry.UserDefinedOpKind.body'],
  });
  const doc: unknown = parser.parse(xml);
  if (!isNode(doc)) throw new SanyXmlError('empty document');
  const modules = child(doc, 'modules', 'the document');
  const rootModule = text(modules, 'RootModule', '<modules>');
  const operators = new Map<string, { readonly name: string; readonly location: TlaLocation }>();
  let root: XmlNode | undefined;
  for (const entry of nodes(child(modules, 'context', '<modules>')['entry'])) {
    const uid = text(entry, 'UID', '<entry>');
    const op = entry['UserDefinedOpKind'];
    if (isNode(op)) {
      const name = text(op, 'uniquename', `operator ${uid}`);
      operators.set(uid, { name, location: location(op, `operator ${name}`) });
    }
    const module = entry['ModuleNode'];
    if (isNode(module) && text(module, 'uniquename', `module ${uid}`) === rootModule) root = module;
  }
  if (root === undefined) throw new SanyXmlError(`the root module ${rootModule} is not in the context`);
  const definitions = new Map<string, TlaLocation>();
  for (const ref of nodes(root['UserDefinedOpKindRef'])) {
    const op = operators.get(text(ref, 'UID', 'an operator reference'));
    if (op !== undefined) definitions.set(op.name, op.location);
  }
  return { rootModule, definitions };
}

/**
 * Runs SANY on a root module and returns its scope.
 *
 * @throws WorkbenchError with {@link ExitCode.SPEC_ERROR} and `file:line:col` messages when SANY
 * reports parse or semantic errors, or {@link ExitCode.ENVIRONMENT} when Java cannot run the jar.
 */
export async function loadSpecScope(modulePath: string, toolchain: SanyToolchain): Promise<SpecScope> {
  const module = resolve(modulePath);
  if (!existsSync(module)) {
    // SANY prints a message but exits 0 with no output for a missing root file.
    throw new WorkbenchError(`The module ${module} does not exist.`, ExitCode.SPEC_ERROR, 'Fix the @module directive of the config that names it.');
  }
  const dir = dirname(module);
  // SANY copies the standard modules out of its jar into java.io.tmpdir: a folder of its own keeps two
  // concurrent runs from reading each other's half-written copies (see tlcCommand).
  const modules = await mkdtemp(join(tmpdir(), 'workbench-sany-'));
  try {
    return await parseScope(module, dir, (args: readonly string[]) =>
      collectOutput({
        command: toolchain.java.command,
        args: [`-Djava.io.tmpdir=${modules}`, '-cp', toolchain.jar, ...args],
        cwd: dir,
        scratch: [modules],
        ...(toolchain.signal ? { signal: toolchain.signal } : {}),
      }),
    toolchain);
  } finally {
    await rm(modules, { recursive: true, force: true });
  }
}

async function parseScope(module: string, dir: string, java: (args: readonly string[]) => Promise<CollectedOutput>, toolchain: SanyToolchain): Promise<SpecScope> {
  const out = await java(['tla2sany.xml.XMLExporter', '-o', module]);
  if (out.spawnError) {
    throw new WorkbenchError(`Could not start Java to run SANY (${out.spawnError.code}: ${out.spawnError.message}).`, ExitCode.ENVIRONMENT, 'Install Java >= 11 or set JAVA_HOME.');
  }
  if (toolchain.signal?.aborted) throw new WorkbenchError('Interrupted while SANY was reading the specs.', ExitCode.INTERRUPTED);
  if (out.code !== 0 || out.stdout.trim() === '') {
    // The XML exporter swallows SANY's located messages; plain SANY prints them (as TLC would).
    const sany = await java(['tla2sany.SANY', module]);
    if (toolchain.signal?.aborted) throw new WorkbenchError('Interrupted while SANY was reading the specs.', ExitCode.INTERRUPTED);
    const lines = `${sany.stdout}\n${sany.stderr}`.split('\n');
    const diagnostics = parseSanyDiagnostics(lines, (name) => {
      const file = resolve(dir, `${name}.tla`);
      return existsSync(file) ? file : undefined;
    });
    const where = diagnostics.map((d) => {
      const at = `${d.file ?? d.module}${d.line !== undefined ? `:${d.line}:${d.column ?? 1}` : ''}`;
      return `${at}: ${d.message}`;
    });
    throw new WorkbenchError(
      `SANY could not parse ${basename(module)}${where.length > 0 ? `:\n  ${where.join('\n  ')}` : ` (exit ${out.code}).`}`,
      ExitCode.SPEC_ERROR,
      where.length > 0 ? 'Fix the spec; `npm run check-spec` reports the same errors.' : `SANY said:\n  ${`${out.stderr}\n${lines.join('\n')}`.split('\n').filter((l) => l.trim() !== '').slice(0, 12).join('\n  ')}`,
    );
  }
  return parseSanyXml(out.stdout);
}
