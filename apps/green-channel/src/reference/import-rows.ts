import type { FieldError } from '@cic/contracts';
import { fieldErrorsOf, ProblemException } from '@cic/platform-http';
import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { type CsvRecord, CsvSyntaxError, parseCsv } from './csv';
import {
  canonicalEnterprise,
  canonicalRiskAlert,
  type EnterpriseData,
  EnterpriseRow,
  type RiskAlertData,
  RiskAlertRow,
  type ZoneData,
  ZoneRow,
} from './reference.schemas';

// Turning an import file (CSV or a JSON array) into validated records, or the list of what is wrong with
// it: every row is checked before anything is written, and each error names the row and field (and, for
// CSV, the line of the file).

export const IMPORT_KINDS = ['enterprises', 'zones', 'risk-alerts'] as const;
export type ImportKind = (typeof IMPORT_KINDS)[number];

/** Most rows one import may hold (100,000 risk alerts must fit). */
export const MAX_IMPORT_ROWS = 250_000;
/** Most field errors one answer lists; the detail gives the total. */
export const MAX_REPORTED_ERRORS = 100;

export interface ImportError extends FieldError {
  /** The line of the CSV file the row starts on. */
  line?: number;
}

export type ImportRecords =
  | { kind: 'enterprises'; rows: EnterpriseData[] }
  | { kind: 'zones'; rows: ZoneData[] }
  | { kind: 'risk-alerts'; rows: (RiskAlertData & { explicitId: boolean })[] };

export type ImportParse =
  | { ok: true; records: ImportRecords; sources: RawRow[] }
  | { ok: false; errors: ImportError[]; errorCount: number };

type Cell = (value: string) => unknown;

const plain: Cell = (v) => v;
const orNull: Cell = (v) => (v.trim() === '' ? null : v.trim());
const orUndefined: Cell = (v) => (v.trim() === '' ? undefined : v.trim());
const integer: Cell = (v) => (/^\s*-?\d{1,9}\s*$/.test(v) ? Number(v) : v);
const list: Cell = (v) =>
  v.trim() === ''
    ? []
    : v
        .split(';')
        .map((s) => s.trim())
        .filter((s) => s !== '');
/** `STANDARD:number:validFrom:validUntil`; the number may itself hold colons. */
const certifications: Cell = (v) =>
  (list(v) as string[]).map((cell) => {
    const parts = cell.split(':');
    if (parts.length < 4)
      return { standard: parts[0], number: parts[1], validFrom: parts[2], validUntil: parts[3] };
    return {
      standard: parts[0],
      number: parts.slice(1, -2).join(':'),
      validFrom: parts[parts.length - 2],
      validUntil: parts[parts.length - 1],
    };
  });

interface Column {
  name: string;
  required: boolean;
  cell: Cell;
}

/** The CSV columns of each kind (header names; order is free). Documented in the import's OpenAPI text. */
export const CSV_COLUMNS: Record<ImportKind, readonly Column[]> = {
  enterprises: [
    { name: 'code', required: true, cell: plain },
    { name: 'name', required: true, cell: plain },
    { name: 'tier', required: true, cell: plain },
    { name: 'category', required: true, cell: integer },
    { name: 'annualExportsUsd', required: true, cell: plain },
    { name: 'certifications', required: false, cell: certifications },
    { name: 'zoneIds', required: false, cell: list },
    { name: 'historySince', required: false, cell: orNull },
  ],
  zones: [
    { name: 'id', required: true, cell: plain },
    { name: 'name', required: true, cell: plain },
    { name: 'level', required: true, cell: plain },
    { name: 'industry', required: true, cell: plain },
  ],
  'risk-alerts': [
    { name: 'id', required: false, cell: orUndefined },
    { name: 'hsPrefix', required: true, cell: plain },
    { name: 'destinations', required: false, cell: list },
    { name: 'validFrom', required: true, cell: plain },
    { name: 'validUntil', required: false, cell: orNull },
    { name: 'source', required: true, cell: plain },
    { name: 'description', required: true, cell: plain },
  ],
};

