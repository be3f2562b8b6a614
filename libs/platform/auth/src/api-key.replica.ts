import type { ApiKeyChanged } from '@cic/contracts';
import type { EntityManager } from 'typeorm';
import { ApiKeyEntity } from './api-key.entity';
import { foldApiKeyChanges } from './api-key.events';

/**
 * Writes key states into this service's `api_keys` replica in one statement. Idempotent: a key already
 * there keeps its record and only gains a revocation; a revoked key is never un-revoked, whatever order
 * or how often the events arrive.
 */
export async function replicateApiKeys(
  manager: EntityManager,
  changes: readonly ApiKeyChanged[],
): Promise<void> {
  const rows = foldApiKeyChanges(changes);
  if (rows.length === 0) return;
  const metadata = manager.connection.getMetadata(ApiKeyEntity);
  const driver = manager.connection.driver;
  const table = metadata.schema
    ? `${driver.escape(metadata.schema)}.${driver.escape(metadata.tableName)}`
    : driver.escape(metadata.tableName);
  await manager.query(
    `INSERT INTO ${table} AS k (id, name, key_hash, key_prefix, role, declarant_codes, created_at, revoked_at)
     SELECT r."keyId", r.name, r."keyHash", r."keyPrefix", r.role,
            ARRAY(SELECT jsonb_array_elements_text(r."declarantCodes")), r."createdAt", r."revokedAt"
       FROM jsonb_to_recordset($1::jsonb) AS r("keyId" uuid, name varchar, "keyHash" char(64),
            "keyPrefix" varchar, role varchar, "declarantCodes" jsonb, "createdAt" timestamptz,
            "revokedAt" timestamptz)
     ON CONFLICT (id) DO UPDATE SET revoked_at = COALESCE(k.revoked_at, EXCLUDED.revoked_at)`,
    [JSON.stringify(rows)],
  );
}
