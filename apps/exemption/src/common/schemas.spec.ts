import { usccCheckCharacter } from '@cic/contracts';
import { ProblemException } from '@cic/platform-http';
import { ApplicationBody } from '../applications/applications.controller';
import { GrantBody } from '../grants/grants.controller';
import { NotificationBody } from '../records/records.controller';
import { enterpriseCode } from './schemas';

const CODE = '91320500MA1W8E2K0' + usccCheckCharacter('91320500MA1W8E2K0');

describe('request schemas', () => {
  it.each([
    [
      'a grant from an application',
      { applicationId: '00000000-0000-4000-8000-000000000001', approvalReference: 'MY-1' },
    ],
    [
      'a grant by an admin',
      { enterpriseCode: CODE, productScope: ['8542', '854231'], approvalReference: 'MY/2026.1' },
    ],
  ])('accepts %s', (_name, body) => {
    expect(GrantBody.safeParse(body).success).toBe(true);
  });

  it.each([
    ['a prefix of 3 digits', { enterpriseCode: CODE, productScope: ['854'], approvalReference: 'A' }],
    ['a prefix twice', { enterpriseCode: CODE, productScope: ['8542', '8542'], approvalReference: 'A' }],
    ['an empty scope', { enterpriseCode: CODE, productScope: [], approvalReference: 'A' }],
    [
      'a wrong check character',
      { enterpriseCode: CODE.slice(0, 17) + 'X', productScope: ['8542'], approvalReference: 'A' },
    ],
  ])('refuses an application with %s', (_name, body) => {
    const { enterpriseCode: code, productScope } = body;
    expect(ApplicationBody.safeParse({ enterpriseCode: code, productScope }).success).toBe(false);
  });

  it('takes a notified HS code of 2 to 10 digits', () => {
    expect(NotificationBody.safeParse({ reference: 'R', hsCode: '44' }).success).toBe(true);
    expect(NotificationBody.safeParse({ reference: 'R', hsCode: '4' }).success).toBe(false);
    expect(NotificationBody.safeParse({ reference: 'R', hsCode: '44187300001' }).success).toBe(false);
  });

  it('answers a bad path code with a 400 pointing at /code', () => {
    expect(enterpriseCode(CODE)).toBe(CODE);
    try {
      enterpriseCode('123');
      throw new Error('expected a problem');
    } catch (e) {
      expect(e).toBeInstanceOf(ProblemException);
      const body = (e as ProblemException).getResponse() as {
        status: number;
        errors: Array<{ pointer: string }>;
      };
      expect(body.status).toBe(400);
      expect(body.errors[0].pointer).toBe('/code');
    }
  });
});
