// Exemption on the real stack: accepted declarations in, decided events out; results and foreign
// notifications suspending grants; applications, grants and their transitions over HTTP.
import { randomUUID } from 'node:crypto';
import { type ExemptionDecided, type ExemptionGrantChanged, Topics } from '@cic/contracts';
import { KafkaProbe } from '@cic/platform-messaging';
import { testInfra, waitFor } from '@cic/platform-testing';
import {
  accepted,
  acceptedMessage,
  type ExemptionHarness,
  parseEvents,
  resultMessage,
  startExemption,
  uscc,
} from './testing/exemption-harness';

const probe = new KafkaProbe(testInfra().brokers);
let h: ExemptionHarness;

const ELECTRONICS = uscc('91320500MA1W8E2K0');
const GEARBOX = uscc('91330200MA2H4K7L3');
const FLOORING = uscc('91330200796000000');
const today = () => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());
const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString();

async function decisions(declarationId: string) {
  const all = parseEvents<ExemptionDecided>(await probe.readAll(h.topic(Topics.ExemptionDecidedV1)));
  return all.filter((e) => e.subject === declarationId);
}
const decided = (declarationId: string) =>
  waitFor(`exemption decision for ${declarationId}`, async () => {
    const found = await decisions(declarationId);
    return found.length > 0 && found;
  });
async function grantEvents(grantId: string) {
  const all = parseEvents<ExemptionGrantChanged>(
    await probe.readAll(h.topic(Topics.ExemptionGrantChangedV1)),
  );
  return all.filter((e) => e.subject === grantId).map((e) => e.data);
}

async function createGrant(body: Record<string, unknown>) {
  const r = await h.call('POST', '/v1/grants', { body });
  expect(r.status).toBe(201);
  return r.body as { id: string; status: string; validFrom: string; validUntil: string };
}

beforeAll(async () => {
  h = await startExemption({}, { worker: false });
  await probe.connect();
});
afterAll(async () => {
  await probe.disconnect();
  await h?.close();
});

