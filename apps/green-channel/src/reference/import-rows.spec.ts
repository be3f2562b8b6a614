import { usccCheckCharacter } from '@cic/contracts';
import { fieldErrorsOf } from '@cic/platform-http';
import { csvRows, jsonRows, MAX_REPORTED_ERRORS, validateRows } from './import-rows';
import { EnterpriseBody, RiskAlertCreateBody } from './reference.schemas';

const uscc = (n: number) => {
  const first17 = `9144030000${String(n).padStart(7, '0')}`;
  return first17 + usccCheckCharacter(first17);
};

const ENTERPRISE_HEADER = 'code,name,tier,category,annualExportsUsd,certifications,zoneIds,historySince';

function parseCsvRows(kind: 'enterprises' | 'zones' | 'risk-alerts', text: string) {
  const read = csvRows(kind, text);
  if ('errors' in read) return { ok: false as const, errors: read.errors, errorCount: read.errorCount };
  return validateRows(kind, read.rows);
}

describe('enterprise rows', () => {
  it('reads a CSV row with certifications and zones as ;-separated cells', () => {
    const sut = parseCsvRows(
      'enterprises',
      `${ENTERPRISE_HEADER}\r\n${uscc(1)},"Ningbo Gearbox Co., Ltd",CERTIFIED,2,1250000.50,ISO9001:CN-Q:2019:1:2024-01-01:2027-01-01;IATF16949:T-9:2025-01-01:2028-01-01,NB-AUTO;CN-ELEC,2019-05-01\r\n`,
    );
    expect(sut.ok).toBe(true);
    if (!sut.ok || sut.records.kind !== 'enterprises') throw new Error('expected enterprises');
    expect(sut.records.rows).toEqual([
      {
        code: uscc(1),
        name: 'Ningbo Gearbox Co., Ltd',
        tier: 'CERTIFIED',
        category: 2,
        annualExportsUsd: '1250000.50',
        certifications: [
          { standard: 'ISO9001', number: 'CN-Q:2019:1', validFrom: '2024-01-01', validUntil: '2027-01-01' },
          { standard: 'IATF16949', number: 'T-9', validFrom: '2025-01-01', validUntil: '2028-01-01' },
        ],
        zoneIds: ['NB-AUTO', 'CN-ELEC'],
        historySince: '2019-05-01',
      },
    ]);
  });

  it('takes optional columns as absent and empty cells as empty lists or null', () => {
    const sut = parseCsvRows(
      'enterprises',
      `code,name,tier,category,annualExportsUsd\n${uscc(2)},A,REGULAR,3,0\n`,
    );
    expect(sut.ok && sut.records.rows[0]).toMatchObject({
      certifications: [],
      zoneIds: [],
      historySince: null,
    });
  });

  it.each([
    ['annualExportsUsd', '1,000', 'FORMAT'],
    ['annualExportsUsd', '12.345', 'FORMAT'],
    ['category', '5', 'OUT_OF_RANGE'],
    ['category', 'two', 'WRONG_TYPE'],
    ['tier', 'GOLD', 'NOT_ALLOWED'],
    ['historySince', '2024-02-30', 'FORMAT'],
    ['code', 'not-a-code', 'USCC_LENGTH'],
  ])('names the line and field of a bad %s (%s)', (field, value, code) => {
    const good: Record<string, string> = {
      code: uscc(3),
      name: 'Good',
      tier: 'REGULAR',
      category: '1',
      annualExportsUsd: '10.00',
      certifications: '',
      zoneIds: '',
      historySince: '',
    };
    const bad = { ...good, code: uscc(4), [field]: value };
    const line = (r: Record<string, string>) =>
      ENTERPRISE_HEADER.split(',')
        .map((c) => `"${r[c]}"`)
        .join(',');
    const sut = parseCsvRows(
      'enterprises',
      [ENTERPRISE_HEADER, line(good), line(good).replace(uscc(3), uscc(5)), line(bad)].join('\r\n'),
    );
    expect(sut.ok).toBe(false);
    if (sut.ok) return;
    expect(sut.errors).toEqual([
      expect.objectContaining({
        pointer: `/rows/3/${field}`,
        code,
        line: 4,
        message: expect.stringMatching(/^line 4: /),
      }),
    ]);
  });

  it('refuses a wrong check character, a certificate ending before it starts and a zone listed twice', () => {
    const wrongCheck = uscc(6).slice(0, 17) + (uscc(6).endsWith('0') ? '1' : '0');
    const sut = parseCsvRows(
      'enterprises',
      `${ENTERPRISE_HEADER}\n${wrongCheck},A,REGULAR,1,1,,,\n${uscc(7)},B,REGULAR,1,1,ISO9001:N:2025-01-01:2024-01-01,Z1;Z1,\n`,
    );
    expect(!sut.ok && sut.errors.map((e) => [e.pointer, e.code])).toEqual([
      ['/rows/1/code', 'USCC_CHECK_CHARACTER'],
      ['/rows/2/certifications/0/validUntil', 'BEFORE_VALID_FROM'],
      ['/rows/2/zoneIds', 'DUPLICATE'],
    ]);
  });

  it('refuses a code twice in one file, naming the first line', () => {
    const sut = parseCsvRows(
      'enterprises',
      `${ENTERPRISE_HEADER}\n${uscc(8)},A,REGULAR,1,1,,,\n${uscc(8)},B,REGULAR,1,1,,,\n`,
    );
    expect(!sut.ok && sut.errors).toEqual([
      expect.objectContaining({
        pointer: '/rows/2/code',
        code: 'DUPLICATE',
        message: expect.stringContaining('line 2'),
      }),
    ]);
  });

  it('refuses unknown and missing columns, and rows with the wrong number of fields', () => {
    expect(
      !parseCsvRows('zones', 'id,name,color\n').ok && parseCsvRows('zones', 'id,name,color\n'),
    ).toMatchObject({
      errors: [
        expect.objectContaining({ pointer: '/columns/2', code: 'UNKNOWN_COLUMN' }),
        expect.objectContaining({ pointer: '/columns/level', code: 'MISSING_COLUMN' }),
        expect.objectContaining({ pointer: '/columns/industry', code: 'MISSING_COLUMN' }),
      ],
    });
    const sut = parseCsvRows('zones', 'id,name,level,industry\nZ1,Zone,NATIONAL\n');
    expect(!sut.ok && sut.errors).toEqual([
      expect.objectContaining({ pointer: '/rows/1', code: 'FIELD_COUNT', line: 2 }),
    ]);
  });

  it(`reports at most ${MAX_REPORTED_ERRORS} errors and counts them all`, () => {
    const rows = Array.from({ length: 150 }, (_, i) => `${uscc(100 + i)},A,REGULAR,9,1,,,`);
    const sut = parseCsvRows('enterprises', [ENTERPRISE_HEADER, ...rows].join('\n'));
    expect(!sut.ok && [sut.errors.length, sut.errorCount]).toEqual([MAX_REPORTED_ERRORS, 150]);
  });

  it('reports a CSV syntax error with its line', () => {
    const sut = parseCsvRows('zones', 'id,name,level,industry\nZ1,"open,NATIONAL,x\n');
    expect(!sut.ok && sut.errors).toEqual([expect.objectContaining({ code: 'MALFORMED_CSV', line: 2 })]);
  });
});

