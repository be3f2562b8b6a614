// Reference data, history and approvals against a real PostgreSQL (a fresh schema per run); the
// services are called directly, without HTTP or Kafka.
import { randomBytes } from 'node:crypto';
import { usccCheckCharacter } from '@cic/contracts';
import { ProblemException } from '@cic/platform-http';
import { ensureDatabase, runMigrations } from '@cic/platform-persistence';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { ApprovalService } from '../approval/approval.service';
import { ApprovalStore } from '../approval/approval.store';
import { createGreenChannelDataSource } from '../data-source';
import { EnterpriseEventsService } from '../history/enterprise-events.service';
import { EnterprisesService } from './enterprises.service';
import { ReferenceImportService } from './reference-import.service';
import { canonicalEnterprise } from './reference.schemas';
import type { Actor } from './reference.sql';
import { RiskAlertsService } from './risk-alerts.service';
import { ZonesService } from './zones.service';

const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/cic_test';
const DB_SCHEMA = `gc_ref_${randomBytes(4).toString('hex')}`;
const config = { DB_SCHEMA, OFFICE_TIME_ZONE: 'Asia/Shanghai', MAX_IMPORT_BYTES: 32 * 1024 * 1024 };

const ADMIN: Actor = { name: 'reference-admin', keyId: 'key-admin-1' };
const OTHER_ADMIN: Actor = { name: 'second-admin', keyId: 'key-admin-2' };
const OPERATOR: Actor = { name: 'duty-operator', keyId: 'key-op-1' };

const uscc = (n: number) => {
  const first17 = `9133020000${String(n).padStart(7, '0')}`;
  return first17 + usccCheckCharacter(first17);
};
const ENTERPRISE_HEADER = 'code,name,tier,category,annualExportsUsd,certifications,zoneIds,historySince';

async function problemOf(promise: Promise<unknown>): Promise<Record<string, unknown> & { status: number }> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ProblemException)
      return { ...(error.getResponse() as Record<string, unknown>), status: error.getStatus() };
    throw error;
  }
  throw new Error('expected a problem');
}

