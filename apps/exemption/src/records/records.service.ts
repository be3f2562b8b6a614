import { randomUUID } from 'node:crypto';
import { normalizeStandard, toOfficeDate } from '@cic/exemption-domain';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Actor } from '../common/schemas';
import { queryRows } from '../common/sql';
import { EXEMPTION_CLOCK, EXEMPTION_CONFIG, type ExemptionConfig } from '../config';
import { GrantSuspender } from '../grants/grant-suspender';

export interface CertificateInput {
  standard: string;
  number: string;
  validFrom: string;
  validUntil: string;
}
export interface DisputeInput {
  reference: string;
  occurredOn: string;
  hsCode?: string;
  detail?: string;
}
export interface NotificationInput {
  reference: string;
  hsCode: string;
  notifiedOn?: string;
  detail?: string;
}

const d = (col: string, as: string) => `to_char(${col}, 'YYYY-MM-DD') AS "${as}"`;
const CERT = `id, standard, number, ${d('valid_from', 'validFrom')}, ${d('valid_until', 'validUntil')}, recorded_by AS "recordedBy", recorded_at AS "recordedAt"`;
const DISPUTE = `id, reference, ${d('occurred_on', 'occurredOn')}, hs_code AS "hsCode", detail, recorded_by AS "recordedBy", recorded_at AS "recordedAt"`;
const NOTIFICATION = `id, reference, hs_code AS "hsCode", ${d('notified_on', 'notifiedOn')}, detail, suspended_grant_ids AS "suspendedGrantIds", recorded_by AS "recordedBy", recorded_at AS "recordedAt"`;

/**
 * The evidence kept per enterprise beside the results learnt from events: ISO 9001 certificates and
 * quality disputes (read by application evaluations), and foreign notifications, which suspend the
 * grants they touch at once. Each is keyed by enterprise and its own number or reference, so recording
 * the same one again changes nothing (a certificate's validity is updated).
 */
@Injectable()
export class RecordsService {
  private readonly schema: string;

  constructor(
    private readonly db: DataSource,
    private readonly suspender: GrantSuspender,
    @Inject(EXEMPTION_CONFIG)
    private readonly config: Pick<ExemptionConfig, 'DB_SCHEMA' | 'OFFICE_TIME_ZONE'>,
    @Inject(EXEMPTION_CLOCK) private readonly clock: () => Date,
  ) {
    this.schema = config.DB_SCHEMA;
  }

  /** Creates or updates (same standard and number) a certificate; `created` tells which. */
  async putCertificate(code: string, c: CertificateInput, actor: Actor) {
    const [row] = await queryRows<Record<string, unknown> & { created: boolean }>(
      this.db,
      `INSERT INTO "${this.schema}"."certificates" AS c
         (id, enterprise_code, standard, standard_key, number, valid_from, valid_until, recorded_by)
       VALUES ($1, $2, $3, $4, $5, $6::date, $7::date, $8)
       ON CONFLICT (enterprise_code, standard_key, number) DO UPDATE
         SET standard = EXCLUDED.standard, valid_from = EXCLUDED.valid_from, valid_until = EXCLUDED.valid_until,
             recorded_by = EXCLUDED.recorded_by, recorded_at = now()
       RETURNING ${CERT}, (xmax = 0) AS created`,
      [
        randomUUID(),
        code,
        c.standard,
        normalizeStandard(c.standard),
        c.number,
        c.validFrom,
        c.validUntil,
        actor.name,
      ],
    );
    const { created, ...certificate } = row;
    return { created, certificate };
  }

