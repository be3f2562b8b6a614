// Unified social credit code, GB 32100-2015: 18 characters from a 31-character set (no I, O, Z, S, V);
// the last is a check character computed with modulus 31 over the first 17 with fixed weights.
const CHARSET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

export type UsccProblem = 'LENGTH' | 'CHARACTER' | 'CHECK_CHARACTER';

export function usccCheckCharacter(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += CHARSET.indexOf(first17[i]) * WEIGHTS[i];
  return CHARSET[(31 - (sum % 31)) % 31];
}

/** Undefined when valid, else what is wrong. */
export function checkUscc(code: string): UsccProblem | undefined {
  if (code.length !== 18) return 'LENGTH';
  for (const ch of code) if (!CHARSET.includes(ch)) return 'CHARACTER';
  return usccCheckCharacter(code.slice(0, 17)) === code[17] ? undefined : 'CHECK_CHARACTER';
}
