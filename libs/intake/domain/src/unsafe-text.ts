// Text that cannot be stored or keyed safely. PostgreSQL rejects U+0000 in text and jsonb and rejects
// unpaired UTF-16 surrogates in jsonb; other C0 controls and DEL have no business in a declaration and
// hide content from people reading logs and screens. Tab, LF and CR are ordinary text.

const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;
const NUL = /\u0000/g;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** The replacement character, standing for what could not be kept. */
export const REPLACEMENT_CHARACTER = '\uFFFD';

// ES2024 string methods (Node 20+); the lib of this workspace is ES2023, so they are looked up.
type Es2024String = { isWellFormed?: () => boolean; toWellFormed?: () => string };
const native = String.prototype as unknown as Es2024String;

/** For runtimes without the ES2024 methods; exported so tests can run them where the methods exist. */
export const fallbacks = {
  hasLoneSurrogate: (s: string) => s.search(LONE_SURROGATE) !== -1,
  toWellFormed: (s: string) => s.replace(LONE_SURROGATE, REPLACEMENT_CHARACTER),
};

export function hasControlCharacter(s: string): boolean {
  return CONTROL.test(s);
}

export function hasLoneSurrogate(s: string): boolean {
  return native.isWellFormed ? !native.isWellFormed.call(s) : fallbacks.hasLoneSurrogate(s);
}

/** The string with lone surrogates and U+0000 replaced by U+FFFD, so that jsonb accepts it. */
export function toStorableString(s: string): string {
  const wellFormed = native.toWellFormed ? native.toWellFormed.call(s) : fallbacks.toWellFormed(s);
  return wellFormed.replace(NUL, REPLACEMENT_CHARACTER);
}
