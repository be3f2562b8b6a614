import { OffsetCommitter } from './offset-committer';

type Offsets = { topics: Array<{ topic: string; partitions: Array<{ partition: number; offset: string }> }> };

/** A stand-in for kafkajs's batch payload: resolved offsets and the commits sent for them. */
class FakeGroup {
  resolved = new Map<number, number>();
  committed = new Map<number, number>();
  commits: Offsets[] = [];
  failNext = 0;

  resolve(partition: number, offset: number): void {
    this.resolved.set(partition, offset);
  }

  uncommittedOffsets = (): Offsets => {
    const partitions = [...this.resolved]
      .filter(([p, o]) => this.committed.get(p) !== o)
      .map(([partition, offset]) => ({ partition, offset: String(offset + 1) }));
    return { topics: partitions.length ? [{ topic: 't', partitions }] : [] };
  };

  commitOffsetsIfNecessary = async (offsets?: Offsets): Promise<void> => {
    await Promise.resolve();
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error('The group is rebalancing');
    }
    this.commits.push(offsets!);
    for (const p of offsets!.topics[0].partitions) this.committed.set(p.partition, Number(p.offset) - 1);
  };
}

async function advance(ms: number): Promise<void> {
  await jest.advanceTimersByTimeAsync(ms);
}

describe('OffsetCommitter', () => {
  beforeEach(() => jest.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => jest.useRealTimers());

  it('sends one commit per interval for everything resolved in it, and a trailing one after the last', async () => {
    const group = new FakeGroup();
    const errors: unknown[] = [];
    const committer = new OffsetCommitter(200, (e) => errors.push(e));

    // The first request after a quiet spell goes out at once.
    group.resolve(0, 10);
    committer.request(group);
    await advance(0);
    expect(group.commits).toHaveLength(1);

    // 40 batches in the next 190 ms: no commit until the interval is over, then one covering them all.
    for (let i = 1; i <= 40; i++) {
      group.resolve(i % 3, 10 + i);
      committer.request(group);
      await advance(190 / 40);
    }
    expect(group.commits).toHaveLength(1);
    await advance(20);
    expect(group.commits).toHaveLength(2);
    expect(group.commits[1].topics[0].partitions.map((p) => p.partition).sort()).toEqual([0, 1, 2]);
    // The last offsets resolved: partition 1 at i = 40, 0 at 39, 2 at 38.
    expect([0, 1, 2].map((p) => group.committed.get(p))).toEqual([49, 50, 48]);

    // Nothing new resolved: no request is sent.
    committer.request(group);
    await advance(1000);
    expect(group.commits).toHaveLength(2);
    expect(errors).toEqual([]);
  });

  it('retries a failed commit after the interval without a new request', async () => {
    const group = new FakeGroup();
    const errors: unknown[] = [];
    const committer = new OffsetCommitter(200, (e) => errors.push(e));
    group.failNext = 2;
    group.resolve(0, 5);
    committer.request(group);
    await advance(0);
    expect(errors).toHaveLength(1);
    expect(group.commits).toHaveLength(0);
    await advance(200);
    expect(errors).toHaveLength(2);
    await advance(200);
    expect(group.commits).toHaveLength(1);
    expect(group.committed.get(0)).toBe(5);
  });

  it('commits at once on commitNow, and a closed committer sends nothing more', async () => {
    const group = new FakeGroup();
    const committer = new OffsetCommitter(200, () => undefined);
    // A batch ending while the consumer stops: its payload is committed without an earlier request.
    group.resolve(0, 1);
    await committer.commitNow(group);
    expect(group.committed.get(0)).toBe(1);
    group.resolve(0, 2);
    committer.request(group); // would wait for the interval
    await committer.commitNow();
    expect(group.committed.get(0)).toBe(2);
    group.resolve(0, 3);
    committer.request(group);
    committer.close();
    await advance(1000);
    expect(group.committed.get(0)).toBe(2);
    expect(group.commits).toHaveLength(2);
  });
});
