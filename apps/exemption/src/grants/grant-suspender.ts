import {
  type ForeignNotification,
  type GrantSuspension,
  type RecordedResult,
  suspensionsForNotification,
  suspensionsForResult,
} from '@cic/exemption-domain';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { type GrantRecord, GrantStore } from './grant.store';

export interface SuspensionCause {
  /** What the rule is given: a result with its lines, or a notification. */
  result?: RecordedResult;
  notification?: ForeignNotification;
  actor: string;
  evidence: Record<string, unknown>;
}

/**
 * Suspends at once the ACTIVE grants a FAIL result or a foreign notification touches (DOMAIN.md), in the
 * caller's transaction: the enterprises' ACTIVE grants are locked in id order (one statement), the pure
 * rules pick the grants, and GrantStore.apply suspends them with their events. A grant touched by several
 * causes is suspended once, for the first.
 */
@Injectable()
export class GrantSuspender {
  constructor(private readonly store: GrantStore) {}

  async suspend(m: EntityManager, causes: readonly SuspensionCause[], at: Date): Promise<GrantRecord[]> {
    const codes = [
      ...new Set(
        causes.map((c) => c.result?.enterpriseCode ?? c.notification?.enterpriseCode).filter((c) => !!c),
      ),
    ] as string[];
    if (codes.length === 0) return [];
    const active = await this.store.find(
      m,
      `g.status = 'ACTIVE' AND g.enterprise_code = ANY($1::text[])`,
      [codes],
      {
        lock: true,
      },
    );
    if (active.length === 0) return [];
    const byId = new Map(active.map((g) => [g.id, g]));
    const chosen = new Map<string, { s: GrantSuspension; cause: SuspensionCause }>();
    for (const cause of causes) {
      const found = cause.result
        ? suspensionsForResult(cause.result, active)
        : cause.notification
          ? suspensionsForNotification(cause.notification, active)
          : [];
      for (const s of found) if (!chosen.has(s.grantId)) chosen.set(s.grantId, { s, cause });
    }
    return this.store.apply(
      m,
      [...chosen.values()].map(({ s, cause }) => ({
        before: byId.get(s.grantId)!,
        change: 'SUSPENDED' as const,
        to: 'SUSPENDED' as const,
        reason: s.reason,
        actor: cause.actor,
        evidence: { ...cause.evidence, hsCodes: s.hsCodes },
      })),
      at,
    );
  }
}
