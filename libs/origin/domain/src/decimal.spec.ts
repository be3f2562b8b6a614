import { Dec, parseAmount, percentCeil, percentFloor } from './decimal';

describe('exact percentages', () => {
  it.each`
    part        | whole     | floor       | ceil
    ${'400'}    | ${'1000'} | ${'40.00'}  | ${'40.00'}
    ${'399.99'} | ${'1000'} | ${'39.99'}  | ${'40.00'}
    ${'1'}      | ${'3'}    | ${'33.33'}  | ${'33.34'}
    ${'2'}      | ${'3'}    | ${'66.66'}  | ${'66.67'}
    ${'-1'}     | ${'3'}    | ${'-33.34'} | ${'-33.33'}
    ${'0'}      | ${'5'}    | ${'0.00'}   | ${'0.00'}
    ${'0.1'}    | ${'0.3'}  | ${'33.33'}  | ${'33.34'}
  `('$part / $whole: floor $floor, ceil $ceil', ({ part, whole, floor, ceil }) => {
    expect(percentFloor(new Dec(part), new Dec(whole))).toBe(floor);
    expect(percentCeil(new Dec(part), new Dec(whole))).toBe(ceil);
  });

  it('adds 0.1 and 0.2 to exactly 0.3', () => {
    expect(
      parseAmount('0.1')
        ?.plus(parseAmount('0.2') ?? 0)
        .eq(parseAmount('0.3') ?? 1),
    ).toBe(true);
  });

  it.each([['1e3'], ['1,000.00'], ['01.5'], [''], [' 1'], [12], ['1.1234567']])(
    'refuses %p as an amount',
    (v) => {
      expect(parseAmount(v)).toBeUndefined();
    },
  );
});
