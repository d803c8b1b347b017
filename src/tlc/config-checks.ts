/**
 * Reads which invariants and properties a TLC model config asks TLC to check.
 *
 * A `.cfg` is a token stream, not a line format: `INVARIANTS` may be followed by names on later lines,
 * several names may share one line, and comments (`\*` to the end of the line, nestable `(* ... *)`)
 * may sit anywhere. So this is a small lexer for TLC's config syntax plus a scan over its sections,
 * which a line-by-line regular expression would get wrong on exactly those cases.
 *
 * @module
 */
import { readFile } from 'node:fs/promises';
import { ExitCode, WorkbenchError } from '../errors.js';

/** What a config asks TLC to check under a name: a state invariant or a (temporal or action) property. */
export type CheckKind = 'invariant' | 'property';

/** One name listed under `INVARIANT(S)` or `PROPERTY`/`PROPERTIES` in a config. */
export interface ConfigCheck {
  readonly kind: CheckKind;
  /** The operator's name, as written in the config. */
  readonly name: string;
  /** 1-based line of the name in the config, for error messages. */
  readonly line: number;
}

// Every section keyword TLC 2.18's ModelConfig knows: a name section ends where the next one starts.
const KEYWORDS = new Set([
  'CONSTANT',
  'CONSTANTS',
  'CONSTRAINT',
  'CONSTRAINTS',
  'ACTION_CONSTRAINT',
  'ACTION_CONSTRAINTS',
  'INVARIANT',
  'INVARIANTS',
  'INIT',
  'NEXT',
  'VIEW',
  'SYMMETRY',
  'SPECIFICATION',
  'PROPERTY',
  'PROPERTIES',
  'TYPE',
  'TYPE_CONSTRAINT',
  'CHECK_DEADLOCK',
  'POSTCONDITION',
  'POSTCONDITIONS',
  'ALIAS',
]);

const SECTION_KIND: Readonly<Record<string, CheckKind>> = {
  INVARIANT: 'invariant',
  INVARIANTS: 'invariant',
  PROPERTY: 'property',
  PROPERTIES: 'property',
};

interface Token {
  readonly text: string;
  readonly line: number;
  readonly word: boolean;
}

/** A model config TLC would reject, reported as a spec error with file and line. */
export class ModelConfigSyntaxError extends WorkbenchError {
  constructor(file: string, line: number, problem: string) {
    super(`${file}:${line}: ${problem}`, ExitCode.SPEC_ERROR, 'Fix the model config (TLC would reject it too).');
  }
}

function tokenize(text: string, file: string): Token[] {
  const tokens: Token[] = [];
  let line = 1;
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (c === '\n') {
      line++;
      i++;
    } else if (/\s/.test(c)) {
      i++;
    } else if (text.startsWith('\\*', i)) {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (text.startsWith('(*', i)) {
      const start = line;
      let depth = 0;
      do {
        if (text.startsWith('(*', i)) {
          depth++;
          i += 2;
        } else if (text.startsWith('*)', i)) {
          depth--;
          i += 2;
        } else {
          if (text[i] === '\n') line++;
          i++;
        }
      } while (depth > 0 && i < text.length);
      if (depth > 0) throw new ModelConfigSyntaxError(file, start, 'comment "(*" is never closed');
    } else if (c === '"') {
      const start = i;
      i++;
      while (i < text.length && text[i] !== '"' && text[i] !== '\n') i += text[i] === '\\' ? 2 : 1;
      if (text[i] !== '"') throw new ModelConfigSyntaxError(file, line, 'string is never closed');
      i++;
      tokens.push({ text: text.slice(start, i), line, word: false });
    } else if (/\w/.test(c)) {
      const start = i;
      while (i < text.length && /\w/.test(text[i] as string)) i++;
      tokens.push({ text: text.slice(start, i), line, word: true });
    } else {
      tokens.push({ text: c, line, word: false });
      i++;
    }
  }
  return tokens;
}

/**
 * The 1-based lines holding the named sections of a config (the keyword and everything up to the next
 * section), read with TLC's token rules: what a caller comments out to drop those sections.
 */
export function sectionLines(text: string, file: string, sections: ReadonlySet<string>): Set<number> {
  const lines = new Set<number>();
  let current: string | undefined;
  for (const token of tokenize(text, file)) {
    if (token.word && KEYWORDS.has(token.text)) current = token.text;
    if (current !== undefined && sections.has(current)) lines.add(token.line);
  }
  return lines;
}

/**
 * The invariants and properties a config names, in order. `file` is only used in error messages.
 *
 * @throws {@link ModelConfigSyntaxError} when an invariant or property section holds something other
 * than operator names.
 */
export function parseConfigChecks(text: string, file: string): ConfigCheck[] {
  const checks: ConfigCheck[] = [];
  let section: string | undefined;
  for (const token of tokenize(text, file)) {
    if (token.word && KEYWORDS.has(token.text)) {
      section = token.text;
      continue;
    }
    const kind = section === undefined ? undefined : SECTION_KIND[section];
    if (kind === undefined) continue;
    if (!token.word || !/[A-Za-z]/.test(token.text)) {
      throw new ModelConfigSyntaxError(file, token.line, `${section} takes operator names, found "${token.text}"`);
    }
    checks.push({ kind, name: token.text, line: token.line });
  }
  return checks;
}

/** Reads a config file and returns {@link parseConfigChecks} of it. */
export async function readConfigChecks(configPath: string, shownAs: string = configPath): Promise<ConfigCheck[]> {
  return parseConfigChecks(await readFile(configPath, 'utf8'), shownAs);
}
