import type { ApiKeyChanged } from '@cic/contracts';
import { apiKeyChangedData, foldApiKeyChanges } from './api-key.events';
import { ApiKeyEntity } from './api-key.entity';

const created: ApiKeyChanged = {
  keyId: '7c9e6679-7425-40de-944b-e07fc1f90ae7',
  name: 'broker',
  keyHash: 'a'.repeat(64),
  keyPrefix: 'cic_dec_AbCd',
  role: 'declarant',
  declarantCodes: ['91330200MA2H4K7L3P'],
  createdAt: '2026-11-02T08:00:00.000Z',
  revokedAt: null,
};
const revoked = { ...created, revokedAt: '2026-11-03T10:00:00.000Z' };
const other = { ...created, keyId: '0b7c9a40-6a7e-4d55-8a0a-31b1d2a1c006', keyHash: 'b'.repeat(64) };

describe('foldApiKeyChanges', () => {
  it.each([
    ['created, revoked', [created, revoked], revoked.revokedAt],
    ['revoked, then a replayed created', [revoked, created], revoked.revokedAt],
    [
      'revoked twice: the first revocation counts',
      [revoked, { ...revoked, revokedAt: '2026-11-04T00:00:00.000Z' }],
      revoked.revokedAt,
    ],
    ['created only', [created, created], null],
  ])('%s', (_name, changes, revokedAt) => {
    expect(foldApiKeyChanges(changes)).toEqual([{ ...created, revokedAt }]);
  });

  it('keeps one state per key', () => {
    expect(foldApiKeyChanges([created, other, revoked]).map((c) => [c.keyId, c.revokedAt])).toEqual([
      [created.keyId, revoked.revokedAt],
      [other.keyId, null],
    ]);
  });
});

describe('apiKeyChangedData', () => {
  it('carries the whole record, never more than the hash of the key', () => {
    const entity = Object.assign(new ApiKeyEntity(), {
      id: created.keyId,
      name: created.name,
      keyHash: created.keyHash,
      keyPrefix: created.keyPrefix,
      role: created.role,
      declarantCodes: created.declarantCodes,
      createdAt: new Date(created.createdAt),
      revokedAt: new Date(revoked.revokedAt),
    });
    expect(apiKeyChangedData(entity)).toEqual(revoked);
  });
});
