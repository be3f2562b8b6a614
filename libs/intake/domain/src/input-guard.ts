import type { FieldError } from '@cic/contracts';
import { fieldError, toPointer } from './field-errors';
import { hasControlCharacter, hasLoneSurrogate, toStorableString } from './unsafe-text';

// A submitted body is parsed JSON from an untrusted sender. Everything downstream (zod, the business
// rules, JSON.stringify into jsonb) recurses or stores as-is, so the body is first walked here with an
// explicit stack: 100,000 levels of nesting cost one loop, never a stack overflow, and every walk is
// bounded by the limits below, whatever the body holds.

export interface InputLimits {
  /** Containers nested deeper than this are refused (the root object is level 1). */
  maxDepth?: number;
  /** Values in the whole body, containers included. */
  maxNodes?: number;
  /** Characters (UTF-16 code units) of one string, value or member name. */
  maxStringLength?: number;
}

export const DEFAULT_INPUT_LIMITS: Readonly<Required<InputLimits>> = {
  maxDepth: 32,
  maxNodes: 200_000,
  maxStringLength: 100_000,
};

/** Enough to tell a sender what is wrong; a hostile body must not buy an unbounded answer. */
export const MAX_INPUT_ERRORS = 50;

/** No quantity, amount or line number comes near this; beyond it a number is a probe, not data. */
export const MAX_NUMBER_MAGNITUDE = 1e15;

/** One container being walked: its member names (objects) or length (arrays), and the next child. */
interface Level {
  source: object;
  keys: string[] | undefined;
  length: number;
  next: number;
}

/** Pointer segments echo what the sender wrote, so they are made storable and kept short too. */
const MAX_SEGMENT = 200;
function segment(key: string | number): string | number {
  if (typeof key === 'number') return key;
  const short = key.length > MAX_SEGMENT ? key.slice(0, MAX_SEGMENT) + '…' : key;
  return toStorableString(short);
}

/** RFC 6901 pointer of the child currently visited at the top of the stack. */
function pointerOf(stack: readonly Level[]): string {
  return toPointer(stack.map((l) => segment(l.keys ? l.keys[l.next - 1] : l.next - 1)));
}

function open(value: object): Level {
  const keys = Array.isArray(value) ? undefined : Object.keys(value);
  return { source: value, keys, length: keys ? keys.length : (value as unknown[]).length, next: 0 };
}

const PART = {
  value: { part: 'value', partZh: '字段值' },
  key: { part: 'member name', partZh: '字段名' },
} as const;

/**
 * Field errors for a body no schema should see: too deep, too many values, control characters, lone
 * surrogates, overlong strings, unbelievable numbers. Empty when the body is safe to validate.
 */
export function inspectRawInput(raw: unknown, limits: InputLimits = {}): FieldError[] {
  const { maxDepth, maxNodes, maxStringLength } = { ...DEFAULT_INPUT_LIMITS, ...limits };
  const errors: FieldError[] = [];
  const stack: Level[] = [];
  const report = (code: string, params: Record<string, string | number> = {}) =>
    errors.push(fieldError(pointerOf(stack), code, params));
  const checkString = (s: string, part: (typeof PART)[keyof typeof PART]) => {
    if (s.length > maxStringLength) report('STRING_TOO_LONG', { ...part, maximum: maxStringLength });
    if (hasControlCharacter(s)) report('CONTROL_CHARACTER', part);
    if (hasLoneSurrogate(s)) report('INVALID_UNICODE', part);
  };
  let nodes = 1;
  /** Checks one value; false when the walk must stop. */
  const visit = (value: unknown): boolean => {
    if (typeof value === 'string') checkString(value, PART.value);
    else if (typeof value === 'number') {
      if (!Number.isFinite(value)) report('NOT_FINITE');
      else if (
        Math.abs(value) > MAX_NUMBER_MAGNITUDE ||
        (Number.isInteger(value) && !Number.isSafeInteger(value))
      )
        report('NUMBER_OUT_OF_RANGE', { maximum: '10^15' });
    } else if (typeof value === 'object' && value !== null) {
      // Refused where it starts; what lies below is never looked at.
      if (stack.length + 1 > maxDepth) {
        report('TOO_DEEP', { maximum: maxDepth });
        return true;
      }
      const level = open(value);
      // Counted before descending, so a huge container is refused without being walked.
      nodes += level.length;
      if (nodes > maxNodes) {
        report('TOO_MANY_ELEMENTS', { maximum: maxNodes });
        return false;
      }
      stack.push(level);
    }
    return true;
  };

  let going = visit(raw);
  while (going && stack.length && errors.length < MAX_INPUT_ERRORS) {
    const top = stack[stack.length - 1];
    if (top.next >= top.length) {
      stack.pop();
      continue;
    }
    const i = top.next++;
    if (top.keys) {
      checkString(top.keys[i], PART.key);
      going = visit((top.source as Record<string, unknown>)[top.keys[i]]);
    } else {
      going = visit((top.source as unknown[])[i]);
    }
  }
  return errors.slice(0, MAX_INPUT_ERRORS);
}

