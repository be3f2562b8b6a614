import type { EventOf, Topics } from '@cic/contracts';
import { Topic } from '@cic/contracts';
import { Header, KafkaBatchContext, KafkaEventContext, OnEvent } from '@cic/platform-messaging';
import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { ClearanceService } from './clearance.service';
import { IntakeBatch } from './intake-batch';

/** Kafka door and the decisions intake waits for. Each runs in the message's inbox transaction. */
@Controller()
export class DeclarationEventsController {
  constructor(
    private readonly batch: IntakeBatch,
    private readonly clearance: ClearanceService,
  ) {}

  // Envelope-only validation: an invalid declaration is answered with declaration.rejected.v1 (and a
  // REJECTED record), not dead-lettered; only unparseable or envelope-less messages go to the DLQ.
  // A batch handler: the new submissions of a Kafka batch are accepted set-based in one transaction.
  @OnEvent(Topic.DeclarationSubmittedV1, { validate: 'envelope', batch: true })
  async onSubmitted(
    @Payload() events: Array<{ data: unknown }>,
    @Ctx() ctx: KafkaBatchContext,
  ): Promise<void> {
    await this.batch.submitMany(
      ctx.manager,
      events.map((e, i) => ({
        raw: e.data,
        key: ctx.infos[i].key,
        traceparent: ctx.infos[i].headers[Header.traceparent],
      })),
    );
  }

  // Decisions are batch handlers joined in one transaction: the batches of both topics that arrive in one
  // fetch are applied together with a few set-based statements (one write per declaration).
  @OnEvent(Topic.GreenChannelDecidedV1, { batch: true, join: 'decisions' })
  async onGreenChannel(
    @Payload() events: Array<EventOf<typeof Topics.GreenChannelDecidedV1>>,
    @Ctx() ctx: KafkaBatchContext,
  ): Promise<void> {
    await this.clearance.onDecisions(
      ctx.manager,
      events.map((e) => ({ kind: 'green' as const, data: e.data })),
      ctx.transaction,
    );
  }

  @OnEvent(Topic.ExemptionDecidedV1, { batch: true, join: 'decisions' })
  async onExemption(
    @Payload() events: Array<EventOf<typeof Topics.ExemptionDecidedV1>>,
    @Ctx() ctx: KafkaBatchContext,
  ): Promise<void> {
    await this.clearance.onDecisions(
      ctx.manager,
      events.map((e) => ({ kind: 'exemption' as const, data: e.data })),
      ctx.transaction,
    );
  }

  @OnEvent(Topic.OriginDecidedV1)
  async onOrigin(
    @Payload() event: EventOf<typeof Topics.OriginDecidedV1>,
    @Ctx() ctx: KafkaEventContext,
  ): Promise<void> {
    await this.clearance.onOrigin(ctx.manager, event.data);
  }
}
