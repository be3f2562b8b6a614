import { PhaseTracker } from './tracker';

describe('PhaseTracker, the door alone', () => {
  it('Kafka door: counts accepted late or still waiting past the limit, and the accepted rate', () => {
    const t = new PhaseTracker('kafka', 500);
    // Sent at 0, 10, 20 ms; A accepted on time, B late, C never.
    t.onSent('A', 0, 0);
    t.onSent('B', 10, 10);
    t.onSent('C', 20, 20);
    t.onAccepted('A', 100);
    t.onAccepted('B', 900);
    expect(t.doorWaiting()).toBe(1);
    expect(t.doorLateNow(400)).toBe(1); // B accepted late; C not yet late
    expect(t.doorLateNow(1000)).toBe(2); // C waiting past the limit
    // Decided without its accepted event read first: not waiting for the door.
    t.onDecided('C', 'RELEASED', 1100);
    expect(t.doorWaiting()).toBe(0);
    expect(t.doorRate(5000)).toBeCloseTo(1000 / 800, 5); // 2 accepted over 800 ms: one interval
    // End to end is judged apart: two decisions missing, one over the limit.
    expect(t.lateNow(1100)).toBe(3);
  });

  it('HTTP door: counts 202 answers over its own limit, and stretches the rate while some are unanswered', () => {
    const t = new PhaseTracker('http', 500, 100);
    t.onSent('A', 0, 0);
    t.onSent('B', 10, 10);
    t.onSent('C', 20, 20);
    t.onHttp(0, 0, 50, 202);
    t.onHttp(10, 10, 150, 202); // 140 ms: over the door's 100 ms, well within the end-to-end 500
    expect(t.doorLateNow(200)).toBe(1);
    expect(t.doorWaiting()).toBe(1);
    expect(t.doorRate(1050)).toBeCloseTo(1000 / 1000, 5); // C unanswered: the span runs to the end
    t.onHttp(20, 20, 160, 503);
    expect(t.doorWaiting()).toBe(0);
    expect(t.answered).toBe(2);
    expect(t.httpErrors).toBe(1);
    expect(t.doorRate(1050)).toBeCloseTo(1000 / 100, 5);
  });
});
