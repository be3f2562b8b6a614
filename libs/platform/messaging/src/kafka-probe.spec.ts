import { eventIdsBySubject } from './kafka-probe';

const event = (subject: string, id: string) => ({ value: JSON.stringify({ id, subject, data: {} }) });

describe('eventIdsBySubject', () => {
  it('tells a copy published twice (one id) from a subject decided twice (two ids)', () => {
    const result = eventIdsBySubject([
      event('d1', 'e1'),
      event('d1', 'e1'),
      event('d2', 'e2'),
      event('d2', 'e3'),
    ]);
    expect(result.copies).toBe(4);
    expect(result.ids.get('d1')).toEqual(new Set(['e1']));
    expect(result.ids.get('d2')).toEqual(new Set(['e2', 'e3']));
  });

  it('counts only the subjects asked for, and skips messages that are not events', () => {
    const result = eventIdsBySubject(
      [
        event('d1', 'e1'),
        event('other', 'e9'),
        { value: 'not json' },
        { value: null },
        { value: '{"id":1}' },
      ],
      new Set(['d1']),
    );
    expect(result.copies).toBe(1);
    expect([...result.ids.keys()]).toEqual(['d1']);
  });
});
