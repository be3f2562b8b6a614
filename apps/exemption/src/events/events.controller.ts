import type { EventOf, Topics } from '@cic/contracts';
import { Topic } from '@cic/contracts';
import { Header, KafkaBatchContext, OnEvent } from '@cic/platform-messaging';
import { Controller, Logger } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { ExemptionDecider } from '../decisions/exemption-decider';
import { ResultRecorder } from './results.handler';

/** What exemption consumes; each Kafka batch runs in one transaction with its inbox claim. */
@Controller()
export class ExemptionEventsController {
  private readonly logger = new Logger('ExemptionEvents');

  constructor(
    private readonly decider: ExemptionDecider,
    private readonly results: ResultRecorder,
  ) {}

  @OnEvent(Topic.DeclarationAcceptedV1, { batch: true })
  async onAccepted(
    @Payload() events: Array<EventOf<typeof Topics.DeclarationAcceptedV1>>,
    @Ctx() ctx: KafkaBatchContext,
  ): Promise<void> {
    const result = await this.decider.onAccepted(
      ctx.manager,
      events.map((e, i) => ({ data: e.data, traceParent: ctx.infos[i].headers[Header.traceparent] })),
    );
    if (result.known)
      this.logger.log({
        msg: `${result.known} accepted declaration(s) already had an exemption decision: nothing published`,
        ...result,
      });
  }

  @OnEvent(Topic.InspectionResultRecordedV1, { batch: true })
  async onResult(
    @Payload() events: Array<EventOf<typeof Topics.InspectionResultRecordedV1>>,
    @Ctx() ctx: KafkaBatchContext,
  ): Promise<void> {
    await this.results.record(
      ctx.manager,
      events.map((e) => ({ eventId: e.id, data: e.data })),
    );
  }
}
