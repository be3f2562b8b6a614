import { createServiceDataSource } from './data-source';

describe('createServiceDataSource', () => {
  const base = {
    url: 'postgres://postgres@127.0.0.1:5432/x',
    applicationName: 'unit',
    entities: [],
    migrations: [],
  };

  it('binds the service schema and never synchronizes', () => {
    const sut = createServiceDataSource({ ...base, schema: 'green_channel' });
    expect(sut.options).toMatchObject({
      schema: 'green_channel',
      synchronize: false,
      migrationsRun: false,
      migrationsTableName: 'migrations',
    });
  });

  it.each(['Intake', 'drop;table', '1abc', ''])('refuses the schema name %p', (schema) => {
    expect(() => createServiceDataSource({ ...base, schema })).toThrow(/invalid schema name/);
  });
});
