import { Client } from 'pg';

function databaseName(url: string): string {
  const name = decodeURIComponent(new URL(url).pathname.replace(/^\//, ''));
  if (!/^[A-Za-z_][A-Za-z0-9_-]{0,62}$/.test(name))
    throw new Error(`DATABASE_URL names no usable database: "${name}"`);
  return name;
}

/** Creates the database named in `url` when it does not exist yet (local stack, CI). Idempotent. */
export async function ensureDatabase(url: string): Promise<'created' | 'exists'> {
  const name = databaseName(url);
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString(), connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount) return 'exists';
    try {
      await client.query(`CREATE DATABASE "${name}"`);
    } catch (error) {
      // Another process created it between our check and create.
      if ((error as { code?: string }).code === '42P04') return 'exists';
      throw error;
    }
    return 'created';
  } finally {
    await client.end();
  }
}
