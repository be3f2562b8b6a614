import { randomUUID } from 'node:crypto';
import type { RawMessage } from './kafka-probe';

/**
 * The worst a producer can put on a topic, built around one valid event (a parsed CloudEvent): not JSON,
 * not an object, no envelope, the wrong type, a payload of the wrong shape or missing, deeply nested,
 * huge, and full of control characters. Each must be dead-lettered with a reason, never crash the consumer
 * or hold up its partition; all carry `key`, so they share a partition with valid events sent around them.
 * For tests.
 */
export function hostileMessages(
  key: string,
  valid: { id: string; type: string; subject?: string; data: Record<string, unknown> },
): Array<{ name: string; message: RawMessage; code: string }> {
  // A fresh id each: a hostile copy must not pass for the valid event already handled (the inbox).
  const variant = (over: Record<string, unknown>) => JSON.stringify({ ...valid, id: randomUUID(), ...over });
  const depth = 20_000;
  // With the code the dead letter must carry (the first check each one fails).
  const cases: Array<[string, string, string]> = [
    ['not JSON', '{"specversion": "1.0", "id": ', 'MALFORMED_JSON'],
    ['a JSON array', '[1, 2, 3]', 'INVALID_ENVELOPE'],
    ['a JSON string', '"hello"', 'INVALID_ENVELOPE'],
    ['no envelope', JSON.stringify(valid.data), 'INVALID_ENVELOPE'],
    ['the wrong type', variant({ type: 'customs.something.else.v1' }), 'TYPE_MISMATCH'],
    [
      'data of the wrong shape',
      variant({ data: { ...valid.data, declarationId: 42, lines: 'all of them', goods: {} } }),
      'INVALID_PAYLOAD',
    ],
    ['data missing', variant({ data: null }), 'INVALID_PAYLOAD'],
    [
      'deeply nested data',
      variant({ data: '#' }).replace('"#"', '['.repeat(depth) + ']'.repeat(depth)),
      'INVALID_PAYLOAD',
    ],
    [
      'a huge string',
      variant({ data: { ...valid.data, declarationId: 'x'.repeat(700_000) } }),
      'INVALID_PAYLOAD',
    ],
    [
      'control characters',
      variant({ data: { ...valid.data, declarationId: '\u0000\u0007\u001b[31m\ud800' } }),
      'INVALID_PAYLOAD',
    ],
  ];
  return cases.map(([name, value, code]) => ({ name, message: { key, value }, code }));
}
