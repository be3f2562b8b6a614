import type { OpenApiBody } from '@cic/platform-http';
import { ApprovalController, SuspendBody } from './approval.controller';
import { ApprovalService } from './approval.service';
import { ApprovalStore } from './approval.store';

export const approvalControllers = [ApprovalController];
export const approvalProviders = [ApprovalStore, ApprovalService];

export const approvalOpenApiBodies: OpenApiBody[] = [
  {
    method: 'post',
    path: '/v1/enterprises/{code}/green-channel/suspend',
    name: 'SuspendBody',
    schema: SuspendBody,
  },
];

export { ApprovalStore, type SuspendItem } from './approval.store';
export { ApprovalService, GREEN_CHANNEL_CLOCK, GREEN_CHANNEL_RULES } from './approval.service';
export { officeToday } from './office-date';