export interface RawRow {
  /** JSON Pointer of the row: `/rows/<n>` (CSV, n counts data rows from 1) or `/<index>` (JSON). */
  pointer: string;
  line?: number;
  value: unknown;
}

const err = (
  pointer: string,
  code: string,
  message: string,
  messageZh: string,
  line?: number,
): ImportError =>
  line === undefined
    ? { pointer, code, message, messageZh }
    : { pointer, code, message: `line ${line}: ${message}`, messageZh: `第${line}行：${messageZh}`, line };

/** The rows of a CSV file as objects keyed by column, or the errors of its header and shape. */
export function csvRows(
  kind: ImportKind,
  text: string,
): { rows: RawRow[] } | { errors: ImportError[]; errorCount: number } {
  let records: CsvRecord[];
  try {
    records = parseCsv(text, { maxRecords: MAX_IMPORT_ROWS + 1, maxFields: 64 });
  } catch (error) {
    if (!(error instanceof CsvSyntaxError)) throw error;
    return { errors: [err('', 'MALFORMED_CSV', error.reason, 'CSV格式错误', error.line)], errorCount: 1 };
  }
  if (records.length === 0)
    return { errors: [err('', 'EMPTY_FILE', 'the file has no header row', '文件缺少表头行')], errorCount: 1 };
  const [header, ...data] = records;
  const columns = CSV_COLUMNS[kind];
  const errors: ImportError[] = [];
  const byIndex: (Column | undefined)[] = header.fields.map((raw, i) => {
    const name = raw.trim().toLowerCase();
    const column = columns.find((c) => c.name.toLowerCase() === name);
    if (!column)
      errors.push(
        err(
          `/columns/${i}`,
          'UNKNOWN_COLUMN',
          `unknown column ${JSON.stringify(raw.slice(0, 64))} (columns: ${columns.map((c) => c.name).join(', ')})`,
          '未知的列',
          header.line,
        ),
      );
    return column;
  });
  for (const c of columns) {
    const count = byIndex.filter((x) => x === c).length;
    if (c.required && count === 0)
      errors.push(
        err(
          `/columns/${c.name}`,
          'MISSING_COLUMN',
          `column ${c.name} is required`,
          `缺少必需的列${c.name}`,
          header.line,
        ),
      );
    if (count > 1)
      errors.push(
        err(
          `/columns/${c.name}`,
          'DUPLICATE_COLUMN',
          `column ${c.name} appears twice`,
          `列${c.name}重复`,
          header.line,
        ),
      );
  }
  if (errors.length) return { errors: errors.slice(0, MAX_REPORTED_ERRORS), errorCount: errors.length };
  const rows: RawRow[] = [];
  let errorCount = 0;
  for (let r = 0; r < data.length; r++) {
    const rec = data[r];
    const pointer = `/rows/${r + 1}`;
    if (rec.fields.length !== byIndex.length) {
      if (++errorCount > MAX_REPORTED_ERRORS) continue;
      errors.push(
        err(
          pointer,
          'FIELD_COUNT',
          `has ${rec.fields.length} fields, the header ${byIndex.length}`,
          `字段数为${rec.fields.length}，与表头的${byIndex.length}不符`,
          rec.line,
        ),
      );
      continue;
    }
    const value: Record<string, unknown> = {};
    byIndex.forEach((column, i) => {
      const cell = column!.cell(rec.fields[i]);
      if (cell !== undefined) value[column!.name] = cell;
    });
    rows.push({ pointer, line: rec.line, value });
  }
  return errorCount ? { errors, errorCount } : { rows };
}

