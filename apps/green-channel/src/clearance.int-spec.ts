// Across services, black-box: declaration-intake (compiled from source in child processes) and
// green-channel share one topic prefix. A declaration submitted to intake over HTTP gets its lane from
// green-channel, and intake's clearance follows it. Keys issued by intake work on green-channel.
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildEvent, type ExemptionDecided, type GreenChannelDecided, Topics } from '@cic/contracts';
import { DEFAULT_RULES, isRandomlySelected, selectionRate } from '@cic/green-channel-domain';
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
import {
  type GreenChannelHarness,
  putEnterprise,
  startGreenChannel,
  uscc,
} from './testing/green-channel-harness';

const probe = new KafkaProbe(testInfra().brokers);
const GEARBOX = '91330200MA2H4K7L3P';
const BUSES = uscc('91330200MA2B7U5T3');
let h: GreenChannelHarness;
let intakeUrl = '';
let keys: { admin: string; operator: string; declarant: string };
const children: ChildProcess[] = [];
let intakeEnv: Record<string, string>;

const intake = (entry: string, args: string[] = []) =>
  spawnService(`apps/declaration-intake/src/${entry}`, intakeEnv, args);
const run = (entry: string, args: string[]) =>
  runService(`apps/declaration-intake/src/${entry}`, intakeEnv, args);

async function http(base: string, method: string, path: string, key: string, body?: unknown) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

beforeAll(async () => {
  h = await startGreenChannel();
  await putEnterprise(h, { code: GEARBOX, tier: 'ADVANCED_CERTIFIED', category: 1 });
  await putEnterprise(h, { code: BUSES, tier: 'SERIOUSLY_DISCREDITED', category: 4 });
  const port = await freePort();
  const run_ = runId();
  intakeEnv = {
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    DATABASE_URL: h.env.DATABASE_URL,
    KAFKA_BROKERS: h.env.KAFKA_BROKERS,
    KAFKA_TOPIC_PREFIX: h.env.KAFKA_TOPIC_PREFIX,
    DB_SCHEMA: `it_intake_${run_}`,
    KAFKA_GROUP_ID: `it-intake-${run_}`,
    PORT: String(port),
    WORKER_PORT: '0',
    DECISION_TIMEOUT_MS: '60000',
  };
  intakeUrl = `http://127.0.0.1:${port}`;
  await run('migrate.ts', []);
  children.push(intake('main.ts'), intake('worker.ts'));
  await waitReady('intake', intakeUrl);
  const file = join(mkdtempSync(join(tmpdir(), 'it-keys-')), 'keys.json');
  await run('cli/api-keys.cli.ts', ['demo', '--file', file]);
  keys = JSON.parse(readFileSync(file, 'utf8'));
  await probe.connect();
}, 180_000);

afterAll(async () => {
  await stopServices(children);
  await probe.disconnect();
  await h?.ds.query(`DROP SCHEMA IF EXISTS "${intakeEnv.DB_SCHEMA}" CASCADE`);
  await h?.close();
});

function declaration(localRef: string, code: string) {
  return {
    localRef,
    declarant: { code, name: 'Demo exporter' },
    kind: 'EXPORT',
    inspectionOffice: '310000',
    portOfExit: 'CNNGB',
    destinationCountry: 'JP',
    departureDate: new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 10),
    goods: [
      {
        lineNo: 1,
        hsCode: '8708409100',
        description: 'Gearboxes for passenger vehicles',
        quantity: { value: '120', unit: 'SET' },
        value: { amount: '48000.00', currency: 'USD' },
        originCountry: 'CN',
      },
    ],
    documents: [
      { kind: 'INVOICE', number: 'INV-E2E', sha256: 'a'.repeat(64) },
      { kind: 'PACKING_LIST', number: 'PL-E2E', sha256: 'b'.repeat(64) },
    ],
  };
}

/** What the exemption service would answer: no line exempt (the exemption service is not part of this test). */
async function notExempt(declarationId: string): Promise<void> {
  const data: ExemptionDecided = {
    declarationId,
    decidedAt: new Date().toISOString(),
    rulesetVersion: 'it/1',
    reasons: [],
    exempt: false,
    lines: [{ lineNo: 1, exempt: false, reason: 'NO_GRANT' }],
  };
  await probe.produce(`${h.env.KAFKA_TOPIC_PREFIX}${Topics.ExemptionDecidedV1.name}`, [
    {
      key: declarationId,
      value: JSON.stringify(
        buildEvent(Topics.ExemptionDecidedV1.name, { subject: declarationId, source: 'urn:cic:it', data }),
      ),
    },
  ]);
}

async function submitUntilUnselected(code: string, tier: 'ADVANCED_CERTIFIED'): Promise<string> {
  // Random selection is keyed on the declarationId intake assigns: resubmit until the draw passes (a RED
  // by selection is correct behaviour, but this test shows the GREEN path).
  for (let i = 0; ; i++) {
    const r = await http(
      intakeUrl,
      'POST',
      '/v1/declarations',
      keys.declarant,
      declaration(`E2E-${runId()}-${i}`, code),
    );
    expect(r.status).toBe(202);
    const id = r.body.declarationId as string;
    if (!isRandomlySelected(id, selectionRate(tier, [], DEFAULT_RULES), h.config.SELECTION_KEY)) return id;
  }
}

it('a declaration submitted to intake gets its lane from green-channel, and intake releases on GREEN', async () => {
  const id = await submitUntilUnselected(GEARBOX, 'ADVANCED_CERTIFIED');
  const lane = await waitFor('green-channel lane', async () => {
    const found = (await probe.readAll(`${h.env.KAFKA_TOPIC_PREFIX}${Topics.GreenChannelDecidedV1.name}`))
      .map((m) => JSON.parse(m.value!) as { subject: string; data: GreenChannelDecided })
      .find((e) => e.subject === id);
    return found;
  });
  expect(lane.data.lane).toBe('GREEN');
  await notExempt(id);
  const cleared = await waitFor('intake clearance', async () => {
    const r = await http(intakeUrl, 'GET', `/v1/declarations/${id}`, keys.operator);
    return r.body?.outcome ? r.body : undefined;
  });
  expect(cleared.outcome).toBe('RELEASED');
  expect(cleared.decisions.greenChannel.lane).toBe('GREEN');
  // The operator key issued by intake works on green-channel too (replicated from its key topic).
  const view = await waitFor('key replicated to green-channel', async () => {
    const r = await http(h.url, 'GET', `/v1/lanes/${id}`, keys.operator);
    return r.status === 200 && r.body;
  });
  expect(view).toMatchObject({ status: 'DECIDED', lane: 'GREEN', decidedBy: 'inline' });
});

it('a hard stop from green-channel makes intake require inspection', async () => {
  const r = await http(
    intakeUrl,
    'POST',
    '/v1/declarations',
    keys.declarant,
    declaration(`E2E-RED-${runId()}`, BUSES),
  );
  expect(r.status).toBe(202);
  const id = r.body.declarationId as string;
  await notExempt(id);
  const cleared = await waitFor('intake clearance', async () => {
    const got = await http(intakeUrl, 'GET', `/v1/declarations/${id}`, keys.operator);
    return got.body?.outcome ? got.body : undefined;
  });
  expect(cleared.outcome).toBe('INSPECTION_REQUIRED');
  expect(cleared.decisions.greenChannel).toMatchObject({ lane: 'RED', hardStop: true });
});
