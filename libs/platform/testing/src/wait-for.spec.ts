import { waitFor } from './wait-for';

describe('waitFor', () => {
  it('returns the first truthy value', async () => {
    let calls = 0;
    const sut = await waitFor('third call', () => (++calls >= 3 ? calls : undefined), { intervalMs: 1 });
    expect(sut).toBe(3);
  });

  it('fails with the description and the last value seen', async () => {
    await expect(waitFor('never', () => false, { timeoutMs: 30, intervalMs: 5 })).rejects.toThrow(
      /timed out after 30 ms waiting for never \(last: false\)/,
    );
  });
});
