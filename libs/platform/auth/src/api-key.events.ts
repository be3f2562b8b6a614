import type { ApiKeyChanged } from '@cic/contracts';
import type { ApiKeyEntity } from './api-key.entity';

/** The `platform.api-key.changed.v1` data of a key record: its whole state, never the key itself. */
export function apiKeyChangedData(key: ApiKeyEntity): ApiKeyChanged {
  return {
    keyId: key.id,
    name: key.name,
    keyHash: key.keyHash,
    keyPrefix: key.keyPrefix,
    role: key.role,
    declarantCodes: key.declarantCodes,
    createdAt: key.createdAt.toISOString(),
    revokedAt: key.revokedAt?.toISOString() ?? null,
  };
}

/**
 * Several states of the same keys (a batch, or a replay) folded into one per key: the latest record,
 * revoked as soon as any of them was (revocation is final), at the earliest revocation time.
 */
export function foldApiKeyChanges(changes: readonly ApiKeyChanged[]): ApiKeyChanged[] {
  const byId = new Map<string, ApiKeyChanged>();
  for (const change of changes) {
    const before = byId.get(change.keyId);
    const revoked = [before?.revokedAt, change.revokedAt].filter((r): r is string => !!r);
    byId.set(change.keyId, {
      ...change,
      revokedAt: revoked.length ? revoked.reduce((a, b) => (Date.parse(a) <= Date.parse(b) ? a : b)) : null,
    });
  }
  return [...byId.values()];
}
