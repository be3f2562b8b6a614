import { ApiKeyGuard, CurrentPrincipal, type Principal, Roles } from '@cic/platform-auth';
import { parseOr400 } from '@cic/platform-http';
import { Body, Controller, Get, HttpCode, Param, Post, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { actorOf, enterpriseCode } from '../reference/enterprises.controller';
import { multilineText } from '../reference/reference.schemas';
import { ApprovalService } from './approval.service';

export const SuspendBody = z.strictObject({ reason: multilineText(2000) });
const TimelineQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(500).default(100),
  cursor: z.string().max(19).regex(/^\d+$/, 'a cursor as given in nextCursor').optional(),
});
const NoBody = z.union([z.undefined(), z.strictObject({})]);

@ApiTags('green channel')
@ApiBearerAuth()
@Controller('v1/enterprises/:code/green-channel')
@UseGuards(ApiKeyGuard)
export class ApprovalController {
  constructor(private readonly approvals: ApprovalService) {}

  @Get()
  @Roles('operator', 'admin')
  @ApiOperation({
    summary: 'Green-channel status and whether the enterprise qualifies today',
    description:
      "status NONE | APPROVED | SUSPENDED, since when, and the seven criteria evaluated on today's date in the office's time zone, each with its evidence.",
  })
  get(@Param('code') code: string) {
    return this.approvals.view(enterpriseCode(code));
  }

  @Post('approve')
  @Roles('admin')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Approve (from NONE, only when every criterion is met today)',
    description:
      '409 NOT_QUALIFIED lists the failed criteria; 409 ILLEGAL_TRANSITION names the current and wanted status.',
  })
  approve(@Param('code') code: string, @Body() body: unknown, @CurrentPrincipal() principal: Principal) {
    parseOr400(NoBody, body);
    return this.approvals.approve(enterpriseCode(code), actorOf(principal));
  }

  @Post('suspend')
  @Roles('admin')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Suspend an APPROVED enterprise',
    description: 'Body: {reason}. 409 ILLEGAL_TRANSITION from any other status.',
  })
  suspend(@Param('code') code: string, @Body() body: unknown, @CurrentPrincipal() principal: Principal) {
    const { reason } = parseOr400(SuspendBody, body);
    return this.approvals.suspend(enterpriseCode(code), reason, actorOf(principal));
  }

  @Post('reinstate')
  @Roles('admin')
  @HttpCode(200)
  @ApiOperation({ summary: 'Reinstate a SUSPENDED enterprise (only when every criterion is met today)' })
  reinstate(@Param('code') code: string, @Body() body: unknown, @CurrentPrincipal() principal: Principal) {
    parseOr400(NoBody, body);
    return this.approvals.reinstate(enterpriseCode(code), actorOf(principal));
  }

  @Get('timeline')
  @Roles('operator', 'admin')
  @ApiOperation({ summary: 'The approval timeline (approve, suspend, reinstate: who, when, why, evidence)' })
  timeline(@Param('code') code: string, @Query() query: Record<string, unknown>) {
    const q = parseOr400(TimelineQuery, query, { title: 'Invalid query' });
    return this.approvals.timeline(enterpriseCode(code), { limit: q.limit, afterId: q.cursor ?? '0' });
  }
}
