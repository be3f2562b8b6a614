import type { OpenApiBody } from '@cic/platform-http';
import { EnterpriseEventBody, EnterpriseEventsController } from './enterprise-events.controller';
import { EnterpriseEventsService } from './enterprise-events.service';
import { SamplingHistoryController } from './sampling-history.controller';

/** The HTTP side of enterprise history (needs ApprovalStore from approvalProviders). */
export const historyControllers = [EnterpriseEventsController, SamplingHistoryController];
export const historyProviders = [EnterpriseEventsService];

export const historyOpenApiBodies: OpenApiBody[] = [
  {
    method: 'post',
    path: '/v1/enterprises/{code}/events',
    name: 'EnterpriseEventBody',
    schema: EnterpriseEventBody,
  },
];

export { EnterpriseEventsService } from './enterprise-events.service';
