import { type FieldError, InspectionDeclaration } from '@cic/contracts';
import type { z } from 'zod';
import { fieldError, toPointer } from './field-errors';
import { inspectRawInput } from './input-guard';
import { isCountry, isCurrency, isUnLocode } from './iso-codes';
import { hasControlCharacter, hasLoneSurrogate } from './unsafe-text';
import { checkUscc } from '@cic/contracts';

export type ValidationResult =
  | { ok: true; declaration: InspectionDeclaration }
  | { ok: false; errors: FieldError[] };

/** Documents every export declaration carries (DOMAIN.md: INVOICE and PACKING_LIST always). */
export const REQUIRED_DOCUMENTS = ['INVOICE', 'PACKING_LIST'] as const;

/** A zod issue as a field error with a stable code and both languages. */
export function fromIssue(issue: z.core.$ZodIssue, input: unknown): FieldError {
  const pointer = toPointer(issue.path);
  switch (issue.code) {
    case 'invalid_type': {
      let value: unknown = input;
      for (const p of issue.path) value = (value as Record<PropertyKey, unknown> | undefined)?.[p];
      return value === undefined
        ? fieldError(pointer, 'REQUIRED')
        : fieldError(pointer, 'WRONG_TYPE', { expected: issue.expected });
    }
    case 'invalid_format':
      return fieldError(pointer, 'FORMAT', { format: issue.message.replace(/^Invalid (string: )?/, '') });
    case 'too_small':
    case 'too_big': {
      const unit = issue.origin === 'array' ? 'items' : 'characters';
      if (issue.origin === 'number') {
        return fieldError(pointer, 'OUT_OF_RANGE', {
          minimum: issue.code === 'too_small' ? String(issue.minimum) : '',
          maximum: issue.code === 'too_big' ? String(issue.maximum) : '',
        });
      }
      return issue.code === 'too_small'
        ? fieldError(pointer, 'TOO_SHORT', { minimum: String(issue.minimum), unit })
        : fieldError(pointer, 'TOO_LONG', { maximum: String(issue.maximum), unit });
    }
    case 'invalid_value':
      return fieldError(pointer, 'NOT_ALLOWED', { values: issue.values.map(String).join(', ') });
    default:
      return { pointer, code: 'INVALID', message: issue.message, messageZh: '字段取值无效' };
  }
}

function positive(decimal: string): boolean {
  return !decimal.startsWith('-') && /[1-9]/.test(decimal);
}

