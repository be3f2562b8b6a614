/* eslint-disable @typescript-eslint/no-explicit-any -- free-form JSON answers and hostile bodies */
// The unhappy paths of declaration-intake on the real Kafka, PostgreSQL and Redis: hostile input over both
// doors, oversize declarations, rejections sent many times at once, Redis away, deadlines that continue
// the submission's trace, and clearance that never releases on doubt.
import { buildEvent, type CloudEvent, Topics } from '@cic/contracts';
import { KafkaProbe, type RawMessage } from '@cic/platform-messaging';
import { PrivateRedis, testInfra, waitFor } from '@cic/platform-testing';
import fc from 'fast-check';
import {
  DECLARANT_A,
  declaration,
  type IntakeHarness,
  startIntake,
  decision,
} from './testing/intake-harness';

const infra = testInfra();
const probe = new KafkaProbe(infra.brokers, 'it-intake-reliability-probe');
let h: IntakeHarness;
const redis = new PrivateRedis();
let seq = 0;
const ref = (p: string) => `${p}-${Date.now().toString(36)}-${++seq}`;

async function http(
  method: string,
  path: string,
  key: string | undefined,
  body?: unknown,
  headers: Record<string, string> = {},
) {
  const res = await fetch(`${h.url}${path}`, {
    method,
    headers: {
      ...(key ? { authorization: `Bearer ${key}` } : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...headers,
    },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = text;
  }
  return { status: res.status, headers: res.headers, body: parsed as Record<string, any> };
}

function submitted(key: string, data: unknown): RawMessage {
  return {
    key,
    value: JSON.stringify(
      buildEvent(Topics.DeclarationSubmittedV1.name, { subject: key, source: 'urn:cic:it:customs', data }),
    ),
  };
}

async function outboxDrained(): Promise<void> {
  await waitFor(
    'outbox drained',
    async () => {
      const [{ n }] = await h.ds.query(
        `SELECT count(*)::int AS n FROM "${h.config.DB_SCHEMA}"."outbox" WHERE published_at IS NULL AND parked_at IS NULL`,
      );
      return n === 0;
    },
    { timeoutMs: 60000 },
  );
}

async function events<T>(topic: (typeof Topics)[keyof typeof Topics], subject: string) {
  const all = await probe.readAll(h.topic(topic));
  return all
    .map((m) => ({ event: JSON.parse(m.value!) as CloudEvent<string, T>, headers: m.headers }))
    .filter((e) => e.event.subject === subject);
}

async function statusOf(id: string) {
  return (await http('GET', `/v1/declarations/${id}`, h.keys.operator)).body;
}

beforeAll(async () => {
  await redis.up();
  h = await startIntake({
    REDIS_URL: redis.url,
    DECISION_TIMEOUT_MS: '3000',
    TIMEOUT_SWEEP_MS: '200',
    // The smallest broker limit allowed: a declaration can pass the body parser and still make an
    // accepted event the broker would refuse.
    KAFKA_MAX_MESSAGE_BYTES: String(64 * 1024),
    MAX_DECLARATION_BYTES: String(512 * 1024),
  });
  await probe.connect();
});
afterAll(async () => {
  await probe.disconnect();
  await h?.close();
  await redis.kill();
});

describe('oversize declarations', () => {
  it('refuses with 413 a declaration whose accepted event the broker would not take, and answers the Kafka door with a rejection event', async () => {
    const big = declaration(ref('big'));
    big.goods = Array.from({ length: 400 }, (_, i) => ({
      ...big.goods[i % big.goods.length],
      lineNo: i + 1,
      description: `line ${i + 1} ${'x'.repeat(200)}`,
    }));
    const size = Buffer.byteLength(JSON.stringify(big));
    expect(size).toBeGreaterThan(64 * 1024);
    const res = await http('POST', '/v1/declarations', h.keys.declarantA, big);
    expect(res.status).toBe(413);
    expect(res.body).toMatchObject({ code: 'BODY_TOO_LARGE', errors: [{ code: 'BODY_TOO_LARGE' }] });
    const [{ n }] = await h.ds.query(
      `SELECT count(*)::int AS n FROM "${h.config.DB_SCHEMA}"."declarations" WHERE local_ref = $1 AND status <> 'REJECTED'`,
      [big.localRef],
    );
    expect(n).toBe(0);

    const kafkaBig = { ...big, localRef: ref('big-kafka') };
    const key = `${DECLARANT_A}:${kafkaBig.localRef}`;
    await probe.produce(h.topic(Topics.DeclarationSubmittedV1), [submitted(key, kafkaBig)]);
    const rejected = await waitFor('a BODY_TOO_LARGE rejection event', async () => {
      await outboxDrained();
      const all = await probe.readAll(h.topic(Topics.DeclarationRejectedV1));
      const mine = all.map((m) => JSON.parse(m.value!)).filter((e) => e.data.localRef === kafkaBig.localRef);
      return mine.length > 0 && mine;
    });
    expect(rejected[0].data.code).toBe('BODY_TOO_LARGE');
    process.stdout.write(`oversize: ${size}-byte declaration refused at both doors (broker limit 65536)\n`);
  });
});

describe('rejections are idempotent', () => {
  it('files one REJECTED record and one rejection event for the same invalid submission sent 10 times at once over HTTP and 10 over Kafka', async () => {
    const bad = declaration(ref('rej'), { destinationCountry: 'XX' });
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => http('POST', '/v1/declarations', h.keys.declarantA, bad)),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(10).fill(422));
    const ids = new Set(answers.map((a) => a.body.declarationId));
    expect(ids.size).toBe(1);
    const key = `${DECLARANT_A}:${bad.localRef}`;
    await probe.produce(
      h.topic(Topics.DeclarationSubmittedV1),
      Array.from({ length: 10 }, () => submitted(key, bad)),
    );
    await waitFor('the Kafka copies handled', async () => {
      const [{ n }] = await h.ds.query(`SELECT count(*)::int AS n FROM "${h.config.DB_SCHEMA}"."inbox"`);
      return n >= 10;
    }).catch(() => undefined);
    await outboxDrained();
    const rows = await h.ds.query(
      `SELECT id FROM "${h.config.DB_SCHEMA}"."declarations" WHERE local_ref = $1`,
      [bad.localRef],
    );
    expect(rows).toHaveLength(1);
    const [id] = ids;
    const rejections = await waitFor('the rejection event', async () => {
      const e = await events<{ code: string }>(Topics.DeclarationRejectedV1, id as string);
      return e.length > 0 && e;
    });
    await outboxDrained();
    expect((await events(Topics.DeclarationRejectedV1, id as string)).length).toBe(1);
    expect(rejections[0].event.data.code).toBe('VALIDATION_FAILED');
  });
});

