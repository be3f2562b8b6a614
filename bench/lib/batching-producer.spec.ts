import { BatchingProducer, type OutMessage, type Producer } from './kafka';

/** A stand-in for kafkajs's producer that records each produce request. */
function recordingProducer() {
  const requests: Array<Array<{ topic: string; messages: OutMessage[] }>> = [];
  const producer = {
    sendBatch: async ({
      topicMessages,
    }: {
      topicMessages: Array<{ topic: string; messages: OutMessage[] }>;
    }) => {
      requests.push(topicMessages);
      await new Promise((r) => setTimeout(r, 1));
      return [];
    },
  } as unknown as Producer;
  return { producer, requests };
}

const messages = (n: number, bytes: number, from = 0): OutMessage[] =>
  Array.from({ length: n }, (_, i) => ({ key: `k${from + i}`, value: 'x'.repeat(bytes) }));

describe('BatchingProducer', () => {
  it('splits a large send into requests under the byte and message limits, in order, all acknowledged', async () => {
    const { producer, requests } = recordingProducer();
    const batching = new BatchingProducer(producer, 1, 2000, 768 * 1024);
    const sent = messages(5000, 1500);
    await batching.send('t', sent);
    const sizes = requests.map((r) => r.flatMap((t) => t.messages));
    expect(sizes.length).toBeGreaterThan(1);
    for (const req of sizes) {
      expect(req.length).toBeLessThanOrEqual(2000);
      expect(req.reduce((n, m) => n + m.key.length + m.value.length, 0)).toBeLessThanOrEqual(768 * 1024);
    }
    expect(sizes.flat().map((m) => m.key)).toEqual(sent.map((m) => m.key));
  });

  it('joins small sends that wait behind one in flight into one request', async () => {
    const { producer, requests } = recordingProducer();
    const batching = new BatchingProducer(producer, 1);
    await Promise.all([
      batching.send('a', messages(10, 100)),
      batching.send('a', messages(10, 100, 10)),
      batching.send('b', messages(5, 100)),
    ]);
    expect(requests).toHaveLength(2);
    expect(requests[1].map((t) => [t.topic, t.messages.length])).toEqual([
      ['a', 10],
      ['b', 5],
    ]);
  });

  it('sends a message larger than the byte limit alone', async () => {
    const { producer, requests } = recordingProducer();
    const batching = new BatchingProducer(producer, 1, 2000, 1000);
    await batching.send('t', [...messages(2, 400), ...messages(1, 5000, 2), ...messages(2, 400, 3)]);
    expect(requests.map((r) => r[0].messages.map((m) => m.key))).toEqual([
      ['k0', 'k1'],
      ['k2'],
      ['k3', 'k4'],
    ]);
  });
});
