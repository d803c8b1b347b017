/**
 * A small source scanner enforcing ARCHITECTURE.md section 1 on `src/raft`: no I/O, clock, timers or randomness.
 * It strips comments (so docs may mention `Date`) and string contents (so messages may say "process"),
 * then looks for module specifiers and forbidden globals.
 */

/** One rule broken at one place. */
export interface PurityFinding {
  readonly file: string;
  readonly line: number;
  readonly rule: string;
  readonly text: string;
}

/** Module specifiers the pure core may import. Relative ones must stay inside `src/raft`. */
const ALLOWED_PACKAGES = new Set(['ts-pattern']);

/** Pure helpers of `src/` the core may share (exhaustive switches). */
const ALLOWED_SHARED = new Set(['../exhaustive.js']);

const FORBIDDEN_GLOBALS: readonly [RegExp, string][] = [
  [/\bDate\b/, 'reads the clock (Date)'],
  [/\bMath\s*\.\s*random\b/, 'draws a random number (Math.random)'],
  [/\bsetTimeout\b/, 'starts a timer (setTimeout)'],
  [/\bsetInterval\b/, 'starts a timer (setInterval)'],
  [/\bsetImmediate\b/, 'schedules work (setImmediate)'],
  [/\bqueueMicrotask\b/, 'schedules work (queueMicrotask)'],
  [/\bperformance\b/, 'reads the clock (performance)'],
  [/\bprocess\b/, 'touches the process (process)'],
  [/\bcrypto\b/, 'uses crypto (randomness)'],
  [/\bglobalThis\b/, 'reaches for globals (globalThis)'],
  [/\bfetch\b/, 'does network I/O (fetch)'],
  [/\bconsole\b/, 'does I/O (console)'],
  [/\brequire\s*\(/, 'loads a module dynamically (require)'],
  [/\bimport\s*\(/, 'loads a module dynamically (import())'],
];

/**
 * Two views of a source text with the same line structure: `code` has comments blanked (strings kept, for
 * import specifiers) and `bare` additionally has string and template-literal text blanked.
 */
export function lex(source: string): { code: string; bare: string } {
  let code = '';
  let bare = '';
  const emit = (c: string, keepInCode: boolean, keepInBare: boolean): void => {
    const blank = c === '\n' ? '\n' : ' ';
    code += keepInCode ? c : blank;
    bare += keepInBare ? c : blank;
  };
  // Stack of template-literal brace depths, so `${ `nested` }` is handled.
  const templates: number[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source[i]!;
    const next = source[i + 1];
    if (c === '/' && next === '/') {
      while (i < source.length && source[i] !== '\n') emit(source[i++]!, false, false);
      continue;
    }
    if (c === '/' && next === '*') {
      emit(source[i++]!, false, false);
      emit(source[i++]!, false, false);
      while (i < source.length && !(source[i] === '*' && source[i + 1] === '/')) emit(source[i++]!, false, false);
      if (i < source.length) {
        emit(source[i++]!, false, false);
        emit(source[i++]!, false, false);
      }
      continue;
    }
    if (c === "'" || c === '"') {
      emit(source[i++]!, true, true);
      while (i < source.length && source[i] !== c && source[i] !== '\n') {
        if (source[i] === '\\') emit(source[i++]!, true, false);
        if (i < source.length) emit(source[i++]!, true, false);
      }
      if (i < source.length) emit(source[i++]!, true, true);
      continue;
    }
    if (c === '`' || (c === '}' && templates.length > 0 && templates[templates.length - 1] === 0)) {
      if (c === '}') templates.pop();
      emit(source[i++]!, true, true);
      // Inside template text until the closing backtick or a `${`.
      while (i < source.length && source[i] !== '`' && !(source[i] === '$' && source[i + 1] === '{')) {
        if (source[i] === '\\') emit(source[i++]!, true, false);
        if (i < source.length) emit(source[i++]!, true, false);
      }
      if (source[i] === '$') {
        emit(source[i++]!, true, true);
        emit(source[i++]!, true, true);
        templates.push(0);
      } else if (i < source.length) {
        emit(source[i++]!, true, true);
      }
      continue;
    }
    if (templates.length > 0) {
      if (c === '{') templates[templates.length - 1]!++;
      if (c === '}') templates[templates.length - 1]!--;
    }
    emit(source[i++]!, true, true);
  }
  return { code, bare };
}

const SPECIFIER = /(?:\bfrom\s*|\bimport\s*)(['"])([^'"\n]+)\1/g;

/** Every rule `source` breaks, with line numbers. */
export function scanSource(file: string, source: string): PurityFinding[] {
  const { code, bare } = lex(source);
  const findings: PurityFinding[] = [];
  const lineOf = (index: number): number => code.slice(0, index).split('\n').length;
  for (const m of code.matchAll(SPECIFIER)) {
    const spec = m[2]!;
    const ok = ALLOWED_PACKAGES.has(spec) || ALLOWED_SHARED.has(spec) || (spec.startsWith('./') && !spec.includes('/../'));
    if (!ok) findings.push({ file, line: lineOf(m.index), rule: `imports "${spec}" (only ./relative, ts-pattern and ../exhaustive.js allowed)`, text: m[0] });
  }
  const lines = bare.split('\n');
  lines.forEach((text, n) => {
    for (const [pattern, rule] of FORBIDDEN_GLOBALS) {
      if (pattern.test(text)) findings.push({ file, line: n + 1, rule, text: text.trim() });
    }
  });
  return findings;
}
