import { randomBytes, randomUUID } from 'node:crypto';
import { Partitioners, type PartitionMetadata } from 'kafkajs';
import { DefaultPartitioner, murmur2 } from './partitioner';

const metadata = (n: number, leaderless: number[] = []): PartitionMetadata[] =>
  Array.from({ length: n }, (_, partitionId) => ({
    partitionId,
    leader: leaderless.includes(partitionId) ? -1 : 0,
    partitionErrorCode: 0,
    replicas: [0],
    isr: [0],
  }));

describe('murmur2 and the default partitioner', () => {
  // Known values of the Java client's Utils.murmur2 (its test suite's vectors).
  it.each([
    ['21', -973932308],
    ['foobar', -790332482],
    ['a-little-bit-long-string', -985981536],
    ['a-little-bit-longer-string', -1486304829],
    ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
    ['abc', 479470107],
  ])('hashes %j as the Java client does', (key, expected) => {
    expect(murmur2(key)).toBe(expected);
    expect(murmur2(Buffer.from(key))).toBe(expected);
  });

  it('puts every key on the partition kafkajs and the Java client choose', () => {
    const reference = Partitioners.DefaultPartitioner();
    const ours = DefaultPartitioner();
    const keys: Array<string | Buffer> = [
      '',
      'é',
      '中文键',
      '😀 emoji key',
      'lone \ud800 surrogate',
      ...Array.from({ length: 2000 }, () => randomUUID()),
      ...Array.from({ length: 500 }, (_, i) => randomBytes(i % 97)),
      ...Array.from({ length: 500 }, (_, i) => randomBytes(i % 64).toString('base64') + 'ü'.repeat(i % 5)),
    ];
    for (const n of [1, 3, 7, 12, 50])
      for (const key of keys) {
        const args = { topic: 't', partitionMetadata: metadata(n), message: { key, value: 'v' } };
        expect([n, key, ours(args)]).toEqual([n, key, reference(args)]);
      }
  });

  it('keeps a partition the message names, and spreads unkeyed messages over partitions with a leader', () => {
    const ours = DefaultPartitioner();
    expect(
      ours({ topic: 't', partitionMetadata: metadata(12), message: { key: 'k', value: 'v', partition: 5 } }),
    ).toBe(5);
    const seen = new Set<number>();
    for (let i = 0; i < 60; i++)
      seen.add(ours({ topic: 't', partitionMetadata: metadata(6, [1, 4]), message: { value: 'v' } }));
    expect([...seen].sort()).toEqual([0, 2, 3, 5]);
  });
});
