// The customs system's side of the measurement: reads what the system under test publishes (accepted,
// rejected, clearance decided; or, for green-channel, the lane decided; for exemption, the exemption
// decided; for origin, the origin decided) and hands each event, with its arrival time, to the current phase.
import { performance } from 'node:perf_hooks';
import { Topics } from '@cic/contracts';
import type { Consumer, Kafka } from './kafka';
import { startStream } from './kafka';
import type { PhaseTracker } from './tracker';

/**
 * The localRef of an accepted event without parsing the whole declaration it carries (the first
 * "localRef" of the value is the declaration's: the envelope has none).
 */
function localRefOf(value: string): string | undefined {
  return /"localRef"\s*:\s*"([^"]+)"/.exec(value)?.[1];
}

export class Observer {
  /** The phase being measured; events of no phase (late ones of an earlier phase) are dropped. */
  tracker?: PhaseTracker;
  private consumer?: Consumer;

  private constructor(
    /** Its consumer group, whose lag says whether the measurement itself keeps up. */
    readonly group: { groupId: string; topics: string[] },
  ) {}

  static async start(
    kafka: Kafka,
    groupId: string,
    prefix: string,
    observe: 'clearance' | 'lane' | 'exemption' | 'origin' = 'clearance',
  ): Promise<Observer> {
    if (observe === 'lane') return Observer.lanes(kafka, groupId, prefix);
    if (observe === 'exemption') return Observer.exemptions(kafka, groupId, prefix);
    if (observe === 'origin') return Observer.origins(kafka, groupId, prefix);
    const accepted = `${prefix}${Topics.DeclarationAcceptedV1.name}`;
    const decided = `${prefix}${Topics.ClearanceDecidedV1.name}`;
    const rejected = `${prefix}${Topics.DeclarationRejectedV1.name}`;
    const observer = new Observer({ groupId, topics: [accepted, decided, rejected] });
    observer.consumer = await startStream(kafka, {
      groupId,
      topics: observer.group.topics,
      onBatch: async ({ batch }) => {
        const tracker = observer.tracker;
        if (!tracker) return;
        const now = performance.now();
        for (const m of batch.messages) {
          if (!m.value) continue;
          const value = m.value.toString();
          if (batch.topic === accepted) {
            const ref = localRefOf(value);
            if (ref) tracker.onAccepted(ref, now);
          } else if (batch.topic === decided) {
            const data = (
              JSON.parse(value) as { data: { localRef: string; outcome: string; revision: number } }
            ).data;
            if (data.revision === 1) tracker.onDecided(data.localRef, data.outcome, now);
          } else {
            const data = (JSON.parse(value) as { data: { localRef: string } }).data;
            tracker.onRejected(data.localRef);
          }
        }
      },
    });
    return observer;
  }

  /** green-channel: inspection.greenchannel.decided.v1, keyed by declarationId; the outcome is the lane. */
  private static async lanes(kafka: Kafka, groupId: string, prefix: string): Promise<Observer> {
    const decided = `${prefix}${Topics.GreenChannelDecidedV1.name}`;
    const observer = new Observer({ groupId, topics: [decided] });
    observer.consumer = await startStream(kafka, {
      groupId,
      topics: observer.group.topics,
      onBatch: async ({ batch }) => {
        const tracker = observer.tracker;
        if (!tracker) return;
        const now = performance.now();
        for (const m of batch.messages) {
          if (!m.value) continue;
          const data = (JSON.parse(m.value.toString()) as { data: { declarationId: string; lane: string } })
            .data;
          tracker.onDecided(data.declarationId, data.lane, now);
        }
      },
    });
    return observer;
  }

  /**
   * exemption: inspection.exemption.decided.v1, keyed by declarationId; the outcome is EXEMPT (every line),
   * PARTLY_EXEMPT or NOT_EXEMPT, and each line's reason (COVERED_BY_GRANT, SCOPE_MISMATCH, ...) is counted.
   */
  private static async exemptions(kafka: Kafka, groupId: string, prefix: string): Promise<Observer> {
    const decided = `${prefix}${Topics.ExemptionDecidedV1.name}`;
    const observer = new Observer({ groupId, topics: [decided] });
    observer.consumer = await startStream(kafka, {
      groupId,
      topics: observer.group.topics,
      onBatch: async ({ batch }) => {
        const tracker = observer.tracker;
        if (!tracker) return;
        const now = performance.now();
        for (const m of batch.messages) {
          if (!m.value) continue;
          const data = (
            JSON.parse(m.value.toString()) as {
              data: {
                declarationId: string;
                exempt: boolean;
                lines: Array<{ exempt: boolean; reason: string }>;
              };
            }
          ).data;
          const outcome = data.exempt
            ? 'EXEMPT'
            : data.lines.some((l) => l.exempt)
              ? 'PARTLY_EXEMPT'
              : 'NOT_EXEMPT';
          tracker.onDecided(
            data.declarationId,
            outcome,
            now,
            data.lines.map((l) => l.reason),
          );
        }
      },
    });
    return observer;
  }

  /**
   * origin: inspection.origin.decided.v1, keyed by declarationId; the outcome is ISSUED or REFUSED, and the
   * codes of its reasons are counted (ORIGIN_CONFIRMED for an issue; a refusal's reasons, one per failing
   * line, or CERTIFICATE_SERIAL_EXHAUSTED when an office ran out of serials).
   */
  private static async origins(kafka: Kafka, groupId: string, prefix: string): Promise<Observer> {
    const decided = `${prefix}${Topics.OriginDecidedV1.name}`;
    const observer = new Observer({ groupId, topics: [decided] });
    observer.consumer = await startStream(kafka, {
      groupId,
      topics: observer.group.topics,
      onBatch: async ({ batch }) => {
        const tracker = observer.tracker;
        if (!tracker) return;
        const now = performance.now();
        for (const m of batch.messages) {
          if (!m.value) continue;
          const data = (
            JSON.parse(m.value.toString()) as {
              data: { declarationId: string; outcome: string; reasons: Array<{ code: string }> };
            }
          ).data;
          tracker.onDecided(
            data.declarationId,
            data.outcome,
            now,
            data.reasons.map((r) => r.code),
          );
        }
      },
    });
    return observer;
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect().catch(() => undefined);
  }
}
