import type { EventOf, Topics } from '@cic/contracts';
import { Topic } from '@cic/contracts';
import { Header, KafkaBatchContext, OnEvent } from '@cic/platform-messaging';
import { Controller, Logger } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { LaneIntake } from '../lanes/lane-intake';
import { ResultHistory } from './results.handler';

/** What green-channel consumes; each Kafka batch runs in one transaction with its inbox claim. */
@Controller()
export class GreenChannelEventsController {
  private readonly logger = new Logger('GreenChannelEvents');

  constructor(
    private readonly lanes: LaneIntake,
    private readonly history: ResultHistory,
  ) {}

  @OnEvent(Topic.DeclarationAcceptedV1, { batch: true })
  async onAccepted(
    @Payload() events: Array<EventOf<typeof Topics.DeclarationAcceptedV1>>,
    @Ctx() ctx: KafkaBatchContext,
  ): Promise<void> {
    const result = await this.lanes.onAccepted(
      ctx.manager,
      events.map((e, i) => ({ data: e.data, traceParent: ctx.infos[i].headers[Header.traceparent] })),
    );
    if (result.known)
      this.logger.log({
        msg: `${result.known} accepted declaration(s) already had a lane: nothing done`,
        ...result,
      });
  }

  @OnEvent(Topic.InspectionResultRecordedV1, { batch: true })
  async onResult(
    @Payload() events: Array<EventOf<typeof Topics.InspectionResultRecordedV1>>,
    @Ctx() ctx: KafkaBatchContext,
  ): Promise<void> {
    await this.history.record(
      ctx.manager,
      events.map((e) => ({ eventId: e.id, data: e.data })),
    );
  }
}
