import pino from 'pino';
import { HealthRegistry, loggerOptions, runWithTrace, toTraceparent, traceFromParent } from './index';

describe('trace context', () => {
  it('continues a valid traceparent with a new span', () => {
    const parent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const sut = traceFromParent(parent, 'decl-1');
    expect(sut.traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(sut.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(sut.spanId).not.toBe('00f067aa0ba902b7');
    expect(toTraceparent(sut)).toMatch(/^00-4bf92f3577b34da6a3ce929d0e0e4736-[0-9a-f]{16}-01$/);
  });

  it.each([undefined, 'garbage', '00-00000000000000000000000000000000-00f067aa0ba902b7-01'])(
    'starts a new trace for %p',
    (header) => {
      expect(traceFromParent(header).traceId).toMatch(/^(?!0+$)[0-9a-f]{32}$/);
    },
  );
});

describe('pino logs', () => {
  function capture(level: 'info' | 'debug' = 'info') {
    const lines: string[] = [];
    const stream = { write: (l: string) => void lines.push(l) };
    return { sut: pino(loggerOptions('intake', level), stream), lines };
  }

  it('writes one JSON line with the service, level word and the trace and correlation ids of the current work', () => {
    const { sut, lines } = capture();
    runWithTrace({ traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), correlationId: 'decl-42' }, () =>
      sut.warn({ context: 'ClearanceService' }, 'decision late'),
    );
    sut.debug('not shown at info');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0])).toMatchObject({
      level: 'warn',
      service: 'intake',
      context: 'ClearanceService',
      msg: 'decision late',
      traceId: 'a'.repeat(32),
      correlationId: 'decl-42',
    });
    expect(JSON.parse(lines[0]).time).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it('keeps the error and its stack', () => {
    const { sut, lines } = capture();
    sut.error({ err: new Error('boom') }, 'failed');
    expect(JSON.parse(lines[0]).err).toMatchObject({ message: 'boom', type: 'Error' });
    expect(JSON.parse(lines[0]).err.stack).toContain('boom');
  });
});

describe('HealthRegistry', () => {
  it('is ready only when every check passes, and says which failed', async () => {
    const sut = new HealthRegistry();
    sut.register({ name: 'postgres', check: async () => undefined });
    sut.register({ name: 'kafka-consumer', check: async () => Promise.reject(new Error('not joined')) });
    sut.register({ name: 'slow', check: () => new Promise(() => undefined) });
    const report = await sut.run(50);
    expect(report.status).toBe('error');
    expect(report.checks['postgres'].status).toBe('ok');
    expect(report.checks['kafka-consumer']).toMatchObject({ status: 'error', error: 'not joined' });
    expect(report.checks['slow'].error).toMatch(/timed out/);
  });
});

describe('HealthRegistry: health that heals', () => {
  it('keeps a replica ready through a short blip of a dependency that worked, and not beyond the grace', async () => {
    let clock = 0;
    let up = true;
    const sut = new HealthRegistry();
    sut.readinessGraceMs = 20_000;
    sut.register({
      name: 'db',
      check: async () => {
        if (!up) throw new Error('connection refused');
      },
    });
    expect((await sut.run(100, () => clock)).status).toBe('ok');
    up = false;
    clock = 1_000;
    const blip = await sut.run(100, () => clock);
    expect(blip.status).toBe('degraded');
    expect(blip.checks['db']).toMatchObject({ status: 'degraded', error: 'connection refused' });
    clock = 22_000;
    expect((await sut.run(100, () => clock)).status).toBe('error');
    up = true;
    clock = 23_000;
    expect((await sut.run(100, () => clock)).status).toBe('ok');
  });

  it('is not ready while a check has never worked (start-up), grace or not', async () => {
    const sut = new HealthRegistry();
    sut.register({ name: 'kafka-consumer', check: async () => Promise.reject(new Error('not joined')) });
    expect((await sut.run(100)).status).toBe('error');
  });

  it('fails liveness only for parts that cannot recover by themselves', () => {
    let crashed = false;
    const sut = new HealthRegistry();
    sut.registerLiveness({ name: 'kafka-consumer', live: () => !crashed });
    sut.registerLiveness({ name: 'outbox-relay', live: () => true });
    expect(sut.live()).toEqual({ status: 'ok', failing: [] });
    crashed = true;
    expect(sut.live()).toEqual({ status: 'error', failing: ['kafka-consumer'] });
  });
});
