import type { EventOf, Topics } from '@cic/contracts';
import { Topic } from '@cic/contracts';
import { KafkaEventContext } from '@cic/platform-messaging';
import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { ClearanceService } from './clearance.service';
import { IntakeService } from './intake.service';

/** Kafka door and the decisions intake waits for. Each runs in the message's inbox transaction. */
@Controller()
export class DeclarationEventsController {
  constructor(
    private readonly intake: IntakeService,
    private readonly clearance: ClearanceService,
  ) {}

  // Envelope-only validation: an invalid declaration is answered with declaration.rejected.v1 (and a
  // REJECTED record), not dead-lettered; only unparseable or envelope-less messages go to the DLQ.
  @EventPattern(Topic.DeclarationSubmittedV1, { validate: 'envelope' })
  async onSubmitted(@Payload() event: { data: unknown }, @Ctx() ctx: KafkaEventContext): Promise<void> {
    await this.intake.submit(ctx.manager, event.data, 'kafka', ctx.info.key);
  }

  @EventPattern(Topic.GreenChannelDecidedV1)
  async onGreenChannel(
    @Payload() event: EventOf<typeof Topics.GreenChannelDecidedV1>,
    @Ctx() ctx: KafkaEventContext,
  ): Promise<void> {
    await this.clearance.onGreenChannel(ctx.manager, event.data);
  }

  @EventPattern(Topic.ExemptionDecidedV1)
  async onExemption(
    @Payload() event: EventOf<typeof Topics.ExemptionDecidedV1>,
    @Ctx() ctx: KafkaEventContext,
  ): Promise<void> {
    await this.clearance.onExemption(ctx.manager, event.data);
  }

  @EventPattern(Topic.OriginDecidedV1)
  async onOrigin(
    @Payload() event: EventOf<typeof Topics.OriginDecidedV1>,
    @Ctx() ctx: KafkaEventContext,
  ): Promise<void> {
    await this.clearance.onOrigin(ctx.manager, event.data);
  }
}
