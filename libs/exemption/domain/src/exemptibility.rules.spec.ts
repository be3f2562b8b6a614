import {
  chapterRanges,
  type ExemptibilityLine,
  lineExemptibility,
  type NonExemptibleCategory,
} from './exemptibility.rules';
import { DEFAULT_RULES } from './rules.config';

// name, line, categories (or EXEMPTIBLE), text the message names ('' for none)
type Row = [string, Partial<ExemptibilityLine>, NonExemptibleCategory[] | 'EXEMPTIBLE', string];

describe('lineExemptibility (DOMAIN.md "never exemptible", Decree 23 of 2002)', () => {
  it.each<Row>([
    [
      'chapter 01, live animals',
      { hsCode: '0101210000' },
      ['FOOD_ANIMALS_PLANTS'],
      'HS chapter 01 (live animals)',
    ],
    ['chapter 03, fish', { hsCode: '0302110000' }, ['FOOD_ANIMALS_PLANTS'], 'HS chapter 03'],
    ['chapter 24, tobacco', { hsCode: '2402200000' }, ['FOOD_ANIMALS_PLANTS'], 'HS chapter 24 (tobacco'],
    ['chapter 25, salt and stone', { hsCode: '2501001100' }, 'EXEMPTIBLE', ''],
    ['chapter 84, machinery', { hsCode: '8471300000' }, 'EXEMPTIBLE', ''],
    ['a UN number', { dangerousGoods: 'UN1263' }, ['DANGEROUS_GOODS'], 'dangerous goods UN1263'],
    ['a UN number written loosely', { dangerousGoods: '1263' }, ['DANGEROUS_GOODS'], 'dangerous goods 1263'],
    ['a blank UN number', { dangerousGoods: '  ' }, 'EXEMPTIBLE', ''],
    ['bulk goods', { bulk: true }, ['BULK_GOODS'], 'bulk goods'],
    ['not bulk', { bulk: false }, 'EXEMPTIBLE', ''],
    [
      'fish in bulk with a UN number',
      { hsCode: '0302110000', bulk: true, dangerousGoods: 'UN3077' },
      ['FOOD_ANIMALS_PLANTS', 'DANGEROUS_GOODS', 'BULK_GOODS'],
      'HS chapter 03 (fish, crustaceans and other aquatic invertebrates): food, live animals, plants and their products (HS chapters 01-24); dangerous goods UN3077: dangerous goods and their packaging; bulk goods',
    ],
  ])('%s', (_name, over, expected, text) => {
    const sut = lineExemptibility({ lineNo: 2, hsCode: '8471300000', ...over }, DEFAULT_RULES);
    if (expected === 'EXEMPTIBLE') return expect(sut).toEqual({ exemptible: true });
    expect(sut).toMatchObject({
      exemptible: false,
      categories: expected,
      reason: { code: 'NON_EXEMPTIBLE_CATEGORY' },
    });
    if (!sut.exemptible) {
      expect(sut.reason.message).toContain('Line 2');
      expect(sut.reason.message).toContain(text);
      expect(sut.reason.messageZh).toContain('不属于免验范围');
    }
  });

  it('names the configured chapters in the message', () => {
    const sut = lineExemptibility({ lineNo: 1, hsCode: '0101210000' }, DEFAULT_RULES);
    expect(!sut.exemptible && sut.reason.message).toContain('HS chapters 01-24');
    expect(!sut.exemptible && sut.reason.messageZh).toContain('HS第01章（活动物）');
  });

  it.each(['847130', '84713000000', '8471.30.0000', ''])('refuses the malformed HS code %j', (hsCode) => {
    const sut = lineExemptibility({ lineNo: 1, hsCode }, DEFAULT_RULES);
    expect(sut).toMatchObject({ exemptible: false, categories: [], reason: { code: 'INVALID_HS_CODE' } });
  });

  it('follows the configuration', () => {
    const rules = {
      ...DEFAULT_RULES,
      nonExemptibleChapters: ['25'],
      excludeBulk: false,
      excludeDangerousGoods: false,
    };
    expect(
      lineExemptibility({ lineNo: 1, hsCode: '0101210000', bulk: true, dangerousGoods: 'UN1263' }, rules),
    ).toEqual({ exemptible: true });
    expect(lineExemptibility({ lineNo: 1, hsCode: '2501001100' }, rules).exemptible).toBe(false);
  });
});

describe('chapterRanges', () => {
  it.each<[string[], string]>([
    [DEFAULT_RULES.nonExemptibleChapters as string[], '01-24'],
    [['01', '02', '03', '05', '07', '08'], '01-03, 05, 07-08'],
    [[], ''],
  ])('%j -> %j', (chapters, expected) => expect(chapterRanges(chapters)).toBe(expected));
});
