// The bare relay: the hops of declaration-intake with nothing but Kafka and memory, the floor the platform
// is compared with. It consumes the topics intake consumes (same partition counts, created by the
// orchestrator) and produces what intake produces, with the platform's producer settings (idempotent,
// acks=all):
//   submitted.v1 (or POST /v1/declarations) -> declaration.accepted.v1 with a new declarationId;
//   greenchannel.decided.v1 + exemption.decided.v1 -> clearance.decided.v1 once both are in (DESIGN.md
//   rules, no timeout), state kept in a Map.
// No validation, no database, no framework. Env: BENCH_BROKERS, BENCH_PREFIX, BENCH_GROUP, BENCH_HTTP_PORT.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { buildEvent, Topics } from '@cic/contracts';
import { fail, requiredEnv, signalReady, stopOnSignal } from './lib/child-runtime';
import {
  BatchingProducer,
  connectProducer,
  kafkaClient,
  type OutMessage,
  PLATFORM_FETCH,
  startStream,
} from './lib/kafka';

const brokers = requiredEnv('BENCH_BROKERS').split(',');
const prefix = process.env['BENCH_PREFIX'] ?? '';
const groupId = requiredEnv('BENCH_GROUP');
const httpPort = Number(process.env['BENCH_HTTP_PORT'] ?? 0);
const SOURCE = 'urn:cic:bench-bare-relay';

const topic = {
  submitted: `${prefix}${Topics.DeclarationSubmittedV1.name}`,
  green: `${prefix}${Topics.GreenChannelDecidedV1.name}`,
  exemption: `${prefix}${Topics.ExemptionDecidedV1.name}`,
  origin: `${prefix}${Topics.OriginDecidedV1.name}`,
  accepted: `${prefix}${Topics.DeclarationAcceptedV1.name}`,
  decided: `${prefix}${Topics.ClearanceDecidedV1.name}`,
};

interface Pending {
  localRef: string;
  declarantCode: string;
  receivedAt: number;
  green?: { lane: 'GREEN' | 'YELLOW' | 'RED'; hardStop: boolean };
  exempt?: boolean;
}
const pending = new Map<string, Pending>();

function accept(declaration: { localRef: string; declarant: { code: string } }): OutMessage {
  const declarationId = randomUUID();
  const receivedAt = Date.now();
  pending.set(declarationId, {
    localRef: declaration.localRef,
    declarantCode: declaration.declarant.code,
    receivedAt,
  });
  const type = Topics.DeclarationAcceptedV1.name;
  const data = {
    ...declaration,
    declarationId,
    receivedAt: new Date(receivedAt).toISOString(),
    paperless: true,
  };
  return {
    key: declarationId,
    value: JSON.stringify(buildEvent(type, { subject: declarationId, source: SOURCE, data })),
    headers: { ce_type: type },
  };
}

/** The clearance event once both decisions are in, else nothing. */
function decideIfComplete(id: string, p: Pending): OutMessage | undefined {
  if (!p.green || p.exempt === undefined) return undefined;
  pending.delete(id);
  const { lane, hardStop } = p.green;
  const outcome =
    hardStop || lane === 'RED'
      ? 'INSPECTION_REQUIRED'
      : p.exempt || lane === 'GREEN'
        ? 'RELEASED'
        : 'DOCUMENT_REVIEW';
  const now = Date.now();
  const type = Topics.ClearanceDecidedV1.name;
  const data = {
    declarationId: id,
    decidedAt: new Date(now).toISOString(),
    rulesetVersion: 'bench-bare-relay/1',
    reasons: [],
    localRef: p.localRef,
    declarantCode: p.declarantCode,
    outcome,
    directRelease: false,
    revision: 1,
    basis: { lane, exempt: p.exempt },
    elapsedMs: now - p.receivedAt,
  };
  return {
    key: id,
    value: JSON.stringify(buildEvent(type, { subject: id, source: SOURCE, data })),
    headers: { ce_type: type },
  };
}

async function main(): Promise<void> {
  const kafka = kafkaClient(brokers, 'bench-bare-relay');
  const producer = new BatchingProducer(await connectProducer(kafka, true));

  const consumer = await startStream(kafka, {
    onFatal: (error) => fail('bare relay: its consumer stopped for good', error),
    groupId,
    topics: [topic.submitted, topic.green, topic.exemption, topic.origin],
    fetch: PLATFORM_FETCH,
    onBatch: async ({ batch }) => {
      const accepted: OutMessage[] = [];
      const decided: OutMessage[] = [];
      for (const m of batch.messages) {
        if (!m.value) continue;
        const event = JSON.parse(m.value.toString()) as { data: Record<string, unknown> };
        if (batch.topic === topic.submitted) {
          accepted.push(accept(event.data as { localRef: string; declarant: { code: string } }));
          continue;
        }
        const id = event.data['declarationId'] as string;
        const p = pending.get(id);
        if (!p) continue;
        if (batch.topic === topic.green) {
          p.green = { lane: event.data['lane'] as 'GREEN', hardStop: event.data['hardStop'] as boolean };
        } else if (batch.topic === topic.exemption) {
          p.exempt = event.data['exempt'] as boolean;
        }
        const out = decideIfComplete(id, p);
        if (out) decided.push(out);
      }
      await Promise.all([producer.send(topic.accepted, accepted), producer.send(topic.decided, decided)]);
    },
  });

  // The HTTP door: answers 202 once the accepted event is acknowledged by the broker.
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (req.method === 'GET' && req.url?.startsWith('/health')) {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
      return;
    }
    if (req.method !== 'POST' || req.url !== '/v1/declarations') {
      res.writeHead(404).end();
      return;
    }
    if (!req.headers.authorization?.startsWith('Bearer ')) {
      res.writeHead(401).end();
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let message: OutMessage;
      try {
        message = accept(JSON.parse(Buffer.concat(chunks).toString()));
      } catch {
        res.writeHead(422).end();
        return;
      }
      producer.send(topic.accepted, [message]).then(
        () =>
          res
            .writeHead(202, { 'content-type': 'application/json' })
            .end(`{"declarationId":"${message.key}","status":"AWAITING_DECISIONS"}`),
        () => res.writeHead(503).end(),
      );
    });
  });
  server.keepAliveTimeout = 60000;
  await new Promise<void>((resolve) => server.listen(httpPort, '127.0.0.1', resolve));

  stopOnSignal(async () => {
    server.close();
    await consumer.disconnect();
  });
  signalReady({ groupId, port: httpPort });
}

main().catch((error) => fail('bare relay', error));
