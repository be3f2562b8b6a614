// Lanes on the real stack: accepted events in, decided events out, slow checks through BullMQ.
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildEvent, type CloudEvent, type GreenChannelDecided, Topics } from '@cic/contracts';
import { DEFAULT_RULES, isRandomlySelected, selectionRate } from '@cic/green-channel-domain';
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

const probe = new KafkaProbe(testInfra().brokers);
let h: GreenChannelHarness;
let docs: string;
let server: Server;
let serverHits = 0;
let serverUrl = '';

const ADVANCED = uscc('91330200MA2H4K7L3');
const SERIOUS = uscc('91330200MA2H4K7S1');
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

async function decisions(declarationId: string): Promise<Array<CloudEvent<string, GreenChannelDecided>>> {
  const all = await probe.readAll(h.topic(Topics.GreenChannelDecidedV1));
  return all
    .map((m) => JSON.parse(m.value!) as CloudEvent<string, GreenChannelDecided>)
    .filter((e) => e.subject === declarationId);
}

function decided(declarationId: string) {
  return waitFor(`decision for ${declarationId}`, async () => {
    const found = await decisions(declarationId);
    return found.length > 0 && found;
  });
}

/** A declaration id that the keyed draw does not select at this rate (so the lane shows the rules). */
function unselectedId(rate: number): string {
  for (;;) {
    const id = randomUUID();
    if (!isRandomlySelected(id, rate, h.config.SELECTION_KEY)) return id;
  }
}