describe('green-channel reference data (PostgreSQL)', () => {
  let db: DataSource;
  let enterprises: EnterprisesService;
  let zones: ZonesService;
  let alerts: RiskAlertsService;
  let imports: ReferenceImportService;
  let approvals: ApprovalService;
  let events: EnterpriseEventsService;
  let store: ApprovalStore;

  const count = async (table: string) =>
    Number((await db.query(`SELECT count(*) AS n FROM "${DB_SCHEMA}"."${table}"`))[0].n);
  const importCsv = (kind: 'enterprises' | 'zones' | 'risk-alerts', text: string, actor = ADMIN) =>
    imports.importBody(kind, { type: 'csv', text }, actor);

  beforeAll(async () => {
    await ensureDatabase(DATABASE_URL);
    db = createGreenChannelDataSource({ DATABASE_URL, DB_SCHEMA }, 'test');
    await db.initialize();
    await runMigrations(db);
    enterprises = new EnterprisesService(db, config);
    zones = new ZonesService(db, config);
    alerts = new RiskAlertsService(db, config);
    imports = new ReferenceImportService(db, config);
    store = new ApprovalStore(config);
    approvals = new ApprovalService(db, store, config);
    events = new EnterpriseEventsService(db, store, config);
  });

  afterAll(async () => {
    if (db?.isInitialized) {
      await db.query(`DROP SCHEMA IF EXISTS "${DB_SCHEMA}" CASCADE`);
      await db.destroy();
    }
  });

  it('imports a CSV: created, then unchanged, then updated, each change logged under one import id', async () => {
    const csv =
      'id,name,level,industry\r\nNB-AUTO,Ningbo auto parts,PROVINCIAL,auto parts\r\nSZ-ELEC,"Shenzhen electronics, IC",NATIONAL,integrated circuits\r\n';
    expect(await importCsv('zones', csv)).toMatchObject({ rows: 2, created: 2, updated: 0, unchanged: 0 });
    expect(await importCsv('zones', csv)).toMatchObject({ created: 0, updated: 0, unchanged: 2 });

    const changed =
      csv.replace('auto parts\r\n', 'gearboxes and harnesses\r\n') + 'ZJ-SOCK,Zhuji socks,NATIONAL,socks\r\n';
    const result = await importCsv('zones', changed, OTHER_ADMIN);
    expect(result).toMatchObject({ rows: 3, created: 1, updated: 1, unchanged: 1 });

    const log = await db.query(
      `SELECT "entity_id", "version", "action", "changed_by", "changed_by_key_id", "before", "after"
       FROM "${DB_SCHEMA}"."reference_changes" WHERE "import_id" = $1 ORDER BY "entity_id"`,
      [result.importId],
    );
    expect(log).toEqual([
      expect.objectContaining({
        entity_id: 'NB-AUTO',
        version: 2,
        action: 'IMPORT',
        changed_by: 'second-admin',
        changed_by_key_id: 'key-admin-2',
        before: expect.objectContaining({ industry: 'auto parts' }),
        after: expect.objectContaining({ industry: 'gearboxes and harnesses' }),
      }),
      expect.objectContaining({ entity_id: 'ZJ-SOCK', version: 1, action: 'IMPORT', before: null }),
    ]);
    expect((await zones.get('NB-AUTO')).version).toBe(2);
  });

  it('refuses a CSV with one bad row, naming its line and field, and writes nothing of it', async () => {
    const rows = Array.from(
      { length: 30 },
      (_, i) => `${uscc(500 + i)},Exporter ${i},REGULAR,2,${1000 + i}.00,,NB-AUTO,2020-01-01`,
    );
    // Data row 17 sits on line 18 of the file (the header is line 1).
    rows[16] = `${uscc(516)},Exporter 16,REGULAR,2,"1,000.00",,NB-AUTO,2020-01-01`;
    const before = await count('enterprises');
    const changesBefore = await count('reference_changes');

    const problem = await problemOf(importCsv('enterprises', [ENTERPRISE_HEADER, ...rows].join('\r\n')));
    expect(problem).toMatchObject({ status: 400, code: 'IMPORT_INVALID', errorCount: 1 });
    expect(problem.errors).toEqual([
      expect.objectContaining({
        pointer: '/rows/17/annualExportsUsd',
        code: 'FORMAT',
        line: 18,
        message: expect.stringContaining('line 18'),
      }),
    ]);
    expect(await count('enterprises')).toBe(before);
    expect(await count('reference_changes')).toBe(changesBefore);
  });

  it('refuses an import naming a zone not on file, with nothing written', async () => {
    const csv = `${ENTERPRISE_HEADER}\n${uscc(600)},A,REGULAR,1,1.00,,NB-AUTO,\n${uscc(601)},B,REGULAR,1,1.00,,NB-AUTO;NOWHERE,\n`;
    const problem = await problemOf(importCsv('enterprises', csv));
    expect(problem.errors).toEqual([
      expect.objectContaining({ pointer: '/rows/2/zoneIds/1', code: 'UNKNOWN_ZONE', line: 3 }),
    ]);
    await expect(enterprises.get(uscc(600))).rejects.toBeInstanceOf(ProblemException);
  });

  it('imports 10,000 enterprises in one go, then only what changed', async () => {
    const row = (i: number, exports: string) =>
      `${uscc(10_000 + i)},Exporter ${i},${i % 2 ? 'CERTIFIED' : 'REGULAR'},${(i % 4) + 1},${exports},ISO9001:Q-${i}:2024-01-01:2027-12-31,${i % 3 ? 'NB-AUTO' : 'SZ-ELEC;ZJ-SOCK'},2018-03-0${(i % 9) + 1}`;
    const first = [
      ENTERPRISE_HEADER,
      ...Array.from({ length: 10_000 }, (_, i) => row(i, `${1_000_000 + i}.00`)),
    ].join('\r\n');
    let started = Date.now();
    expect(await importCsv('enterprises', first)).toMatchObject({
      rows: 10_000,
      created: 10_000,
      updated: 0,
      unchanged: 0,
    });
    const firstMs = Date.now() - started;

    // Half of them change their exports figure ("2000000" and "2000000.00" are the same amount).
    const second = [
      ENTERPRISE_HEADER,
      ...Array.from({ length: 10_000 }, (_, i) => row(i, i % 2 ? `${2_000_000 + i}` : `${1_000_000 + i}`)),
    ].join('\r\n');
    started = Date.now();
    expect(await importCsv('enterprises', second)).toMatchObject({
      created: 0,
      updated: 5_000,
      unchanged: 5_000,
    });
    const secondMs = Date.now() - started;
    process.stdout.write(`10,000-row import: ${firstMs} ms, re-import with 5,000 changes: ${secondMs} ms\n`);
    expect(firstMs).toBeLessThan(10_000);

    const one = await enterprises.get(uscc(10_001));
    expect(one).toMatchObject({ version: 2, annualExportsUsd: '2000001.00', zoneIds: ['NB-AUTO'] });
    const page = await enterprises.list({ limit: 5, zone: 'SZ-ELEC', tier: 'REGULAR' });
    expect(page.items).toHaveLength(5);
    expect(page.items.every((e) => e.zoneIds.includes('SZ-ELEC') && e.tier === 'REGULAR')).toBe(true);
    const next = await enterprises.list({
      limit: 5,
      zone: 'SZ-ELEC',
      tier: 'REGULAR',
      cursor: page.nextCursor!,
    });
    expect(next.items[0].code > page.items[4].code).toBe(true);
  });

  it('imports 100,000 risk alerts and tells the lanes once', async () => {
    const listener = new Client({ connectionString: DATABASE_URL });
    await listener.connect();
    const notified: string[] = [];
    listener.on('notification', (n) => notified.push(n.channel));
    await listener.query(`LISTEN "${DB_SCHEMA}_risk_alerts"`);
    try {
      const header = 'hsPrefix,destinations,validFrom,validUntil,source,description';
      const lines = Array.from(
        { length: 100_000 },
        (_, i) =>
          `${8500 + (i % 100)}${String(i).padStart(6, '0')},US;JP,2025-01-01,,FOREIGN_NOTIFICATION,Notice ${i}`,
      );
      const started = Date.now();
      const result = await importCsv('risk-alerts', [header, ...lines].join('\n'));
      process.stdout.write(`100,000 risk alerts: ${Date.now() - started} ms\n`);
      expect(result).toMatchObject({ rows: 100_000, created: 100_000 });
      expect(await count('risk_alerts')).toBe(100_000);
      // Without ids, the same content again is recognised and left alone.
      expect(await importCsv('risk-alerts', [header, ...lines.slice(0, 1000)].join('\n'))).toMatchObject({
        created: 0,
        unchanged: 1000,
      });
      const deadline = Date.now() + 5000;
      while (notified.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(notified[0]).toBe(`${DB_SCHEMA}_risk_alerts`);
    } finally {
      await listener.end();
    }
  });

  it('keeps a version log of who changed what and when, and refuses a stale version', async () => {
    const code = uscc(700);
    const body = {
      name: 'Wood Flooring Ltd',
      tier: 'CERTIFIED' as const,
      category: 2,
      annualExportsUsd: '3000000',
      certifications: [],
      zoneIds: [],
      historySince: '2015-01-01',
    };
    const t0 = Date.now();
    expect((await enterprises.put(canonicalEnterprise(code, body), undefined, ADMIN)).outcome).toBe(
      'created',
    );
    expect((await enterprises.put(canonicalEnterprise(code, body), 1, ADMIN)).outcome).toBe('unchanged');
    const updated = await enterprises.put(
      canonicalEnterprise(code, { ...body, category: 1 }),
      1,
      OTHER_ADMIN,
    );
    expect(updated).toMatchObject({
      outcome: 'updated',
      enterprise: { version: 2, updatedBy: 'second-admin' },
    });

    const stale = await problemOf(
      enterprises.put(canonicalEnterprise(code, { ...body, category: 3 }), 1, ADMIN),
    );
    expect(stale).toMatchObject({ status: 409, code: 'VERSION_CONFLICT', currentVersion: 2 });

    const log = await enterprises.versions(code, { limit: 10, afterVersion: 0 });
    expect(log.items).toEqual([
      expect.objectContaining({
        version: 1,
        action: 'CREATE',
        changedBy: { name: 'reference-admin', keyId: 'key-admin-1' },
        before: null,
        after: expect.objectContaining({ category: 2, annualExportsUsd: '3000000.00' }),
      }),
      expect.objectContaining({
        version: 2,
        action: 'UPDATE',
        changedBy: { name: 'second-admin', keyId: 'key-admin-2' },
        before: expect.objectContaining({ category: 2 }),
        after: expect.objectContaining({ category: 1 }),
      }),
    ]);
    for (const item of log.items) {
      expect(Date.parse(item.changedAt)).toBeGreaterThanOrEqual(t0 - 5000);
      expect(Date.parse(item.changedAt)).toBeLessThanOrEqual(Date.now() + 5000);
    }
  });

  it('logs risk alert create, replace and delete, and refuses to delete a zone in use', async () => {
    const created = await alerts.create(
      {
        hsPrefix: '4418',
        destinations: ['AU'],
        validFrom: '2026-01-01',
        validUntil: null,
        source: 'TRADE_MEASURE',
        description: 'Flooring',
      },
      ADMIN,
    );
    await alerts.put({ ...created, description: 'Flooring, formaldehyde' }, created.version, ADMIN);
    await alerts.delete(created.id, 2, OTHER_ADMIN);
    const log = await alerts.versions(created.id, { limit: 10, afterVersion: 0 });
    expect(log.items.map((i) => [i.version, i.action, i.changedBy.name])).toEqual([
      [1, 'CREATE', 'reference-admin'],
      [2, 'UPDATE', 'reference-admin'],
      [3, 'DELETE', 'second-admin'],
    ]);
    expect(await problemOf(zones.delete('NB-AUTO', undefined, ADMIN))).toMatchObject({
      status: 409,
      code: 'ZONE_IN_USE',
    });
  });

  describe('green-channel approval', () => {
    const qualifying = (code: string) =>
      canonicalEnterprise(code, {
        name: 'Gearbox Exporter',
        tier: 'ADVANCED_CERTIFIED',
        category: 1,
        annualExportsUsd: '5000000.00',
        certifications: [
          { standard: 'ISO9001', number: 'CN-Q-1', validFrom: '2000-01-01', validUntil: '2999-12-31' },
        ],
        zoneIds: ['NB-AUTO'],
        historySince: '2010-01-01',
      });

    it('suspends an APPROVED enterprise at once on a foreign notification, with a timeline row', async () => {
      const code = uscc(800);
      await enterprises.put(qualifying(code), undefined, ADMIN);
      expect(await approvals.view(code)).toMatchObject({ status: 'NONE', qualifiesToday: true });
      expect(await approvals.approve(code, ADMIN)).toMatchObject({ status: 'APPROVED' });

      const { event, approvalSuspended } = await events.record(
        code,
        {
          kind: 'FOREIGN_NOTIFICATION',
          occurredOn: '2026-11-30',
          reference: 'RASFF-2026.1234',
          hsCode: '8708',
        },
        OPERATOR,
      );
      expect(approvalSuspended).toBe(true);
      expect(await approvals.view(code)).toMatchObject({ status: 'SUSPENDED' });

      const timeline = await approvals.timeline(code, { limit: 10, afterId: '0' });
      expect(timeline.items.map((e) => [e.action, e.fromStatus, e.toStatus])).toEqual([
        ['APPROVE', 'NONE', 'APPROVED'],
        ['SUSPEND', 'APPROVED', 'SUSPENDED'],
      ]);
      expect(timeline.items[1]).toMatchObject({
        reasonCode: 'FOREIGN_NOTIFICATION',
        actor: 'duty-operator',
        evidence: expect.objectContaining({ eventId: event.id }),
      });

      // A second notification finds nothing to suspend; reinstating is possible (it still qualifies).
      const again = await events.record(
        code,
        { kind: 'FOREIGN_NOTIFICATION', occurredOn: '2026-12-01' },
        OPERATOR,
      );
      expect(again.approvalSuspended).toBe(false);
      expect(await approvals.reinstate(code, ADMIN)).toMatchObject({ status: 'APPROVED' });
      expect((await events.list(code, { limit: 10, offset: 0 })).total).toBe(2);
    });

    it('refuses to approve when a criterion fails, listing it, and names the states of an illegal move', async () => {
      const code = uscc(801);
      await enterprises.put({ ...qualifying(code), category: 3 }, undefined, ADMIN);
      await events.record(code, { kind: 'PENALTY', occurredOn: '2026-06-01', reference: 'PEN-7' }, OPERATOR);

      const refused = await problemOf(approvals.approve(code, ADMIN));
      expect(refused).toMatchObject({
        status: 409,
        code: 'NOT_QUALIFIED',
        currentStatus: 'NONE',
        wantedStatus: 'APPROVED',
      });
      expect((refused.failedCriteria as { id: string }[]).map((c) => c.id)).toEqual([
        'NO_ADMINISTRATIVE_PENALTIES',
        'ENTERPRISE_CATEGORY',
      ]);
      expect(await approvals.view(code)).toMatchObject({ status: 'NONE', qualifiesToday: false });

      const illegal = await problemOf(approvals.reinstate(code, ADMIN));
      expect(illegal).toMatchObject({
        status: 409,
        code: 'ILLEGAL_TRANSITION',
        currentStatus: 'NONE',
        wantedStatus: 'APPROVED',
      });
      expect(await problemOf(approvals.view(uscc(999)))).toMatchObject({ status: 404 });
    });

    it('suspendMany suspends only the APPROVED ones, set-based', async () => {
      const [a, b, c] = [uscc(810), uscc(811), uscc(812)];
      for (const code of [a, b]) {
        await enterprises.put(qualifying(code), undefined, ADMIN);
        await approvals.approve(code, ADMIN);
      }
      await enterprises.put(qualifying(c), undefined, ADMIN);
      const item = (enterpriseCode: string) => ({
        enterpriseCode,
        reasonCode: 'INSPECTION_FAIL',
        reason: 'FAIL result',
        actor: 'inspection-consumer',
        evidence: { declarationId: 'd-1' },
      });
      const suspended = await db.transaction((m) =>
        store.suspendMany(m, [item(a), item(b), item(c), item(a)]),
      );
      expect(suspended.sort()).toEqual([a, b].sort());
      expect(await approvals.view(c)).toMatchObject({ status: 'NONE' });
      const timeline = await approvals.timeline(a, { limit: 10, afterId: '0' });
      expect(timeline.items.filter((e) => e.action === 'SUSPEND')).toHaveLength(1);
    });
  });
});
