// JSON Canonicalization Scheme (RFC 8785): the form a certificate is signed in (DOMAIN.md: "Ed25519
// over a canonical JSON form"). Any verifier that implements RFC 8785 gets the same bytes:
// - object members sorted by their names as arrays of UTF-16 code units (RFC 8785 3.2.3), which is
//   what JavaScript's default string comparison does;
// - no whitespace;
// - numbers as ECMAScript's Number.prototype.toString (RFC 8785 3.2.2.3): 1e+21, 0.000001, -0 as 0;
//   NaN and Infinity have no JSON form and are refused;
// - strings escaped as JSON.stringify does (RFC 8785 3.2.2.2); a lone surrogate is not I-JSON
//   (RFC 7493 2.1, required by RFC 8785 3.1) and is refused, so no two texts sign the same.
// Members whose value is undefined are left out, as JSON.stringify does, so optional fields can be
// absent or undefined with the same signature. Anything that is not plain JSON data (a Date, a Map, a
// class instance, a bigint, a function) is refused rather than guessed at: map it to strings first.

/** Thrown for a value that has no canonical JSON form; `path` is a JSON Pointer to it. */
export class CanonicalJsonError extends TypeError {
  constructor(
    message: string,
    readonly path: string,
  ) {
    super(`${message} at ${path || '/'}`);
    this.name = 'CanonicalJsonError';
  }
}

const LONE_SURROGATE = /[\uD800-\uDFFF]/u; // with the u flag only unpaired halves match
const pointer = (path: string, key: string | number) =>
  `${path}/${String(key).replace(/~/g, '~0').replace(/\//g, '~1')}`;

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function serializeString(s: string, path: string): string {
  if (LONE_SURROGATE.test(s))
    throw new CanonicalJsonError('a string with a lone surrogate is not I-JSON', path);
  return JSON.stringify(s);
}

function serialize(value: unknown, path: string, ancestors: Set<object>): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new CanonicalJsonError(`${value} has no JSON form`, path);
      return JSON.stringify(value); // ECMAScript shortest round-trip form; -0 becomes 0
    case 'string':
      return serializeString(value, path);
    case 'object': {
      if (ancestors.has(value)) throw new CanonicalJsonError('a cycle has no JSON form', path);
      ancestors.add(value);
      try {
        if (Array.isArray(value)) {
          const items = value.map((item, i) => {
            if (item === undefined)
              throw new CanonicalJsonError('undefined has no JSON form', pointer(path, i));
            return serialize(item, pointer(path, i), ancestors);
          });
          return `[${items.join(',')}]`;
        }
        if (!isPlainObject(value))
          throw new CanonicalJsonError(
            `a ${value.constructor?.name ?? 'non-plain'} object is not plain JSON data`,
            path,
          );
        const keys = Object.keys(value).sort(); // UTF-16 code unit order
        const members: string[] = [];
        for (const key of keys) {
          const member = (value as Record<string, unknown>)[key];
          if (member === undefined) continue;
          members.push(
            `${serializeString(key, pointer(path, key))}:${serialize(member, pointer(path, key), ancestors)}`,
          );
        }
        return `{${members.join(',')}}`;
      } finally {
        ancestors.delete(value);
      }
    }
    default:
      throw new CanonicalJsonError(`a ${typeof value} has no JSON form`, path);
  }
}

/** The RFC 8785 canonical JSON text of `value`; throws CanonicalJsonError when it has none. */
export function canonicalJson(value: unknown): string {
  if (value === undefined) throw new CanonicalJsonError('undefined has no JSON form', '');
  return serialize(value, '', new Set());
}

/** The UTF-8 bytes of canonicalJson(value): what is signed and verified. */
export const canonicalJsonBytes = (value: unknown): Uint8Array =>
  new TextEncoder().encode(canonicalJson(value));

/**
 * The member a certificate carries its signature in ({ algorithm, keyId, value } or similar): the only
 * member the signature does not cover, since it cannot sign itself.
 */
export const SIGNATURE_FIELDS = Object.freeze(['signature'] as const);

/**
 * The bytes to sign or verify for `certificate`: its RFC 8785 canonical JSON in UTF-8, without the
 * top-level signature members (`omit`, default SIGNATURE_FIELDS). Every other member is covered.
 */
export function signingPayload(certificate: object, omit: readonly string[] = SIGNATURE_FIELDS): Uint8Array {
  if (certificate === null || typeof certificate !== 'object' || !isPlainObject(certificate))
    throw new CanonicalJsonError('a certificate must be a plain JSON object', '');
  const unsigned = Object.fromEntries(Object.entries(certificate).filter(([key]) => !omit.includes(key)));
  return canonicalJsonBytes(unsigned);
}