describe('JSON rows', () => {
  it('points into the array and refuses unknown fields', () => {
    const read = jsonRows([{ id: 'Z1', name: 'Zone', level: 'NATIONAL', industry: 'x', colour: 'red' }]);
    if ('errors' in read) throw new Error('expected rows');
    const sut = validateRows('zones', read.rows);
    expect(!sut.ok && sut.errors).toEqual([
      expect.objectContaining({ pointer: '/0/colour', code: 'UNKNOWN_FIELD' }),
    ]);
  });

  it('refuses a body that is not an array', () => {
    expect(jsonRows({ rows: [] })).toMatchObject({ errors: [{ pointer: '', code: 'WRONG_TYPE' }] });
  });
});

describe('risk-alert rows', () => {
  it('sorts and dedupes destinations, gives an id to rows without one, keeps a given id', () => {
    const sut = parseCsvRows(
      'risk-alerts',
      'hsPrefix,destinations,validFrom,validUntil,source,description,id\n' +
        '8708,US;JP;US,2025-01-01,,FOREIGN_NOTIFICATION,"Gearbox, recall",\n' +
        '6115,,2025-01-01,2025-12-31,TRADE_MEASURE,Socks,7C9E6679-7425-40DE-944B-E07FC1F90AE7\n',
    );
    if (!sut.ok || sut.records.kind !== 'risk-alerts') throw new Error('expected alerts');
    expect(sut.records.rows[0]).toMatchObject({
      destinations: ['JP', 'US'],
      validUntil: null,
      explicitId: false,
    });
    expect(sut.records.rows[0].id).toMatch(/^[0-9a-f-]{36}$/);
    expect(sut.records.rows[1]).toMatchObject({
      id: '7c9e6679-7425-40de-944b-e07fc1f90ae7',
      destinations: [],
      explicitId: true,
    });
  });

  it.each([
    ['hsPrefix', '87', 'FORMAT'],
    ['destinations', 'XX', 'UNKNOWN_COUNTRY'],
    ['destinations', 'us', 'FORMAT'],
    ['validUntil', '2024-12-31', 'BEFORE_VALID_FROM'],
    ['source', 'RUMOUR', 'NOT_ALLOWED'],
  ])('refuses a bad %s (%s)', (field, value, code) => {
    const row: Record<string, string> = {
      hsPrefix: '8708',
      destinations: '',
      validFrom: '2025-01-01',
      validUntil: '',
      source: 'TRADE_MEASURE',
      description: 'x',
      [field]: value,
    };
    const header = Object.keys(row);
    const sut = parseCsvRows('risk-alerts', `${header.join(',')}\n${header.map((h) => row[h]).join(',')}\n`);
    expect(!sut.ok && sut.errors[0]).toMatchObject({ code, line: 2 });
    expect(!sut.ok && sut.errors[0].pointer).toMatch(new RegExp(`^/rows/1/${field}`));
  });
});

