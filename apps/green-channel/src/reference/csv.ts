// A small RFC 4180 reader: fields separated by commas, records by CRLF (a bare LF or CR is accepted
// too), a field in double quotes may hold commas, line breaks and doubled quotes (""), a leading UTF-8
// BOM is dropped. Blank lines are skipped. Strict about quotes: a quote inside an unquoted field or text
// after a closing quote is an error naming its line, never a silent guess.

export interface CsvRecord {
  /** 1-based line of the file on which the record starts (a quoted field may span lines). */
  line: number;
  fields: string[];
}

export class CsvSyntaxError extends Error {
  constructor(
    readonly line: number,
    readonly reason: string,
  ) {
    super(`line ${line}: ${reason}`);
  }
}

export interface CsvOptions {
  /** Stop with an error after this many records (blank lines do not count). */
  maxRecords?: number;
  /** Stop with an error at a record with more fields than this. */
  maxFields?: number;
}

const COMMA = 44;
const QUOTE = 34;
const CR = 13;
const LF = 10;

/** The records of `text`; throws CsvSyntaxError on malformed quoting or a limit passed. */
export function parseCsv(text: string, options: CsvOptions = {}): CsvRecord[] {
  const maxRecords = options.maxRecords ?? Number.POSITIVE_INFINITY;
  const maxFields = options.maxFields ?? Number.POSITIVE_INFINITY;
  const records: CsvRecord[] = [];
  const n = text.length;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;

  while (i < n) {
    const start = line;
    const fields: string[] = [];
    let quoted = false;
    // One record: fields until an unquoted line break or the end of the text.
    for (;;) {
      let value: string;
      if (text.charCodeAt(i) === QUOTE) {
        quoted = true;
        let parts = '';
        let from = i + 1;
        for (;;) {
          const q = text.indexOf('"', from);
          if (q < 0) throw new CsvSyntaxError(start, 'a quoted field is not closed');
          parts += text.slice(from, q);
          if (text.charCodeAt(q + 1) === QUOTE) {
            parts += '"';
            from = q + 2;
            continue;
          }
          i = q + 1;
          break;
        }
        // Line breaks inside the quotes move the line counter on.
        for (let k = 0; k < parts.length; k++) {
          const c = parts.charCodeAt(k);
          if (c === LF || (c === CR && parts.charCodeAt(k + 1) !== LF)) line++;
        }
        value = parts;
        const next = text.charCodeAt(i);
        if (i < n && next !== COMMA && next !== CR && next !== LF)
          throw new CsvSyntaxError(line, 'text after the closing quote of a field');
      } else {
        let j = i;
        while (j < n) {
          const c = text.charCodeAt(j);
          if (c === COMMA || c === CR || c === LF) break;
          if (c === QUOTE)
            throw new CsvSyntaxError(line, 'a quote inside an unquoted field (quote the whole field)');
          j++;
        }
        value = text.slice(i, j);
        i = j;
      }
      fields.push(value);
      if (fields.length > maxFields) throw new CsvSyntaxError(start, `more than ${maxFields} fields`);
      if (i < n && text.charCodeAt(i) === COMMA) {
        i++;
        continue;
      }
      break;
    }
    // End of record: CRLF, LF, CR or the end of the text.
    if (i < n) {
      if (text.charCodeAt(i) === CR && text.charCodeAt(i + 1) === LF) i += 2;
      else i++;
      line++;
    }
    // A blank line is no record (a lone "" is: one empty field).
    if (fields.length === 1 && fields[0] === '' && !quoted) continue;
    if (records.length >= maxRecords) throw new CsvSyntaxError(start, `more than ${maxRecords} records`);
    records.push({ line: start, fields });
  }
  return records;
}
