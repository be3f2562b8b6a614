import { redisOptions } from './redis';

describe('redisOptions', () => {
  it('reads host, port, credentials, database and TLS from the URL', () => {
    expect(redisOptions('rediss://user:p%40ss@cache.internal:6380/2', 'svc')).toMatchObject({
      host: 'cache.internal',
      port: 6380,
      username: 'user',
      password: 'p@ss',
      db: 2,
      tls: {},
      connectionName: 'svc',
      maxRetriesPerRequest: null,
    });
    expect(redisOptions('redis://127.0.0.1:6379', 'svc')).toMatchObject({
      host: '127.0.0.1',
      port: 6379,
      db: 0,
      tls: undefined,
    });
  });
});
