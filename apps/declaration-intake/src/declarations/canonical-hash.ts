import { createHash } from 'node:crypto';

/** Keys seen before, as JSON strings: the same few dozen names recur in every declaration. */
const quotedKeys = new Map<string, string>();
const QUOTED_KEYS_MAX = 1024;

function quoted(key: string): string {
  let q = quotedKeys.get(key);
  if (q === undefined) {
    q = JSON.stringify(key);
    if (quotedKeys.size < QUOTED_KEYS_MAX) quotedKeys.set(key, q);
  }
  return q;
}

/**
 * Sorts keys by UTF-16 code units, as Array.prototype.sort() does, in place: a declaration's objects have a
 * handful of keys, and sort() allocated a work array for each (half of what hashing allocated). Many keys
 * (hostile input) still go to sort().
 */
function sortKeys(keys: string[]): string[] {
  if (keys.length > 24) return keys.sort();
  for (let i = 1; i < keys.length; i++) {
    const k = keys[i]!;
    let j = i - 1;
    while (j >= 0 && keys[j]! > k) {
      keys[j + 1] = keys[j]!;
      j--;
    }
    keys[j + 1] = k;
  }
  return keys;
}

/**
 * JSON with object keys sorted (by UTF-16 code units) and undefined members left out. Built by plain
 * concatenation: it runs on every submission, and must stay byte for byte what it has always been (stored
 * declarations are matched by it).
 */
function canonical(value: unknown): string {
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += (i ? ',' : '') + canonical(value[i]);
    return out + ']';
  }
  if (value && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    const keys = sortKeys(Object.keys(obj));
    let out = '{';
    let first = true;
    for (const k of keys) {
      const v = obj[k];
      if (v === undefined) continue;
      out += (first ? '' : ',') + quoted(k) + ':' + canonical(v);
      first = false;
    }
    return out + '}';
  }
  return JSON.stringify(value) ?? 'null';
}

/** The same submission hashes the same whatever the key order or whitespace it was sent with. */
export function payloadHash(payload: unknown): string {
  return createHash('sha256').update(canonical(payload)).digest('hex');
}