describe('group commit', () => {
  it('answers 30 concurrent copies of one declaration (HTTP, with Kafka copies mixed in) with one 202, 200 for the rest, and one stored declaration', async () => {
    const d = declaration(ref('burst'));
    const key = `${DECLARANT_A}:${d.localRef}`;
    const [answers] = await Promise.all([
      Promise.all(Array.from({ length: 30 }, () => http('POST', '/v1/declarations', h.keys.declarantA, d))),
      probe.produce(
        h.topic(Topics.DeclarationSubmittedV1),
        Array.from({ length: 5 }, () => submitted(key, d)),
      ),
    ]);
    const statuses = answers.map((a) => a.status).sort();
    if (!statuses.every((x) => x === 200 || x === 202))
      process.stdout.write(
        JSON.stringify(
          answers.filter((a) => a.status !== 200 && a.status !== 202).map((a) => [a.status, a.body]),
        ) + '\n',
      );
    expect(statuses.filter((x) => x === 202).length).toBeLessThanOrEqual(1);
    expect(statuses.every((x) => x === 200 || x === 202)).toBe(true);
    expect(new Set(answers.map((a) => a.body.declarationId)).size).toBe(1);
    await outboxDrained();
    const rows = await h.ds.query(
      `SELECT id FROM "${h.config.DB_SCHEMA}"."declarations" WHERE local_ref = $1`,
      [d.localRef],
    );
    expect(rows).toHaveLength(1);
    const accepted = await events(Topics.DeclarationAcceptedV1, rows[0].id);
    expect(accepted).toHaveLength(1);
  });
});

