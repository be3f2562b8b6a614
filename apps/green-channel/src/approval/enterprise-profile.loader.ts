import type {
  DatedEvent,
  EnterpriseCategory,
  EnterpriseProfile,
  EnterpriseRecord,
  ZoneLevel,
} from '@cic/green-channel-domain';
import type { EntityManager } from 'typeorm';
import { ENTERPRISE_COLUMNS, enterpriseData, type EnterpriseRow } from '../reference/enterprises.service';
import { queryRows } from '../reference/reference.sql';

/**
 * The enterprise as the approval rules see it (profile with its zones) and its history from
 * enterprise_events; undefined when the enterprise is not on file.
 */
export async function loadEnterprise(
  m: Pick<EntityManager, 'query'>,
  schema: string,
  code: string,
): Promise<{ profile: EnterpriseProfile; record: EnterpriseRecord } | undefined> {
  const [row] = await queryRows<EnterpriseRow>(
    m,
    `SELECT ${ENTERPRISE_COLUMNS} FROM "${schema}"."enterprises" WHERE "code" = $1`,
    [code],
  );
  if (!row) return undefined;
  const data = enterpriseData(row);
  const zones = data.zoneIds.length
    ? await queryRows<{ id: string; name: string; level: ZoneLevel; industry: string }>(
        m,
        `SELECT "id", "name", "level", "industry" FROM "${schema}"."zones" WHERE "id" = ANY($1::text[]) ORDER BY "id"`,
        [data.zoneIds],
      )
    : [];
  const events = await queryRows<{ id: string; kind: string; occurred_on: string; reference: string | null }>(
    m,
    `SELECT "id"::text AS "id", "kind", to_char("occurred_on", 'YYYY-MM-DD') AS "occurred_on", "reference"
     FROM "${schema}"."enterprise_events"
     WHERE "enterprise_code" = $1 AND "kind" IN ('QUALITY_CLAIM', 'NON_COMPLIANT_DECLARATION', 'PENALTY', 'FOREIGN_NOTIFICATION')
     ORDER BY "occurred_on", "recorded_at"`,
    [code],
  );
  const of = (kind: string): DatedEvent[] =>
    events
      .filter((e) => e.kind === kind)
      .map((e) => ({ date: e.occurred_on, reference: e.reference ?? `event ${e.id}` }));
  return {
    profile: {
      code: data.code,
      name: data.name,
      tier: data.tier,
      category: data.category as EnterpriseCategory,
      annualExportsUsd: data.annualExportsUsd,
      certifications: data.certifications,
      zones: zones.map((z) => ({ zoneId: z.id, name: z.name, level: z.level, industry: z.industry })),
      historySince: data.historySince,
    },
    record: {
      qualityClaims: of('QUALITY_CLAIM'),
      nonCompliantDeclarations: of('NON_COMPLIANT_DECLARATION'),
      penalties: of('PENALTY'),
      foreignNotifications: of('FOREIGN_NOTIFICATION'),
    },
  };
}
