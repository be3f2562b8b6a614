import { GRANT_STATES } from '@cic/exemption-domain';
import { ApiKeyGuard, CurrentPrincipal, type Principal, Roles } from '@cic/platform-auth';
import { parseOr400 } from '@cic/platform-http';
import { Body, Controller, Get, HttpCode, Param, Post, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import {
  actorOf,
  ApprovalReference,
  isoDate,
  multilineText,
  NoBody,
  pageQuery,
  ProductScope,
  UsccCode,
  uuidParam,
} from '../common/schemas';
import { GrantMaintenance } from './grant-maintenance';
import { GrantsService } from './grants.service';

/** From a qualifying application, or by an admin naming enterprise and scope; both with the approval reference. */
export const GrantBody = z.union([
  z.strictObject({
    applicationId: z.uuid(),
    approvalReference: ApprovalReference,
    validFrom: isoDate.optional(),
  }),
  z.strictObject({
    enterpriseCode: UsccCode,
    productScope: ProductScope,
    approvalReference: ApprovalReference,
    validFrom: isoDate.optional(),
  }),
]);
export const ReasonBody = z.strictObject({ reason: multilineText(2000) });
const ListQuery = pageQuery({
  enterpriseCode: UsccCode.optional(),
  status: z.enum(GRANT_STATES).optional(),
  approvalReference: ApprovalReference.optional(),
  cursor: z.uuid().optional(),
});

/** A union's errors name every branch; the body's own keys say which one was meant. */
function parseGrantBody(body: unknown): z.infer<typeof GrantBody> {
  if (body && typeof body === 'object' && 'applicationId' in body)
    return parseOr400(GrantBody.options[0], body);
  return parseOr400(GrantBody.options[1], body);
}

@ApiTags('grants')
@ApiBearerAuth()
@Controller('v1/grants')
@UseGuards(ApiKeyGuard)
export class GrantsController {
  constructor(
    private readonly grants: GrantsService,
    private readonly maintenance: GrantMaintenance,
  ) {}

  @Post()
  @Roles('admin')
  @ApiOperation({
    summary: 'Create a grant (ACTIVE, valid 3 years from validFrom)',
    description:
      'Body: {applicationId, approvalReference, validFrom?} (the application is evaluated again today and must qualify) or ' +
      '{enterpriseCode, productScope, approvalReference, validFrom?} by an admin. validFrom defaults to today (office ' +
      'time zone); validUntil = validFrom + 3 years. 409 DUPLICATE_APPROVAL_REFERENCE, ALREADY_GRANTED, NOT_QUALIFIED.',
  })
  create(@Body() body: unknown, @CurrentPrincipal() p: Principal) {
    return this.grants.create(parseGrantBody(body), actorOf(p));
  }

  @Get()
  @Roles('operator', 'admin')
  @ApiOperation({
    summary: 'Grants, by id',
    description: 'Filters `enterpriseCode`, `status`, `approvalReference`; paged with `limit` and `cursor`.',
  })
  list(@Query() query: Record<string, unknown>) {
    return this.grants.list(parseOr400(ListQuery, query, { title: 'Invalid query' }));
  }

  @Post('maintenance')
  @Roles('admin')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Run the daily maintenance now (expiry, renewal reminders)',
    description:
      'What the worker runs daily on its BullMQ job scheduler, for today in the office time zone. Idempotent: a second run, or one racing the scheduler, changes nothing and emits nothing again.',
  })
  runMaintenance(@Body() body: unknown) {
    parseOr400(NoBody, body);
    return this.maintenance.runOnce();
  }

  @Get(':id')
  @Roles('operator', 'admin')
  @ApiOperation({ summary: 'One grant with its history and the actions its status allows' })
  get(@Param('id') id: string) {
    return this.grants.get(uuidParam(id));
  }

  @Post(':id/suspend')
  @Roles('admin')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Suspend an ACTIVE grant',
    description: 'Body: {reason}. 409 ILLEGAL_TRANSITION otherwise.',
  })
  suspend(@Param('id') id: string, @Body() body: unknown, @CurrentPrincipal() p: Principal) {
    return this.grants.act(uuidParam(id), 'SUSPEND', parseOr400(ReasonBody, body).reason, actorOf(p));
  }

  @Post(':id/reinstate')
  @Roles('admin')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Reinstate a SUSPENDED grant',
    description: 'Body: {reason}. 409 ILLEGAL_TRANSITION otherwise.',
  })
  reinstate(@Param('id') id: string, @Body() body: unknown, @CurrentPrincipal() p: Principal) {
    return this.grants.act(uuidParam(id), 'REINSTATE', parseOr400(ReasonBody, body).reason, actorOf(p));
  }

  @Post(':id/revoke')
  @Roles('admin')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Revoke an ACTIVE or SUSPENDED grant (final)',
    description: 'Body: {reason}. 409 ILLEGAL_TRANSITION from REVOKED or EXPIRED.',
  })
  revoke(@Param('id') id: string, @Body() body: unknown, @CurrentPrincipal() p: Principal) {
    return this.grants.act(uuidParam(id), 'REVOKE', parseOr400(ReasonBody, body).reason, actorOf(p));
  }
}
