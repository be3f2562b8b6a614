import { checkUscc, usccCheckCharacter } from './uscc';

describe('unified social credit code (GB 32100-2015)', () => {
  it.each([
    ['91330200MA2H4K7L3P', undefined],
    ['91110000100000000' + usccCheckCharacter('91110000100000000'), undefined],
    ['91330200MA2H4K7L3Q', 'CHECK_CHARACTER'],
    ['91330200MA2H4K7L3', 'LENGTH'],
    ['91330200MA2H4K7LIP', 'CHARACTER'],
    ['91330200ma2h4k7l3p', 'CHARACTER'],
  ])('%s -> %s', (code, problem) => {
    expect(checkUscc(code)).toBe(problem);
  });
});