describe('decisions per accepted declaration', () => {
  let grantId: string;

  it('exempts a declaration whose every line an ACTIVE grant covers, once, however often the event comes', async () => {
    const grant = await createGrant({
      enterpriseCode: ELECTRONICS,
      productScope: ['8542'],
      approvalReference: `IT-MY-${randomUUID().slice(0, 8)}`,
    });
    grantId = grant.id;
    expect(grant).toMatchObject({ status: 'ACTIVE', validFrom: today() });
    expect(grant.validUntil.slice(0, 4)).toBe(String(Number(today().slice(0, 4)) + 3));
    const [granted] = await waitFor('GRANTED event', async () => {
      const e = await grantEvents(grantId);
      return e.length > 0 && e;
    });
    expect(granted).toMatchObject({
      change: 'GRANTED',
      status: 'ACTIVE',
      previousStatus: null,
      scope: ['8542'],
    });

    const d = accepted({ declarant: { code: ELECTRONICS, name: 'E' } });
    const eventId = randomUUID();
    await probe.produce(h.topic(Topics.DeclarationAcceptedV1), [acceptedMessage(d, eventId)]);
    const [first] = await decided(d.declarationId);
    expect(first.data).toMatchObject({
      declarationId: d.declarationId,
      exempt: true,
      lines: [{ lineNo: 1, exempt: true, grantId, reason: 'COVERED_BY_GRANT' }],
    });
    expect(first.data.rulesetVersion).toBe('exemption/2026.1');

    // The same event again, and the same declaration under a new event id: no second decision.
    await probe.produce(h.topic(Topics.DeclarationAcceptedV1), [
      acceptedMessage(d, eventId),
      acceptedMessage(d),
    ]);
    const marker = accepted({ declarant: { code: ELECTRONICS, name: 'E' } });
    await probe.produce(h.topic(Topics.DeclarationAcceptedV1), [acceptedMessage(marker)]);
    await decided(marker.declarationId);
    expect(await decisions(d.declarationId)).toHaveLength(1);
    const stored = await h.call('GET', `/v1/decisions/${d.declarationId}`, { key: 'operator' });
    expect(stored.status).toBe(200);
    expect(stored.body).toMatchObject({ eventId: first.id, exempt: true });
  });

  it('names every line: a declaration with one uncovered line is not exempt', async () => {
    const d = accepted({
      declarant: { code: ELECTRONICS, name: 'E' },
      goods: [
        accepted().goods[0],
        { ...accepted().goods[0], lineNo: 2, hsCode: '8541100000', description: 'Diodes' },
        { ...accepted().goods[0], lineNo: 3, hsCode: '0302110000', description: 'Fresh trout' },
      ],
    });
    await probe.produce(h.topic(Topics.DeclarationAcceptedV1), [acceptedMessage(d)]);
    const [e] = await decided(d.declarationId);
    expect(e.data.exempt).toBe(false);
    expect(e.data.lines).toEqual([
      { lineNo: 1, exempt: true, grantId, reason: 'COVERED_BY_GRANT' },
      { lineNo: 2, exempt: false, reason: 'SCOPE_MISMATCH' },
      { lineNo: 3, exempt: false, reason: 'NON_EXEMPTIBLE_CATEGORY' },
    ]);
    expect(e.data.reasons).toHaveLength(3);
  });

  it('a FAIL result for a covered product suspends the grant at once, and the next declaration is not exempt', async () => {
    const result = {
      declarationId: randomUUID(),
      enterpriseCode: ELECTRONICS,
      kind: 'SAMPLING' as const,
      recordedBy: 'inspector-7',
      recordedAt: new Date().toISOString(),
      lines: [{ lineNo: 1, hsCode: '8542310000', outcome: 'FAIL' as const, findings: ['solder voids'] }],
    };
    await probe.produce(h.topic(Topics.InspectionResultRecordedV1), [resultMessage(result)]);
    const suspended = await waitFor('SUSPENDED event', async () =>
      (await grantEvents(grantId)).find((e) => e.change === 'SUSPENDED'),
    );
    expect(suspended).toMatchObject({
      status: 'SUSPENDED',
      previousStatus: 'ACTIVE',
      changedBy: 'inspector-7',
    });
    expect(suspended.reason?.code).toBe('INSPECTION_FAILED');
    const view = await h.call('GET', `/v1/grants/${grantId}`, { key: 'operator' });
    expect(view.body).toMatchObject({
      status: 'SUSPENDED',
      allowedActions: ['REINSTATE', 'REVOKE', 'EXPIRE'],
    });
    expect(view.body.history.map((x: { change: string }) => x.change)).toEqual(['GRANTED', 'SUSPENDED']);

    const d = accepted({ declarant: { code: ELECTRONICS, name: 'E' } });
    await probe.produce(h.topic(Topics.DeclarationAcceptedV1), [acceptedMessage(d)]);
    const [e] = await decided(d.declarationId);
    expect(e.data).toMatchObject({
      exempt: false,
      lines: [{ lineNo: 1, exempt: false, reason: 'GRANT_SUSPENDED' }],
    });

    // The same result replayed under a new event id after a reinstatement does not suspend again.
    const reinstated = await h.call('POST', `/v1/grants/${grantId}/reinstate`, {
      body: { reason: 'retest passed' },
    });
    expect(reinstated.status).toBe(200);
    await probe.produce(h.topic(Topics.InspectionResultRecordedV1), [resultMessage(result)]);
    const marker = accepted({ declarant: { code: ELECTRONICS, name: 'E' } });
    await probe.produce(h.topic(Topics.DeclarationAcceptedV1), [acceptedMessage(marker)]);
    await decided(marker.declarationId);
    await waitFor('the replayed result handled', async () => {
      const [{ n }] = await h.ds.query(
        `SELECT count(*)::int AS n FROM "${h.config.DB_SCHEMA}"."inbox" WHERE topic LIKE '%result.recorded%'`,
      );
      return n >= 2;
    });
    expect((await h.call('GET', `/v1/grants/${grantId}`)).body.status).toBe('ACTIVE');
  });

  it('an illegal transition is a 409 naming the current and wanted status', async () => {
    const revoked = await h.call('POST', `/v1/grants/${grantId}/revoke`, { body: { reason: 'fraud' } });
    expect(revoked.status).toBe(200);
    expect(revoked.body.status).toBe('REVOKED');
    const r = await h.call('POST', `/v1/grants/${grantId}/reinstate`, { body: { reason: 'again' } });
    expect(r.status).toBe(409);
    expect(r.body).toMatchObject({
      code: 'ILLEGAL_TRANSITION',
      currentStatus: 'REVOKED',
      wantedStatus: 'ACTIVE',
      allowedActions: [],
    });
    expect(r.body.detail).toContain('REVOKED -> ACTIVE');
    const events = await waitFor('REVOKED event', async () => {
      const e = await grantEvents(grantId);
      return e.some((x) => x.change === 'REVOKED') && e;
    });
    expect(events.map((e) => e.change)).toEqual(['GRANTED', 'SUSPENDED', 'REINSTATED', 'REVOKED']);
  });

  it('a foreign notification on a covered product suspends the grant; the same reference again changes nothing', async () => {
    const grant = await createGrant({
      enterpriseCode: FLOORING,
      productScope: ['4418730000'],
      approvalReference: `IT-MY-${randomUUID().slice(0, 8)}`,
    });
    const other = await createGrant({
      enterpriseCode: FLOORING,
      productScope: ['9403'],
      approvalReference: `IT-MY-${randomUUID().slice(0, 8)}`,
    });
    const body = { reference: `RASFF-${randomUUID().slice(0, 6)}`, hsCode: '441873', detail: 'formaldehyde' };
    const r = await h.call('POST', `/v1/enterprises/${FLOORING}/foreign-notifications`, { body });
    expect(r.status).toBe(201);
    expect(r.body.suspendedGrantIds).toEqual([grant.id]);
    expect((await h.call('GET', `/v1/grants/${grant.id}`)).body.status).toBe('SUSPENDED');
    expect((await h.call('GET', `/v1/grants/${other.id}`)).body.status).toBe('ACTIVE');
    const again = await h.call('POST', `/v1/enterprises/${FLOORING}/foreign-notifications`, { body });
    expect(again.status).toBe(200);
    const suspended = await waitFor('SUSPENDED event', async () =>
      (await grantEvents(grant.id)).find((e) => e.change === 'SUSPENDED'),
    );
    expect(suspended.reason?.code).toBe('FOREIGN_NOTIFICATION');
  });
});

