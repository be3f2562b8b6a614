/**
 * Many JSON documents as one statement parameter: their texts joined by U+001E (record separator), split
 * again by Postgres. JSON.stringify never emits a raw control character, so the separator cannot occur
 * inside a document. As a `jsonb[]` or `text[]` literal, node-postgres escaped every quote of every
 * document (two copies of each string) and Postgres parsed the literal back with array_in: at 800
 * declarations/s that was 14% of everything intake's api allocated, at 1,000/s 15% of green-channel's.
 */
const RS = '\u001e';

/** The texts (JSON.stringify output) as one parameter. A raw U+001E in one is a bug: refused. */
export function joinJsonTexts(texts: readonly string[]): string {
  for (const t of texts)
    if (t.includes(RS)) throw new Error('a JSON text holds a raw U+001E: not serialised by JSON.stringify');
  return texts.join(RS);
}

/** The documents, serialised, as one parameter. */
export function joinJson(values: readonly unknown[]): string {
  return joinJsonTexts(values.map((v) => JSON.stringify(v)));
}

/** SQL for the `text[]` of a parameter made by joinJsonTexts or joinJson (`$3`, say). */
export function jsonTextsSql(param: string): string {
  return `string_to_array(${param}::text, E'\\x1e')`;
}

/** SQL for the `jsonb[]` of a parameter made by joinJsonTexts or joinJson. */
export function jsonbArraySql(param: string): string {
  return `${jsonTextsSql(param)}::jsonb[]`;
}