describe('bodies refuse what would otherwise reach the database', () => {
  const enterprise = {
    name: 'A',
    tier: 'REGULAR',
    category: 1,
    annualExportsUsd: '1.00',
  };
  it.each([
    ['a control character', { ...enterprise, name: 'A\u0000B' }, '/name', 'CONTROL_CHARACTER'],
    ['a huge string', { ...enterprise, name: 'x'.repeat(1_000_000) }, '/name', 'TOO_LONG'],
    [
      'a number where a string goes',
      { ...enterprise, annualExportsUsd: 1000 },
      '/annualExportsUsd',
      'WRONG_TYPE',
    ],
    ['an unknown field', { ...enterprise, extra: true }, '/extra', 'UNKNOWN_FIELD'],
    ['year 0', { ...enterprise, historySince: '0000-01-01' }, '/historySince', 'OUT_OF_RANGE'],
    [
      'an amount past numeric(20,2)',
      { ...enterprise, annualExportsUsd: '1' + '0'.repeat(18) },
      '/annualExportsUsd',
      'FORMAT',
    ],
  ])('%s', (_, body, pointer, code) => {
    const result = EnterpriseBody.safeParse(body);
    expect(result.success).toBe(false);
    expect(fieldErrorsOf(result.error!.issues[0], body)[0]).toMatchObject({ pointer, code });
  });

  it('keeps line breaks in an alert description but not NUL', () => {
    const alert = { hsPrefix: '8708', validFrom: '2025-01-01', source: 'TRADE_MEASURE' };
    expect(RiskAlertCreateBody.safeParse({ ...alert, description: 'a\r\nb\tc' }).success).toBe(true);
    expect(RiskAlertCreateBody.safeParse({ ...alert, description: 'a\u0000' }).success).toBe(false);
  });
});
