import { CsvSyntaxError, parseCsv } from './csv';

const fields = (text: string) => parseCsv(text).map((r) => r.fields);

describe('parseCsv', () => {
  it.each([
    [
      'plain fields',
      'a,b,c\r\n1,2,3\r\n',
      [
        ['a', 'b', 'c'],
        ['1', '2', '3'],
      ],
    ],
    [
      'no final line break',
      'a,b\r\n1,2',
      [
        ['a', 'b'],
        ['1', '2'],
      ],
    ],
    [
      'LF and CR line breaks',
      'a,b\n1,2\r3,4\n',
      [
        ['a', 'b'],
        ['1', '2'],
        ['3', '4'],
      ],
    ],
    ['empty fields', ',a,,\r\n', [['', 'a', '', '']]],
    ['quoted comma', '"x,y",z\r\n', [['x,y', 'z']]],
    ['escaped quotes', '"say ""hi""",""\r\n', [['say "hi"', '']]],
    ['line breaks inside quotes', '"line1\r\nline2",b\r\n', [['line1\r\nline2', 'b']]],
    ['a leading BOM', '\uFEFFcode,name\r\n', [['code', 'name']]],
    ['blank lines skipped', 'a\r\n\r\nb\r\n\r\n', [['a'], ['b']]],
    ['a lone quoted empty field kept', '""\r\n', [['']]],
    ['unicode kept as is', '深圳,"Zoë, Ltd"\n', [['深圳', 'Zoë, Ltd']]],
    ['empty text', '', []],
  ])('%s', (_, text, expected) => {
    expect(fields(text)).toEqual(expected);
  });

  it('gives the line on which each record starts, counting line breaks inside quotes', () => {
    const sut = parseCsv('h1,h2\r\n"a\r\nb",c\r\n\r\nd,e\r\n');
    expect(sut.map((r) => r.line)).toEqual([1, 2, 5]);
  });

  it.each([
    ['an unclosed quote', 'a,b\r\n"open,c\r\n', 2, 'not closed'],
    ['a quote inside an unquoted field', 'a,b\r\nx"y,c\r\n', 2, 'quote inside'],
    ['text after a closing quote', 'a\r\n"x"y\r\n', 2, 'after the closing quote'],
  ])('refuses %s, naming the line', (_, text, line, reason) => {
    try {
      parseCsv(text);
      throw new Error('expected a CsvSyntaxError');
    } catch (error) {
      expect(error).toBeInstanceOf(CsvSyntaxError);
      expect((error as CsvSyntaxError).line).toBe(line);
      expect((error as CsvSyntaxError).reason).toContain(reason);
    }
  });

  it('stops at the record and field limits', () => {
    expect(() => parseCsv('a\nb\nc\n', { maxRecords: 2 })).toThrow(/line 3: more than 2 records/);
    expect(() => parseCsv('a,b,c\n', { maxFields: 2 })).toThrow(/more than 2 fields/);
  });

  it('reads 100,000 records quickly', () => {
    const text = 'id,hsPrefix\r\n' + Array.from({ length: 100_000 }, (_, i) => `${i},"85${i}"`).join('\r\n');
    const started = Date.now();
    expect(parseCsv(text)).toHaveLength(100_001);
    expect(Date.now() - started).toBeLessThan(2000);
  });
});