/** The elements of a JSON import body, or why it is not an array of rows. */
export function jsonRows(body: unknown): { rows: RawRow[] } | { errors: ImportError[]; errorCount: number } {
  if (!Array.isArray(body))
    return { errors: [err('', 'WRONG_TYPE', 'must be an array of records', '应为记录数组')], errorCount: 1 };
  if (body.length > MAX_IMPORT_ROWS)
    return {
      errors: [
        err('', 'TOO_LONG', `must have at most ${MAX_IMPORT_ROWS} items`, `最多允许${MAX_IMPORT_ROWS}项`),
      ],
      errorCount: 1,
    };
  return { rows: body.map((value, i) => ({ pointer: `/${i}`, value })) };
}

/** Validates every row (and that no key appears twice), then gives the canonical records. */
export function validateRows(kind: ImportKind, rows: readonly RawRow[]): ImportParse {
  const errors: ImportError[] = [];
  let errorCount = 0;
  const report = (row: RawRow, list: FieldError[]) => {
    errorCount += list.length;
    for (const e of list) {
      if (errors.length >= MAX_REPORTED_ERRORS) return;
      errors.push(err(row.pointer + e.pointer, e.code, e.message, e.messageZh, row.line));
    }
  };
  const seen = new Map<string, RawRow>();
  const duplicate = (row: RawRow, key: string, field: string) => {
    const first = seen.get(key);
    if (first) {
      const where = first.line !== undefined ? `line ${first.line}` : first.pointer;
      report(row, [
        {
          pointer: `/${field}`,
          code: 'DUPLICATE',
          message: `${JSON.stringify(key)} is already in this file (${where})`,
          messageZh: `${key}在文件中重复出现`,
        },
      ]);
      return true;
    }
    seen.set(key, row);
    return false;
  };
  const parse = <T>(schema: z.ZodType<T>, row: RawRow): T | undefined => {
    const result = schema.safeParse(row.value);
    if (result.success) return result.data;
    report(
      row,
      result.error.issues.flatMap((i) => fieldErrorsOf(i, row.value)),
    );
    return undefined;
  };

  let records: ImportRecords;
  // The raw row of each record, in the same order (for errors found later, e.g. an unknown zone).
  const sources: RawRow[] = [];
  switch (kind) {
    case 'enterprises': {
      const out: EnterpriseData[] = [];
      for (const row of rows) {
        const v = parse(EnterpriseRow, row);
        if (v && !duplicate(row, v.code, 'code')) {
          out.push(canonicalEnterprise(v.code, v));
          sources.push(row);
        }
      }
      records = { kind, rows: out };
      break;
    }
    case 'zones': {
      const out: ZoneData[] = [];
      for (const row of rows) {
        const v = parse(ZoneRow, row);
        if (v && !duplicate(row, v.id, 'id')) {
          out.push({ id: v.id, name: v.name, level: v.level, industry: v.industry });
          sources.push(row);
        }
      }
      records = { kind, rows: out };
      break;
    }
    case 'risk-alerts': {
      const out: (RiskAlertData & { explicitId: boolean })[] = [];
      for (const row of rows) {
        const v = parse(RiskAlertRow, row);
        if (!v) continue;
        const id = v.id?.toLowerCase();
        if (id !== undefined && duplicate(row, id, 'id')) continue;
        out.push({ ...canonicalRiskAlert(id ?? randomUUID(), v), explicitId: id !== undefined });
        sources.push(row);
      }
      records = { kind, rows: out };
      break;
    }
  }
  return errorCount ? { ok: false, errors, errorCount } : { ok: true, records, sources };
}

/** The 400 answer to a file with errors: nothing of it was written. */
export function importInvalid(errors: ImportError[], errorCount: number): ProblemException {
  return new ProblemException(
    400,
    'IMPORT_INVALID',
    'The import file has errors; nothing was imported',
    `${errorCount} error(s)${errorCount > errors.length ? `, the first ${errors.length} listed` : ''}; fix them and send the whole file again`,
    { errors, errorCount },
  );
}

/** Row errors of a later check (e.g. unknown zones), in the same form as validation errors. */
export function rowError(
  row: RawRow,
  field: string,
  code: string,
  message: string,
  messageZh: string,
): ImportError {
  return err(row.pointer + field, code, message, messageZh, row.line);
}
