import { joinJson, joinJsonTexts, jsonbArraySql, jsonTextsSql } from './json-texts';

describe('JSON documents as one parameter', () => {
  it('joins serialised documents with U+001E, which JSON.stringify escapes inside strings', () => {
    const docs = [{ a: 'x\u001ey' }, ['"', '\\'], 'plain', 1];
    const joined = joinJson(docs);
    expect(joined.split('\u001e').map((t) => JSON.parse(t) as unknown)).toEqual(docs);
  });

  it('refuses a text that holds a raw separator (not JSON.stringify output)', () => {
    expect(() => joinJsonTexts(['{}', '"a\u001eb"'])).toThrow(/U\+001E/);
  });

  it('splits the parameter in SQL', () => {
    expect(jsonTextsSql('$4')).toBe("string_to_array($4::text, E'\\x1e')");
    expect(jsonbArraySql('$2')).toBe("string_to_array($2::text, E'\\x1e')::jsonb[]");
  });
});
