import { AGREEMENT_PARTIES } from './agreement.rules';
import type { Agreement } from './origin.types';
import { anyOf, CC, CTH, ruleProblems, ruleText, rvc } from './origin-rule';
import {
  findProductRule as sut,
  GENERAL_RULE,
  PSR_TABLE,
  PSR_TABLE_VERSION,
  psrTableProblems,
} from './psr.table';

describe('product-specific rule table', () => {
  it('is well formed: digit prefixes, none twice, a valid rule for every agreement', () => {
    expect(psrTableProblems(PSR_TABLE, Object.keys(AGREEMENT_PARTIES) as Agreement[])).toEqual([]);
    expect(PSR_TABLE_VERSION).toMatch(/\S/);
  });

  it.each`
    product                           | hsCode          | agreement        | prefix    | rule
    ${'gearbox'}                      | ${'8708409990'} | ${'RCEP'}        | ${'8708'} | ${'RVC40 or CTH'}
    ${'wiring harness'}               | ${'8544302000'} | ${'RCEP'}        | ${'8544'} | ${'RVC40 or CTH'}
    ${'loudspeaker'}                  | ${'8518220000'} | ${'CHINA_ASEAN'} | ${'8518'} | ${'RVC40 or CTSH'}
    ${'bus'}                          | ${'8702109000'} | ${'RCEP'}        | ${'8702'} | ${'RVC40'}
    ${'integrated circuit'}           | ${'8542310000'} | ${'RCEP'}        | ${'8542'} | ${'RVC40 or CTSH'}
    ${'socks under RCEP'}             | ${'6115950000'} | ${'RCEP'}        | ${'6115'} | ${'CC'}
    ${'socks under China-ASEAN'}      | ${'6115950000'} | ${'CHINA_ASEAN'} | ${'6115'} | ${'CC or RVC40'}
    ${'flooring'}                     | ${'4418730000'} | ${'RCEP'}        | ${'4418'} | ${'CTH or RVC40'}
    ${'knitted T-shirt (chapter 61)'} | ${'6109100000'} | ${'RCEP'}        | ${'61'}   | ${'CC'}
    ${'woven shirt (chapter 62)'}     | ${'6205200000'} | ${'CHINA_ASEAN'} | ${'62'}   | ${'CC'}
    ${'furniture (not in the table)'} | ${'9403600000'} | ${'RCEP'}        | ${null}   | ${'RVC40 or CTH'}
  `('$product ($hsCode, $agreement): $rule', ({ hsCode, agreement, prefix, rule }) => {
    const match = sut(agreement, hsCode);
    expect(match.prefix).toBe(prefix);
    expect(ruleText(match.rule)).toBe(rule);
    expect(match.tableVersion).toBe(PSR_TABLE_VERSION);
  });

  it('takes the longest matching prefix, wherever it stands in the table', () => {
    const table = [
      { prefix: '61', description: 'chapter', rules: { RCEP: CC, CHINA_ASEAN: CC } },
      { prefix: '611595', description: 'subheading', rules: { RCEP: rvc('45'), CHINA_ASEAN: rvc('45') } },
      { prefix: '6115', description: 'heading', rules: { RCEP: CTH, CHINA_ASEAN: CTH } },
    ];
    expect(sut('RCEP', '6115950000', table).prefix).toBe('611595');
    expect(sut('RCEP', '6115100000', table).prefix).toBe('6115');
    expect(sut('RCEP', '6109100000', table).prefix).toBe('61');
    expect(sut('RCEP', '6209100000', table)).toMatchObject({ prefix: null, rule: GENERAL_RULE });
  });

  it('reports malformed tables and rules', () => {
    const bad = [
      { prefix: '87O8', description: 'letter O', rules: { RCEP: CTH, CHINA_ASEAN: CTH } },
      { prefix: '8708', description: 'ok', rules: { RCEP: anyOf(), CHINA_ASEAN: rvc('140') } },
      { prefix: '8708', description: 'again', rules: { RCEP: CTH } as never },
    ];
    expect(psrTableProblems(bad, ['RCEP', 'CHINA_ASEAN'])).toEqual([
      'entry 0 (87O8): prefix must be 2 to 10 digits',
      'entry 1 (8708) RCEP: ANY_OF needs at least one rule',
      'entry 1 (8708) CHINA_ASEAN: RVC threshold must be a percentage 0-100 as a string, got "140"',
      'entry 2 (8708): prefix listed twice',
      'entry 2 (8708): no rule for CHINA_ASEAN',
    ]);
    expect(ruleProblems({ kind: 'RVC', threshold: '40.5' })).toEqual([]);
    expect(ruleProblems({ kind: 'XYZ' } as never)).toEqual(['rule: unknown rule {"kind":"XYZ"}']);
  });
});
