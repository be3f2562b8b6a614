// Stub green-channel and exemption services for the benchmark: for every declaration.accepted.v1 they
// answer at once with a GREEN lane and an exemption decision naming every declared line as not exempt
// (so intake clears the declaration RELEASED), keyed by declarationId, one produce request per fetched
// batch. No other work: the benchmark measures intake (or the bare relay), not the deciders.
// Env: BENCH_BROKERS, BENCH_PREFIX (physical topic prefix), BENCH_GROUP.
import { buildEvent, type ExemptionDecided, type GreenChannelDecided, Topics } from '@cic/contracts';
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

const greenTopic = Topics.GreenChannelDecidedV1;
const exemptionTopic = Topics.ExemptionDecidedV1;

function decisions(declarationId: string, lineNos: number[]): { green: OutMessage; exemption: OutMessage } {
  const decidedAt = new Date().toISOString();
  const green: GreenChannelDecided = {
    declarationId,
    decidedAt,
    rulesetVersion: 'bench-stub/1',
    reasons: [
      { code: 'LANE_GREEN', message: 'Benchmark stub: green lane', messageZh: '基准测试桩：绿色通道' },
    ],
    lane: 'GREEN',
    hardStop: false,
    randomlySelected: false,
    greenChannelApproved: false,
    checks: [{ name: 'bench-stub', outcome: 'PASS', detail: 'no checks run' }],
  };
  const exemption: ExemptionDecided = {
    declarationId,
    decidedAt,
    rulesetVersion: 'bench-stub/1',
    reasons: [],
    exempt: false,
    lines: lineNos.map((lineNo) => ({ lineNo, exempt: false, reason: 'NO_ACTIVE_GRANT' })),
  };
  const source = 'urn:cic:bench-stub';
  const message = (type: string, data: unknown): OutMessage => ({
    key: declarationId,
    value: JSON.stringify(buildEvent(type, { subject: declarationId, source, data })),
    headers: { ce_type: type },
  });
  return { green: message(greenTopic.name, green), exemption: message(exemptionTopic.name, exemption) };
}

async function main(): Promise<void> {
  // The payloads must be what the real services would send: checked once against the contracts.
  const sample = decisions('6f1c1a52-3d2e-4f0a-9b7e-2c4d5e6f7a81', [1, 2]);
  greenTopic.envelope.parse(JSON.parse(sample.green.value));
  exemptionTopic.envelope.parse(JSON.parse(sample.exemption.value));

  const kafka = kafkaClient(brokers, 'bench-stub-deciders');
  const producer = await connectProducer(kafka, false);
  const batching = new BatchingProducer(producer);
  let answered = 0;
  const consumer = await startStream(kafka, {
    onFatal: (error) => fail('stub deciders: its consumer stopped for good', error),
    groupId,
    topics: [`${prefix}${Topics.DeclarationAcceptedV1.name}`],
    fetch: PLATFORM_FETCH,
    onBatch: async ({ batch }) => {
      const greens: OutMessage[] = [];
      const exemptions: OutMessage[] = [];
      for (const m of batch.messages) {
        if (!m.value) continue;
        const event = JSON.parse(m.value.toString()) as {
          data?: { declarationId?: string; goods?: Array<{ lineNo: number }> };
        };
        const id = event.data?.declarationId;
        if (!id) continue;
        const d = decisions(
          id,
          (event.data?.goods ?? []).map((g) => g.lineNo),
        );
        greens.push(d.green);
        exemptions.push(d.exemption);
      }
      if (greens.length === 0) return;
      // The batches of one fetch go out in one produce request (BatchingProducer joins them).
      await Promise.all([
        batching.send(`${prefix}${greenTopic.name}`, greens),
        batching.send(`${prefix}${exemptionTopic.name}`, exemptions),
      ]);
      answered += greens.length;
    },
  });
  stopOnSignal(async () => {
    await consumer.disconnect();
    await producer.disconnect();
    process.stderr.write(`stub deciders: answered ${answered} declarations\n`);
  });
  signalReady({ groupId });
}

main().catch((error) => fail('stub deciders', error));
