import { MAX_CERTIFICATE_SERIAL } from '@cic/origin-domain';
import type { EntityManager } from 'typeorm';
import { queryRows } from '../common/sql';

/**
 * The 4-digit issuing office of a 6-digit inspection office code: its first four digits (the
 * directly-affiliated customs district and its branch, e.g. 320000 -> 3200, 330200 -> 3302). Assumed:
 * no official table maps inspection offices to certificate-issuing offices; the first four digits keep
 * every office of a district on one serial range.
 */
export const issuingOffice = (inspectionOffice: string): string => {
  if (!/^\d{6}$/.test(inspectionOffice))
    throw new RangeError(`inspection office must be 6 digits, got ${JSON.stringify(inspectionOffice)}`);
  return inspectionOffice.slice(0, 4);
};

/**
 * The 5-digit registration numbers of exporters, assigned on an enterprise's first certificate from a
 * sequence (1-99999) and kept for good: one numbering for the whole service, so an enterprise has the
 * same number at every office. Concurrent first issues for one enterprise agree (ON CONFLICT DO NOTHING,
 * then read); a number lost to such a race is simply never used.
 */
export async function enterpriseNumbers(
  m: Pick<EntityManager, 'query'>,
  schema: string,
  codes: readonly string[],
): Promise<Map<string, string>> {
  const unique = [...new Set(codes)].sort();
  if (unique.length === 0) return new Map();
  const known = async () =>
    queryRows<{ enterprise_code: string; enterprise_no: number }>(
      m,
      `SELECT enterprise_code, enterprise_no FROM "${schema}"."enterprises" WHERE enterprise_code = ANY($1::text[])`,
      [unique],
    );
  let rows = await known();
  if (rows.length < unique.length) {
    const have = new Set(rows.map((r) => r.enterprise_code));
    await m.query(
      `INSERT INTO "${schema}"."enterprises" (enterprise_code, enterprise_no)
       SELECT code, nextval('"${schema}"."enterprise_no_seq"') FROM unnest($1::text[]) AS x(code) ORDER BY code
       ON CONFLICT (enterprise_code) DO NOTHING`,
      [unique.filter((c) => !have.has(c))],
    );
    rows = await known();
  }
  return new Map(rows.map((r) => [r.enterprise_code, String(r.enterprise_no).padStart(5, '0')]));
}

export interface SerialBlock {
  office: string;
  year: number;
  /** The first serial of the block; the block is first .. first + count - 1. */
  first: number;
  count: number;
}

/**
 * Reserves `count` serials per (office, year) in the caller's transaction, with one statement: the counter
 * row is created or advanced (INSERT ... ON CONFLICT DO UPDATE ... RETURNING), which locks it until the
 * transaction ends, so concurrent issuers (any number of instances) queue on it and never share a serial.
 * Rows are touched in (office, year) order, so two batches never deadlock. A (office, year) whose serials
 * would pass 9999 gets no block (the caller refuses those requests) and its counter is left as it was.
 */
export async function reserveSerials(
  m: Pick<EntityManager, 'query'>,
  schema: string,
  wanted: ReadonlyArray<{ office: string; year: number; count: number }>,
): Promise<SerialBlock[]> {
  const sorted = [...wanted]
    .filter((w) => w.count > 0)
    .sort((a, b) => a.office.localeCompare(b.office) || a.year - b.year);
  if (sorted.length === 0) return [];
  const fits = sorted.filter((w) => w.count <= MAX_CERTIFICATE_SERIAL);
  if (fits.length === 0) return [];
  const rows = await queryRows<{ office: string; year: number; last_serial: number }>(
    m,
    `INSERT INTO "${schema}"."office_serials" AS s (office, year, last_serial)
     SELECT office, year, n FROM unnest($1::text[], $2::int[], $3::int[]) WITH ORDINALITY AS x(office, year, n, i)
       ORDER BY i
     ON CONFLICT (office, year) DO UPDATE
       SET last_serial = s.last_serial + EXCLUDED.last_serial, updated_at = now()
       WHERE s.last_serial + EXCLUDED.last_serial <= ${MAX_CERTIFICATE_SERIAL}
     RETURNING office, year, last_serial`,
    [fits.map((w) => w.office), fits.map((w) => w.year), fits.map((w) => w.count)],
  );
  const blocks: SerialBlock[] = [];
  for (const w of fits) {
    const r = rows.find((x) => x.office === w.office && x.year === w.year);
    if (r)
      blocks.push({ office: w.office, year: w.year, first: r.last_serial - w.count + 1, count: w.count });
  }
  return blocks;
}
