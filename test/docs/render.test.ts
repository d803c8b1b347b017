import { describe, expect, it } from 'vitest';
import { escapeMarkdown } from '../../src/docs/render.js';

describe('Markdown escaping of spec prose', () => {
  it('escapes what Markdown or TypeDoc\'s tag parser would read as syntax', () => {
    expect(escapeMarkdown('a_b *c* [d](e) <f> @g {@link h} | i \\div `j` # k')).toBe(
      'a\\_b \\*c\\* \\[d\\](e) \\<f\\> \\@g \\{\\@link h\\} \\| i \\\\div \\`j\\` \\# k',
    );
  });
});