describe('Redis away', () => {
  it('accepts and stores over HTTP and Kafka, answers reads, and still decides every timeout while Redis is down', async () => {
    await redis.kill();
    const viaHttp = declaration(ref('noredis-http'));
    const res = await http('POST', '/v1/declarations', h.keys.declarantA, viaHttp);
    expect(res.status).toBe(202);
    const viaKafka = declaration(ref('noredis-kafka'));
    await probe.produce(h.topic(Topics.DeclarationSubmittedV1), [
      submitted(`${DECLARANT_A}:${viaKafka.localRef}`, viaKafka),
    ]);
    const kafkaId = await waitFor('the Kafka submission stored', async () => {
      const rows = await h.ds.query(
        `SELECT id FROM "${h.config.DB_SCHEMA}"."declarations" WHERE local_ref = $1`,
        [viaKafka.localRef],
      );
      return rows[0]?.id as string | undefined;
    });
    expect((await http('GET', `/v1/declarations/${res.body.declarationId}`, h.keys.declarantA)).status).toBe(
      200,
    );
    for (const id of [res.body.declarationId as string, kafkaId]) {
      const view = await waitFor(`timeout decision for ${id}`, async () => {
        const v = await statusOf(id);
        return v.status !== 'AWAITING_DECISIONS' && v;
      });
      expect(view).toMatchObject({ status: 'DOCUMENT_REVIEW', reasons: [{ code: 'DECISION_TIMEOUT' }] });
    }
    await redis.up();
  });
});

describe('traces', () => {
  it('continues the submission trace on the clearance event the deadline sweep publishes', async () => {
    const traceId = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
    const res = await http('POST', '/v1/declarations', h.keys.declarantA, declaration(ref('trace')), {
      traceparent: `00-${traceId}-1111111111111111-01`,
    });
    expect(res.status).toBe(202);
    const id = res.body.declarationId as string;
    const decided = await waitFor('the timeout clearance event', async () => {
      await outboxDrained();
      const e = await events(Topics.ClearanceDecidedV1, id);
      return e.length > 0 && e;
    });
    expect(decided[0].headers['traceparent']).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
  });
});

describe('clearance never releases on doubt', () => {
  it('turns DOCUMENT_REVIEW into INSPECTION_REQUIRED on a late hard stop, refuses a DOCUMENT result for it, and releases only on a PHYSICAL pass of every line', async () => {
    const res = await http('POST', '/v1/declarations', h.keys.declarantA, declaration(ref('late-stop')));
    const id = res.body.declarationId as string;
    await waitFor('timeout outcome', async () => (await statusOf(id)).status === 'DOCUMENT_REVIEW');
    await probe.produce(h.topic(Topics.GreenChannelDecidedV1), [
      decision('green', id, { lane: 'RED', hardStop: true }),
    ]);
    const stricter = await waitFor('stricter revision', async () => {
      const v = await statusOf(id);
      return v.status === 'INSPECTION_REQUIRED' && v;
    });
    expect(stricter.revision).toBe(2);
    // A late all-exempt decision never loosens it.
    await probe.produce(h.topic(Topics.ExemptionDecidedV1), [
      decision('exemption', id, {
        exempt: true,
        lines: [
          { lineNo: 1, exempt: true, reason: 'COVERED' },
          { lineNo: 2, exempt: true, reason: 'COVERED' },
        ],
      }),
    ]);
    await waitFor('late exemption recorded', async () =>
      (await statusOf(id)).timeline.some((t: { kind: string }) => t.kind === 'LATE_EXEMPTION_DECIDED'),
    );
    expect(await statusOf(id)).toMatchObject({ status: 'INSPECTION_REQUIRED', revision: 2 });

    const documentOnly = await http('POST', `/v1/declarations/${id}/inspection-results`, h.keys.operator, {
      kind: 'DOCUMENT',
      lines: [
        { lineNo: 1, outcome: 'PASS' },
        { lineNo: 2, outcome: 'PASS' },
      ],
    });
    expect(documentOnly).toMatchObject({ status: 409, body: { code: 'RESULT_KIND_INSUFFICIENT' } });
    const partial = await http('POST', `/v1/declarations/${id}/inspection-results`, h.keys.operator, {
      kind: 'PHYSICAL',
      lines: [{ lineNo: 1, outcome: 'PASS' }],
    });
    expect(partial).toMatchObject({ status: 422, body: { code: 'INCOMPLETE_RESULT' } });
    const physical = await http('POST', `/v1/declarations/${id}/inspection-results`, h.keys.operator, {
      kind: 'PHYSICAL',
      lines: [
        { lineNo: 1, outcome: 'PASS' },
        { lineNo: 2, outcome: 'PASS' },
      ],
    });
    expect(physical).toMatchObject({ status: 201, body: { status: 'RELEASED', revision: 3 } });
    await outboxDrained();
    const outcomes = (await events<{ outcome: string; revision: number }>(Topics.ClearanceDecidedV1, id)).map(
      (e) => [e.event.data.outcome, e.event.data.revision],
    );
    expect(outcomes).toEqual([
      ['DOCUMENT_REVIEW', 1],
      ['INSPECTION_REQUIRED', 2],
      ['RELEASED', 3],
    ]);
  });

  it('does not count an exemption that names only some of the declared lines', async () => {
    const res = await http('POST', '/v1/declarations', h.keys.declarantA, declaration(ref('partial-exempt')));
    const id = res.body.declarationId as string;
    await probe.produce(h.topic(Topics.ExemptionDecidedV1), [
      decision('exemption', id, { exempt: true, lines: [{ lineNo: 1, exempt: true, reason: 'COVERED' }] }),
    ]);
    await probe.produce(h.topic(Topics.GreenChannelDecidedV1), [decision('green', id, { lane: 'YELLOW' })]);
    const view = await waitFor('decided', async () => {
      const v = await statusOf(id);
      return v.status !== 'AWAITING_DECISIONS' && v;
    });
    expect(view.status).toBe('DOCUMENT_REVIEW');
    expect(view.reasons.map((r: { code: string }) => r.code)).toContain('EXEMPTION_INCOMPLETE');
  });
});

