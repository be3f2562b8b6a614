import { Topics } from '@cic/contracts';
import { KafkaProbe } from '@cic/platform-messaging';
import { testInfra, waitFor } from '@cic/platform-testing';
import { type IntakeHarness, startIntake } from './testing/intake-harness';

const infra = testInfra();
let h: IntakeHarness;
const probe = new KafkaProbe(infra.brokers, 'it-intake-dlq-probe');

async function http(method: string, path: string, key: string | undefined, body?: unknown) {
  const res = await fetch(`${h.url}${path}`, {
    method,
    headers: {
      ...(key ? { authorization: `Bearer ${key}` } : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return {
    status: res.status,
    type: res.headers.get('content-type') ?? '',
    body: text ? JSON.parse(text) : undefined,
  };
}

interface Item {
  id: string;
  key: string | null;
  status: string;
  replayOf: string | null;
  sourceTopic: string;
  errorCode: string;
}

async function openDeadLetters(): Promise<Item[]> {
  const res = await http('GET', '/v1/admin/dead-letters?status=OPEN&limit=100', h.keys.admin);
  expect(res.status).toBe(200);
  return res.body.items;
}

beforeAll(async () => {
  h = await startIntake();
  await probe.connect();
});
afterAll(async () => {
  await probe.disconnect();
  await h?.close();
});

describe('dead letters over HTTP', () => {
  it('is for admin keys only', async () => {
    const path = '/v1/admin/dead-letters';
    expect((await http('GET', path, undefined)).status).toBe(401);
    for (const key of [h.keys.operator, h.keys.declarantA]) {
      const res = await http('GET', path, key);
      expect(res.status).toBe(403);
      expect(res.type).toContain('application/problem+json');
      expect(res.body).toMatchObject({ code: 'FORBIDDEN' });
    }
    expect((await http('POST', `${path}/1/replay`, h.keys.operator)).status).toBe(403);
    expect((await http('POST', `${path}/1/discard`, h.keys.operator, { reason: 'x' })).status).toBe(403);
    expect((await http('POST', `${path}/replay-all`, h.keys.operator, {})).status).toBe(403);
    const ok = await http('GET', path, h.keys.admin);
    expect(ok).toMatchObject({ status: 200, body: { items: [], nextAfterId: null } });
  });

  it('lists, shows, discards with a reason and replays dead letters, each audited with the admin key', async () => {
    const topic = h.topic(Topics.DeclarationSubmittedV1);
    await probe.produce(topic, [
      { key: 'dlq-http-1', value: '{"not": json' },
      { key: 'dlq-http-2', value: 'neither {' },
    ]);
    const open = await waitFor('two dead letters', async () => {
      const items = await openDeadLetters();
      return items.length >= 2 && items;
    });
    expect(open.map((i) => i.errorCode)).toEqual(['MALFORMED_JSON', 'MALFORMED_JSON']);
    // Different keys may land on different partitions: tell them apart by key, not by order.
    const first = open.find((i) => i.key === 'dlq-http-1')!;
    const second = open.find((i) => i.key === 'dlq-http-2')!;
    expect(first.sourceTopic).toBe(topic);

    const shown = await http('GET', `/v1/admin/dead-letters/${first.id}`, h.keys.admin);
    expect(shown).toMatchObject({
      status: 200,
      body: { id: first.id, key: 'dlq-http-1', value: '{"not": json', status: 'OPEN', actions: [] },
    });
    expect((await http('GET', '/v1/admin/dead-letters/424242', h.keys.admin)).status).toBe(404);
    expect((await http('GET', '/v1/admin/dead-letters/abc', h.keys.admin)).status).toBe(404);
    expect((await http('GET', '/v1/admin/dead-letters?status=NOPE', h.keys.admin)).status).toBe(400);

    const noReason = await http('POST', `/v1/admin/dead-letters/${first.id}/discard`, h.keys.admin, {});
    expect(noReason.status).toBe(422);
    expect(noReason.type).toContain('application/problem+json');
    expect(noReason.body).toMatchObject({
      code: 'VALIDATION_FAILED',
      errors: [{ pointer: '/reason', code: 'REQUIRED' }],
    });
    const noBody = await http('POST', `/v1/admin/dead-letters/${first.id}/discard`, h.keys.admin);
    expect(noBody).toMatchObject({ status: 422, body: { errors: [{ pointer: '/reason' }] } });

    const discarded = await http('POST', `/v1/admin/dead-letters/${first.id}/discard`, h.keys.admin, {
      reason: 'garbage from a test',
    });
    expect(discarded).toMatchObject({
      status: 200,
      body: { id: first.id, status: 'DISCARDED', actor: 'admin:it-admin', reason: 'garbage from a test' },
    });
    const again = await http('POST', `/v1/admin/dead-letters/${first.id}/replay`, h.keys.admin);
    expect(again.status).toBe(409);
    expect(again.type).toContain('application/problem+json');
    expect(again.body).toMatchObject({
      code: 'DEAD_LETTER_NOT_OPEN',
      currentStatus: 'DISCARDED',
      requiredStatus: 'OPEN',
    });
    expect(again.body.detail).toMatch(/DISCARDED.*OPEN/);
    expect((await http('POST', '/v1/admin/dead-letters/424242/replay', h.keys.admin)).status).toBe(404);

    const replayed = await http('POST', `/v1/admin/dead-letters/${second.id}/replay`, h.keys.admin);
    expect(replayed).toMatchObject({
      status: 200,
      body: { id: second.id, status: 'REPLAYED', actor: 'admin:it-admin', replayedTo: { topic } },
    });
    // Still malformed: it comes back as a new OPEN dead letter pointing at the replayed one, once.
    const back = await waitFor('the replay dead-lettered again', async () => {
      const items = await openDeadLetters();
      return items.find((i) => i.replayOf === second.id);
    });
    expect(back.status).toBe('OPEN');

    const all = await http('POST', '/v1/admin/dead-letters/replay-all', h.keys.admin, { sourceTopic: topic });
    expect(all).toMatchObject({ status: 200, body: { considered: 1, replayed: [back.id], failed: [] } });

    const audit = await http('GET', `/v1/admin/dead-letters/${first.id}`, h.keys.admin);
    expect(audit.body.actions).toEqual([
      expect.objectContaining({ action: 'DISCARD', actor: 'admin:it-admin', reason: 'garbage from a test' }),
    ]);
    expect(Date.parse(audit.body.actions[0].at)).not.toBeNaN();
    const replayAudit = await http('GET', `/v1/admin/dead-letters/${second.id}`, h.keys.admin);
    expect(replayAudit.body).toMatchObject({
      status: 'REPLAYED',
      resolvedBy: 'admin:it-admin',
      replays: [back.id],
      actions: [{ action: 'REPLAY', actor: 'admin:it-admin', result: { state: 'DONE' } }],
    });
  });
});
