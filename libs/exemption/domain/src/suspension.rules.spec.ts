import type { Grant } from './grant.types';
import { suspensionsForNotification, suspensionsForResult } from './suspension.rules';
import { DECLARANT, OTHER_ENTERPRISE, grant, uuid } from './testing/fixtures';

const grants: Grant[] = [
  grant({ id: uuid(1), productScope: ['8471'] }),
  grant({ id: uuid(2), productScope: ['8501', '847130'] }),
  grant({ id: uuid(3), productScope: ['8471'], status: 'SUSPENDED' }),
  grant({ id: uuid(4), productScope: ['8471'], status: 'REVOKED' }),
  grant({ id: uuid(5), productScope: ['8471'], status: 'EXPIRED' }),
  grant({ id: uuid(6), productScope: ['8471'], enterpriseCode: OTHER_ENTERPRISE }),
  grant({ id: uuid(7), productScope: ['9403'] }),
];

describe('suspensionsForResult (a FAIL result suspends covering grants at once)', () => {
  it.each<[string, Array<{ hsCode: string; outcome: 'PASS' | 'FAIL' }>, number[]]>([
    ['FAIL on 8471300000', [{ hsCode: '8471300000', outcome: 'FAIL' }], [1, 2]],
    ['FAIL on 8471410000 (not 847130)', [{ hsCode: '8471410000', outcome: 'FAIL' }], [1]],
    ['PASS only', [{ hsCode: '8471300000', outcome: 'PASS' }], []],
    ['FAIL outside every scope', [{ hsCode: '8473300000', outcome: 'FAIL' }], []],
    [
      'PASS on 8471, FAIL on 9403',
      [
        { hsCode: '8471300000', outcome: 'PASS' },
        { hsCode: '9403200000', outcome: 'FAIL' },
      ],
      [7],
    ],
  ])('%s suspends %j', (_name, lines, expected) => {
    const sut = suspensionsForResult({ enterpriseCode: DECLARANT, lines }, grants);
    expect(sut.map((s) => s.grantId)).toEqual(expected.map(uuid));
    for (const s of sut) expect(s.reason).toMatchObject({ code: 'INSPECTION_FAILED' });
  });

  it('lists a grant once with every failed HS code it covers', () => {
    const sut = suspensionsForResult(
      {
        enterpriseCode: DECLARANT,
        lines: [
          { hsCode: '8471300000', outcome: 'FAIL' },
          { hsCode: '8471410000', outcome: 'FAIL' },
          { hsCode: '8471300000', outcome: 'FAIL' },
        ],
      },
      grants,
    );
    expect(sut[0]).toMatchObject({ grantId: uuid(1), hsCodes: ['8471300000', '8471410000'] });
    expect(sut[0].reason.message).toContain('8471300000, 8471410000');
  });

  it('touches only the grants of the result’s enterprise', () => {
    const sut = suspensionsForResult(
      { enterpriseCode: OTHER_ENTERPRISE, lines: [{ hsCode: '8471300000', outcome: 'FAIL' }] },
      grants,
    );
    expect(sut.map((s) => s.grantId)).toEqual([uuid(6)]);
  });
});

describe('suspensionsForNotification (a foreign notification suspends overlapping grants)', () => {
  it.each<[string, number[]]>([
    ['8471300000', [1, 2]],
    ['847130', [1, 2]],
    ['8471', [1, 2]],
    ['84', [1, 2]],
    ['847141', [1]],
    ['9403', [7]],
    ['8473', []],
    ['', []],
  ])('HS %j suspends %j', (hsCode, expected) => {
    const sut = suspensionsForNotification(
      { enterpriseCode: DECLARANT, hsCode, reference: 'RASFF 2026.0412' },
      grants,
    );
    expect(sut.map((s) => s.grantId)).toEqual(expected.map(uuid));
    for (const s of sut)
      expect(s.reason).toMatchObject({
        code: 'FOREIGN_NOTIFICATION',
        message: expect.stringContaining('RASFF'),
      });
  });
});