/** Bounds of storableCopy: a rejected submission is kept as evidence, not as a second attack. */
export const STORABLE_LIMITS = {
  maxStringLength: 10_000,
  maxKeyLength: 1_000,
  /** Items of one array, members of one object. */
  maxItems: 1_000,
  /** Values in the whole copy. */
  maxValues: 50_000,
  /** Characters of all strings and member names together. */
  maxChars: 1_000_000,
} as const;

export const TRUNCATED_TOO_DEEP = '[truncated: too deep]';
/** Member name of the marker added to a truncated object. */
export const TRUNCATED_KEY = '[truncated]';

interface CopyLevel extends Level {
  target: unknown[] | Record<string, unknown>;
  /** Items or members of the source, of which `length` are copied. */
  total: number;
}

/**
 * A JSON-safe copy of any value, for storing a rejected submission in a jsonb column: no U+0000, no
 * lone surrogate (both become U+FFFD), containers deeper than maxDepth replaced by a marker, long
 * strings, long arrays, large objects and the whole copy cut short with markers saying so. Iterative.
 */
export function storableCopy(raw: unknown, maxDepth = 32): unknown {
  const L = STORABLE_LIMITS;
  let values = L.maxValues;
  let chars = L.maxChars;
  const stack: CopyLevel[] = [];
  const text = (s: string, max: number) => {
    // Cut before sanitizing: a cut through a surrogate pair leaves a lone half, which is then replaced.
    const kept = toStorableString(s.length > max ? s.slice(0, max) : s);
    const out = s.length > max ? `${kept}…[truncated: ${s.length - max} more characters]` : kept;
    chars -= out.length;
    return out;
  };
  const copy = (value: unknown): unknown => {
    values--;
    switch (typeof value) {
      case 'string':
        return text(value, L.maxStringLength);
      case 'number':
        return Number.isFinite(value) ? value : null;
      case 'boolean':
        return value;
      case 'bigint':
        return value.toString();
      case 'object': {
        if (value === null) return null;
        if (stack.length + 1 > maxDepth) return TRUNCATED_TOO_DEEP;
        const level = open(value);
        const target = level.keys ? {} : [];
        stack.push({ ...level, target, total: level.length, length: Math.min(level.length, L.maxItems) });
        return target;
      }
      default:
        // undefined, functions and symbols have no JSON form.
        return null;
    }
  };
  const put = (level: CopyLevel, key: string, value: unknown) => {
    if (Array.isArray(level.target)) level.target.push(value);
    // defineProperty keeps a member named "__proto__" as data instead of changing the prototype.
    else
      Object.defineProperty(level.target, key, {
        value,
        enumerable: true,
        writable: true,
        configurable: true,
      });
  };

  const root = copy(raw);
  while (stack.length) {
    const top = stack[stack.length - 1];
    if (values <= 0 || chars <= 0) {
      for (const level of stack) put(level, TRUNCATED_KEY, '[truncated: too many values]');
      break;
    }
    if (top.next >= top.length) {
      if (top.total > top.length) put(top, TRUNCATED_KEY, `[truncated: ${top.total - top.length} more]`);
      stack.pop();
      continue;
    }
    const i = top.next++;
    if (top.keys) {
      const key = text(top.keys[i], L.maxKeyLength);
      put(top, key, copy((top.source as Record<string, unknown>)[top.keys[i]]));
    } else {
      put(top, '', copy((top.source as unknown[])[i]));
    }
  }
  return root;
}
