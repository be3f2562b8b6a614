import { Agent, request } from 'node:http';
import { buildEvent, type CloudEvent, Topics } from '@cic/contracts';
import { hashKey } from '@cic/platform-auth';
import { KafkaProbe, KafkaTransport, type HandledEvent, type RawMessage } from '@cic/platform-messaging';
import { pendingSchemaChanges } from '@cic/platform-persistence';
import { testInfra, waitFor } from '@cic/platform-testing';
import { createIntakeDataSource } from './data-source';
import { IntakeBatch } from './declarations/intake-batch';
import {
  DECLARANT_A,
  DECLARANT_B,
  declaration,
  type IntakeHarness,
  startIntake,
  decision,
} from './testing/intake-harness';

const infra = testInfra();
let h: IntakeHarness;
const probe = new KafkaProbe(infra.brokers, 'it-intake-probe');
const handled: HandledEvent[] = [];
let seq = 0;
const ref = (p: string) => `${p}-${Date.now().toString(36)}-${++seq}`;

async function http(
  method: string,
  path: string,
  key: string | undefined,
  body?: unknown,
  contentType = 'application/json',
) {
  const res = await fetch(`${h.url}${path}`, {
    method,
    headers: {
      ...(key ? { authorization: `Bearer ${key}` } : {}),
      ...(body !== undefined ? { 'content-type': contentType } : {}),
    },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return {
    status: res.status,
    type: res.headers.get('content-type') ?? '',
    body: text ? JSON.parse(text) : undefined,
  };
}

function submitted(d: ReturnType<typeof declaration>): RawMessage {
  const key = `${d.declarant.code}:${d.localRef}`;
  return {
    key,
    value: JSON.stringify(
      buildEvent(Topics.DeclarationSubmittedV1.name, { subject: key, source: 'urn:cic:it:customs', data: d }),
    ),
  };
}

async function outboxDrained(): Promise<void> {
  await waitFor('outbox drained', async () => {
    const [{ n }] = await h.ds.query(
      `SELECT count(*)::int AS n FROM "${h.config.DB_SCHEMA}"."outbox" WHERE published_at IS NULL`,
    );
    return n === 0;
  });
}

async function eventsFor<T>(
  topic: (typeof Topics)[keyof typeof Topics],
  declarationId: string,
): Promise<Array<CloudEvent<string, T>>> {
  const all = await probe.readAll(h.topic(topic));
  return all
    .map((m) => JSON.parse(m.value!) as CloudEvent<string, T>)
    .filter((e) => e.subject === declarationId);
}

async function clearanceEvents(declarationId: string, atLeast = 1) {
  return waitFor(`clearance event for ${declarationId}`, async () => {
    const events = await eventsFor<{
      outcome: string;
      revision: number;
      directRelease: boolean;
      elapsedMs: number;
      reasons: { code: string }[];
    }>(Topics.ClearanceDecidedV1, declarationId);
    return events.length >= atLeast && events;
  });
}

beforeAll(async () => {
  h = await startIntake({
    DECISION_TIMEOUT_MS: '6000',
    TIMEOUT_SWEEP_MS: '300',
    MAX_DECLARATION_BYTES: '65536',
  });
  h.api.get(KafkaTransport).on('handled', (e) => handled.push(e));
  await probe.connect();
});
afterAll(async () => {
  await probe.disconnect();
  await h?.close();
});

describe('two doors, one behaviour', () => {
  it('yields one declaration and one accepted event for the same declaration sent twice over HTTP and twice over Kafka', async () => {
    const d = declaration(ref('idem'));
    const first = await http('POST', '/v1/declarations', h.keys.declarantA, d);
    expect(first.status).toBe(202);
    const id = first.body.declarationId;
    const again = await http('POST', '/v1/declarations', h.keys.declarantA, {
      ...d,
      goods: d.goods,
      localRef: d.localRef,
    });
    expect(again).toMatchObject({ status: 200, body: { declarationId: id } });

    const before = handled.length;
    await probe.produce(h.topic(Topics.DeclarationSubmittedV1), [submitted(d), submitted(d)]);
    await waitFor(
      'both Kafka submissions handled',
      () => handled.slice(before).filter((e) => e.outcome === 'handled').length >= 2,
    );

    const rows = await h.ds.query(
      `SELECT id FROM "${h.config.DB_SCHEMA}"."declarations" WHERE local_ref = $1`,
      [d.localRef],
    );
    expect(rows).toEqual([{ id }]);
    await outboxDrained();
    const accepted = await eventsFor<{ declarationId: string }>(Topics.DeclarationAcceptedV1, id);
    expect(accepted).toHaveLength(1);
    expect(Topics.DeclarationAcceptedV1.envelope.safeParse(accepted[0]).success).toBe(true);
  });

  it('refuses a different declaration under a used localRef: 409 over HTTP, a LOCAL_REF_CONFLICT rejection over Kafka', async () => {
    const d = declaration(ref('conflict'));
    const first = await http('POST', '/v1/declarations', h.keys.declarantA, d);
    expect(first.status).toBe(202);
    const changed = { ...d, destinationCountry: 'KR' };
    const conflict = await http('POST', '/v1/declarations', h.keys.declarantA, changed);
    expect(conflict.status).toBe(409);
    expect(conflict.type).toContain('application/problem+json');
    expect(conflict.body).toMatchObject({
      code: 'LOCAL_REF_CONFLICT',
      declarationId: first.body.declarationId,
      errors: [{ pointer: '/localRef' }],
    });

    await probe.produce(h.topic(Topics.DeclarationSubmittedV1), [submitted(changed)]);
    const key = `${d.declarant.code}:${d.localRef}`;
    const rejected = await waitFor('a conflict rejection on Kafka', async () => {
      await outboxDrained();
      const events = await eventsFor<{ code: string }>(Topics.DeclarationRejectedV1, key);
      return events.length > 0 && events;
    });
    expect(rejected[0].data.code).toBe('LOCAL_REF_CONFLICT');
  });

  it('answers concurrent HTTP copies and variants of one new declaration as if they came one by one', async () => {
    // Sent at once they share group commits (no transaction when all are new and valid), and groups race
    // each other for the same key: the unique index settles it, the loser's group is redone one by one.
    const d = declaration(ref('race'));
    const variants = [d, { ...d, destinationCountry: 'KR' }];
    const responses = await Promise.all(
      Array.from({ length: 24 }, (_, i) =>
        http('POST', '/v1/declarations', h.keys.declarantA, variants[i % 4 === 3 ? 1 : 0]),
      ),
    );
    const rows = await h.ds.query(
      `SELECT id, payload_hash FROM "${h.config.DB_SCHEMA}"."declarations" WHERE local_ref = $1 AND status <> 'REJECTED'`,
      [d.localRef],
    );
    expect(rows).toHaveLength(1);
    const id = rows[0].id as string;
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((st) => st === 202)).toHaveLength(1);
    expect(statuses.every((st) => [202, 200, 409].includes(st))).toBe(true);
    for (const r of responses)
      expect(r.body).toMatchObject(
        r.status === 409 ? { code: 'LOCAL_REF_CONFLICT', declarationId: id } : { declarationId: id },
      );
    // Whichever variant won, its copies are duplicates (200) and the other variant's are conflicts (409).
    const winner = responses.find((r) => r.status === 202)!;
    const winnerIndex = responses.indexOf(winner) % 4 === 3 ? 1 : 0;
    responses.forEach((r, i) => {
      if (r === winner) return;
      expect([i, r.status]).toEqual([i, (i % 4 === 3 ? 1 : 0) === winnerIndex ? 200 : 409]);
    });
    await outboxDrained();
    expect(await eventsFor(Topics.DeclarationAcceptedV1, id)).toHaveLength(1);
  });

  it('writes a group that meets a stored key once: the stored one a duplicate, the new one accepted with one event', async () => {
    // The group is first written as if every key were new; the unique index refuses the stored one, that
    // write leaves nothing behind, and the group is planned again against what is stored.
    const stored = declaration(ref('stored'));
    const first = await http('POST', '/v1/declarations', h.keys.declarantA, stored);
    expect(first.status).toBe(202);
    const fresh = declaration(ref('fresh'));
    const outcomes = await h.api.get(IntakeBatch).submitAtomic(
      h.ds.manager,
      [
        { raw: stored, key: null },
        { raw: fresh, key: null },
      ],
      'http',
    );
    expect(outcomes?.map((o) => o.kind)).toEqual(['duplicate', 'accepted']);
    if (outcomes?.[0].kind !== 'duplicate' || outcomes[1].kind !== 'accepted')
      throw new Error('unexpected outcomes');
    expect(outcomes[0].declaration.id).toBe(first.body.declarationId);
    const rows = await h.ds.query(
      `SELECT id, local_ref FROM "${h.config.DB_SCHEMA}"."declarations" WHERE local_ref = ANY($1)`,
      [[stored.localRef, fresh.localRef]],
    );
    expect(rows.map((r: { local_ref: string }) => r.local_ref).sort()).toEqual(
      [stored.localRef, fresh.localRef].sort(),
    );
    expect(rows.find((r: { local_ref: string }) => r.local_ref === fresh.localRef).id).toBe(
      outcomes[1].declaration.id,
    );
    await outboxDrained();
    expect(await eventsFor(Topics.DeclarationAcceptedV1, outcomes[1].declaration.id)).toHaveLength(1);
    expect(await eventsFor(Topics.DeclarationAcceptedV1, first.body.declarationId)).toHaveLength(1);
  });

  it('settles a group that loses the race for a key on the unique index: answered as a duplicate of the winner', async () => {
    // Another transaction has stored the declaration but not committed: the group's write (made on the
    // assumption that the key is new) waits on the unique index and fails once the other commits; the
    // group is then planned against what is stored, where it finds the winner.
    const d = declaration(ref('lost-race'));
    const other = h.ds.createQueryRunner();
    await other.connect();
    await other.startTransaction();
    try {
      const [won] = await h.api.get(IntakeBatch).submitMany(other.manager, [{ raw: d, key: null }], 'http');
      if (won.kind !== 'accepted')
        throw new Error(`expected the other transaction to accept, got ${won.kind}`);
      const pending = http('POST', '/v1/declarations', h.keys.declarantA, d);
      await waitFor('the POST to wait on the unique index', async () => {
        const [{ n }] = await h.ds.query(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%declarations%'`,
        );
        return n > 0;
      });
      await other.commitTransaction();
      const res = await pending;
      expect(res).toMatchObject({ status: 200, body: { declarationId: won.declaration.id } });
    } finally {
      if (other.isTransactionActive) await other.rollbackTransaction();
      await other.release();
    }
    const rows = await h.ds.query(
      `SELECT id FROM "${h.config.DB_SCHEMA}"."declarations" WHERE local_ref = $1`,
      [d.localRef],
    );
    expect(rows).toHaveLength(1);
  });

  it('rejects an invalid declaration with field errors, stores it as REJECTED and publishes the rejection', async () => {
    const d = declaration(ref('invalid'), { destinationCountry: 'XX' });
    const res = await http('POST', '/v1/declarations', h.keys.declarantA, d);
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({
      code: 'VALIDATION_FAILED',
      errors: [{ pointer: '/destinationCountry', code: 'UNKNOWN_COUNTRY' }],
    });
    expect(res.body.errors[0].messageZh).toMatch(/国家代码/);
    const view = await http('GET', `/v1/declarations/${res.body.declarationId}`, h.keys.declarantA);
    expect(view.body).toMatchObject({ status: 'REJECTED', rejection: { code: 'VALIDATION_FAILED' } });
    await outboxDrained();
    const events = await eventsFor<{ errors: { pointer: string }[] }>(
      Topics.DeclarationRejectedV1,
      res.body.declarationId,
    );
    expect(events.map((e) => e.data.errors[0].pointer)).toEqual(['/destinationCountry']);
  });
});

describe('access', () => {
  it("keeps a declarant's declarations from another declarant's key", async () => {
    const d = declaration(ref('mine'));
    const created = await http('POST', '/v1/declarations', h.keys.declarantA, d);
    const id = created.body.declarationId;

    expect((await http('GET', `/v1/declarations/${id}`, h.keys.declarantA)).status).toBe(200);
    expect((await http('GET', `/v1/declarations/${id}`, h.keys.operator)).status).toBe(200);
    const other = await http('GET', `/v1/declarations/${id}`, h.keys.declarantB);
    expect(other).toMatchObject({ status: 404, body: { code: 'NOT_FOUND' } });
    const list = await http('GET', `/v1/declarations?declarantCode=${DECLARANT_A}`, h.keys.declarantB);
    expect(list.body.items).toEqual([]);
    const forOther = await http('POST', '/v1/declarations', h.keys.declarantB, declaration(ref('not-mine')));
    expect(forOther).toMatchObject({
      status: 403,
      body: { code: 'DECLARANT_NOT_ALLOWED', errors: [{ pointer: '/declarant/code' }] },
    });
    expect((await http('GET', `/v1/declarations/${id}`, undefined)).status).toBe(401);
    expect((await http('GET', `/v1/declarations/${id}`, 'cic_adm_not-a-real-key')).status).toBe(401);
    expect(
      (
        await http('POST', `/v1/declarations/${id}/inspection-results`, h.keys.declarantA, {
          kind: 'PHYSICAL',
          lines: [{ lineNo: 1, outcome: 'PASS' }],
        })
      ).status,
    ).toBe(403);
    const mine = await http(
      'GET',
      `/v1/declarations?declarantCode=${DECLARANT_A}&pageSize=100`,
      h.keys.declarantA,
    );
    expect(mine.body.items.map((i: { declarationId: string }) => i.declarationId)).toContain(id);
    expect(DECLARANT_B).not.toBe(DECLARANT_A);
  });
});

describe('clearance', () => {
  it('releases on a green lane with approval: a RELEASED clearance event with direct release and elapsed time', async () => {
    const { body } = await http('POST', '/v1/declarations', h.keys.declarantA, declaration(ref('green')));
    const id = body.declarationId;
    await probe.produce(h.topic(Topics.GreenChannelDecidedV1), [
      decision('green', id, { greenChannelApproved: true }),
    ]);
    await probe.produce(h.topic(Topics.ExemptionDecidedV1), [decision('exemption', id)]);
    const [event] = await clearanceEvents(id);
    expect(event.data).toMatchObject({ outcome: 'RELEASED', directRelease: true, revision: 1 });
    expect(event.data.elapsedMs).toBeGreaterThanOrEqual(0);
    expect(Topics.ClearanceDecidedV1.envelope.safeParse(event).success).toBe(true);
    const view = await http('GET', `/v1/declarations/${id}`, h.keys.declarantA);
    expect(view.body).toMatchObject({
      status: 'RELEASED',
      outcome: 'RELEASED',
      revision: 1,
      decisions: { greenChannel: { lane: 'GREEN' }, exemption: { exempt: false } },
    });
    // The two decisions come on different topics, which Kafka does not order against each other: fetched
    // together they are recorded in either order, both before the clearance decision.
    const kinds = view.body.timeline.map((t: { kind: string }) => t.kind) as string[];
    expect(kinds).toHaveLength(4);
    expect([kinds[0], kinds[3]]).toEqual(['ACCEPTED', 'CLEARANCE_DECIDED']);
    expect(kinds.slice(1, 3).sort()).toEqual(['EXEMPTION_DECIDED', 'GREEN_CHANNEL_DECIDED']);
  });

  it('requires inspection on a hard stop even when every line is exempt', async () => {
    const { body } = await http('POST', '/v1/declarations', h.keys.declarantA, declaration(ref('hardstop')));
    const id = body.declarationId;
    await probe.produce(h.topic(Topics.ExemptionDecidedV1), [
      decision('exemption', id, {
        exempt: true,
        lines: [
          { lineNo: 1, exempt: true, reason: 'COVERED_BY_GRANT' },
          { lineNo: 2, exempt: true, reason: 'COVERED_BY_GRANT' },
        ],
      }),
    ]);
    await probe.produce(h.topic(Topics.GreenChannelDecidedV1), [
      decision('green', id, { lane: 'RED', hardStop: true }),
    ]);
    const [event] = await clearanceEvents(id);
    expect(event.data).toMatchObject({ outcome: 'INSPECTION_REQUIRED', directRelease: false });
  });

  it('moves a yellow-lane declaration to RELEASED with revision 2 when an operator records a pass', async () => {
    const { body } = await http('POST', '/v1/declarations', h.keys.declarantA, declaration(ref('yellow')));
    const id = body.declarationId;
    await probe.produce(h.topic(Topics.GreenChannelDecidedV1), [decision('green', id, { lane: 'YELLOW' })]);
    await probe.produce(h.topic(Topics.ExemptionDecidedV1), [decision('exemption', id)]);
    const [first] = await clearanceEvents(id);
    expect(first.data).toMatchObject({ outcome: 'DOCUMENT_REVIEW', revision: 1 });

    const bad = await http('POST', `/v1/declarations/${id}/inspection-results`, h.keys.operator, {
      kind: 'DOCUMENT',
      lines: [{ lineNo: 1, outcome: 'PASS' }],
    });
    expect(bad).toMatchObject({ status: 422, body: { code: 'INCOMPLETE_RESULT' } });
    const ok = await http('POST', `/v1/declarations/${id}/inspection-results`, h.keys.operator, {
      kind: 'DOCUMENT',
      lines: [
        { lineNo: 1, outcome: 'PASS' },
        { lineNo: 2, outcome: 'PASS', findings: [] },
      ],
    });
    expect(ok).toMatchObject({ status: 201, body: { status: 'RELEASED', revision: 2 } });
    const events = await clearanceEvents(id, 2);
    expect(events.map((e) => [e.data.outcome, e.data.revision])).toEqual([
      ['DOCUMENT_REVIEW', 1],
      ['RELEASED', 2],
    ]);
    const results = await eventsFor<{ lines: { hsCode: string; outcome: string }[] }>(
      Topics.InspectionResultRecordedV1,
      id,
    );
    expect(results[0].data.lines.map((l) => l.hsCode)).toEqual(['8708409100', '8544300000']);
    const again = await http('POST', `/v1/declarations/${id}/inspection-results`, h.keys.operator, {
      kind: 'DOCUMENT',
      lines: [{ lineNo: 1, outcome: 'FAIL' }],
    });
    expect(again).toMatchObject({ status: 409, body: { code: 'NOT_AWAITING_INSPECTION' } });
  });

  it('falls to DOCUMENT_REVIEW after the decision timeout when a decision is missing, and records the late one', async () => {
    const { body } = await http('POST', '/v1/declarations', h.keys.declarantA, declaration(ref('timeout')));
    const id = body.declarationId;
    await probe.produce(h.topic(Topics.GreenChannelDecidedV1), [
      decision('green', id, { greenChannelApproved: true }),
    ]);
    const [event] = await clearanceEvents(id);
    expect(event.data).toMatchObject({ outcome: 'DOCUMENT_REVIEW', directRelease: false, revision: 1 });
    expect(event.data.reasons[0].code).toBe('DECISION_TIMEOUT');
    expect(event.data.elapsedMs).toBeGreaterThanOrEqual(6000);

    await probe.produce(h.topic(Topics.ExemptionDecidedV1), [
      decision('exemption', id, {
        exempt: true,
        lines: [
          { lineNo: 1, exempt: true, reason: 'COVERED_BY_GRANT' },
          { lineNo: 2, exempt: true, reason: 'COVERED_BY_GRANT' },
        ],
      }),
    ]);
    const view = await waitFor('the late decision in the timeline', async () => {
      const v = await http('GET', `/v1/declarations/${id}`, h.keys.operator);
      return v.body.timeline.some((t: { kind: string }) => t.kind === 'LATE_EXEMPTION_DECIDED') && v;
    });
    expect(view.body).toMatchObject({ status: 'DOCUMENT_REVIEW', revision: 1 });
    await outboxDrained();
    expect(await clearanceEvents(id)).toHaveLength(1);
  });
  it('records decisions naming a rejected submission (its raw payload kept) without holding up the decisions beside them', async () => {
    const before = handled.length;
    // A rejected submission is stored as sent; here its goods are not even a list.
    const raw = { ...declaration(ref('raw')), goods: 'not a list' };
    const rejected = await http('POST', '/v1/declarations', h.keys.declarantA, raw);
    expect(rejected.status).toBe(422);
    const rejectedId = rejected.body.declarationId;
    const { body } = await http('POST', '/v1/declarations', h.keys.declarantA, declaration(ref('beside')));
    const id = body.declarationId;
    // One produce each, so the decisions for both share a fetch and a transaction.
    await probe.produce(h.topic(Topics.GreenChannelDecidedV1), [
      decision('green', rejectedId),
      decision('green', id, { greenChannelApproved: true }),
    ]);
    await probe.produce(h.topic(Topics.ExemptionDecidedV1), [
      decision('exemption', rejectedId),
      decision('exemption', id),
    ]);
    const [event] = await clearanceEvents(id);
    expect(event.data).toMatchObject({ outcome: 'RELEASED', revision: 1 });
    const view = await waitFor('both late decisions on the rejected submission', async () => {
      const v = await http('GET', `/v1/declarations/${rejectedId}`, h.keys.operator);
      const kinds = (v.body.timeline as Array<{ kind: string }>).map((t) => t.kind);
      return kinds.includes('LATE_GREEN_CHANNEL_DECIDED') && kinds.includes('LATE_EXEMPTION_DECIDED') && v;
    });
    expect(view.body).toMatchObject({ status: 'REJECTED' });
    await outboxDrained();
    expect(await eventsFor(Topics.ClearanceDecidedV1, rejectedId)).toHaveLength(0);
    expect(handled.slice(before).filter((e) => e.outcome === 'dead_lettered')).toHaveLength(0);
  });
});

describe('bad input never blocks good input', () => {
  it('answers 1,000 malformed bodies and messages with errors, keeps running, and accepts every valid one around them', async () => {
    const malformedHttp: Array<{ body: unknown; type?: string }> = [
      { body: '{"localRef": "x", ' },
      { body: '[1,2,3]' },
      { body: '"just a string"' },
      { body: {} },
      { body: { localRef: 42 } },
      { body: declaration('bad-uscc', { declarant: { code: '91330200MA2H4K7L3Q', name: 'x' } }) },
      { body: declaration('bad-hs', { goods: [{ ...declaration('x').goods[0], hsCode: '12' }] }) },
      { body: declaration('bad-doc', { documents: [] }) },
      { body: 'x'.repeat(70_000) },
      { body: 'localRef=1', type: 'text/plain' },
    ];
    const validRefs: string[] = [];
    const statuses = new Map<number, number>();
    for (let i = 0; i < 500; i++) {
      const m = malformedHttp[i % malformedHttp.length];
      const body =
        typeof m.body === 'object' && m.body && 'localRef' in m.body && typeof m.body.localRef === 'string'
          ? { ...m.body, localRef: `${m.body.localRef}-${i}` }
          : m.body;
      const res = await http('POST', '/v1/declarations', h.keys.declarantA, body, m.type);
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(res.type).toContain('application/problem+json');
      expect(typeof res.body.code).toBe('string');
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      if (i % 25 === 0) {
        const d = declaration(ref('valid-http'));
        expect((await http('POST', '/v1/declarations', h.keys.declarantA, d)).status).toBe(202);
        validRefs.push(d.localRef);
      }
    }
    // 403: a body naming a declarant code this key may not use is refused before it is validated.
    expect([...statuses.keys()].sort()).toEqual([400, 403, 413, 415, 422]);

    const topic = h.topic(Topics.DeclarationSubmittedV1);
    const messages: RawMessage[] = [];
    for (let i = 0; i < 500; i++) {
      const key = `${DECLARANT_A}:kafka-bad-${i}`;
      const kind = i % 5;
      if (kind === 0) messages.push({ key, value: Buffer.from([0xff, 0x00, 0xfe, i % 256]) });
      else if (kind === 1) messages.push({ key, value: '{"not":"an envelope"}' });
      else if (kind === 2) messages.push({ key, value: null });
      else if (kind === 3)
        messages.push({
          key,
          value: JSON.stringify(
            buildEvent(Topics.DeclarationSubmittedV1.name, {
              subject: key,
              source: 'urn:cic:it',
              data: { localRef: `kafka-bad-${i}`, declarant: { code: DECLARANT_A, name: 'x' } },
            }),
          ),
        });
      else
        messages.push({
          key,
          value: JSON.stringify(
            buildEvent(Topics.DeclarationSubmittedV1.name, {
              subject: key,
              source: 'urn:cic:it',
              data: 'not even an object',
            }),
          ),
        });
      if (i % 25 === 0) {
        const d = declaration(ref('valid-kafka'));
        messages.push(submitted(d));
        validRefs.push(d.localRef);
      }
    }
    await probe.produce(topic, messages);

    await waitFor(
      `all ${validRefs.length} valid declarations accepted`,
      async () => {
        const rows = await h.ds.query(
          `SELECT count(*)::int AS n FROM "${h.config.DB_SCHEMA}"."declarations" WHERE local_ref = ANY($1) AND status <> 'REJECTED'`,
          [validRefs],
        );
        return rows[0].n === validRefs.length;
      },
      { timeoutMs: 120000 },
    );
    await waitFor(
      'every Kafka message settled',
      async () => {
        const dlq = await probe.count(`${h.config.KAFKA_GROUP_ID}.dlq`);
        return dlq >= 300;
      },
      { timeoutMs: 120000 },
    );
    const dlqCodes = new Set(
      (await probe.readAll(`${h.config.KAFKA_GROUP_ID}.dlq`)).map((m) => m.headers['dlq-error-code']),
    );
    expect([...dlqCodes].sort()).toEqual(['EMPTY_MESSAGE', 'INVALID_ENVELOPE', 'MALFORMED_JSON']);
    const [{ n: rejectedStored }] = await h.ds.query(
      `SELECT count(*)::int AS n FROM "${h.config.DB_SCHEMA}"."declarations" WHERE local_ref LIKE 'kafka-bad-%' AND status = 'REJECTED'`,
    );
    expect(rejectedStored).toBe(100);
    const ready = await fetch(`${h.url}/health/ready`);
    expect(ready.status).toBe(200);
  });
});

describe('worker role', () => {
  it('has its own readiness: Postgres and the decision-deadline sweep (no Redis on its path)', async () => {
    await h.worker.listen(0, '127.0.0.1');
    const res = await fetch(`${await h.worker.getUrl()}/health/ready`);
    const body = (await res.json()) as { status: string; details: Record<string, { status: string }> };
    expect(res.status).toBe(200);
    expect(Object.keys(body.details).sort()).toEqual(['decision-deadlines', 'postgres']);
  });
});

describe('schema', () => {
  it('has migrations that match the entities (generating a migration would yield nothing)', async () => {
    expect(await pendingSchemaChanges(createIntakeDataSource(h.config, 'it-schema-check'))).toEqual([]);
  });
});

describe('service surface', () => {
  it("keeps an idle keep-alive connection open past Node's 5 s default, so a client reusing it gets an answer, not a reset", async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const get = () =>
      new Promise<{ status: number; reused: boolean }>((resolve, reject) => {
        const req = request(`${h.url}/health/live`, { agent }, (res) => {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode ?? 0, reused: req.reusedSocket }));
        });
        req.on('error', reject);
        req.end();
      });
    try {
      expect(await get()).toEqual({ status: 200, reused: false });
      await new Promise((r) => setTimeout(r, 6500));
      // Closed by the server at 5 s, the agent would have dropped the socket and opened a new one.
      expect(await get()).toEqual({ status: 200, reused: true });
    } finally {
      agent.destroy();
    }
  });

  it('serves OpenAPI, metrics and problem errors', async () => {
    const docs = await fetch(`${h.url}/docs-json`);
    const doc = (await docs.json()) as {
      paths: Record<string, unknown>;
      components: { schemas: Record<string, unknown> };
    };
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/v1/declarations',
        '/v1/declarations/{id}',
        '/v1/declarations/{id}/inspection-results',
        '/v1/api-keys',
      ]),
    );
    expect(doc.components.schemas['InspectionDeclaration']).toBeDefined();
    const metrics = await (await fetch(`${h.url}/metrics`)).text();
    expect(metrics).toContain('# TYPE cic_messaging_consumed_total counter');
    expect(metrics).toMatch(/cic_messaging_consumer_up\{[^}]*\} 1/);
    const notUuid = await http('GET', '/v1/declarations/not-a-uuid', h.keys.operator);
    expect(notUuid).toMatchObject({ status: 400, body: { code: 'BAD_REQUEST' } });
    const created = await http('POST', '/v1/api-keys', h.keys.admin, {
      name: 'new-operator',
      role: 'operator',
    });
    expect(created.status).toBe(201);
    expect((await http('GET', '/v1/declarations', created.body.key)).status).toBe(200);
    expect((await http('DELETE', `/v1/api-keys/${created.body.id}`, h.keys.admin)).status).toBe(204);
    expect((await http('GET', '/v1/declarations', created.body.key)).status).toBe(401);
    // Every other service learns of the key, and of its revocation, from the compacted key topic.
    const changes = await waitFor('the key created and revoked on the key topic', async () => {
      const events = await eventsFor<{ keyHash: string; role: string; revokedAt: string | null }>(
        Topics.ApiKeyChangedV1,
        created.body.id,
      );
      return events.length >= 2 && events;
    });
    expect(changes.map((e) => [e.data.role, e.data.revokedAt === null])).toEqual([
      ['operator', true],
      ['operator', false],
    ]);
    expect(changes[0].data.keyHash).toBe(hashKey(created.body.key));
    expect((await http('POST', '/v1/api-keys', h.keys.operator, { name: 'x', role: 'admin' })).status).toBe(
      403,
    );
  });
});
