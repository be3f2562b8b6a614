import { CutOffJobs } from './dispatch';

interface Render {
  number: string;
}
const job = (number: string, attemptsMade: number, attempts?: number) => ({
  data: { number },
  attemptsMade,
  opts: { attempts },
});

describe('CutOffJobs', () => {
  it('holds a job only after its last attempt failed on an infrastructure failure', () => {
    const held = new CutOffJobs<Render>((d) => d.number);
    expect(held.noteFailure(job('A', 2, 5), true)).toBe(false); // attempts left: BullMQ retries it
    expect(held.noteFailure(job('B', 5, 5), false)).toBe(false); // its own fault: not run again early
    expect(held.noteFailure(undefined, true)).toBe(false);
    expect(held.noteFailure(job('C', 5, 5), true)).toBe(true);
    expect(held.noteFailure(job('D', 1), true)).toBe(true); // no attempts option: one attempt
    expect(held.size).toBe(2);
  });

  it('hands the held jobs over once, each once, and takes back the ones that could not be run', () => {
    const held = new CutOffJobs<Render>((d) => d.number);
    held.noteFailure(job('A', 3, 3), true);
    held.noteFailure(job('A', 3, 3), true); // the same job failing again is one job
    held.noteFailure(job('B', 3, 3), true);
    const taken = held.take();
    expect(taken.map((d) => d.number).sort()).toEqual(['A', 'B']);
    expect(held.take()).toEqual([]);
    held.putBack(taken);
    held.noteFailure(job('B', 3, 3), true);
    expect(
      held
        .take()
        .map((d) => d.number)
        .sort(),
    ).toEqual(['A', 'B']);
  });

  it('runs again only what is still pending, and holds every job again when the database does not answer', async () => {
    const held = new CutOffJobs<Render>((d) => d.number);
    held.noteFailure(job('A', 3, 3), true);
    held.noteFailure(job('B', 3, 3), true);
    await expect(
      held.rerun(
        () => Promise.reject(new Error('connection refused')),
        () => Promise.resolve(0),
      ),
    ).rejects.toThrow('connection refused');
    expect(held.size).toBe(2);
    const ran: string[] = [];
    const result = await held.rerun(
      async (jobs) => jobs.filter((d) => d.number === 'B'), // A was rendered meanwhile
      async (jobs) => (ran.push(...jobs.map((d) => d.number)), jobs.length),
    );
    expect(result).toEqual({ pending: [{ number: 'B' }], rerun: 1 });
    expect(ran).toEqual(['B']);
    expect(held.size).toBe(0);
  });
});
