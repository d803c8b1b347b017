/**
 * The text of a TLA+ definition and the comment written above it, cut from the module's source at the
 * range SANY reports (see {@link "docs/sany"}).
 *
 * SANY's XML export has no comments, so the comment is taken lexically: the comment lines that end on
 * the line right above the definition — a run of `\*` lines, or one `(* ... *)` block. A blank line in
 * between detaches a comment (it then introduces a section, not this operator).
 *
 * @module
 */
import type { TlaLocation } from './sany.js';

/** A definition as written in its `.tla` file. */
export interface TlaSourceDefinition {
  /** The definition from its first to its last character (`Name == ...`). */
  readonly text: string;
  /** The comment directly above, exactly as written (with its `\*` or `(* *)` marks). */
  readonly rawComment?: string;
  /** The same comment as prose: comment marks and box borders removed, paragraphs joined. */
  readonly comment?: string;
  /** 1-based line where the comment starts (or the definition, without a comment). */
  readonly firstLine: number;
}

/** A definition's range does not fit the file: the file changed after SANY read it, or the range is bogus. */
export class SourceRangeError extends Error {
  constructor(module: string, location: TlaLocation) {
    super(`${module}: SANY's range ${location.startLine}:${location.startColumn}-${location.endLine}:${location.endColumn} is outside the file`);
    this.name = 'SourceRangeError';
  }
}

const isLineComment = (line: string) => line.trimStart().startsWith('\\*');

/**
 * The comment that ends on line index `above` (0-based): consecutive comment-only lines, each a `\*`
 * line or part of a `(* ... *)` block (a boxed comment is a column of one-line blocks), or undefined.
 */
function commentAbove(lines: readonly string[], above: number): { readonly start: number; readonly lines: string[] } | undefined {
  let start = above + 1;
  let i = above;
  while (i >= 0) {
    const line = lines[i] as string;
    if (isLineComment(line)) {
      start = i--;
      continue;
    }
    if (!line.trimEnd().endsWith('*)')) break;
    // Walk up to the line that opens this block, balancing nested (* *) as TLA+ allows.
    let depth = 0;
    let open = -1;
    for (let j = i; j >= 0; j--) {
      const l = lines[j] as string;
      depth += (l.match(/\*\)/g) ?? []).length - (l.match(/\(\*/g) ?? []).length;
      if (depth <= 0) {
        open = l.trimStart().startsWith('(*') ? j : -1;
        break;
      }
    }
    if (open < 0) break;
    start = open;
    i = open - 1;
  }
  return start > above ? undefined : { start, lines: lines.slice(start, above + 1) };
}

/** Comment marks and `(*****)` box borders removed; lines of a paragraph joined by spaces. */
export function commentToProse(raw: readonly string[]): string {
  const stripped = raw.map((line) => {
    const l = line.trim();
    if (l.startsWith('\\*')) return l.slice(2).trim();
    const inner = l.replace(/^\(\*/, '').replace(/\*\)$/, '').trim();
    // A box border line is all asterisks.
    return /^\**$/.test(inner) ? '' : inner;
  });
  const paragraphs: string[] = [];
  let current: string[] = [];
  for (const line of stripped) {
    if (line === '') {
      if (current.length > 0) paragraphs.push(current.join(' '));
      current = [];
    } else current.push(line);
  }
  if (current.length > 0) paragraphs.push(current.join(' '));
  return paragraphs.join('\n\n');
}

/** Cuts the definition at `location` (and the comment above it) out of a module's source text. */
export function extractDefinition(source: string, location: TlaLocation): TlaSourceDefinition {
  const lines = source.split(/\r?\n/);
  const { startLine, startColumn, endLine, endColumn } = location;
  if (startLine < 1 || endLine > lines.length || endLine < startLine) throw new SourceRangeError(location.module, location);
  const body = lines.slice(startLine - 1, endLine);
  const lastIndex = body.length - 1;
  if ((body[0] as string).length < startColumn - 1 || (body[lastIndex] as string).length < endColumn) {
    throw new SourceRangeError(location.module, location);
  }
  // Columns index the original lines: cut the end before the start, which matters on a one-line range.
  body[lastIndex] = (body[lastIndex] as string).slice(0, endColumn);
  body[0] = (body[0] as string).slice(startColumn - 1);
  // Continuation lines keep their indentation relative to the definition's first column.
  const indent = startColumn - 1;
  const text = body.map((line, i) => (i === 0 ? line : line.slice(Math.min(indent, line.length - line.trimStart().length)))).join('\n');
  const comment = commentAbove(lines, startLine - 2);
  if (comment === undefined) return { text, firstLine: startLine };
  const prose = commentToProse(comment.lines);
  return {
    text,
    rawComment: comment.lines.map((l) => l.slice(Math.min(indent, l.length - l.trimStart().length))).join('\n'),
    ...(prose !== '' ? { comment: prose } : {}),
    firstLine: comment.start + 1,
  };
}
