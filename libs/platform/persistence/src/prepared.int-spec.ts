import { runId, testInfra } from '@cic/platform-testing';
import { DataSource } from 'typeorm';
import { preparedQuery, statementName } from './prepared';
import { SqlLogger } from './sql-logger';

describe('preparedQuery on the real database', () => {
  const infra = testInfra();
  const schema = `it_prep_${runId()}`;
  const ds = new DataSource({
    type: 'postgres',
    url: infra.databaseUrl,
    logger: new SqlLogger(),
    extra: { max: 2 },
  });
  const insert = `INSERT INTO "${schema}"."t" (id, note) SELECT * FROM unnest($1::int[], $2::text[]) RETURNING id`;
  const select = `SELECT id, note FROM "${schema}"."t" WHERE id = ANY($1::int[]) ORDER BY id`;

  beforeAll(async () => {
    await ds.initialize();
    await ds.query(`CREATE SCHEMA "${schema}"`);
    await ds.query(`CREATE TABLE "${schema}"."t" (id int CONSTRAINT "PK_t" PRIMARY KEY, note text NOT NULL)`);
  });
  afterAll(async () => {
    await ds.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await ds.destroy();
  });

  it('runs in the caller transaction, prepared once on its connection and reused', async () => {
    const seen = await ds
      .transaction(async (m) => {
        const first = await preparedQuery<{ id: number }>(m, insert, [
          [1, 2],
          ['a', 'b'],
        ]);
        const second = await preparedQuery<{ id: number }>(m, insert, [[3], ['c "quoted"']]);
        const rows = await preparedQuery<{ id: number; note: string }>(m, select, [[1, 2, 3]]);
        const prepared: Array<{ name: string; generic_plans: string; custom_plans: string }> = await m.query(
          `SELECT name, generic_plans, custom_plans FROM pg_prepared_statements WHERE name = $1`,
          [statementName(insert)],
        );
        throw Object.assign(new Error('roll back'), { seen: { first, second, rows, prepared } });
      })
      .catch((e: Error & { seen?: unknown }) => {
        if (!e.seen) throw e;
        return e.seen as {
          first: Array<{ id: number }>;
          second: Array<{ id: number }>;
          rows: Array<{ id: number; note: string }>;
          prepared: Array<{ name: string; generic_plans: string; custom_plans: string }>;
        };
      });
    expect(seen.first.map((r) => r.id)).toEqual([1, 2]);
    expect(seen.second.map((r) => r.id)).toEqual([3]);
    expect(seen.rows).toEqual([
      { id: 1, note: 'a' },
      { id: 2, note: 'b' },
      { id: 3, note: 'c "quoted"' },
    ]);
    // One prepared statement on the transaction's connection, executed twice.
    expect(seen.prepared).toHaveLength(1);
    expect(Number(seen.prepared[0].generic_plans) + Number(seen.prepared[0].custom_plans)).toBe(2);
    // Rolled back with the transaction.
    expect(await preparedQuery(ds.manager, select, [[1, 2, 3]])).toEqual([]);
  });

  it('runs without a transaction on a pooled connection, and many times on one plan', async () => {
    for (let i = 10; i < 20; i++) await preparedQuery(ds.manager, insert, [[i], [`n${i}`]]);
    const rows = await preparedQuery<{ id: number }>(ds.manager, select, [[10, 15, 19, 99]]);
    expect(rows.map((r) => r.id)).toEqual([10, 15, 19]);
  });

  it('rethrows a failure as node-postgres reports it: SQLSTATE and constraint', async () => {
    await preparedQuery(ds.manager, insert, [[100], ['x']]);
    const error = await preparedQuery(ds.manager, insert, [[100], ['again']]).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: '23505', constraint: 'PK_t' });
    // The connection stays usable, and the statement with it.
    expect(await preparedQuery(ds.manager, select, [[100]])).toEqual([{ id: 100, note: 'x' }]);
  });

  it('names a statement by its text', () => {
    expect(statementName(insert)).toBe(statementName(`${insert}`));
    expect(statementName(insert)).not.toBe(statementName(select));
    expect(statementName(insert)).toMatch(/^cic_[0-9a-f]{24}$/);
  });
});
