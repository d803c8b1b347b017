/**
 * Parser for TLA+ values as TLC prints them (counterexample states, `Print` output): numbers,
 * strings, booleans, model values, sets, intervals, sequences/tuples, records and functions built
 * with `:>` and `@@`, nested up to {@link MAX_TLA_DEPTH} levels, spread over any number of lines.
 *
 * Hand-written recursive descent: the printed-value language is tiny and no maintained npm package
 * parses it (a full TLA+ grammar such as tree-sitter-tlaplus would be a native dependency for a
 * fraction of its language).
 *
 * @module
 */
import { type TlaValue, tla } from './value.js';

/** A value could not be parsed; `offset` points into the input. */
export class TlaValueSyntaxError extends Error {
  constructor(
    message: string,
    readonly input: string,
    readonly offset: number,
  ) {
    super(`${message} at offset ${offset}: ${JSON.stringify(input.slice(Math.max(0, offset - 20), offset + 20))}`);
    this.name = 'TlaValueSyntaxError';
  }
}

type Token =
  | { readonly type: 'punct'; readonly text: Punct; readonly offset: number }
  | { readonly type: 'int'; readonly value: bigint; readonly offset: number }
  | { readonly type: 'str'; readonly value: string; readonly offset: number }
  | { readonly type: 'ident'; readonly name: string; readonly offset: number }
  | { readonly type: 'end'; readonly offset: number };

// Longest first, so `<<` wins over `<` and `|->` is matched whole.
const PUNCTUATION = ['|->', '<<', '>>', ':>', '@@', '..', '{', '}', '[', ']', '(', ')', ','] as const;
type Punct = (typeof PUNCTUATION)[number];

const UNESCAPE: ReadonlyMap<string, string> = new Map([
  ['n', '\n'],
  ['t', '\t'],
  ['r', '\r'],
  ['f', '\f'],
  ['"', '"'],
  ['\\', '\\'],
]);

/**
 * A TLA+ identifier: letters, digits and `_`, with at least one letter (`1st` and `_x9` are
 * identifiers, `12` and `_` are not). Anchored, so it also tells a name from a number.
 */
export const TLA_IDENTIFIER = /^[A-Za-z0-9_]*[A-Za-z][A-Za-z0-9_]*/;

/** How deep printed values may nest (TLC's values here nest fewer than 10 deep). */
export const MAX_TLA_DEPTH = 100;

function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const c = input[i] as string;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const punct = PUNCTUATION.find((p) => input.startsWith(p, i));
    if (punct !== undefined) {
      tokens.push({ type: 'punct', text: punct, offset: i });
      i += punct.length;
      continue;
    }
    // An identifier may start with digits (`1st`), so it is tried first; digits alone are a number.
    const ident = TLA_IDENTIFIER.exec(input.slice(i, i + 256));
    if (ident) {
      tokens.push({ type: 'ident', name: ident[0], offset: i });
      i += ident[0].length;
      continue;
    }
    const number = /^-?\d+/.exec(input.slice(i, i + 64));
    if (number) {
      tokens.push({ type: 'int', value: BigInt(number[0]), offset: i });
      i += number[0].length;
      continue;
    }
    if (c === '"') {
      const start = i++;
      let value = '';
      for (;;) {
        if (i >= input.length) throw new TlaValueSyntaxError('unterminated string', input, start);
        const d = input[i++] as string;
        if (d === '"') break;
        if (d === '\\') {
          const e = input[i++];
          const unescaped = e === undefined ? undefined : UNESCAPE.get(e);
          if (unescaped === undefined) throw new TlaValueSyntaxError('unknown string escape', input, i - 2);
          value += unescaped;
        } else {
          value += d;
        }
      }
      tokens.push({ type: 'str', value, offset: start });
      continue;
    }
    throw new TlaValueSyntaxError(`unexpected character ${JSON.stringify(c)}`, input, i);
  }
  tokens.push({ type: 'end', offset: input.length });
  return tokens;
}

class Parser {
  private position = 0;
  /** Brackets open around the current position. */
  private depth = 0;

  constructor(
    private readonly input: string,
    private readonly tokens: readonly Token[],
  ) {}

  parseAll(): TlaValue {
    const value = this.parseComposition();
    const rest = this.peek();
    if (rest.type !== 'end') this.fail('unexpected trailing input', rest);
    return value;
  }

