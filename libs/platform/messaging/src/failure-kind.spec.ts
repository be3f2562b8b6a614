import { failureKind, HandlerTimeoutError } from './failure-kind';
import { NonRetryableError } from './event-error.filter';

const pg = (code: string, message = 'x') => Object.assign(new Error(message), { code });

describe('failureKind', () => {
  it.each([
    [
      'connection refused',
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
    ],
    ['pool timeout', new Error('timeout exceeded when trying to connect')],
    ['terminated backend', pg('57P01', 'terminating connection due to administrator command')],
    ['role refused login', pg('28000', 'role "svc" is not permitted to log in')],
    ['serialization failure', pg('40001')],
    ['deadlock', pg('40P01')],
    ['statement timeout', pg('57014', 'canceling statement due to statement timeout')],
    ['too many connections', pg('53300')],
    [
      'TypeORM wrapping a driver error',
      Object.assign(new Error('query failed'), { driverError: pg('08006') }),
    ],
    ['a cause chain', new Error('outer', { cause: new Error('Connection terminated unexpectedly') })],
    ['kafkajs', Object.assign(new Error('broker gone'), { name: 'KafkaJSConnectionError' })],
    ['redis', new Error('Reached the max retries per request limit (which is 20).')],
    ['handler timeout', new HandlerTimeoutError(1000)],
    ['all addresses failed', new AggregateError([pg('ECONNREFUSED')], 'all failed')],
  ])('%s is infrastructure', (_, error) => {
    expect(failureKind(error)).toBe('infrastructure');
  });

  it.each([
    ['a plain bug', new TypeError("Cannot read properties of undefined (reading 'lane')")],
    ['a unique violation', pg('23505')],
    ['invalid text', pg('22P05', 'unsupported Unicode escape sequence')],
    ['a check violation', pg('23514')],
    ['a non-retryable business error', new NonRetryableError('UNKNOWN_DECLARATION', 'no such declaration')],
    ['a thrown string', 'boom'],
  ])('%s is the message', (_, error) => {
    expect(failureKind(error)).toBe('message');
  });
});