describe('applications', () => {
  it('qualifies with 3 years of passed inspections and a valid ISO 9001, lists every condition, and grants once', async () => {
    const results = [10, 400, 760].map((days) => ({
      declarationId: randomUUID(),
      enterpriseCode: GEARBOX,
      kind: 'PHYSICAL' as const,
      recordedBy: 'inspector-1',
      recordedAt: daysAgo(days),
      lines: [{ lineNo: 1, hsCode: '8708409100', outcome: 'PASS' as const, findings: [] }],
    }));
    await probe.produce(
      h.topic(Topics.InspectionResultRecordedV1),
      results.map((r) => resultMessage(r)),
    );
    const cert = await h.call('POST', `/v1/enterprises/${GEARBOX}/certificates`, {
      body: {
        standard: 'ISO 9001:2015',
        number: 'CN-QMS-1',
        validFrom: '2024-01-01',
        validUntil: '2099-12-31',
      },
    });
    expect(cert.status).toBe(201);
    await waitFor('results recorded', async () => {
      const r = await h.call('GET', `/v1/enterprises/${GEARBOX}/exemption-record`, { key: 'operator' });
      const n = r.body.resultsByHeadingAndYear.reduce(
        (s: number, x: { results: number }) => s + x.results,
        0,
      );
      return n >= 3;
    });

    const app = await h.call('POST', '/v1/applications', {
      body: { enterpriseCode: GEARBOX, productScope: ['870840'] },
    });
    expect(app.status).toBe(201);
    expect(app.body.qualifies).toBe(true);
    expect(app.body.conditions.map((c: { id: string; met: boolean }) => [c.id, c.met])).toEqual([
      ['ENTERPRISE_CODE', true],
      ['CLEAN_INSPECTION_HISTORY', true],
      ['NO_QUALITY_DISPUTES', true],
      ['QUALITY_CERTIFICATE', true],
      ['EXEMPTIBLE_PRODUCT', true],
    ]);

    const reference = `IT-APP-${randomUUID().slice(0, 8)}`;
    const grant = await createGrant({ applicationId: app.body.id, approvalReference: reference });
    expect(grant.status).toBe('ACTIVE');
    const again = await h.call('POST', '/v1/grants', {
      body: { applicationId: app.body.id, approvalReference: `${reference}-2` },
    });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('ALREADY_GRANTED');
    const dup = await h.call('POST', '/v1/grants', {
      body: { enterpriseCode: GEARBOX, productScope: ['8544'], approvalReference: reference },
    });
    expect(dup).toMatchObject({
      status: 409,
      body: { code: 'DUPLICATE_APPROVAL_REFERENCE', grantId: grant.id },
    });
    expect((await h.call('GET', `/v1/applications/${app.body.id}`)).body.grantId).toBe(grant.id);
  });

  it('explains each failed condition: a dispute, a year without results, food, no certificate', async () => {
    const code = uscc('91330100MA27XK1X0');
    await h.call('POST', `/v1/enterprises/${code}/disputes`, {
      body: { reference: 'CLAIM-1', occurredOn: today(), hsCode: '6115' },
    });
    const app = await h.call('POST', '/v1/applications', {
      body: { enterpriseCode: code, productScope: ['6115', '0302'] },
    });
    expect(app.status).toBe(201);
    expect(app.body.qualifies).toBe(false);
    const failed = Object.fromEntries(
      app.body.conditions
        .filter((c: { met: boolean }) => !c.met)
        .map((c: { id: string; message: string }) => [c.id, c.message]),
    );
    expect(Object.keys(failed)).toEqual([
      'CLEAN_INSPECTION_HISTORY',
      'NO_QUALITY_DISPUTES',
      'QUALITY_CERTIFICATE',
      'EXEMPTIBLE_PRODUCT',
    ]);
    expect(failed['NO_QUALITY_DISPUTES']).toContain('CLAIM-1');
    expect(failed['EXEMPTIBLE_PRODUCT']).toContain('0302');
    const grant = await h.call('POST', '/v1/grants', {
      body: { applicationId: app.body.id, approvalReference: 'X-1' },
    });
    expect(grant.status).toBe(409);
    expect(grant.body.code).toBe('NOT_QUALIFIED');
  });
});