beforeAll(async () => {
  docs = mkdtempSync(join(tmpdir(), 'gc-docs-'));
  server = createServer((_req, res) => {
    serverHits++;
    res.end('remote document');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  serverUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}/doc.pdf`;
  h = await startGreenChannel({ DOCUMENT_FILE_ROOT: docs, CHECK_DEADLINE_MS: '20000' });
  await probe.connect();
  await putEnterprise(h, { code: ADVANCED, tier: 'ADVANCED_CERTIFIED', category: 1 });
  await putEnterprise(h, { code: SERIOUS, tier: 'SERIOUSLY_DISCREDITED', category: 4 });
});
afterAll(async () => {
  await probe.disconnect();
  await h?.close();
  server?.close();
});

const advancedRate = () => selectionRate('ADVANCED_CERTIFIED', [], DEFAULT_RULES);

describe('lane per accepted declaration (fast path)', () => {
  it('decides GREEN inline for an advanced-certified enterprise with history, once, however often the event comes', async () => {
    const d = accepted({
      declarationId: unselectedId(advancedRate()),
      declarant: { code: ADVANCED, name: 'A' },
    });
    const eventId = randomUUID();
    await probe.produce(h.topic(Topics.DeclarationAcceptedV1), [acceptedMessage(d, eventId)]);
    const [first] = await decided(d.declarationId);
    expect(first.data.lane).toBe('GREEN');
    expect(first.data.hardStop).toBe(false);
    expect(first.data.enterpriseCategory).toBe(1);
    expect(first.data.checks.map((c) => c.name)).toEqual(expect.arrayContaining(['tier', 'risk-alerts']));
    // The same event again, and the same declaration under a new event id: no second decision.
    await probe.produce(h.topic(Topics.DeclarationAcceptedV1), [
      acceptedMessage(d, eventId),
      acceptedMessage(d),
    ]);
    const marker = accepted({ declarant: { code: ADVANCED, name: 'A' } });
    await probe.produce(h.topic(Topics.DeclarationAcceptedV1), [acceptedMessage(marker)]);
    await decided(marker.declarationId);
    expect(await decisions(d.declarationId)).toHaveLength(1);
    const [lane] = await h.ds.query(
      `SELECT status, decided_by, lane FROM "${h.config.DB_SCHEMA}"."lane_requests" WHERE declaration_id = $1`,
      [d.declarationId],
    );
    expect(lane).toEqual({ status: 'DECIDED', decided_by: 'inline', lane: 'GREEN' });
  });

  it('never decides GREEN for an enterprise not on file', async () => {
    const d = accepted({ declarant: { code: uscc('91110000100000099'), name: 'Unknown' } });
    await probe.produce(h.topic(Topics.DeclarationAcceptedV1), [acceptedMessage(d)]);
    const [e] = await decided(d.declarationId);
    expect(e.data.lane).not.toBe('GREEN');
    expect(e.data.reasons.map((r) => r.code)).toContain('ENTERPRISE_NOT_ON_FILE');
  });

  it('stops a seriously discredited enterprise (RED, hard stop)', async () => {
    const d = accepted({ declarant: { code: SERIOUS, name: 'S' } });
    await probe.produce(h.topic(Topics.DeclarationAcceptedV1), [acceptedMessage(d)]);
    const [e] = await decided(d.declarationId);
    expect(e.data).toMatchObject({ lane: 'RED', hardStop: true });
    expect(e.data.reasons[0].code).toBe('ENTERPRISE_SERIOUSLY_DISCREDITED');
  });

  it('stops a line matching a risk alert added while running (the index reloads on the change)', async () => {
    await h.ds.transaction(async (m) => {
      await m.query(
        `INSERT INTO "${h.config.DB_SCHEMA}"."risk_alerts" (id, hs_prefix, destinations, valid_from, source, description, updated_by)
         VALUES ($1, '611595', '{US}', '2020-01-01', 'FOREIGN_NOTIFICATION', 'formaldehyde above limit', 'it')`,
        [randomUUID()],
      );
      await m.query(`SELECT pg_notify($1, '')`, [`${h.config.DB_SCHEMA}_risk_alerts`]);
    });
    const socks = (dest: string) =>
      accepted({
        declarationId: unselectedId(advancedRate()),
        declarant: { code: ADVANCED, name: 'A' },
        destinationCountry: dest,
        goods: [{ ...accepted().goods[0], hsCode: '6115950000', description: 'Cotton socks' }],
      });
    const toUs = socks('US');
    const toJp = socks('JP');
    await waitFor('alert index reloaded', async () => {
      const d = socks('US');
      await probe.produce(h.topic(Topics.DeclarationAcceptedV1), [acceptedMessage(d)]);
      const [e] = await decided(d.declarationId);
      return e.data.lane === 'RED';
    });
    await probe.produce(h.topic(Topics.DeclarationAcceptedV1), [
      acceptedMessage(toUs),
      acceptedMessage(toJp),
    ]);
    const [us] = await decided(toUs.declarationId);
    const [jp] = await decided(toJp.declarationId);
    expect(us.data).toMatchObject({ lane: 'RED', hardStop: true });
    expect(us.data.reasons.map((r) => r.code)).toContain('RISK_ALERT_MATCH');
    expect(jp.data.lane).toBe('GREEN');
  });
});

describe('history from inspection results', () => {
  it('learns sampling history from result events: a FAIL suspends the approval, and a poor pass rate stops the heading (RED)', async () => {
    const code = uscc('91330100MA27XK1X0');
    await putEnterprise(h, { code, tier: 'ADVANCED_CERTIFIED', category: 1 });
    await h.ds.query(
      `INSERT INTO "${h.config.DB_SCHEMA}"."approvals" (enterprise_code, status) VALUES ($1, 'APPROVED')`,
      [code],
    );
    // 10 sampled lines of heading 6115, one FAIL: 90% < 95% with >= 10 samples.
    const results = Array.from({ length: 10 }, (_, i) => {
      const declarationId = randomUUID();
      const data = {
        declarationId,
        enterpriseCode: code,
        kind: 'SAMPLING',
        recordedBy: 'it-operator',
        recordedAt: new Date(Date.now() - (i + 1) * 86_400_000).toISOString(),
        lines: [{ lineNo: 1, hsCode: '6115950000', outcome: i === 0 ? 'FAIL' : 'PASS', findings: [] }],
      };
      return {
        key: declarationId,
        value: JSON.stringify(
          buildEvent(Topics.InspectionResultRecordedV1.name, {
            subject: declarationId,
            source: 'urn:cic:it',
            data,
          }),
        ),
      };
    });
    await probe.produce(h.topic(Topics.InspectionResultRecordedV1), results);
    await waitFor('approval suspended by the FAIL', async () => {
      const [a] = await h.ds.query(
        `SELECT status FROM "${h.config.DB_SCHEMA}"."approvals" WHERE enterprise_code = $1`,
        [code],
      );
      return a.status === 'SUSPENDED';
    });
    const [timeline] = await h.ds.query(
      `SELECT action, reason_code FROM "${h.config.DB_SCHEMA}"."approval_events" WHERE enterprise_code = $1`,
      [code],
    );
    expect(timeline).toEqual({ action: 'SUSPEND', reason_code: 'FAIL_RESULT' });
    const history = await waitFor('sampling history', async () => {
      const res = await fetch(`${h.url}/v1/enterprises/${code}/sampling-history`, {
        headers: { authorization: `Bearer ${h.keys.operator}` },
      });
      const body = (await res.json()) as { headings?: Array<{ samples: number }> };
      return body.headings?.[0]?.samples === 10 && body;
    });
    expect(history.headings?.[0]).toMatchObject({ heading: '6115', samples: 10, passes: 9, hardStop: true });
    const d = accepted({
      declarant: { code, name: 'Socks' },
      goods: [{ ...accepted().goods[0], hsCode: '6115950000', description: 'Cotton socks' }],
    });
    await probe.produce(h.topic(Topics.DeclarationAcceptedV1), [acceptedMessage(d)]);
    const [e] = await decided(d.declarationId);
    expect(e.data).toMatchObject({ lane: 'RED', hardStop: true, greenChannelApproved: false });
    expect(e.data.reasons.map((r) => r.code)).toContain('LAB_HISTORY_FAILED');
  });
});

describe('slow checks (BullMQ worker)', () => {
  it('verifies documents from the allowed directory: a digest that does not match makes the lane YELLOW with the reason', async () => {
    writeFileSync(join(docs, 'invoice.pdf'), 'invoice content');
    writeFileSync(join(docs, 'packing.pdf'), 'packing list content');
    const d = accepted({
      declarationId: unselectedId(advancedRate()),
      declarant: { code: ADVANCED, name: 'A' },
      documents: [
        {
          kind: 'INVOICE',
          number: 'INV-OK',
          sha256: sha('invoice content'),
          uri: `file://${docs}/invoice.pdf`,
        },
        {
          kind: 'PACKING_LIST',
          number: 'PL-BAD',
          sha256: sha('something else'),
          uri: `file://${docs}/packing.pdf`,
        },
      ],
    });
    await probe.produce(h.topic(Topics.DeclarationAcceptedV1), [acceptedMessage(d)]);
    const [e] = await decided(d.declarationId);
    expect(e.data.lane).toBe('YELLOW');
    const mismatch = e.data.reasons.find((r) => r.code === 'DOCUMENT_HASH_MISMATCH');
    expect(mismatch?.message).toContain('PL-BAD');
    expect(e.data.reasons.map((r) => r.message).join(' ')).not.toContain('INV-OK');
    const [lane] = await h.ds.query(
      `SELECT decided_by FROM "${h.config.DB_SCHEMA}"."lane_requests" WHERE declaration_id = $1`,
      [d.declarationId],
    );
    expect(lane.decided_by).toBe('checks');
  });

  it('passes documents whose content matches, through the worker', async () => {
    writeFileSync(join(docs, 'invoice2.pdf'), 'invoice two');
    writeFileSync(join(docs, 'packing2.pdf'), 'packing two');
    const d = accepted({
      declarationId: unselectedId(advancedRate()),
      declarant: { code: ADVANCED, name: 'A' },
      documents: [
        { kind: 'INVOICE', number: 'INV-2', sha256: sha('invoice two'), uri: `file://${docs}/invoice2.pdf` },
        {
          kind: 'PACKING_LIST',
          number: 'PL-2',
          sha256: sha('packing two'),
          uri: `file://${docs}/packing2.pdf`,
        },
      ],
    });
    await probe.produce(h.topic(Topics.DeclarationAcceptedV1), [acceptedMessage(d)]);
    const [e] = await decided(d.declarationId);
    expect(e.data.lane).toBe('GREEN');
    expect(e.data.checks.find((c) => c.name === 'document-verification')?.outcome).toBe('PASS');
  });

  it('does not fetch a document outside the allowed locations, and the lane is not GREEN', async () => {
    const hitsBefore = serverHits;
    const d = accepted({
      declarationId: unselectedId(advancedRate()),
      declarant: { code: ADVANCED, name: 'A' },
      documents: [
        { kind: 'INVOICE', number: 'INV-REMOTE', sha256: sha('remote document'), uri: serverUrl },
        { kind: 'PACKING_LIST', number: 'PL-ETC', sha256: sha('x'), uri: 'file:///etc/passwd' },
      ],
    });
    await probe.produce(h.topic(Topics.DeclarationAcceptedV1), [acceptedMessage(d)]);
    const [e] = await decided(d.declarationId);
    expect(e.data.lane).toBe('YELLOW');
    expect(e.data.reasons.filter((r) => r.code === 'DOCUMENT_LOCATION_NOT_ALLOWED')).toHaveLength(2);
    expect(serverHits).toBe(hitsBefore);
  });
});
