import { type ArgumentsHost, NotFoundException } from '@nestjs/common';
import { ProblemException } from './problem';
import { ProblemFilter } from './problem.filter';

function hostFor() {
  const sent: {
    status?: number;
    type?: string;
    body?: Record<string, unknown>;
    headers: Record<string, string>;
  } = { headers: {} };
  const res = {
    status(s: number) {
      sent.status = s;
      return this;
    },
    type(t: string) {
      sent.type = t;
      return this;
    },
    json(b: Record<string, unknown>) {
      sent.body = b;
      return this;
    },
    setHeader(k: string, v: string) {
      sent.headers[k] = v;
    },
  };
  const req = { method: 'GET', originalUrl: '/v1/things/1' };
  const host = {
    switchToHttp: () => ({ getResponse: () => res, getRequest: () => req }),
  } as unknown as ArgumentsHost;
  return { host, sent };
}

describe('ProblemFilter', () => {
  const sut = new ProblemFilter();

  it('sends a ProblemException as it is, as application/problem+json with the instance', () => {
    const { host, sent } = hostFor();
    sut.catch(new ProblemException(409, 'CONFLICT', 'Already there'), host);
    expect(sent).toMatchObject({
      status: 409,
      type: 'application/problem+json',
      body: { code: 'CONFLICT', title: 'Already there', status: 409, instance: '/v1/things/1' },
    });
  });

  it("gives Nest's own exceptions a code", () => {
    const { host, sent } = hostFor();
    sut.catch(new NotFoundException(), host);
    expect(sent).toMatchObject({ status: 404, body: { code: 'NOT_FOUND', type: 'about:blank' } });
  });

  it('answers 503 with Retry-After when a dependency is away', () => {
    const { host, sent } = hostFor();
    sut.catch(
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
      host,
    );
    expect(sent).toMatchObject({
      status: 503,
      headers: { 'Retry-After': '5' },
      body: { code: 'SERVICE_UNAVAILABLE' },
    });
  });
});
