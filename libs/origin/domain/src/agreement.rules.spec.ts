import { AGREEMENT_PARTIES, isParty, partiesProblem as sut } from './agreement.rules';

describe('agreements and parties', () => {
  it('RCEP has 15 parties and China-ASEAN 11', () => {
    expect(AGREEMENT_PARTIES.RCEP).toHaveLength(15);
    expect(AGREEMENT_PARTIES.CHINA_ASEAN).toHaveLength(11);
    expect(new Set(AGREEMENT_PARTIES.RCEP).size).toBe(15);
  });

  it.each`
    agreement        | country      | party
    ${'RCEP'}        | ${'JP'}      | ${true}
    ${'RCEP'}        | ${'NZ'}      | ${true}
    ${'RCEP'}        | ${'MM'}      | ${true}
    ${'RCEP'}        | ${'IN'}      | ${false}
    ${'CHINA_ASEAN'} | ${'JP'}      | ${false}
    ${'CHINA_ASEAN'} | ${'VN'}      | ${true}
    ${'CHINA_ASEAN'} | ${'CN'}      | ${true}
    ${'RCEP'}        | ${undefined} | ${false}
  `('$country is a party of $agreement: $party', ({ agreement, country, party }) => {
    expect(isParty(agreement, country)).toBe(party);
  });

  it.each`
    agreement        | importing | code
    ${'RCEP'}        | ${'JP'}   | ${undefined}
    ${'CHINA_ASEAN'} | ${'TH'}   | ${undefined}
    ${'CHINA_ASEAN'} | ${'JP'}   | ${'IMPORTING_COUNTRY_NOT_PARTY'}
    ${'RCEP'}        | ${'US'}   | ${'IMPORTING_COUNTRY_NOT_PARTY'}
    ${'RCEP'}        | ${'CN'}   | ${'IMPORTING_COUNTRY_IS_EXPORTER'}
  `('exporting from CN to $importing under $agreement: $code', ({ agreement, importing, code }) => {
    expect(sut(agreement, 'CN', importing)?.code).toBe(code);
  });

  it('refuses an exporting country outside the agreement', () => {
    expect(sut('CHINA_ASEAN', 'JP', 'VN')?.code).toBe('EXPORTER_NOT_PARTY');
  });
});
