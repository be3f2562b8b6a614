import { Logger } from '@nestjs/common';
import { SqlLogger } from './sql-logger';

describe('SqlLogger', () => {
  let warn: jest.SpyInstance;
  beforeEach(() => {
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  });
  afterEach(() => warn.mockRestore());

  it('logs a failed statement in one short line: SQLSTATE, message and the start of the statement, no parameter', () => {
    const secret = 'declaration-payload-that-must-not-be-logged';
    const query = `INSERT INTO "intake"."declarations" (id, payload)\n   SELECT * FROM unnest($1::uuid[], $2::jsonb[]) ${'x'.repeat(5000)}`;
    const error = Object.assign(new Error('terminating connection due to administrator command'), {
      code: '57P01',
    });
    new SqlLogger().logQueryError(error, query, [[secret], [secret]]);

    expect(warn).toHaveBeenCalledTimes(1);
    const [line] = warn.mock.calls[0] as [{ msg: string; sqlState: string; parameterCount: number }];
    expect(line.sqlState).toBe('57P01');
    expect(line.parameterCount).toBe(2);
    expect(line.msg).toContain('SQLSTATE 57P01');
    expect(line.msg).toContain('terminating connection due to administrator command');
    expect(line.msg).toContain('INSERT INTO "intake"."declarations" (id, payload) SELECT * FROM unnest(');
    expect(line.msg.length).toBeLessThan(400);
    expect(JSON.stringify(warn.mock.calls)).not.toContain(secret);
  });

  it('logs a unique key met by a concurrent copy (which the caller handles) at debug level only', () => {
    const debug = jest.spyOn(Logger.prototype, 'debug').mockImplementation(() => undefined);
    const error = Object.assign(new Error('duplicate key value violates unique constraint "UQ_x"'), {
      code: '23505',
    });
    new SqlLogger().logQueryError(error, 'INSERT INTO x VALUES ($1)', ['v']);
    expect(warn).not.toHaveBeenCalled();
    expect(debug).toHaveBeenCalledTimes(1);
    debug.mockRestore();
  });

  it('logs a connection lost mid-statement (no SQLSTATE) the same way', () => {
    new SqlLogger().logQueryError(new Error('Connection terminated unexpectedly'), 'ROLLBACK', []);
    const [line] = warn.mock.calls[0] as [{ msg: string; sqlState?: string }];
    expect(line.sqlState).toBeUndefined();
    expect(line.msg).toBe('statement failed: Connection terminated unexpectedly; statement: ROLLBACK');
  });
});
