import { OriginDecided } from '@cic/contracts';
import { certificateNumber } from './certificate-number';
import { assessCertificateRequest as sut, type CertificateRequestInput } from './certificate-request.rules';
import { PSR_TABLE_VERSION } from './psr.table';
import { ORIGIN_RULESET_VERSION } from './rules.config';
import { certificateRequest, declaredGoods, material, requestLine } from './testing/fixtures';

const input = (overrides: Partial<CertificateRequestInput> = {}): CertificateRequestInput => ({
  request: certificateRequest(),
  exporterCountry: 'CN',
  goods: declaredGoods,
  issueDate: '2026-03-10',
  ...overrides,
});

describe('assessCertificateRequest', () => {
  it('issues when every line meets its rule, valid through the same day a year later', () => {
    const decision = sut(
      input({
        request: certificateRequest({
          lines: [
            requestLine(1), // gearbox from screws: CTH
            requestLine(2, { materials: [material('740311', 'CL', '550.00')] }), // harness from copper: CTH
            requestLine(3, { criterion: 'PE', materials: [material('840820', 'JP', '900.00')] }), // bus, JP engine
          ],
        }),
      }),
    );
    expect(decision).toMatchObject({
      outcome: 'ISSUED',
      agreement: 'RCEP',
      issueDate: '2026-03-10',
      validUntil: '2027-03-10',
      rulesetVersion: `${ORIGIN_RULESET_VERSION};${PSR_TABLE_VERSION}`,
    });
    expect(decision.lines.map((l) => [l.lineNo, l.met, l.rule])).toEqual([
      [1, true, 'RVC40 or CTH'],
      [2, true, 'RVC40 or CTH'],
      [3, true, 'PE'],
    ]);
    expect(decision.reasons.map((r) => r.code)).toEqual(['ORIGIN_CONFIRMED']);
  });

  it.each`
    case                                           | overrides                                                                                                              | codes
    ${'a line fails its rule'}                     | ${{ request: certificateRequest({ lines: [requestLine(1, { materials: [material('870899', 'US', '700.00')] })] }) }}   | ${['PSR_NOT_MET']}
    ${'the importing country is not a party'}      | ${{ request: certificateRequest({ agreement: 'CHINA_ASEAN', importingCountry: 'JP' }) }}                               | ${['IMPORTING_COUNTRY_NOT_PARTY']}
    ${'the importing country is China itself'}     | ${{ request: certificateRequest({ importingCountry: 'CN' }) }}                                                         | ${['IMPORTING_COUNTRY_IS_EXPORTER']}
    ${'a line is not among the declared goods'}    | ${{ request: certificateRequest({ lines: [requestLine(1), requestLine(9)] }) }}                                        | ${['LINE_NOT_DECLARED']}
    ${'a line is listed twice'}                    | ${{ request: certificateRequest({ lines: [requestLine(1), requestLine(1)] }) }}                                        | ${['DUPLICATE_LINE']}
    ${'a material is valued in another currency'}  | ${{ request: certificateRequest({ lines: [requestLine(1, { materials: [material('731815', 'US', '1', 'EUR')] })] }) }} | ${['CURRENCY_MISMATCH']}
    ${'every problem at once is reported at once'} | ${{ request: certificateRequest({ importingCountry: 'US', lines: [requestLine(7)] }) }}                                | ${['IMPORTING_COUNTRY_NOT_PARTY', 'LINE_NOT_DECLARED']}
  `('refuses when $case', ({ overrides, codes }) => {
    const decision = sut(input(overrides));
    expect(decision.outcome).toBe('REFUSED');
    expect(decision.reasons.map((r) => r.code)).toEqual(codes);
    expect(decision.validUntil).toBeUndefined();
  });

  it.each`
    items | outcome
    ${20} | ${'ISSUED'}
    ${21} | ${'REFUSED'}
  `('$items goods items: $outcome (at most 20 per certificate)', ({ items, outcome }) => {
    const lines = Array.from({ length: items }, (_, i) => requestLine(i + 1));
    const goods = lines.map((l) => ({ lineNo: l.lineNo, hsCode: '8708409990', description: 'gearbox' }));
    const decision = sut(input({ request: certificateRequest({ lines }), goods }));
    expect(decision.outcome).toBe(outcome);
    expect(decision.lines).toHaveLength(items);
    if (outcome === 'REFUSED') expect(decision.reasons.map((r) => r.code)).toEqual(['TOO_MANY_ITEMS']);
  });

  it('takes the product HS code from the declaration, not from the materials', () => {
    // Line 3 is a bus (RVC40 only): screws of 700 of 1000 would pass CTH for a gearbox, but not here.
    const decision = sut(
      input({
        request: certificateRequest({
          lines: [requestLine(3, { materials: [material('731815', 'US', '700.00')] })],
        }),
      }),
    );
    expect(decision.lines[0]).toMatchObject({ rule: 'RVC40', rvc: '30.00', met: false });
  });

  it('carries the flags onto the decision unchanged', () => {
    const flags = {
      issuedRetroactively: true,
      thirdPartyInvoicing: true,
      backToBack: false,
      exhibition: true,
    };
    expect(sut(input({ request: certificateRequest({ flags }) })).flags).toEqual(flags);
  });

  it('applies build-up with the costs given per line', () => {
    const request = certificateRequest({
      lines: [
        requestLine(3, {
          materials: [material('840820', 'CN', '300.00'), material('731815', 'US', '500.00')],
        }),
      ],
    });
    const without = sut(input({ request, rvcMethod: 'BUILD_UP' }));
    const withCosts = sut(
      input({
        request,
        rvcMethod: 'BUILD_UP',
        costs: { 3: { labour: { amount: '100.00', currency: 'USD' } } },
      }),
    );
    expect([without.outcome, without.lines[0].rvc]).toEqual(['REFUSED', '30.00']);
    expect([withCosts.outcome, withCosts.lines[0].rvc]).toEqual(['ISSUED', '40.00']);
  });

  it('refuses a malformed issue date as a programming error', () => {
    expect(() => sut(input({ issueDate: '2026-02-30' }))).toThrow(RangeError);
  });

  it('maps onto inspection.origin.decided.v1', () => {
    const issued = sut(input());
    const refused = sut(
      input({
        request: certificateRequest({
          lines: [requestLine(1, { materials: [material('870899', undefined, '700.00')] })],
        }),
      }),
    );
    for (const decision of [issued, refused]) {
      const number = certificateNumber({
        agreement: 'RCEP',
        year: '26',
        office: '4403',
        enterprise: '00123',
        serial: 1,
      });
      const event = {
        declarationId: '6f1c1f7e-8a8e-4f5c-9d55-2d7d0c1d9b2a',
        decidedAt: '2026-03-10T02:00:00Z',
        rulesetVersion: decision.rulesetVersion,
        reasons: decision.reasons,
        outcome: decision.outcome,
        ...(decision.outcome === 'ISSUED' && number.ok
          ? {
              certificate: {
                number: number.number,
                agreement: decision.agreement,
                issuedAt: '2026-03-10T02:00:00Z',
                validUntil: decision.validUntil,
                verifyUrl: `https://origin.example.cn/v1/certificates/${number.number}/verify`,
              },
            }
          : {}),
        lines: decision.lines.map(({ lineNo, criterion, met, rule, rvc, reason }) => ({
          lineNo,
          criterion,
          met,
          rule,
          ...(rvc !== undefined ? { rvc } : {}),
          reason: reason.message,
        })),
      };
      expect(OriginDecided.safeParse(event).error).toBeUndefined();
    }
  });
});