  // f @@ g: function merge, the left operand wins on shared keys (TLC never prints overlaps).
  private parseComposition(): TlaValue {
    let left = this.parseSingleton();
    while (this.acceptPunct('@@')) {
      const right = this.parseSingleton();
      left = tla.fn([...this.functionEntries(left), ...this.functionEntries(right)]);
    }
    return left;
  }

  // k :> v: the function with domain {k}; binds tighter than @@.
  private parseSingleton(): TlaValue {
    const key = this.parsePrimary();
    if (!this.acceptPunct(':>')) return key;
    return tla.fn([[key, this.parsePrimary()]]);
  }

  private parsePrimary(): TlaValue {
    const token = this.next();
    switch (token.type) {
      case 'int': {
        if (!this.acceptPunct('..')) return tla.int(token.value);
        const upper = this.next();
        if (upper.type !== 'int') return this.fail('expected an integer after ".."', upper);
        const elements: TlaValue[] = [];
        for (let k = token.value; k <= upper.value; k++) elements.push(tla.int(k));
        return { kind: 'set', elements };
      }
      case 'str':
        return tla.str(token.value);
      case 'ident':
        if (token.name === 'TRUE') return tla.bool(true);
        if (token.name === 'FALSE') return tla.bool(false);
        return tla.modelValue(token.name);
      case 'punct':
        return this.parseBracketed(token);
      case 'end':
        return this.fail('unexpected end of value', token);
    }
  }

  private parseBracketed(open: Token & { type: 'punct' }): TlaValue {
    // Each bracket opens one level of recursion: cap it, so a hostile text cannot overflow the stack.
    if (this.depth >= MAX_TLA_DEPTH) return this.fail(`values nested deeper than ${MAX_TLA_DEPTH} levels`, open);
    this.depth++;
    try {
      return this.parseBracketedInner(open);
    } finally {
      this.depth--;
    }
  }

  private parseBracketedInner(open: Token & { type: 'punct' }): TlaValue {
    switch (open.text) {
      // Built directly, not with tla.set(...elements): spreading a wide list overflows the stack.
      case '{':
        return { kind: 'set', elements: this.parseList('}') };
      case '<<':
        return { kind: 'seq', elements: this.parseList('>>') };
      case '(': {
        const inner = this.parseComposition();
        this.expectPunct(')');
        return inner;
      }
      case '[':
        return this.parseRecord();
      default:
        return this.fail(`unexpected ${JSON.stringify(open.text)}`, open);
    }
  }

  private parseList(close: '}' | '>>'): TlaValue[] {
    const elements: TlaValue[] = [];
    if (this.acceptPunct(close)) return elements;
    do elements.push(this.parseComposition());
    while (this.acceptPunct(','));
    this.expectPunct(close);
    return elements;
  }

  private parseRecord(): TlaValue {
    const fields = new Map<string, TlaValue>();
    do {
      const name = this.next();
      if (name.type !== 'ident') return this.fail('expected a record field name', name);
      this.expectPunct('|->');
      fields.set(name.name, this.parseComposition());
    } while (this.acceptPunct(','));
    this.expectPunct(']');
    return { kind: 'record', fields };
  }

  private functionEntries(value: TlaValue): (readonly [TlaValue, TlaValue])[] {
    if (value.kind === 'fn') return [...value.entries];
    if (value.kind === 'seq' && value.elements.length === 0) return [];
    return this.fail('"@@" needs functions on both sides', this.tokens[this.position - 1] as Token);
  }

  private peek(): Token {
    return this.tokens[this.position] as Token;
  }

  private next(): Token {
    const token = this.peek();
    if (token.type !== 'end') this.position++;
    return token;
  }

  private acceptPunct(text: Punct): boolean {
    const token = this.peek();
    if (token.type === 'punct' && token.text === text) {
      this.position++;
      return true;
    }
    return false;
  }

  private expectPunct(text: Punct): void {
    if (!this.acceptPunct(text)) this.fail(`expected ${JSON.stringify(text)}`, this.peek());
  }

  private fail(message: string, at: Token): never {
    throw new TlaValueSyntaxError(message, this.input, at.offset);
  }
}

/**
 * Parses one value printed by TLC, e.g. `[a |-> <<1, "x">>, b |-> (s1 :> {} @@ s2 :> {s1})]`.
 * @throws {@link TlaValueSyntaxError} when the text is not a printed TLA+ value.
 */
export function parseTlaValue(input: string): TlaValue {
  return new Parser(input, tokenize(input)).parseAll();
}