function businessErrors(d: InspectionDeclaration): FieldError[] {
  const errors: FieldError[] = [];
  const uscc = (pointer: string, code: string) => {
    const problem = checkUscc(code);
    if (problem) errors.push(fieldError(pointer, `USCC_${problem}`));
  };
  uscc('/declarant/code', d.declarant.code);
  if (!isCountry(d.destinationCountry))
    errors.push(fieldError('/destinationCountry', 'UNKNOWN_COUNTRY', { value: d.destinationCountry }));
  if (!isUnLocode(d.portOfExit))
    errors.push(fieldError('/portOfExit', 'UNKNOWN_LOCODE', { value: d.portOfExit }));
  else if (!d.portOfExit.startsWith('CN')) errors.push(fieldError('/portOfExit', 'PORT_NOT_IN_CHINA'));

  const seen = new Set<number>();
  d.goods.forEach((line, i) => {
    const at = `/goods/${i}`;
    if (seen.has(line.lineNo))
      errors.push(fieldError(`${at}/lineNo`, 'DUPLICATE_LINE_NO', { value: line.lineNo }));
    seen.add(line.lineNo);
    if (!positive(line.quantity.value)) errors.push(fieldError(`${at}/quantity/value`, 'NOT_POSITIVE'));
    if (!positive(line.value.amount)) errors.push(fieldError(`${at}/value/amount`, 'NOT_POSITIVE'));
    if (!isCurrency(line.value.currency))
      errors.push(fieldError(`${at}/value/currency`, 'UNKNOWN_CURRENCY', { value: line.value.currency }));
    if (!isCountry(line.originCountry))
      errors.push(fieldError(`${at}/originCountry`, 'UNKNOWN_COUNTRY', { value: line.originCountry }));
    if (line.manufacturerCode !== undefined) uscc(`${at}/manufacturerCode`, line.manufacturerCode);
  });

  const kinds = new Set(d.documents.map((doc) => doc.kind));
  for (const kind of REQUIRED_DOCUMENTS) {
    if (!kinds.has(kind)) errors.push(fieldError('/documents', 'REQUIRED_DOCUMENT_MISSING', { value: kind }));
  }

  const oc = d.originCertificate;
  if (oc) {
    if (!isCountry(oc.importingCountry))
      errors.push(
        fieldError('/originCertificate/importingCountry', 'UNKNOWN_COUNTRY', { value: oc.importingCountry }),
      );
    oc.lines.forEach((line, i) => {
      const at = `/originCertificate/lines/${i}`;
      if (!seen.has(line.lineNo))
        errors.push(fieldError(`${at}/lineNo`, 'UNKNOWN_LINE', { value: line.lineNo }));
      if (!positive(line.fob.amount)) errors.push(fieldError(`${at}/fob/amount`, 'NOT_POSITIVE'));
      if (!isCurrency(line.fob.currency))
        errors.push(fieldError(`${at}/fob/currency`, 'UNKNOWN_CURRENCY', { value: line.fob.currency }));
      line.materials.forEach((m, j) => {
        if (m.originCountry !== undefined && !isCountry(m.originCountry)) {
          errors.push(
            fieldError(`${at}/materials/${j}/originCountry`, 'UNKNOWN_COUNTRY', { value: m.originCountry }),
          );
        }
        if (!isCurrency(m.value.currency))
          errors.push(
            fieldError(`${at}/materials/${j}/value/currency`, 'UNKNOWN_CURRENCY', {
              value: m.value.currency,
            }),
          );
      });
    });
  }
  return errors;
}

/**
 * Validates a submitted declaration (either door) into field-level errors: shape and formats from the
 * v1 contract, then the rules the contract cannot express (check characters, code lists, positivity,
 * unique line numbers, required documents). A hostile body (too deep, too large, control characters,
 * lone surrogates, unbelievable numbers) is refused by the input guard before any of that runs.
 */
export function validateDeclaration(input: unknown): ValidationResult {
  const hostile = inspectRawInput(input);
  if (hostile.length) return { ok: false, errors: hostile };
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { ok: false, errors: [fieldError('', 'NOT_AN_OBJECT')] };
  }
  const parsed = InspectionDeclaration.safeParse(input);
  if (!parsed.success) return { ok: false, errors: parsed.error.issues.map((i) => fromIssue(i, input)) };
  const errors = businessErrors(parsed.data);
  return errors.length ? { ok: false, errors } : { ok: true, declaration: parsed.data };
}

/**
 * The idempotency key parts of a submission, when it has them even though it is invalid. None when a part
 * holds a control character or a lone surrogate: such a key cannot be stored (PostgreSQL refuses U+0000).
 */
export function submissionKey(input: unknown): { declarantCode: string; localRef: string } | undefined {
  const o = input as { localRef?: unknown; declarant?: { code?: unknown } } | null;
  const localRef = o?.localRef;
  const declarantCode = o?.declarant?.code;
  if (typeof localRef !== 'string' || typeof declarantCode !== 'string') return undefined;
  if (!localRef || localRef.length > 64 || !declarantCode || declarantCode.length > 18) return undefined;
  for (const part of [localRef, declarantCode]) {
    if (hasControlCharacter(part) || hasLoneSurrogate(part)) return undefined;
  }
  return { declarantCode, localRef };
}