  /** Records a dispute; the same reference again returns the one on file (created false). */
  async addDispute(code: string, x: DisputeInput, actor: Actor) {
    const [row] = await queryRows<Record<string, unknown>>(
      this.db,
      `INSERT INTO "${this.schema}"."quality_disputes" (id, enterprise_code, reference, occurred_on, hs_code, detail, recorded_by)
       VALUES ($1, $2, $3, $4::date, $5, $6, $7)
       ON CONFLICT (enterprise_code, reference) DO NOTHING RETURNING ${DISPUTE}`,
      [randomUUID(), code, x.reference, x.occurredOn, x.hsCode ?? null, x.detail ?? null, actor.name],
    );
    if (row) return { created: true, dispute: row };
    const [known] = await queryRows<Record<string, unknown>>(
      this.db,
      `SELECT ${DISPUTE} FROM "${this.schema}"."quality_disputes" WHERE enterprise_code = $1 AND reference = $2`,
      [code, x.reference],
    );
    return { created: false, dispute: known };
  }

  /**
   * Records a foreign notification and, in the same transaction, suspends the enterprise's ACTIVE grants
   * whose scope it touches (DOMAIN.md), each with its grant-changed event. The same reference again
   * returns the notification on file and suspends nothing.
   */
  async addNotification(code: string, x: NotificationInput, actor: Actor) {
    return this.db.transaction(async (m) => {
      const now = this.clock();
      const [row] = await queryRows<{ id: string }>(
        m,
        `INSERT INTO "${this.schema}"."foreign_notifications" (id, enterprise_code, reference, hs_code, notified_on, detail, recorded_by)
         VALUES ($1, $2, $3, $4, $5::date, $6, $7)
         ON CONFLICT (enterprise_code, reference) DO NOTHING RETURNING id`,
        [
          randomUUID(),
          code,
          x.reference,
          x.hsCode,
          x.notifiedOn ?? toOfficeDate(now, this.config.OFFICE_TIME_ZONE),
          x.detail ?? null,
          actor.name,
        ],
      );
      if (row) {
        const suspended = await this.suspender.suspend(
          m,
          [
            {
              notification: { enterpriseCode: code, hsCode: x.hsCode, reference: x.reference },
              actor: actor.name,
              evidence: { notificationId: row.id, reference: x.reference, keyId: actor.keyId },
            },
          ],
          now,
        );
        await m.query(
          `UPDATE "${this.schema}"."foreign_notifications" SET suspended_grant_ids = $2::uuid[] WHERE id = $1`,
          [row.id, suspended.map((g) => g.id)],
        );
      }
      const [notification] = await queryRows<Record<string, unknown>>(
        m,
        `SELECT ${NOTIFICATION} FROM "${this.schema}"."foreign_notifications" WHERE enterprise_code = $1 AND reference = $2`,
        [code, x.reference],
      );
      return { created: !!row, notification };
    });
  }

  /** Everything on file for an enterprise that the exemption rules read. */
  async record(code: string) {
    const s = this.schema;
    const [certificates, disputes, notifications, results] = await Promise.all([
      queryRows(
        this.db,
        `SELECT ${CERT} FROM "${s}"."certificates" WHERE enterprise_code = $1 ORDER BY valid_until DESC, number`,
        [code],
      ),
      queryRows(
        this.db,
        `SELECT ${DISPUTE} FROM "${s}"."quality_disputes" WHERE enterprise_code = $1 ORDER BY occurred_on DESC, reference`,
        [code],
      ),
      queryRows(
        this.db,
        `SELECT ${NOTIFICATION} FROM "${s}"."foreign_notifications" WHERE enterprise_code = $1 ORDER BY notified_on DESC, reference`,
        [code],
      ),
      queryRows(
        this.db,
        `SELECT substr(hs_code, 1, 4) AS heading, extract(year FROM result_date)::int AS year,
                count(*)::int AS results, (count(*) FILTER (WHERE outcome = 'FAIL'))::int AS failed
           FROM "${s}"."inspection_results" WHERE enterprise_code = $1
          GROUP BY 1, 2 ORDER BY 1, 2 DESC`,
        [code],
      ),
    ]);
    return {
      enterpriseCode: code,
      certificates,
      disputes,
      foreignNotifications: notifications,
      resultsByHeadingAndYear: results,
    };
  }
}
