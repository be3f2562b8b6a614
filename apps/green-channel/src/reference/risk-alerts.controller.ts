import { ApiKeyGuard, CurrentPrincipal, type Principal, Roles } from '@cic/platform-auth';
import { parseOr400, ProblemException } from '@cic/platform-http';
import {
  Body,
  Controller,
  Delete,
  Get,
  Headers,
  HttpCode,
  Param,
  Post,
  Put,
  Query,
  Res,
  UseGuards,
} from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { z } from 'zod';
import { actorOf } from './enterprises.controller';
import { pageQuery, VersionsQuery } from './paging';
import {
  canonicalRiskAlert,
  RISK_ALERT_SOURCES,
  RiskAlertBody,
  RiskAlertCreateBody,
} from './reference.schemas';
import { expectedVersion } from './reference.sql';
import { RiskAlertsService } from './risk-alerts.service';

const ListQuery = pageQuery({
  source: z.enum(RISK_ALERT_SOURCES).optional(),
  hsPrefix: z
    .string()
    .max(10)
    .regex(/^\d{1,10}$/, 'digits of an HS code')
    .optional(),
});
const IdParam = z.strictObject({ id: z.uuid() });
const alertId = (id: string) => parseOr400(IdParam, { id }).id.toLowerCase();

@ApiTags('reference data')
@ApiBearerAuth()
@Controller('v1/risk-alerts')
@UseGuards(ApiKeyGuard)
export class RiskAlertsController {
  constructor(private readonly alerts: RiskAlertsService) {}

  @Get()
  @Roles('operator', 'admin')
  @ApiOperation({
    summary: 'Risk alerts (foreign notifications, trade measures)',
    description:
      'Paged with `limit` and `cursor` or `offset`; filters `source` and `hsPrefix` (alerts whose prefix starts with it).',
  })
  list(@Query() query: Record<string, unknown>) {
    return this.alerts.list(parseOr400(ListQuery, query, { title: 'Invalid query' }));
  }

  @Get(':id')
  @Roles('operator', 'admin')
  @ApiOperation({ summary: 'One risk alert (ETag: its version)' })
  async get(@Param('id') id: string, @Res({ passthrough: true }) res: Response) {
    const alert = await this.alerts.get(alertId(id));
    res.setHeader('ETag', `"${alert.version}"`);
    return alert;
  }

  @Post()
  @Roles('admin')
  @ApiOperation({ summary: 'Create a risk alert (the id is assigned); the lanes pick it up at once' })
  async create(
    @Body() body: unknown,
    @CurrentPrincipal() principal: Principal,
    @Res({ passthrough: true }) res: Response,
  ) {
    const input = parseOr400(RiskAlertCreateBody, body);
    const { id: _unused, ...data } = canonicalRiskAlert('', input);
    const alert = await this.alerts.create(data, actorOf(principal));
    res.status(201).location(`/v1/risk-alerts/${alert.id}`).setHeader('ETag', `"${alert.version}"`);
    return alert;
  }

  @Put(':id')
  @Roles('admin')
  @ApiHeader({
    name: 'If-Match',
    required: false,
    description: 'The version you read (ETag); 409 when it moved on',
  })
  @ApiOperation({
    summary: 'Replace (or create with this id) a risk alert',
    description: '409 on a version conflict.',
  })
  async put(
    @Param('id') rawId: string,
    @Body() body: unknown,
    @Headers('if-match') ifMatch: string | undefined,
    @CurrentPrincipal() principal: Principal,
    @Res({ passthrough: true }) res: Response,
  ) {
    const id = alertId(rawId);
    const input = parseOr400(RiskAlertBody, body);
    if (input.id !== undefined && input.id.toLowerCase() !== id)
      throw new ProblemException(400, 'VALIDATION_FAILED', 'Invalid request', undefined, {
        errors: [
          {
            pointer: '/id',
            code: 'ID_MISMATCH',
            message: `must be ${id} as in the path`,
            messageZh: '与路径中的编号不一致',
          },
        ],
      });
    const { outcome, view } = await this.alerts.put(
      canonicalRiskAlert(id, input),
      expectedVersion(ifMatch, input.version),
      actorOf(principal),
    );
    res.status(outcome === 'created' ? 201 : 200).setHeader('ETag', `"${view.version}"`);
    return view;
  }

  @Delete(':id')
  @Roles('admin')
  @HttpCode(204)
  @ApiHeader({ name: 'If-Match', required: false, description: 'The version you read; 409 when it moved on' })
  @ApiOperation({ summary: 'Delete a risk alert (logged; the lanes drop it at once)' })
  async delete(
    @Param('id') id: string,
    @Headers('if-match') ifMatch: string | undefined,
    @CurrentPrincipal() principal: Principal,
  ): Promise<void> {
    await this.alerts.delete(alertId(id), expectedVersion(ifMatch, undefined), actorOf(principal));
  }

  @Get(':id/versions')
  @Roles('operator', 'admin')
  @ApiOperation({ summary: "A risk alert's change log (also after it was deleted)" })
  versions(@Param('id') id: string, @Query() query: Record<string, unknown>) {
    const q = parseOr400(VersionsQuery, query, { title: 'Invalid query' });
    return this.alerts.versions(alertId(id), { limit: q.limit, afterVersion: Number(q.cursor ?? 0) });
  }
}
