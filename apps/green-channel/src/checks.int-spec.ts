// Slow checks under faults: a worker killed in the middle of a check, and a check that never answers.
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { type CloudEvent, type GreenChannelDecided, Topics } from '@cic/contracts';
import { KafkaProbe } from '@cic/platform-messaging';
import { testInfra, waitFor } from '@cic/platform-testing';
import {
  accepted,
  acceptedMessage,
  type GreenChannelHarness,
  putEnterprise,
  startGreenChannel,
  uscc,
} from './testing/green-channel-harness';

const ROOT = join(__dirname, '../../..');
const probe = new KafkaProbe(testInfra().brokers);
const ENTERPRISE = uscc('91330200MA2H4K7L3');
const CONTENT = 'the invoice as issued';
const sha = createHash('sha256').update(CONTENT).digest('hex');

let h: GreenChannelHarness;
let server: Server;
let base = '';
const hits = new Map<string, number>();
/** Paths whose next request is held without an answer (the fetch hangs). */
const holdNext = new Set<string>();
const held: ServerResponse[] = [];

function onRequest(req: IncomingMessage, res: ServerResponse) {
  const path = req.url ?? '/';
  hits.set(path, (hits.get(path) ?? 0) + 1);
  if (path.startsWith('/never') || holdNext.delete(path)) {
    held.push(res);
    return;
  }
  res.end(CONTENT);
}

async function decisions(id: string): Promise<Array<CloudEvent<string, GreenChannelDecided>>> {
  return (await probe.readAll(h.topic(Topics.GreenChannelDecidedV1)))
    .map((m) => JSON.parse(m.value!) as CloudEvent<string, GreenChannelDecided>)
    .filter((e) => e.subject === id);
}

function spawnWorker(): ChildProcess {
  return spawn(process.execPath, ['-r', './scripts/register.js', 'apps/green-channel/src/worker.ts'], {
    cwd: ROOT,
    env: { ...process.env, ...h.env, WORKER_PORT: '0' },
    stdio: 'ignore',
  });
}

beforeAll(async () => {
  server = createServer(onRequest);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  h = await startGreenChannel(
    {
      DOCUMENT_ALLOWED_HOSTS: '127.0.0.1',
      DOCUMENT_ALLOW_PRIVATE: 'true',
      DOCUMENT_ALLOW_HTTP: 'true',
      DOCUMENT_TIMEOUT_MS: '120000',
      CHECK_DEADLINE_MS: '90000',
    },
    { worker: false },
  );
  await putEnterprise(h, { code: ENTERPRISE, tier: 'REGULAR', category: 2 });
  await probe.connect();
});
afterAll(async () => {
  for (const res of held) res.destroy();
  server?.closeAllConnections();
  server?.close();
  await probe.disconnect();
  await h?.close();
});

function withDocument(path: string) {
  return accepted({
    declarant: { code: ENTERPRISE, name: 'E' },
    documents: [
      { kind: 'INVOICE', number: `INV${path.replace(/\W/g, '-')}`, sha256: sha, uri: `${base}${path}` },
      { kind: 'PACKING_LIST', number: 'PL-1', sha256: 'b'.repeat(64) },
    ],
  });
}

it('takes up again a check whose worker was killed mid-fetch, and publishes the decision once', async () => {
  const d = withDocument('/killed.pdf');
  holdNext.add('/killed.pdf');
  const doomed = spawnWorker();
  try {
    await probe.produce(h.topic(Topics.DeclarationAcceptedV1), [acceptedMessage(d)]);
    // The child worker is inside the fetch (the server holds the answer): kill it there.
    await waitFor('the child worker fetching', () => (hits.get('/killed.pdf') ?? 0) >= 1, {
      timeoutMs: 60_000,
    });
  } finally {
    doomed.kill('SIGKILL');
  }
  await new Promise((r) => doomed.once('exit', r));
  const [pending] = await h.ds.query(
    `SELECT status FROM "${h.config.DB_SCHEMA}"."lane_requests" WHERE declaration_id = $1`,
    [d.declarationId],
  );
  expect(pending.status).toBe('PENDING');
  // Another worker takes the stalled job once its lock runs out.
  await h.startWorker();
  const [e] = await waitFor(
    'decision after the restart',
    async () => {
      const found = await decisions(d.declarationId);
      return found.length > 0 && found;
    },
    { timeoutMs: 60_000 },
  );
  expect(hits.get('/killed.pdf')).toBeGreaterThanOrEqual(2);
  expect(e.data.checks.find((c) => c.name === 'document-verification')?.outcome).toBe('PASS');
  // Still one decision a while later, and the check recorded once.
  await new Promise((r) => setTimeout(r, 2000));
  expect(await decisions(d.declarationId)).toHaveLength(1);
  const checks = await h.ds.query(
    `SELECT check_name, status, attempts FROM "${h.config.DB_SCHEMA}"."lane_checks" WHERE declaration_id = $1 ORDER BY check_name`,
    [d.declarationId],
  );
  expect(
    checks.every((c: { status: string; attempts: number }) => c.status === 'DONE' && c.attempts === 1),
  ).toBe(true);
});

it('decides YELLOW with CHECK_TIMEOUT when a check never answers by the deadline', async () => {
  const d = withDocument('/never.pdf');
  await probe.produce(h.topic(Topics.DeclarationAcceptedV1), [acceptedMessage(d)]);
  await waitFor('the fetch hanging', () => (hits.get('/never.pdf') ?? 0) >= 1, { timeoutMs: 60_000 });
  // The deadline passes (brought forward rather than waited for).
  await h.ds.query(
    `UPDATE "${h.config.DB_SCHEMA}"."lane_requests" SET due_at = now() WHERE declaration_id = $1`,
    [d.declarationId],
  );
  const [e] = await waitFor('decision at the deadline', async () => {
    const found = await decisions(d.declarationId);
    return found.length > 0 && found;
  });
  expect(e.data.lane).toBe('YELLOW');
  expect(e.data.reasons.map((r) => r.code)).toContain('CHECK_TIMEOUT');
  expect(e.data.checks.find((c) => c.name === 'document-verification')?.outcome).toBe('TIMEOUT');
  const [lane] = await h.ds.query(
    `SELECT decided_by FROM "${h.config.DB_SCHEMA}"."lane_requests" WHERE declaration_id = $1`,
    [d.declarationId],
  );
  expect(lane.decided_by).toBe('deadline');
  // The check it did not wait for is abandoned: never dispatched again, nor counted as waiting.
  const checks: Array<{ kind: string; status: string }> = await h.ds.query(
    `SELECT kind, status FROM "${h.config.DB_SCHEMA}"."lane_checks" WHERE declaration_id = $1`,
    [d.declarationId],
  );
  expect(checks.find((c) => c.kind === 'document')?.status).toBe('ABANDONED');
  expect(checks.filter((c) => c.status === 'PENDING')).toEqual([]);
});
