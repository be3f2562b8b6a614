import { z } from 'zod';
import { IsoDateTime } from '../../common.schema';
import { defineTopic } from '../../topic';

export const ApiKeyRole = z.enum(['declarant', 'operator', 'admin']);
export type ApiKeyRole = z.infer<typeof ApiKeyRole>;

/**
 * The whole state of one API key after it was created or revoked (never the key itself: only its
 * SHA-256). Every service keeps a replica of the keys from this topic, so one key works everywhere and no
 * service reads another's schema to check one (DESIGN.md "HTTP").
 */
export const ApiKeyChanged = z.object({
  keyId: z.uuid(),
  name: z.string().min(1).max(100),
  keyHash: z.string().regex(/^[0-9a-f]{64}$/, 'a SHA-256 as 64 lower-case hex digits'),
  keyPrefix: z.string().min(1).max(16),
  role: ApiKeyRole,
  /** For the declarant role: the declarant codes the key may submit and read for. */
  declarantCodes: z.array(z.string().min(1).max(18)).max(100),
  createdAt: IsoDateTime,
  /** Set once revoked; a revoked key stays revoked whatever arrives later. */
  revokedAt: IsoDateTime.nullable(),
});
export type ApiKeyChanged = z.infer<typeof ApiKeyChanged>;

export const ApiKeyChangedV1 = defineTopic({
  name: 'platform.api-key.changed.v1',
  summary:
    'An API key was created or revoked; the event carries the whole key record (hash, role, declarant codes, revocation). Compacted: the latest event of every key is kept.',
  key: 'keyId',
  producer: 'declaration-intake',
  consumers: ['green-channel', 'exemption', 'origin-certificate'],
  data: ApiKeyChanged,
  compacted: true,
});