describe('hostile input over both doors (property-based)', () => {
  // Mutations a careless or hostile sender produces, applied to a valid declaration.
  const text = fc.oneof(
    fc.constantFrom('\u0000', 'a\u0000b', '\u0007bell', '\ud800', 'x\udfffy', '\u001b[31m', '\u007f'),
    fc.string({ maxLength: 20 }),
  );
  const deep = (levels: number, kind: 'array' | 'object') =>
    kind === 'array'
      ? `${'['.repeat(levels)}${']'.repeat(levels)}`
      : `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;
  type Doc = Record<string, any>;
  type Mutation = { apply: (d: Doc) => unknown; label: string };
  const mutation: fc.Arbitrary<Mutation> = fc.oneof(
    text.map((t) => ({
      label: 'control/surrogate in description',
      apply: (d: Doc) => ((d.goods[0].description = `desc ${t}`), d),
    })),
    text.map((t) => ({
      label: 'control/surrogate in declarant name',
      apply: (d: Doc) => ((d.declarant.name = t || 'x'), d),
    })),
    text.map((t) => ({
      label: 'control/surrogate as a member name',
      apply: (d: Doc) => ((d.goods[0][`k${t}`] = 1), d),
    })),
    fc
      .constantFrom<unknown>(42, null, true, [], {}, '12', -1)
      .map((v) => ({ label: 'wrong type of lineNo', apply: (d: Doc) => ((d.goods[0].lineNo = v), d) })),
    fc
      .constantFrom<unknown>(42, null, [], { a: 1 })
      .map((v) => ({ label: 'wrong type of goods', apply: (d: Doc) => ((d.goods = v), d) })),
    fc
      .constantFrom(1e300, -1e300, Number.MAX_SAFE_INTEGER * 10, 1e16)
      .map((v) => ({ label: 'number out of range', apply: (d: Doc) => ((d.goods[0].lineNo = v), d) })),
    fc.integer({ min: 150_000, max: 400_000 }).map((n) => ({
      label: 'huge string',
      apply: (d: Doc) => ((d.goods[0].description = 'x'.repeat(n)), d),
    })),
    fc.integer({ min: 1000, max: 5000 }).map((n) => ({
      label: 'huge array',
      apply: (d: Doc) => ((d.documents = Array.from({ length: n }, () => d.documents[0])), d),
    })),
    fc.constant({
      label: 'duplicate line numbers',
      apply: (d: Record<string, any>) => ((d.goods[1].lineNo = d.goods[0].lineNo), d),
    }),
    fc.constantFrom<'array' | 'object'>('array', 'object').map((kind) => ({
      label: `deep nesting (${kind})`,
      apply: (d: Doc) => ({ raw: `${JSON.stringify(d).slice(0, -1)},"extra":${deep(100_000, kind)}}` }),
    })),
  );
  const sample = fc.record({
    valid: fc.boolean(),
    mutations: fc.array(mutation, { minLength: 1, maxLength: 3 }),
  });

  it('answers every hostile body with a 4xx problem or a rejection event, never a 5xx or a dead letter, and accepts every valid one mixed in', async () => {
    const cases = fc.sample(sample, { numRuns: 160, seed: 20261122 });
    const statuses = new Map<number, number>();
    const labels = new Map<string, number>();
    const validRefs: string[] = [];
    const kafkaMessages: RawMessage[] = [];
    const hostileKafkaRefs: string[] = [];
    for (const [i, c] of cases.entries()) {
      const localRef = ref(`fc${i}`);
      const d = declaration(localRef) as unknown as Record<string, any>;
      let body: unknown = d;
      if (!c.valid) {
        for (const m of c.mutations) {
          labels.set(m.label, (labels.get(m.label) ?? 0) + 1);
          let out: unknown;
          try {
            out = m.apply(body as Record<string, any>);
          } catch {
            continue; // an earlier mutation removed what this one changes
          }
          body =
            out && typeof out === 'object' && 'raw' in (out as object) ? (out as { raw: string }).raw : out;
          if (typeof body === 'string') break;
        }
      } else validRefs.push(localRef);
      const raw = typeof body === 'string' ? body : JSON.stringify(body);
      if (i % 2 === 0) {
        const res = await http('POST', '/v1/declarations', h.keys.declarantA, raw);
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        expect(res.status).toBeLessThan(500);
        if (c.valid) expect(res.status).toBe(202);
        // A mutation can happen to be harmless (an ordinary string, an unknown member): then it is accepted.
        else expect([202, 400, 413, 422]).toContain(res.status);
      } else {
        const key = `${DECLARANT_A}:${localRef}`;
        if (!c.valid) hostileKafkaRefs.push(localRef);
        const envelope = JSON.stringify(
          buildEvent(Topics.DeclarationSubmittedV1.name, {
            subject: key,
            source: 'urn:cic:it',
            data: 'DATA',
          }),
        );
        kafkaMessages.push({ key, value: envelope.replace('"DATA"', raw) });
      }
    }
    // One produce per message: together they exceed what one record batch may carry.
    for (const m of kafkaMessages) await probe.produce(h.topic(Topics.DeclarationSubmittedV1), [m]);
    await waitFor(
      `all ${validRefs.length} valid declarations accepted`,
      async () => {
        const [{ n }] = await h.ds.query(
          `SELECT count(*)::int AS n FROM "${h.config.DB_SCHEMA}"."declarations" WHERE local_ref = ANY($1) AND status <> 'REJECTED'`,
          [validRefs],
        );
        return n === validRefs.length;
      },
      { timeoutMs: 120000 },
    );
    const unanswered = await waitFor(
      'an answer (rejection event, or acceptance when harmless) for every hostile Kafka submission',
      async () => {
        await outboxDrained();
        const rejections = (await probe.readAll(h.topic(Topics.DeclarationRejectedV1))).map((m) =>
          JSON.parse(m.value!),
        );
        const rejectedRefs = new Set(rejections.map((e) => e.data.localRef));
        const accepted = new Set(
          (
            await h.ds.query(
              `SELECT local_ref FROM "${h.config.DB_SCHEMA}"."declarations" WHERE local_ref = ANY($1) AND status <> 'REJECTED'`,
              [hostileKafkaRefs],
            )
          ).map((r: { local_ref: string }) => r.local_ref),
        );
        const missing = hostileKafkaRefs.filter((r) => !rejectedRefs.has(r) && !accepted.has(r));
        return missing.length === 0 ? missing : undefined;
      },
      { timeoutMs: 120000 },
    );
    expect(unanswered).toEqual([]);
    const dlq = await probe.count(`${h.config.KAFKA_GROUP_ID}.dlq`);
    expect(dlq).toBe(0);
    const ready = await fetch(`${h.url}/health/ready`);
    expect(ready.status).toBe(200);
    process.stdout.write(
      `property test: ${cases.length} cases (${validRefs.length} valid), HTTP statuses ${JSON.stringify(Object.fromEntries(statuses))}, Kafka ${kafkaMessages.length} messages (${hostileKafkaRefs.length} hostile, all answered by a rejection event), dead letters ${dlq}; mutations ${JSON.stringify(Object.fromEntries(labels))}\n`,
    );
  });
});