describe('HTTP: roles and bad input', () => {
  it('lets operators read and only admins write; a declarant is refused', async () => {
    expect((await h.call('GET', '/v1/grants', { key: 'operator' })).status).toBe(200);
    expect((await h.call('GET', '/v1/grants', { key: 'declarant' })).status).toBe(403);
    expect((await h.call('GET', '/v1/grants', { key: null })).status).toBe(401);
    const r = await h.call('POST', '/v1/grants', {
      key: 'operator',
      body: { enterpriseCode: ELECTRONICS, productScope: ['8542'], approvalReference: 'OP-1' },
    });
    expect(r.status).toBe(403);
  });

  it('answers bad input with 400 and pointers, never 500', async () => {
    const cases: Array<[string, string, unknown, string[]]> = [
      [
        'POST',
        '/v1/grants',
        { enterpriseCode: 'X', productScope: ['84'], approvalReference: '' },
        ['/enterpriseCode', '/productScope/0', '/approvalReference'],
      ],
      [
        'POST',
        '/v1/grants',
        { enterpriseCode: ELECTRONICS, productScope: ['0302'], approvalReference: 'F-1' },
        ['/productScope/0'],
      ],
      [
        'POST',
        '/v1/grants',
        { applicationId: 'nope', approvalReference: 'A', extra: 1 },
        ['/applicationId', '/extra'],
      ],
      [
        'POST',
        '/v1/grants',
        {
          enterpriseCode: ELECTRONICS,
          productScope: ['8542'],
          approvalReference: 'D-1',
          validFrom: '2026-02-30',
        },
        ['/validFrom'],
      ],
      ['POST', '/v1/applications', { enterpriseCode: ELECTRONICS, productScope: [] }, ['/productScope']],
      [
        'POST',
        `/v1/enterprises/${ELECTRONICS}/certificates`,
        { standard: 'ISO9001', number: 'N', validFrom: '2026-01-02', validUntil: '2026-01-01' },
        ['/validUntil'],
      ],
      [
        'POST',
        `/v1/enterprises/${ELECTRONICS}/foreign-notifications`,
        { reference: 'R', hsCode: '4' },
        ['/hsCode'],
      ],
      ['POST', `/v1/grants/${randomUUID()}/suspend`, {}, ['/reason']],
      ['GET', '/v1/grants?status=GONE&limit=0', undefined, ['/status', '/limit']],
      ['GET', '/v1/grants/not-a-uuid', undefined, ['/id']],
      ['GET', '/v1/enterprises/123/exemption-record', undefined, ['/code']],
    ];
    for (const [method, path, body, pointers] of cases) {
      const r = await h.call(method, path, { body });
      expect({ path, status: r.status }).toEqual({ path, status: 400 });
      expect(r.body.errors.map((e: { pointer: string }) => e.pointer)).toEqual(
        expect.arrayContaining(pointers),
      );
    }
    const broken = await h.call('POST', '/v1/grants', { body: '{"enterpriseCode":' });
    expect(broken.status).toBe(400);
    expect((await h.call('GET', `/v1/grants/${randomUUID()}`)).status).toBe(404);
    expect(
      (await h.call('POST', `/v1/grants/${randomUUID()}/revoke`, { body: { reason: 'x' } })).status,
    ).toBe(404);
  });
});
