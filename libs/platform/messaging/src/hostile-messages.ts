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
): Array<{ name: string; message: RawMessage }> {
  const variant = (suffix: string, over: Record<string, unknown>) =>
    JSON.stringify({ ...valid, id: `${valid.id}-${suffix}`, ...over });
  const depth = 20_000;
  const cases: Array<[string, string]> = [
    ['not JSON', '{"specversion": "1.0", "id": '],
    ['a JSON array', '[1, 2, 3]'],
    ['a JSON string', '"hello"'],
    ['no envelope', JSON.stringify(valid.data)],
    ['the wrong type', variant('type', { type: 'customs.something.else.v1' })],
    [
      'data of the wrong shape',
      variant('shape', { data: { ...valid.data, declarationId: 42, lines: 'all of them', goods: {} } }),
    ],
    ['data missing', variant('nodata', { data: null })],
    [
      'deeply nested data',
      variant('deep', { data: '#' }).replace('"#"', '['.repeat(depth) + ']'.repeat(depth)),
    ],
    ['a huge string', variant('huge', { data: { ...valid.data, declarationId: 'x'.repeat(700_000) } })],
    [
      'control characters',
      variant('ctl', { data: { ...valid.data, declarationId: '\u0000\u0007\u001b[31m\ud800' } }),
    ],
  ];
  return cases.map(([name, value]) => ({ name, message: { key, value } }));
}
