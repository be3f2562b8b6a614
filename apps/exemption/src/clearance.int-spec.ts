// Across services, black-box: declaration-intake (from source, in child processes) and exemption share
// one topic prefix. A declaration covered by an active grant is released on the basis of the exemption;
// a FAIL result recorded at intake suspends the grant, and the next declaration is not exempt.
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildEvent, type ClearanceDecided, type ExemptionDecided, Topics } from '@cic/contracts';
import { KafkaProbe } from '@cic/platform-messaging';
import {
  freePort,
  runId,
  runService,
  spawnService,
  stopServices,
  testInfra,
  waitFor,
  waitReady,
} from '@cic/platform-testing';
import { type ExemptionHarness, parseEvents, startExemption, uscc } from './testing/exemption-harness';

const probe = new KafkaProbe(testInfra().brokers);
const ELECTRONICS = uscc('91320500MA1W8E2K0');
let h: ExemptionHarness;
let intakeEnv: Record<string, string>;
let intakeUrl = '';
let keys: { admin: string; operator: string; declarant: string };
const children: ChildProcess[] = [];
const topic = (t: { name: string }) => `${h.env.KAFKA_TOPIC_PREFIX}${t.name}`;

async function intake(method: string, path: string, key: string, body?: unknown) {
  const res = await fetch(`${intakeUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

/** The lane green-channel would publish (green-channel is not part of this test). */
async function lane(declarationId: string, laneName: 'YELLOW' | 'RED', hardStop = false): Promise<void> {
  const data = {
    declarationId,
    decidedAt: new Date().toISOString(),
    rulesetVersion: 'it/1',
    reasons: [],
    lane: laneName,
    hardStop,
    randomlySelected: false,
    greenChannelApproved: false,
    enterpriseCategory: 1,
    checks: [],
  };
  await probe.produce(topic(Topics.GreenChannelDecidedV1), [
    {
      key: declarationId,
      value: JSON.stringify(
        buildEvent(Topics.GreenChannelDecidedV1.name, { subject: declarationId, source: 'urn:cic:it', data }),
      ),
    },
  ]);
}

async function submit(ref: string): Promise<string> {
  const r = await intake('POST', '/v1/declarations', keys.declarant, {
    localRef: `${ref}-${runId()}`,
    declarant: { code: ELECTRONICS, name: 'Suzhou Lakeside Microelectronics Co., Ltd.' },
    kind: 'EXPORT',
    inspectionOffice: '320000',
    portOfExit: 'CNSHA',
    destinationCountry: 'KR',
    departureDate: new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 10),
    goods: [
      {
        lineNo: 1,
        hsCode: '8542310000',
        description: 'Processors and controllers, integrated circuits',
        quantity: { value: '5000', unit: 'PCS' },
        value: { amount: '210000.00', currency: 'USD' },
        originCountry: 'CN',
      },
    ],
    documents: [
      { kind: 'INVOICE', number: 'INV-X', sha256: 'a'.repeat(64) },
      { kind: 'PACKING_LIST', number: 'PL-X', sha256: 'b'.repeat(64) },
    ],
  });
  expect(r.status).toBe(202);
  return r.body.declarationId as string;
}

const exemptionOf = (id: string) =>
  waitFor(`exemption decision for ${id}`, async () =>
    parseEvents<ExemptionDecided>(await probe.readAll(topic(Topics.ExemptionDecidedV1))).find(
      (e) => e.subject === id,
    ),
  );
const clearanceOf = (id: string, revision = 1) =>
  waitFor(`clearance of ${id} (revision ${revision})`, async () =>
    parseEvents<ClearanceDecided>(await probe.readAll(topic(Topics.ClearanceDecidedV1))).find(
      (e) => e.subject === id && e.data.revision === revision,
    ),
  );

beforeAll(async () => {
  h = await startExemption();
  const port = await freePort();
  const run = runId();
  intakeEnv = {
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    DATABASE_URL: h.env.DATABASE_URL,
    KAFKA_BROKERS: h.env.KAFKA_BROKERS,
    KAFKA_TOPIC_PREFIX: h.env.KAFKA_TOPIC_PREFIX,
    DB_SCHEMA: `it_intake_${run}`,
    KAFKA_GROUP_ID: `it-intake-${run}`,
    PORT: String(port),
    WORKER_PORT: '0',
    DECISION_TIMEOUT_MS: '60000',
  };
  intakeUrl = `http://127.0.0.1:${port}`;
  await runService('apps/declaration-intake/src/migrate.ts', intakeEnv);
  children.push(
    spawnService('apps/declaration-intake/src/main.ts', intakeEnv),
    spawnService('apps/declaration-intake/src/worker.ts', intakeEnv),
  );
  await waitReady('intake', intakeUrl);
  const file = join(mkdtempSync(join(tmpdir(), 'it-keys-')), 'keys.json');
  await runService('apps/declaration-intake/src/cli/api-keys.cli.ts', intakeEnv, ['demo', '--file', file]);
  keys = JSON.parse(readFileSync(file, 'utf8'));
  await probe.connect();
}, 180_000);

afterAll(async () => {
  await stopServices(children);
  await probe.disconnect();
  await h?.ds.query(`DROP SCHEMA IF EXISTS "${intakeEnv.DB_SCHEMA}" CASCADE`);
  await h?.close();
});

it('releases a declaration covered by an active grant on the basis of the exemption; a FAIL result recorded at intake suspends the grant and the next declaration is not exempt', async () => {
  const grant = await h.call('POST', '/v1/grants', {
    body: { enterpriseCode: ELECTRONICS, productScope: ['8542'], approvalReference: `IT-GRANT-${runId()}` },
  });
  expect(grant.status).toBe(201);

  // Exempt, with a YELLOW lane that alone would mean document review: released because exempt.
  const first = await submit('EXEMPT');
  expect((await exemptionOf(first)).data).toMatchObject({
    exempt: true,
    lines: [{ lineNo: 1, exempt: true }],
  });
  await lane(first, 'YELLOW');
  const released = await clearanceOf(first);
  expect(released.data).toMatchObject({ outcome: 'RELEASED', basis: { lane: 'YELLOW', exempt: true } });

  // A red lane with a hard stop is inspected even when exempt; the inspection finds a FAIL.
  const second = await submit('FAILED');
  await exemptionOf(second);
  await lane(second, 'RED', true);
  expect((await clearanceOf(second)).data.outcome).toBe('INSPECTION_REQUIRED');
  const result = await intake('POST', `/v1/declarations/${second}/inspection-results`, keys.operator, {
    kind: 'PHYSICAL',
    lines: [{ lineNo: 1, outcome: 'FAIL', findings: ['solder joints fail the thermal cycling test'] }],
  });
  expect(result.status).toBe(201);
  expect((await clearanceOf(second, 2)).data.outcome).toBe('REFUSED');

  // intake's result.recorded.v1 reaches exemption, which suspends the grant at once.
  await waitFor('grant suspended', async () => {
    const g = await h.call('GET', `/v1/grants/${grant.body.id}`);
    return g.body?.status === 'SUSPENDED';
  });
  const third = await submit('AFTER');
  expect((await exemptionOf(third)).data).toMatchObject({
    exempt: false,
    lines: [{ lineNo: 1, exempt: false, reason: 'GRANT_SUSPENDED' }],
  });
});
