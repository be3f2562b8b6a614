import { fallbacks, hasControlCharacter, hasLoneSurrogate, toStorableString } from './unsafe-text';

describe('unsafe text', () => {
  it.each([
    ['plain', 'NB-2026-000123', false, false],
    ['tab, LF, CR', 'a\tb\nc\r', false, false],
    ['NUL', 'a\u0000', true, false],
    ['vertical tab', 'a\u000b', true, false],
    ['unit separator', '\u001f', true, false],
    ['DEL', '\u007f', true, false],
    ['C1 is not C0', '\u0085', false, false],
    ['surrogate pair', '\u{1F697}', false, false],
    ['lone high at the end', 'a\uD83D', false, true],
    ['lone low at the start', '\uDE00a', false, true],
    ['two highs', '\uD83D\uD83D\uDE00', false, true],
  ])('%s', (_name, s, control, lone) => {
    expect(hasControlCharacter(s)).toBe(control);
    expect(hasLoneSurrogate(s)).toBe(lone);
    expect(fallbacks.hasLoneSurrogate(s)).toBe(lone);
    const sut = toStorableString(s);
    expect(sut).not.toContain('\u0000');
    expect(hasLoneSurrogate(sut)).toBe(false);
    expect(fallbacks.toWellFormed(s)).toBe((s as unknown as { toWellFormed: () => string }).toWellFormed());
  });
});
