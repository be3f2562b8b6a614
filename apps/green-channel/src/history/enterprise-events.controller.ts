import { ApiKeyGuard, CurrentPrincipal, type Principal, Roles } from '@cic/platform-auth';
import { parseOr400 } from '@cic/platform-http';
import { Body, Controller, Get, Param, Post, Query, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { z } from 'zod';
import { actorOf, enterpriseCode } from '../reference/enterprises.controller';
import { isoDate, multilineText, text } from '../reference/reference.schemas';
import { ENTERPRISE_EVENT_KINDS, EnterpriseEventsService } from './enterprise-events.service';

export const EnterpriseEventBody = z.strictObject({
  kind: z.enum(ENTERPRISE_EVENT_KINDS),
  occurredOn: isoDate,
  reference: text(100).optional(),
  hsCode: z
    .string()
    .max(10)
    .regex(/^\d{4,10}$/, 'an HS code (or prefix) of 4 to 10 digits')
    .optional(),
  detail: multilineText(2000).optional(),
});

const ListQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(500).default(100),
  offset: z.coerce.number().int().min(0).max(10_000_000).default(0),
  kind: z.enum(ENTERPRISE_EVENT_KINDS).optional(),
});

@ApiTags('enterprise history')
@ApiBearerAuth()
@Controller('v1/enterprises/:code/events')
@UseGuards(ApiKeyGuard)
export class EnterpriseEventsController {
  constructor(private readonly events: EnterpriseEventsService) {}

  @Post()
  @Roles('operator', 'admin')
  @ApiOperation({
    summary:
      'Record a quality claim, non-compliant declaration, penalty, foreign notification or returned goods',
    description:
      'occurredOn must not be after today (office time zone). A FOREIGN_NOTIFICATION suspends an APPROVED green-channel approval at once (approvalSuspended: true).',
  })
  async record(
    @Param('code') code: string,
    @Body() body: unknown,
    @CurrentPrincipal() principal: Principal,
    @Res({ passthrough: true }) res: Response,
  ) {
    const enterprise = enterpriseCode(code);
    const input = parseOr400(EnterpriseEventBody, body);
    const result = await this.events.record(enterprise, input, actorOf(principal));
    res.status(201);
    return result;
  }

  @Get()
  @Roles('operator', 'admin')
  @ApiOperation({
    summary: "An enterprise's recorded history, newest first",
    description: 'Paged by `limit` and `offset`; filter `kind`.',
  })
  list(@Param('code') code: string, @Query() query: Record<string, unknown>) {
    const q = parseOr400(ListQuery, query, { title: 'Invalid query' });
    return this.events.list(enterpriseCode(code), q);
  }
}
