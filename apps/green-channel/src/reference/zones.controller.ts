import { ZONE_LEVELS } from '@cic/green-channel-domain';
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
import { ZoneBody, ZoneId } from './reference.schemas';
import { expectedVersion } from './reference.sql';
import { ZonesService } from './zones.service';

const ListQuery = pageQuery({ level: z.enum(ZONE_LEVELS).optional() });
const IdParam = z.strictObject({ id: ZoneId });
const zoneId = (id: string) => parseOr400(IdParam, { id }).id;

@ApiTags('reference data')
@ApiBearerAuth()
@Controller('v1/zones')
@UseGuards(ApiKeyGuard)
export class ZonesController {
  constructor(private readonly zones: ZonesService) {}

  @Get()
  @Roles('operator', 'admin')
  @ApiOperation({
    summary: 'Demonstration zones',
    description: 'Paged with `limit` and `cursor` or `offset`; filter `level` (PROVINCIAL | NATIONAL).',
  })
  list(@Query() query: Record<string, unknown>) {
    return this.zones.list(parseOr400(ListQuery, query, { title: 'Invalid query' }));
  }

  @Get(':id')
  @Roles('operator', 'admin')
  @ApiOperation({ summary: 'One zone (ETag: its version)' })
  async get(@Param('id') id: string, @Res({ passthrough: true }) res: Response) {
    const zone = await this.zones.get(zoneId(id));
    res.setHeader('ETag', `"${zone.version}"`);
    return zone;
  }

  @Put(':id')
  @Roles('admin')
  @ApiHeader({
    name: 'If-Match',
    required: false,
    description: 'The version you read (ETag); 409 when it moved on',
  })
  @ApiOperation({
    summary: 'Create or replace a zone',
    description: '201 when created, 200 otherwise; 409 on a version conflict.',
  })
  async put(
    @Param('id') rawId: string,
    @Body() body: unknown,
    @Headers('if-match') ifMatch: string | undefined,
    @CurrentPrincipal() principal: Principal,
    @Res({ passthrough: true }) res: Response,
  ) {
    const id = zoneId(rawId);
    const input = parseOr400(ZoneBody, body);
    if (input.id !== undefined && input.id !== id)
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
    const { outcome, zone } = await this.zones.put(
      { id, name: input.name, level: input.level, industry: input.industry },
      expectedVersion(ifMatch, input.version),
      actorOf(principal),
    );
    res.status(outcome === 'created' ? 201 : 200).setHeader('ETag', `"${zone.version}"`);
    if (outcome === 'created') res.location(`/v1/zones/${id}`);
    return zone;
  }

  @Delete(':id')
  @Roles('admin')
  @HttpCode(204)
  @ApiHeader({ name: 'If-Match', required: false, description: 'The version you read; 409 when it moved on' })
  @ApiOperation({ summary: 'Delete a zone no enterprise belongs to (409 ZONE_IN_USE otherwise); logged' })
  async delete(
    @Param('id') id: string,
    @Headers('if-match') ifMatch: string | undefined,
    @CurrentPrincipal() principal: Principal,
  ): Promise<void> {
    await this.zones.delete(zoneId(id), expectedVersion(ifMatch, undefined), actorOf(principal));
  }

  @Get(':id/versions')
  @Roles('operator', 'admin')
  @ApiOperation({ summary: "A zone's change log (also after it was deleted)" })
  versions(@Param('id') id: string, @Query() query: Record<string, unknown>) {
    const q = parseOr400(VersionsQuery, query, { title: 'Invalid query' });
    return this.zones.versions(zoneId(id), { limit: q.limit, afterVersion: Number(q.cursor ?? 0) });
  }
}
