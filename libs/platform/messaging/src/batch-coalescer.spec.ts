import { BatchCoalescer } from './batch-coalescer';

describe('BatchCoalescer', () => {
  it('runs what is submitted under one key in the same turn as one unit, in submission order', async () => {
    const runs: number[][] = [];
    const work = async (entries: number[]) => {
      runs.push([...entries]);
      return entries.length;
    };
    const c = new BatchCoalescer<number, number>(100);
    const results = await Promise.all([
      c.run('t', [1, 2], work),
      c.run('t', [3], work),
      c.run('t', [4, 5], work),
    ]);
    expect(runs).toEqual([[1, 2, 3, 4, 5]]);
    expect(results).toEqual([5, 5, 5]);
  });

  it('keeps different keys apart and starts a new unit in a later turn', async () => {
    const runs: string[] = [];
    const work = (key: string) => async (entries: number[]) => {
      runs.push(`${key}:${entries.join(',')}`);
      return entries.length;
    };
    const c = new BatchCoalescer<number, number>(100);
    await Promise.all([c.run('a', [1], work('a')), c.run('b', [2], work('b')), c.run('a', [3], work('a'))]);
    await c.run('a', [4], work('a'));
    expect(runs.sort()).toEqual(['a:1,3', 'a:4', 'b:2']);
  });

  it('starts a second unit when the first is full', async () => {
    const runs: number[][] = [];
    const work = async (entries: number[]) => {
      runs.push([...entries]);
      return 0;
    };
    const c = new BatchCoalescer<number, number>(3);
    await Promise.all([c.run('t', [1, 2], work), c.run('t', [3, 4], work), c.run('t', [5], work)]);
    expect(runs).toEqual([
      [1, 2],
      [3, 4, 5],
    ]);
  });

  it('after a failed joint run, runs each submission alone: only the culprit fails', async () => {
    const runs: number[][] = [];
    const work = async (entries: number[]) => {
      runs.push([...entries]);
      if (entries.includes(13)) throw new Error('poison 13');
      return entries.length;
    };
    const c = new BatchCoalescer<number, number>(100);
    const settled = await Promise.allSettled([
      c.run('t', [1, 2], work),
      c.run('t', [13], work),
      c.run('t', [4], work),
    ]);
    expect(runs[0]).toEqual([1, 2, 13, 4]);
    expect(runs.slice(1).sort()).toEqual([[1, 2], [13], [4]].sort());
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(settled[0]).toEqual({ status: 'fulfilled', value: 2 });
    expect((settled[1] as PromiseRejectedResult).reason).toEqual(new Error('poison 13'));
  });

  it('a lone submission that fails is rejected with its own error, run once', async () => {
    let calls = 0;
    const c = new BatchCoalescer<number, number>(100);
    await expect(
      c.run('t', [1], async () => {
        calls++;
        throw new Error('database away');
      }),
    ).rejects.toThrow('database away');
    expect(calls).toBe(1);
  });
});
