import { DEFAULT_ORIGIN_RULES, ORIGIN_RULESET_VERSION, validateOriginRules as sut } from './rules.config';

describe('origin rules configuration', () => {
  it('defaults to DOMAIN.md: 20 items, 10% de minimis, build-down, one year', () => {
    expect(DEFAULT_ORIGIN_RULES).toEqual({
      version: ORIGIN_RULESET_VERSION,
      maxItems: 20,
      deMinimisPercent: '10',
      rvcMethod: 'BUILD_DOWN',
      validityYears: 1,
    });
    expect(sut()).toEqual({ ok: true, rules: DEFAULT_ORIGIN_RULES });
  });

  it('gives changed rules without a version of their own a derived one', () => {
    const a = sut({ deMinimisPercent: '15' });
    const b = sut({ deMinimisPercent: '15' });
    expect(a.ok && a.rules.version).toMatch(new RegExp(`^${ORIGIN_RULESET_VERSION}\\+[0-9a-f]{8}$`));
    expect(a).toEqual(b);
    expect(sut({ deMinimisPercent: '15', version: 'origin/custom-1' })).toMatchObject({
      ok: true,
      rules: { version: 'origin/custom-1' },
    });
  });

  it.each`
    case                          | overrides                      | error
    ${'an unknown setting'}       | ${{ deMinimis: '10' }}         | ${'deMinimis is not a known setting'}
    ${'a de minimis as a number'} | ${{ deMinimisPercent: 10 }}    | ${'deMinimisPercent must be a percentage 0-100 as a string, got 10'}
    ${'a de minimis above 100'}   | ${{ deMinimisPercent: '101' }} | ${'deMinimisPercent must be a percentage 0-100 as a string, got "101"'}
    ${'no items'}                 | ${{ maxItems: 0 }}             | ${'maxItems must be a whole number from 1 to 999, got 0'}
    ${'an unknown RVC method'}    | ${{ rvcMethod: 'NET_COST' }}   | ${'rvcMethod must be BUILD_DOWN or BUILD_UP, got "NET_COST"'}
    ${'a fractional validity'}    | ${{ validityYears: 1.5 }}      | ${'validityYears must be a whole number from 1 to 10, got 1.5'}
  `('refuses $case', ({ overrides, error }) => {
    expect(sut(overrides)).toEqual({ ok: false, errors: [error] });
  });

  it('refuses changed rules that keep the default version', () => {
    expect(sut({ maxItems: 30, version: ORIGIN_RULESET_VERSION })).toEqual({
      ok: false,
      errors: [
        `the overrides change the rules but keep version ${ORIGIN_RULESET_VERSION}: give them a version of their own`,
      ],
    });
  });
});
