import type { EventOf, Topics } from '@cic/contracts';
import { Topic } from '@cic/contracts';
import { Header, KafkaBatchContext, OnEvent } from '@cic/platform-messaging';
import { Controller, Logger } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { DeclarationRequests } from './declaration-requests';

/** What origin-certificate consumes; each Kafka batch runs in one transaction with its inbox claim. */
@Controller()
export class OriginEventsController {
  private readonly logger = new Logger('OriginEvents');

  constructor(private readonly requests: DeclarationRequests) {}

  @OnEvent(Topic.DeclarationAcceptedV1, { batch: true })
  async onAccepted(
    @Payload() events: Array<EventOf<typeof Topics.DeclarationAcceptedV1>>,
    @Ctx() ctx: KafkaBatchContext,
  ): Promise<void> {
    const result = await this.requests.onAccepted(
      ctx.manager,
      events.map((e, i) => ({ data: e.data, traceParent: ctx.infos[i].headers[Header.traceparent] })),
    );
    if (result.known)
      this.logger.log({
        msg: `${result.known} accepted declaration(s) already had an origin decision: nothing published`,
        ...result,
      });
  }
}
